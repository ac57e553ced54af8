"""Reference cases for ops on KerasTensors in functional models (family "functional_ops").

For each model of ``_functional_ops_zoo.MODELS``, built in real Keras with random weights
(N(0, 0.25)): the weights, inputs and predictions, ``get_config()``, ``summary()`` (76 columns,
as in a notebook) and the model saved as ``tests/reference/functional_ops/<name>.keras``.

Also Keras' table of its op classes: for every class of ``keras.src.ops.{numpy, nn, math, core}``
its module, constructor parameters and call parameters, which nbkeras' ``KERAS_OPERATIONS``
must agree with.
"""

import importlib
import inspect
import json
import pathlib

import keras

from reference import _functional_ops_zoo
from reference._recorder import Recorder

FILES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "reference" / "functional_ops"


def build():
    rec = Recorder("functional_ops", seed=20261203)
    FILES.mkdir(parents=True, exist_ok=True)
    for name, (builder, specs) in _functional_ops_zoo.MODELS.items():
        record_model(rec, name, builder, specs)
    record_operation_classes(rec)
    return rec


def record_model(rec, name, builder, specs):
    model = builder(keras)
    weights = [(rec.rng.standard_normal(w.shape) * 0.5).astype(w.dtype)
               for w in model.get_weights()]
    model.set_weights(weights)
    inputs = _functional_ops_zoo.make_inputs(rec.rng, specs)
    outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    for i, w in enumerate(weights):
        rec.array(name, f"w{i}", w)
    for i, x in enumerate(inputs):
        rec.array(name, f"x{i}", x)
    for i, y in enumerate(outputs):
        rec.array(name, f"y{i}", y)
    captured = []
    model.summary(print_fn=captured.append)
    model.save(FILES / f"{name}.keras")
    rec.add(name, kind="model", n_weights=len(weights), n_inputs=len(inputs),
            n_outputs=len(outputs), output_dtypes=[str(y.dtype) for y in outputs],
            operations=[op.name for op in model.operations],
            layers=[layer.name for layer in model.layers],
            config=json.loads(json.dumps(model.get_config(), default=_plain)),
            summary=captured[0], file=f"{name}.keras")


def _plain(value):
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def record_operation_classes(rec):
    from keras.src.ops.operation import Operation

    table = {}
    for module_name in ("numpy", "nn", "math", "core"):
        module = importlib.import_module(f"keras.src.ops.{module_name}")
        for class_name, cls in sorted(vars(module).items()):
            if not (inspect.isclass(cls) and issubclass(cls, Operation)
                    and cls.__module__ == module.__name__):
                continue
            options = [p for p in inspect.signature(cls.__init__).parameters
                       if p not in ("self", "name", "args", "kwargs")]
            call = [p for p in inspect.signature(cls.call).parameters if p != "self"]
            table[class_name] = {"module": f"keras.src.ops.{module_name}",
                                 "options": options, "call": call}
    # what each public function records, for the functions whose class is not their CamelCase
    records = {}
    probe = keras.Input(shape=(3,))
    for function in ("abs", "absolute", "divide", "true_divide"):
        out = getattr(keras.ops, function)(*([probe] if "divide" not in function
                                             else [probe, probe]))
        records[function] = type(out._keras_history.operation).__name__
    out = probe[:, 0]
    records["__getitem__"] = type(out._keras_history.operation).__name__
    rec.add("operation_classes", kind="operation_classes", classes=table, records=records)
