"""Keras-written model files and what Keras computes with them (family "saving").

For each model of ``_saving_zoo.MODELS`` (built, compiled and fitted one epoch in real Keras):

- ``tests/reference/saving/<name>.keras`` (``model.save``), ``<name>.weights.h5``
  (``save_weights``) and ``<name>.h5`` (the legacy Keras 2 format, ``model.save("x.h5")``);
- in saving.npz: the inputs and targets, the predictions of the saved model, its weights and
  optimizer variables, then the weights, optimizer variables and History after one more epoch
  (``shuffle=False``), which a loaded model must reproduce.

Also the config survey: ``serialize_keras_object`` of one instance of every public class of
the modules in ``_saving_zoo.SURVEY_MODULES`` (arguments from ``constructor_arguments``), so that
nbkeras' configs can be checked key by key.
"""

import contextlib
import importlib
import inspect
import json
import pathlib

import keras

from reference import _saving_zoo
from reference._recorder import Recorder

FILES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "reference" / "saving"


def build():
    rec = Recorder("saving", seed=20261211)
    FILES.mkdir(parents=True, exist_ok=True)
    data = _saving_zoo.make_data(rec.rng)
    for name, make in _saving_zoo.MODELS.items():
        record_model(rec, name, make, data[name])
    for name, make in _saving_zoo.LAYOUTS.items():
        record_layout(rec, name, make)
    record_config_survey(rec)
    record_signatures(rec)
    return rec


SIGNATURES = ["saving.save_model", "saving.load_model", "saving.save_weights",
              "saving.load_weights", "saving.register_keras_serializable",
              "saving.custom_object_scope", "saving.get_custom_objects",
              "saving.get_registered_name", "saving.get_registered_object",
              "models.load_model", "models.save_model", "Model.save", "Model.save_weights",
              "Model.load_weights"]
"""The public saving functions whose signatures nbkeras must share."""


def record_signatures(rec):
    found = {}
    for qualified in SIGNATURES:
        obj = keras
        for part in qualified.split("."):
            obj = getattr(obj, part)
        found[qualified] = str(inspect.signature(obj))
    rec.add("signatures", kind="signatures", signatures=found)


def h5_tree(path):
    """``{path: [shape, dtype]}`` for datasets, ``{path/: {attributes}}`` for groups."""
    import h5py

    tree = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                tree[name] = [list(obj.shape), str(obj.dtype)]
            else:
                tree[name + "/"] = {k: str(v) for k, v in obj.attrs.items()}
        f.visititems(visit)
    return tree


def record_layout(rec, name, make):
    """A model of composite layers with Keras' initial weights: its weights file, the HDF5
    tree, inputs and predictions."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(2)
    model = make(keras)
    x = _saving_zoo.layout_inputs(name, rec.rng)
    path = FILES / f"layout_{name}.weights.h5"
    model.save_weights(path)
    case_id = f"layout/{name}"
    n_x = _store_list(rec, case_id, "x", x)
    rec.array(case_id, "predictions", model.predict(_saving_zoo.inputs(x), verbose=0))
    rec.add(case_id, kind="layout", n_x=n_x, tree=h5_tree(path), file=path.name,
            weight_paths=[v.path for v in model.weights],
            config=json.loads(model.to_json()))


def _store_list(rec, case_id, what, arrays):
    for i, value in enumerate(arrays):
        rec.array(case_id, f"{what}/{i}", value)
    return len(arrays)


def record_model(rec, name, make, arrays):
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    model = make(keras)
    x, y = _saving_zoo.inputs(arrays["x"]), _saving_zoo.inputs(arrays["y"])
    model.fit(x, y, **_saving_zoo.FIT)
    model.save(FILES / f"{name}.keras")
    model.save_weights(FILES / f"{name}.weights.h5")
    with contextlib.suppress(Exception):  # the legacy format, for the stretch loader
        model.save(FILES / f"{name}.h5")
    predictions = model.predict(x, verbose=0)
    predictions = predictions if isinstance(predictions, list) else [predictions]
    meta = {
        "n_x": _store_list(rec, name, "x", arrays["x"]),
        "n_y": _store_list(rec, name, "y", arrays["y"]),
        "n_predictions": _store_list(rec, name, "predictions", predictions),
        "n_weights": _store_list(rec, name, "weights", model.get_weights()),
        "n_optimizer": _store_list(rec, name, "optimizer",
                                   [v.numpy() for v in model.optimizer.variables]),
        "weight_paths": [v.path for v in model.weights],
        "iterations": int(model.optimizer.iterations.numpy()),
    }
    history = model.fit(x, y, **_saving_zoo.FIT).history
    meta["history"] = {k: [float(v) for v in values] for k, values in history.items()}
    _store_list(rec, name, "weights_after", model.get_weights())
    _store_list(rec, name, "optimizer_after", [v.numpy() for v in model.optimizer.variables])
    meta["files"] = sorted(p.name for p in FILES.glob(f"{name}.*"))
    rec.add(name, kind="model", **meta)


def _public_classes(module):
    for attribute in sorted(dir(module)):
        value = getattr(module, attribute)
        if inspect.isclass(value) and not attribute.startswith("_") and value.__name__ == attribute:
            yield attribute, value


def record_config_survey(rec):
    arguments = _saving_zoo.constructor_arguments(keras)
    for module_name in _saving_zoo.SURVEY_MODULES:
        module = importlib.import_module(f"keras.{module_name}")
        for name, cls in _public_classes(module):
            kwargs = arguments.get(name, {})
            if kwargs is None:
                continue
            keras.backend.clear_session()
            try:
                obj = cls(**kwargs)
                config = keras.saving.serialize_keras_object(obj)
            except Exception:  # noqa: BLE001 - abstract classes, arguments not in the table
                continue
            rec.add(f"config/{module_name}/{name}", kind="config", module=module_name,
                    class_name=name, serialized=config)
