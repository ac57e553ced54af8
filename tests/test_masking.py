"""Keras masks travelling from layer to layer (Layer.__call__), replayed against the graphs of
tools/reference/masking.py run in real Keras: every step's mask, the output, the weight
gradients, the moving statistics and a loss that reads the mask."""

import warnings

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils.keras_reference import assert_matches_keras, load

CASES = load("masking")


def _run(case, built_layers, training_override=None):
    tensors = [ops.convert_to_tensor(case.array(f"x{i}")) for i in range(case["n_inputs"])]
    for step, layer in zip(case["steps"], built_layers, strict=True):
        args = [tensors[i] for i in step["inputs"]]
        call = dict(step.get("call", {}))
        if training_override is not None and "training" in call:
            call["training"] = training_override
        tensors.append(layer(args if len(args) > 1 else args[0], **call))
    return tensors


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_masks_flow_as_in_keras(case):
    built = [getattr(layers, s["layer"])(**s["kwargs"]) for s in case["steps"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Flatten warns that it drops the mask (tested below)
        _run(case, built, training_override=False)
        for s, layer in enumerate(built):
            layer.set_weights([case.array(f"w/{s}/{i}") for i in range(case["n_weights"][s])])
        with keras.GradientTape() as tape:
            tensors = _run(case, built)
    outputs = tensors[case["n_inputs"]:]
    for s, t in enumerate(outputs):
        mask = getattr(t, "_keras_mask", None)
        if s in case["masked_steps"]:
            assert mask is not None, f"step {s} ({case['steps'][s]['layer']}) lost its mask"
            np.testing.assert_array_equal(mask.numpy(), case.array(f"mask/{s}"))
        else:
            assert mask is None, f"step {s} ({case['steps'][s]['layer']}) has a mask, Keras none"
    out = outputs[-1]
    assert_matches_keras(out.numpy(), case.array("output"), 1e-5, f"{case.id} output")
    trainable = [built[s].weights[i] for s, i in case["trainable"]]
    grads = tape.gradient(out, trainable, output_gradients=case.array("cotangent"))
    for (s, i), g in zip(case["trainable"], grads, strict=True):
        assert_matches_keras(g, case.array(f"grad/{s}/{i}"), 1e-4, f"{case.id} grad {s}/{i}")
    for s, layer in enumerate(built):
        for i, w in enumerate(layer.get_weights()):
            assert_matches_keras(w, case.array(f"after/{s}/{i}"), 1e-5, f"{case.id} after {s}/{i}")
    if case.get("loss"):
        value = getattr(keras.losses, case["loss"])()(case.array("targets"), out)
        assert_matches_keras(value, case.array("loss"), 1e-6, f"{case.id} loss")
        for name in case["metrics"]:
            metric = getattr(keras.metrics, name)()
            metric.update_state(case.array("targets"), out)
            assert_matches_keras(metric.result(), case.array(f"metric/{name}"), 1e-6,
                                 f"{case.id} metric {name}")


def test_a_layer_without_masking_warns_that_it_drops_the_mask():
    x = layers.Embedding(10, 3, mask_zero=True)(np.array([[1, 0]]))
    with pytest.warns(UserWarning, match=r"'flatten.*does not support masking: the mask is "
                                         r"dropped"):
        y = layers.Flatten()(x)
    assert getattr(y, "_keras_mask", None) is None


def test_an_explicit_mask_wins_over_the_attached_one():
    x = layers.Embedding(10, 2, mask_zero=True)(np.array([[1, 2, 0]]))
    pooled = layers.GlobalAveragePooling1D()(x, mask=np.array([[True, False, False]]))
    np.testing.assert_array_equal(pooled.numpy(), x.numpy()[:, 0])


def test_a_cast_input_keeps_its_mask():
    x = layers.Embedding(10, 2, mask_zero=True)(np.array([[1, 0]]))
    y = layers.Dense(2, dtype="float64")(x)  # the layer casts its float32 input to float64
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[True, False]])


def test_batch_normalization_refuses_a_mask_of_the_wrong_rank():
    bn = layers.BatchNormalization()
    with pytest.raises(ValueError, match=r"one axis less than the inputs.*\(2, 3, 4\)"):
        bn(np.ones((2, 3, 4), np.float32), training=True, mask=np.ones((2, 3, 4), bool))
