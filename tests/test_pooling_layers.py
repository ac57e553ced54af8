"""Pooling layers: the seed grids through MaxPooling2D, the aliases, masks, configs, and the
errors for bad inputs (tests/test_convolution_layers.py runs their Keras reference cases)."""

import re

import numpy as np
import pytest

from nbkeras import layers


def test_seed_grids_through_the_layer():
    grid3 = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    grid4 = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1)
    small = layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="valid")(grid3)
    large = layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="valid")(grid4)
    np.testing.assert_array_equal(small.numpy()[0, :, :, 0], [[5, 6], [8, 9]])
    np.testing.assert_array_equal(large.numpy()[0, :, :, 0], [[6, 8], [14, 16]])


def test_aliases_are_the_same_classes():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D


def test_global_average_pooling_1d_leaves_masked_steps_out():
    x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    mask = np.array([[True, True, False], [True, False, False]])
    y = layers.GlobalAveragePooling1D()(x, mask=mask).numpy()
    np.testing.assert_allclose(y, [[1.0, 2.0], [6.0, 7.0]])


@pytest.mark.parametrize("layer", [
    layers.MaxPooling1D(3, 2, "same", "channels_first"),
    layers.AveragePooling3D((2, 1, 2)),
    layers.GlobalMaxPooling2D(keepdims=True),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    cloned = type(layer).from_config(config).get_config()
    config.pop("name")
    cloned.pop("name")
    assert cloned == config


@pytest.mark.parametrize("call, message", [
    (lambda: layers.MaxPooling2D(name="pool")(np.ones((4, 4, 1), np.float32)),
     "Input 0 of layer 'pool' is incompatible with the layer: expected ndim=4, found ndim=3. "
     "Full shape received: (4, 4, 1)"),
    (lambda: layers.GlobalAveragePooling2D(name="gap")(np.ones((2, 4, 4, 1, 1), np.float32)),
     "layer 'gap' is incompatible with the layer: expected ndim=4, found ndim=5"),
    (lambda: layers.AveragePooling2D(5)(np.ones((1, 4, 4, 1), np.float32)),
     "pool_size=(5, 5) with padding='valid' does not fit"),
    (lambda: layers.MaxPooling2D(padding="causal"), "padding must be one of ('valid', 'same')"),
    (lambda: layers.MaxPooling3D((2, 2)), "pool_size must be an int or a tuple of 3 ints"),
])
def test_bad_inputs_and_arguments_raise(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
