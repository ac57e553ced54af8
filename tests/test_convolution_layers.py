"""Convolution and pooling layers (and ZeroPadding2D, UpSampling2D) against real Keras: every
layer case of the convolution and pooling families through the checks of tests/test_layers.py
(output, gradients for the input and each weight, weight names and order, parameter count,
symbolic shape, config); then the seed examples' shapes, extended batch axes, config round trips,
and the errors for bad inputs and arguments."""

import re

import numpy as np
import pytest
from test_layers import test_config_matches_keras as check_config_matches_keras
from test_layers import test_layer_matches_keras as check_layer_matches_keras
from test_layers import test_layer_structure_matches_keras as check_layer_structure

import nbkeras as keras
from nbkeras import layers
from nbkeras.utils.keras_reference import assert_matches_keras, load

CASES = [c for c in load("convolution") + load("pooling") if "n_inputs" in c.meta]
SHAPE_CASES = {c.id: c for c in load("convolution") if c.id.startswith("shape/")}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_layer_matches_keras(case):
    check_layer_matches_keras(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_layer_structure_matches_keras(case):
    check_layer_structure(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_config_matches_keras(case):
    check_config_matches_keras(case)


@pytest.mark.parametrize("case", [c for c in CASES if c.get("unfolded_batch")],
                         ids=lambda c: c.id)
def test_extended_batch_axes(case):
    # Keras 3 raises on (*batch, *spatial, channels); nbkeras folds the batch axes like
    # tf.keras 2 did, and must give Keras' numbers for the folded batch.
    batch = tuple(case["unfolded_batch"])
    x = keras.ops.convert_to_tensor(case.array("x0").reshape(batch + case.array("x0").shape[1:]))
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    layer.build(x.shape)
    layer.set_weights([case.array(f"w{i}") for i in range(case["n_weights"])])
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    expected = case.array("output")
    assert y.shape == batch + expected.shape[1:]
    assert layer.compute_output_shape(x.shape) == y.shape
    assert_matches_keras(y.numpy().reshape(expected.shape), expected, 1e-4, case.id)
    cotangent = case.array("cotangent").reshape(y.shape)
    grads = tape.gradient(y, [x, *layer.trainable_weights], output_gradients=cotangent)
    assert_matches_keras(grads[0].numpy().reshape(case.array("grad/x0").shape),
                         case.array("grad/x0"), 1e-4, f"{case.id} input gradient")
    for i, g in enumerate(grads[1:]):
        assert_matches_keras(g, case.array(f"grad/w{i}"), 1e-4, f"{case.id} weight {i}")


@pytest.mark.parametrize("case_id", sorted(SHAPE_CASES))
def test_seed_shapes(case_id):
    case = SHAPE_CASES[case_id]
    layer = getattr(layers, case["layer"])(*case["args"], **case["kwargs"])
    y = layer(keras.Input(batch_shape=tuple(case["input_shape"])))
    if "error" in case.meta:
        # Keras 3 refuses the extra batch axis; tf.keras 2 gave the shape of the single-batch
        # call with the extra axis in front, which is what nbkeras does
        single = SHAPE_CASES[case_id.removesuffix("_extended_batch")]
        assert "Kernel shape must have the same length as input" in case["error"]
        assert list(y.shape) == case["input_shape"][:2] + single["output_shape"][1:]
    else:
        assert list(y.shape) == case["output_shape"]
    if case["then"]:
        assert list(getattr(layers, case["then"])()(y).shape) == case["then_shape"]


def test_keras_1_positional_call_sets_the_strides():
    layer = layers.Conv2D(64, 3, 3)  # Keras 1 meant a 3x3 kernel; Keras 2/3 read strides=3
    assert layer.kernel_size == (3, 3) and layer.strides == (3, 3)


def test_weights_are_named_and_ordered_like_keras():
    layer = layers.SeparableConv2D(4, 3, depth_multiplier=2)
    layer.build((None, 8, 8, 3))
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/depthwise_kernel", f"{layer.name}/pointwise_kernel", f"{layer.name}/bias"]
    assert [w.shape for w in layer.weights] == [(3, 3, 3, 2), (1, 1, 6, 4), (4,)]


@pytest.mark.parametrize("layer", [
    layers.Conv1D(4, 3, padding="causal", dilation_rate=2, groups=2, activation="relu"),
    layers.Conv2D(6, (3, 2), strides=2, padding="same", data_format="channels_first"),
    layers.Conv2DTranspose(3, 3, strides=2, output_padding=1),
    layers.DepthwiseConv2D(3, depth_multiplier=2),
    layers.SeparableConv2D(4, 3, padding="same"),
    layers.ZeroPadding2D(((1, 2), (3, 4))),
    layers.UpSampling2D((2, 3), data_format="channels_first"),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    clone = type(layer).from_config(layer.get_config())
    config, cloned = layer.get_config(), clone.get_config()
    config.pop("name")
    cloned.pop("name")
    assert cloned == config


def test_wrong_input_rank_and_channels_name_the_layer_and_both_shapes():
    layer = layers.Conv2D(2, 3, name="edges")
    layer(np.ones((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match=re.escape(
            "layer 'edges' is incompatible with the layer: expected axis -1 of input shape to "
            "have value 3, but received input with shape (1, 5, 5, 4)")):
        layer(np.ones((1, 5, 5, 4), np.float32))
    with pytest.raises(ValueError, match=re.escape(
            "layer 'conv' is incompatible with the layer: expected min_ndim=4, found ndim=3. "
            "Full shape received: (5, 5, 3)")):
        layers.Conv2D(2, 3, name="conv")(np.ones((5, 5, 3), np.float32))
    with pytest.raises(ValueError, match=re.escape("expected ndim=4, found ndim=5")):
        layers.Conv2DTranspose(2, 3)(np.ones((1, 2, 5, 5, 3), np.float32))


def test_set_weights_with_a_wrong_shape_names_the_weight():
    layer = layers.Conv2D(2, 3, name="c")
    layer.build((None, 8, 8, 3))
    with pytest.raises(ValueError, match=re.escape(
            "weight 'c/kernel' has shape (3, 3, 3, 2), which is not compatible with the "
            "provided weight shape (3, 3, 2, 2)")):
        layer.set_weights([np.ones((3, 3, 2, 2)), np.ones(2)])


@pytest.mark.parametrize("make, message", [
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "strides > 1 is not supported"),
    (lambda: layers.Conv2D(5, 3, groups=2), "filters must be divisible by the number of groups"),
    (lambda: layers.Conv2D(4, 3, padding="causal"), "padding must be one of ('valid', 'same')"),
    (lambda: layers.Conv2D(0, 3), "filters must be a positive int"),
    (lambda: layers.Conv3D(2, (3, 3)), "kernel_size must be an int or a tuple of 3 ints"),
    (lambda: layers.Conv2D(2, 3, groups=2).build((None, 8, 8, 3)),
     "divisible by the number of groups"),
    (lambda: layers.Conv2D(2, 5).build((None, 4, 4, 3)), "the output would be empty"),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2),
     "output_padding must be smaller than its stride"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier must be"),
    (lambda: layers.UpSampling2D(interpolation="bicubic"), "not supported by nbkeras"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), "padding must be an int, a pair"),
])
def test_bad_arguments_raise(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_channels_first_bias_goes_on_the_channel_axis():
    # Keras 3.15 adds the bias along the last axis when that axis has length `filters` (its
    # ops.add rewrites the broadcast as tf.nn.bias_add); the definition puts it on the channels.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 4, 4, 3)).astype(np.float32)
    layer = layers.Conv3D(2, 2, data_format="channels_first")
    layer.build(x.shape)
    kernel, bias = rng.standard_normal((2, 2, 2, 2, 2)), np.array([10.0, -10.0])
    layer.set_weights([kernel, bias])
    y = layer(x).numpy()
    assert y.shape == (1, 2, 3, 3, 2)
    channels_last = keras.ops.conv(x.transpose(0, 2, 3, 4, 1), kernel.astype(np.float32))
    expected = channels_last.numpy().transpose(0, 4, 1, 2, 3) + bias.reshape(1, 2, 1, 1, 1)
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-5)
