"""Reference cases for keras.Model, Sequential and functional graphs (family "models").

Every model of ``_model_zoo.MODELS`` is built in real Keras, summarised before its first call
when it is not built yet, called once to build it, given random weights (N(0, 0.25); moving
variances in [0.5, 1.5]) and called again in inference on random inputs. Recorded:

- the weights (``w<i>``, in ``get_weights`` order) and their paths, the inputs and the outputs;
- the weights after one more call with ``training=True`` (BatchNormalization's moving
  statistics move; the Dropout after it does not change them);
- the text of ``summary()`` for each option set in the zoo, captured through ``print_fn`` with
  no ``COLUMNS`` in the environment (so 76 columns, as in a notebook or a pipe);
- ``model.layers``' names, ``output_names``, ``input_shape`` / ``output_shape`` where the model
  has them, the parameter counts, and ``get_config()`` and ``serialize_keras_object(model)``.
"""

import os

import keras
import numpy as np

from reference import _model_zoo
from reference._recorder import Recorder


def _summary(model, options):
    captured = []
    model.summary(print_fn=captured.append, **options)
    assert len(captured) == 1, "Keras 3 calls print_fn once with the whole summary"
    return captured[0]


def _maybe(model, attribute):
    try:
        value = getattr(model, attribute)
    except (AttributeError, ValueError):
        return None
    return keras.tree.map_structure(lambda x: x, value)


def _random_weights(rng, model):
    weights = []
    for v, w in zip(model.weights, model.get_weights(), strict=True):
        if "moving_variance" in v.path:
            weights.append(rng.uniform(0.5, 1.5, w.shape).astype(w.dtype))
        else:
            weights.append((rng.standard_normal(w.shape) * 0.5).astype(w.dtype))
    return weights


def model_case(rec, name, builder, input_shapes, summaries):
    model = builder(keras)
    meta = {"model": name, "summaries": summaries}
    if not model.built:
        meta["summary_before_build"] = _summary(model, {})
    if isinstance(input_shapes, dict):
        inputs = {k: rec.rng.standard_normal(s).astype(np.float32)
                  for k, s in input_shapes.items()}
        for k, x in inputs.items():
            rec.array(name, f"x/{k}", x)
    else:
        inputs = [rec.rng.standard_normal(s).astype(np.float32) for s in input_shapes]
        for i, x in enumerate(inputs):
            rec.array(name, f"x/{i}", x)
        inputs = inputs[0] if len(inputs) == 1 else inputs
    model(inputs)  # builds a model that is not built yet
    weights = _random_weights(rec.rng, model)
    model.set_weights(weights)
    for i, w in enumerate(weights):
        rec.array(name, f"w/{i}", w)
    outputs = model(inputs, training=False)
    if isinstance(outputs, dict):
        meta["output_keys"] = list(outputs)
        for k, y in outputs.items():
            rec.array(name, f"y/{k}", keras.ops.convert_to_numpy(y))
    else:
        flat = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        meta["n_outputs"] = len(flat) if isinstance(outputs, (list, tuple)) else None
        for i, y in enumerate(flat):
            rec.array(name, f"y/{i}", keras.ops.convert_to_numpy(y))
    meta["summary"] = [_summary(model, options) for options in summaries]
    meta["layer_names"] = [layer.name for layer in model.layers]
    meta["weight_paths"] = [v.path for v in model.weights]
    meta["trainable_weight_paths"] = [v.path for v in model.trainable_weights]
    meta["count_params"] = model.count_params()
    for attribute in ["output_names", "input_shape", "output_shape"]:
        meta[attribute] = _maybe(model, attribute)
    meta["class_name"] = type(model).__name__
    if isinstance(model, (keras.Sequential, keras.src.models.Functional)):
        meta["config"] = model.get_config()
    meta["serialized"] = keras.saving.serialize_keras_object(model)
    model(inputs, training=True)
    for i, w in enumerate(model.get_weights()):
        rec.array(name, f"after_training/{i}", w)
    rec.add(name, **meta)


def build():
    os.environ.pop("COLUMNS", None)
    rec = Recorder("models", seed=20261202)
    for name, (builder, input_shapes, summaries) in _model_zoo.MODELS.items():
        model_case(rec, name, builder, input_shapes, summaries)
    return rec
