"""Reference cases for Keras masks travelling from layer to layer.

``Embedding(mask_zero=True)`` attaches a mask (id != 0) to its output; every later layer that
supports masking passes it on (or combines it: Add, Concatenate), layers whose ``call`` takes
``mask`` use it (GlobalAveragePooling1D averages the kept steps, BatchNormalization's moments in
training count the kept positions only), and any other layer drops it.

A case is a small graph: ``steps`` is a list of {"layer", "kwargs", "inputs", "call"}, where
``inputs`` indexes the list of tensors made so far (the case's inputs first, then each step's
output); a step with several inputs is called on the list. The builder calls the graph once to
build it, sets random weights, then calls it again under a tf.GradientTape and records:

- every step's output mask (``mask/<step>``, absent when the step's output has none);
- the last output, and the gradients of <output, cotangent> for a random cotangent with respect
  to every trainable weight (``grad/<step>/<i>``), and the weights after the call (moving
  statistics move in training);
- with ``loss``, the value of that Keras loss class on (targets, last output), which reads the
  output's mask, and the results of ``metrics`` updated once on the same pair.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder


def graph_case(rec, case_id, steps, inputs, loss=None, metrics=()):
    layers = [getattr(keras.layers, s["layer"])(**s.get("kwargs", {})) for s in steps]

    def run(training_override=None):
        tensors = [tf.constant(x) for x in inputs]
        for step, layer in zip(steps, layers, strict=True):
            args = [tensors[i] for i in step["inputs"]]
            call = dict(step.get("call", {}))
            if training_override is not None and "training" in call:
                call["training"] = training_override
            tensors.append(layer(args if len(args) > 1 else args[0], **call))
        return tensors

    run(training_override=False)  # builds every layer without moving statistics
    for s, layer in enumerate(layers):
        weights = []  # N(0, 0.25), and moving variances in [0.5, 1.5]
        for v, w in zip(layer.weights, layer.get_weights(), strict=True):
            if "moving_variance" in v.path:
                weights.append(rec.rng.uniform(0.5, 1.5, w.shape).astype(w.dtype))
            else:
                weights.append((rec.rng.standard_normal(w.shape) * 0.5).astype(w.dtype))
        layer.set_weights(weights)
        for i, w in enumerate(weights):
            rec.array(case_id, f"w/{s}/{i}", w)
    for i, x in enumerate(inputs):
        rec.array(case_id, f"x{i}", x)
    with tf.GradientTape() as tape:
        tensors = run()
        out = tensors[-1]
    masked_steps = []
    for s, t in enumerate(tensors[len(inputs):]):
        mask = getattr(t, "_keras_mask", None)
        if mask is not None:
            masked_steps.append(s)
            rec.array(case_id, f"mask/{s}", keras.ops.convert_to_numpy(mask))
    out_np = keras.ops.convert_to_numpy(out)
    rec.array(case_id, "output", out_np)
    cotangent = rec.rng.standard_normal(out_np.shape).astype(out_np.dtype)
    rec.array(case_id, "cotangent", cotangent)
    trainable = [(s, i, v) for s, layer in enumerate(layers)
                 for i, v in enumerate(layer.weights)
                 if any(v is t for t in layer.trainable_weights)]
    grads = tape.gradient(out, [v for _, _, v in trainable],
                          output_gradients=tf.constant(cotangent))
    for (s, i, _), g in zip(trainable, grads, strict=True):
        rec.array(case_id, f"grad/{s}/{i}", tf.convert_to_tensor(g).numpy())
    for s, layer in enumerate(layers):
        for i, w in enumerate(layer.get_weights()):
            rec.array(case_id, f"after/{s}/{i}", w)
    meta = {"steps": steps, "n_inputs": len(inputs), "masked_steps": masked_steps,
            "trainable": [[s, i] for s, i, _ in trainable],
            "n_weights": [len(layer.weights) for layer in layers]}
    if loss is not None:
        targets = rec.rng.standard_normal(out_np.shape).astype(np.float32)
        rec.array(case_id, "targets", targets)
        value = getattr(keras.losses, loss)()(tf.constant(targets), out)
        rec.array(case_id, "loss", keras.ops.convert_to_numpy(value))
        meta["loss"] = loss
        for name in metrics:  # the metrics fold the output's mask into their weights too
            metric = getattr(keras.metrics, name)()
            metric.update_state(tf.constant(targets), out)
            rec.array(case_id, f"metric/{name}", keras.ops.convert_to_numpy(metric.result()))
        meta["metrics"] = list(metrics)
    rec.add(case_id, **meta)


def _embedding(input_index, output_dim=4, mask_zero=True):
    return {"layer": "Embedding", "inputs": [input_index],
            "kwargs": {"input_dim": 10, "output_dim": output_dim, "mask_zero": mask_zero}}


def _step(layer, inputs, **kwargs):
    call = kwargs.pop("call", None)
    step = {"layer": layer, "inputs": inputs, "kwargs": kwargs}
    if call:
        step["call"] = call
    return step


def build():
    rec = Recorder("masking", seed=20261123)
    # ids with padding (0) at the end of each row; no row is all padding
    ids = np.array([[3, 5, 0, 0, 0], [1, 2, 7, 0, 0], [4, 4, 4, 4, 9]], np.int32)
    other = np.array([[0, 6, 6, 1, 0], [2, 0, 0, 0, 0], [8, 0, 3, 0, 0]], np.int32)

    graph_case(rec, "embedding_average", [_embedding(0), _step("GlobalAveragePooling1D", [1])],
               [ids])
    graph_case(rec, "dense_dropout_layernorm_average", [
        _embedding(0),
        _step("Dense", [1], units=5, activation="relu"),
        _step("Dropout", [2], rate=0.5, call={"training": False}),
        _step("LayerNormalization", [3]),
        _step("Activation", [4], activation="tanh"),
        _step("GlobalAveragePooling1D", [5]),
    ], [ids])
    graph_case(rec, "batchnorm_training", [
        _embedding(0, output_dim=3),
        _step("BatchNormalization", [1], call={"training": True}),
        _step("GlobalAveragePooling1D", [2]),
    ], [ids])
    graph_case(rec, "batchnorm_inference", [
        _embedding(0, output_dim=3),
        _step("BatchNormalization", [1], call={"training": False}),
        _step("GlobalAveragePooling1D", [2]),
    ], [ids])
    graph_case(rec, "add_two_masks", [
        _embedding(0), _embedding(1), _step("Add", [2, 3]), _step("GlobalAveragePooling1D", [4]),
    ], [ids, other])
    graph_case(rec, "add_one_unmasked", [
        _embedding(0), _embedding(1, mask_zero=False), _step("Add", [2, 3]),
        _step("GlobalAveragePooling1D", [4]),
    ], [ids, other])
    graph_case(rec, "concatenate_steps", [
        _embedding(0), _embedding(1), _step("Concatenate", [2, 3], axis=1),
        _step("GlobalAveragePooling1D", [4]),
    ], [ids, other])
    graph_case(rec, "concatenate_features_one_unmasked", [
        _embedding(0), _embedding(1, mask_zero=False), _step("Concatenate", [2, 3]),
        _step("GlobalAveragePooling1D", [4]),
    ], [ids, other])
    graph_case(rec, "flatten_drops_the_mask", [
        _embedding(0), _step("Flatten", [1]), _step("Dense", [2], units=3),
    ], [ids])
    graph_case(rec, "masked_loss", [_embedding(0), _step("Dense", [1], units=2)], [ids],
               loss="MeanSquaredError", metrics=("MeanSquaredError", "MeanAbsoluteError"))
    return rec
