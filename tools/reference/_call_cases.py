"""Reference cases for layers called with several tensors, keyword tensors or several times:
recurrent layers (initial states, masks, stateful calls) and attention (query, value, key,
attention masks). Shared by ``recurrent.py`` and ``attention.py``.

A case is described in JSON, so that the nbkeras test can rebuild exactly the same thing:

- ``spec``: the layer, ``{"class": name, "kwargs": {...}, "nested": {argument: spec or [spec]}}``
  (``nested`` holds layers and cells passed to the constructor: RNN's cell, Bidirectional's
  layer and backward_layer, TimeDistributed's layer);
- ``calls``: a list of calls, each ``{"args": [arg], "kwargs": {name: arg}}``, where an arg is
  ``{"array": key}``, ``{"arrays": [key, ...]}`` (a list argument) or ``{"value": v}``.

The builder calls the layer once on the first call's arguments to build it, sets random weights
N(0, scale^2) (``w<i>``), resets the states of a stateful layer, then runs every call in order
under a tf.GradientTape. It records each call's outputs (``call<c>/out<k>``; a layer returning a
tuple or list has several), and, for the last call, random cotangents for its outputs and the
gradient of sum_k <cotangent_k, out_k> with respect to every float array argument
(``grad/<key>``) and every trainable weight (``grad/w<i>``), the layer's losses (``loss<i>``), plus
the layer's config, its weight paths and its parameter count.
"""

import keras
import numpy as np
import tensorflow as tf

CUSTOM_CELLS = {}
"""User-written cells (classes defined in the builders) by name."""


def make_layer(spec):
    kwargs = dict(spec.get("kwargs", {}))
    for name, nested in spec.get("nested", {}).items():
        kwargs[name] = ([make_layer(s) for s in nested] if isinstance(nested, list)
                        else make_layer(nested))
    cls = CUSTOM_CELLS.get(spec["class"]) or getattr(keras.layers, spec["class"])
    return cls(**kwargs)


def _resolve(arg, tensors):
    if "array" in arg:
        return tensors[arg["array"]]
    if "arrays" in arg:
        return [tensors[k] for k in arg["arrays"]]
    return arg["value"]


def _flat_outputs(out):
    """Every tensor the call returned, nested lists and tuples flattened in order."""
    return tf.nest.flatten(out)


def call_case(rec, case_id, spec, calls, arrays, scale=0.5, symbolic=False):
    """Record one case (see the module docstring); ``arrays`` maps keys to NumPy inputs."""
    layer = make_layer(spec)
    tensors = {k: tf.constant(v) for k, v in arrays.items()}
    for k, v in arrays.items():
        rec.array(case_id, k, v)

    def run(call):
        args = [_resolve(a, tensors) for a in call.get("args", [])]
        kwargs = {k: _resolve(a, tensors) for k, a in call.get("kwargs", {}).items()}
        return layer(*args, **kwargs)

    run(calls[0])  # builds the layer
    weights = [(rec.rng.standard_normal(w.shape) * scale).astype(w.dtype)
               for w in layer.get_weights()]
    layer.set_weights(weights)
    for i, w in enumerate(weights):
        rec.array(case_id, f"w{i}", w)
    if getattr(layer, "stateful", False):
        layer.reset_states()
    float_keys = [k for k, v in arrays.items() if v.dtype.kind == "f"]
    trainable = [i for i, v in enumerate(layer.weights)
                 if any(v is t for t in layer.trainable_weights)]
    n_outputs = []
    for c, call in enumerate(calls):
        last = c == len(calls) - 1
        with tf.GradientTape(persistent=True) as tape:
            for k in float_keys:
                tape.watch(tensors[k])
            outputs = _flat_outputs(run(call))
            if last:
                cotangents = [rec.rng.standard_normal(o.shape).astype(np.float32)
                              for o in outputs]
                total = tf.add_n([tf.reduce_sum(o * ct) for o, ct in
                                  zip(outputs, cotangents, strict=True)])
        n_outputs.append(len(outputs))
        for k, o in enumerate(outputs):
            rec.array(case_id, f"call{c}/out{k}", keras.ops.convert_to_numpy(o))
    for k, ct in enumerate(cotangents):
        rec.array(case_id, f"cotangent{k}", ct)
    for k in float_keys:
        g = tape.gradient(total, tensors[k])
        if g is not None:
            rec.array(case_id, f"grad/{k}", tf.convert_to_tensor(g).numpy())
    for i in trainable:
        g = tape.gradient(total, layer.weights[i])
        if g is not None:
            rec.array(case_id, f"grad/w{i}", tf.convert_to_tensor(g).numpy())
    for i, loss in enumerate(layer.losses):  # weight and activity regularizers
        rec.array(case_id, f"loss{i}", keras.ops.convert_to_numpy(loss))
    meta = {
        "spec": spec,
        "calls": calls,
        "n_outputs": n_outputs,
        "n_weights": len(weights),
        "weight_paths": [v.path.split("/", 1)[1] for v in layer.weights],
        "trainable_weights": trainable,
        "count_params": layer.count_params(),
        "n_losses": len(layer.losses),
        "config": layer.get_config(),
    }
    if symbolic:
        fresh = make_layer(spec)
        first = calls[0]["args"][0]["array"]
        out = fresh(keras.Input(batch_shape=(None,) + arrays[first].shape[1:]))
        meta["symbolic_output_shapes"] = [list(o.shape) for o in _flat_outputs(out)]
    rec.add(case_id, **meta)


def error_case(rec, case_id, spec, calls, arrays):
    """Record that Keras raises on this call (the message, for the chapter to show)."""
    tensors = {k: tf.constant(v) for k, v in arrays.items()}
    for k, v in arrays.items():
        rec.array(case_id, k, v)
    try:
        layer = make_layer(spec)
        for call in calls:
            args = [_resolve(a, tensors) for a in call.get("args", [])]
            kwargs = {k: _resolve(a, tensors) for k, a in call.get("kwargs", {}).items()}
            layer(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any error Keras raises is the record
        rec.add(case_id, spec=spec, calls=calls, error_type=type(error).__name__,
                error=str(error).splitlines()[0][:300])
        return
    raise AssertionError(f"{case_id}: Keras raised no error")
