"""Issue 14's catalogue outside the frozen cases: every name in the module where Keras has it,
the errors for bad input, the random layers (seeded, active only in training, with the
statistics they promise), and the function forms of the merges."""

import re

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops

LAYER_NAMES = """
ReLU LeakyReLU PReLU ELU Softmax
Lambda Identity Masking Wrapper
Multiply Average Maximum Minimum Subtract Dot
add multiply average maximum minimum subtract concatenate dot
Permute RepeatVector Cropping1D Cropping2D Cropping3D ZeroPadding1D ZeroPadding3D
UpSampling1D UpSampling2D UpSampling3D
Conv1DTranspose Conv3DTranspose DepthwiseConv1D SeparableConv1D
Convolution1DTranspose Convolution2DTranspose Convolution3DTranspose
SeparableConvolution1D SeparableConvolution2D
GlobalAveragePooling3D GlobalMaxPooling3D GlobalAvgPool3D GlobalMaxPool3D
AdaptiveAveragePooling1D AdaptiveAveragePooling2D AdaptiveAveragePooling3D
AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D
GroupNormalization UnitNormalization RMSNormalization SpectralNormalization
ActivityRegularization SpatialDropout1D SpatialDropout2D SpatialDropout3D
GaussianNoise GaussianDropout AlphaDropout
Normalization Rescaling Discretization CategoryEncoding Hashing IntegerLookup
""".split()
"""Every keras.layers name issue 14 asks for (layers.serialize and layers.deserialize come with
the saving work)."""

OTHER_NAMES = {
    keras.utils: ["to_categorical", "normalize", "pad_sequences"],
    keras.config: ["enable_unsafe_deserialization"],
    keras.ops: ["rsqrt", "normalize", "rms_normalization", "adaptive_average_pool",
                "adaptive_max_pool", "broadcast_to", "any", "all"],
    keras.ops.image: ["resize"],
}
"""The names outside keras.layers, each where Keras 3.15 has it."""


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_every_layer_name_is_in_keras_layers(name):
    value = getattr(layers, name)
    assert value.__doc__, f"layers.{name} has no docstring"
    if name[0].isupper():
        assert issubclass(value, layers.Layer)


@pytest.mark.parametrize("module, name", [(m, n) for m, names in OTHER_NAMES.items()
                                          for n in names], ids=lambda x: getattr(x, "__name__", x))
def test_every_other_name_is_where_keras_has_it(module, name):
    assert callable(getattr(module, name))


def test_aliases_are_the_same_classes():
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D


# -- bad input ----------------------------------------------------------------------------------

def test_merging_incompatible_shapes_names_both():
    a, b = np.ones((2, 3, 4), np.float32), np.ones((2, 3, 5), np.float32)
    for merge in (layers.Multiply, layers.Maximum, layers.Minimum, layers.Subtract,
                  layers.Average):
        with pytest.raises(ValueError, match=re.escape("(3, 4) and (3, 5)")):
            merge()([a, b])
    with pytest.raises(ValueError, match=r"axis values 4 \(at axis 2\) != 5 \(at axis 2\).*"
                                         r"expected equal sizes.*\(2, 3, 4\), \(2, 3, 5\)"):
        layers.Dot(axes=2)([a, b])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([a, a, a])
    with pytest.raises(ValueError, match="cannot contract the batch axis"):
        layers.Dot(axes=0)([a, a])


@pytest.mark.parametrize("layer, shape", [
    (layers.Cropping1D((3, 3)), (2, 6, 1)),
    (layers.Cropping2D(((2, 2), (0, 0))), (2, 4, 5, 1)),
    (layers.Cropping3D(1), (1, 3, 2, 3, 1)),
])
def test_cropping_larger_than_the_input_says_what_was_expected(layer, shape):
    message = re.escape(f"received input shape {shape}") + ".*" + re.escape(
        "expected before + after < length")
    with pytest.raises(ValueError, match="cropping must be smaller"):
        layer(np.ones(shape, np.float32))
    with pytest.raises(ValueError, match=message.replace(".*", "|")):
        layer.compute_output_shape(shape)


@pytest.mark.parametrize("dims", [(1, 1), (0, 1), (2, 3), (1, 3), ("a", 1)])
def test_permute_refuses_what_is_not_a_permutation(dims):
    with pytest.raises(ValueError, match=r"expected a permutation of 1\.\.2.*Received dims="):
        layers.Permute(dims)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.ReLU(max_value=-1.0), "max_value of a ReLU layer cannot be"),
    (lambda: layers.LeakyReLU(negative_slope=-0.1), "negative_slope of a LeakyReLU"),
    (lambda: layers.RepeatVector(0), "should be a positive integer"),
    (lambda: layers.UpSampling1D(0), "should be a positive integer"),
    (lambda: layers.ZeroPadding3D((1, 2)), "`padding` should be an int, a tuple of 3 ints"),
    (lambda: layers.GroupNormalization(groups=0), "invalid value for argument `groups`"),
    (lambda: layers.GroupNormalization(groups=3).build((None, 4)), "must divide"),
    (lambda: layers.SpectralNormalization(layers.Dense(2), power_iterations=0),
     "`power_iterations` should be greater than zero"),
    (lambda: layers.SpectralNormalization(layers.ReLU()).build((None, 3)),
     "no attribute 'kernel' nor 'embeddings'"),
    (lambda: layers.GaussianNoise(1.5), "expected a float value between 0 and 1"),
    (lambda: layers.Dot(axes=(1, 2, 3)), "it should contain two elements"),
    (lambda: layers.PReLU(shared_axes=[0]).build((None, 3)), "every shared axis must be"),
    (lambda: layers.Softmax()(np.ones((2, 3), np.float32), mask=np.ones((2, 4), bool)),
     "the mask must be broadcastable to the inputs"),
])
def test_bad_arguments_raise(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_adaptive_pooling_refuses_an_output_size_of_the_wrong_length():
    with pytest.raises(TypeError, match=re.escape(  # a TypeError, as in Keras
            "`output_size` must be an integer or a (height, width) tuple")):
        layers.AdaptiveAveragePooling2D((2, 2, 2))


def test_wrapper_refuses_what_is_not_a_layer():
    with pytest.raises(ValueError, match="isn't a supported layer type"):
        layers.Wrapper("dense")


# -- random layers: seeded, active only in training ---------------------------------------------

RANDOM_LAYERS = [
    lambda seed: layers.GaussianNoise(0.5, seed=seed),
    lambda seed: layers.GaussianDropout(0.3, seed=seed),
    lambda seed: layers.AlphaDropout(0.3, seed=seed),
    lambda seed: layers.SpatialDropout1D(0.5, seed=seed),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS, ids=lambda m: type(m(0)).__name__)
def test_random_layers_are_seeded_and_train_only(make):
    x = np.random.default_rng(0).standard_normal((8, 5, 6)).astype(np.float32)
    first, second = make(7), make(7)
    np.testing.assert_array_equal(first(x).numpy(), x)  # inference: the identity
    a, b = first(x, training=True).numpy(), second(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)  # the same seed, the same draws
    assert not np.array_equal(a, x)
    assert not np.array_equal(first(x, training=True).numpy(), a)  # a new draw per call


def test_noise_statistics():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 500)).astype(np.float32)
    noise = layers.GaussianNoise(0.5, seed=1)(x, training=True).numpy() - x
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01
    factor = layers.GaussianDropout(0.2, seed=2)(np.ones_like(x), training=True).numpy()
    assert abs(factor.mean() - 1) < 0.01 and abs(factor.var() - 0.2 / 0.8) < 0.01


def test_alpha_dropout_keeps_selu_statistics_and_its_gradient_is_a():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((500, 400)).astype(np.float32)  # mean 0, variance 1
    layer = layers.AlphaDropout(0.2, seed=3)
    t = ops.convert_to_tensor(x)
    with keras.GradientTape() as tape:
        tape.watch(t)
        y = layer(t, training=True)
    out = y.numpy()
    assert abs(out.mean()) < 0.01 and abs(out.var() - 1) < 0.01
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(out, a * alpha_p + -a * alpha_p * 0.2)
    assert abs(dropped.mean() - 0.2) < 0.01
    grad = tape.gradient(y, t).numpy()
    np.testing.assert_allclose(grad[~dropped], a, rtol=1e-6)
    np.testing.assert_array_equal(grad[dropped], 0)


@pytest.mark.parametrize("layer, shape, channel_axis", [
    (layers.SpatialDropout1D(0.5, seed=4), (6, 10, 8), -1),
    (layers.SpatialDropout2D(0.5, seed=4), (6, 5, 5, 8), -1),
    (layers.SpatialDropout2D(0.5, data_format="channels_first", seed=4), (6, 8, 5, 5), 1),
    (layers.SpatialDropout3D(0.5, seed=4), (6, 3, 3, 3, 8), -1),
])
def test_spatial_dropout_drops_whole_channels(layer, shape, channel_axis):
    out = layer(np.ones(shape, np.float32), training=True).numpy()
    spatial = tuple(a for a in range(1, len(shape)) if a != channel_axis % len(shape))
    kept = out.max(axis=spatial)
    np.testing.assert_array_equal(out.min(axis=spatial), kept)  # all or nothing per channel
    assert set(np.unique(kept)) <= {0.0, 2.0} and 0 < kept.mean() < 2


# -- function forms and layer behaviour ---------------------------------------------------------

def test_function_forms_match_the_classes():
    rng = np.random.default_rng(5)
    a, b = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    pairs = [(layers.add, layers.Add), (layers.multiply, layers.Multiply),
             (layers.average, layers.Average), (layers.maximum, layers.Maximum),
             (layers.minimum, layers.Minimum), (layers.subtract, layers.Subtract),
             (layers.concatenate, layers.Concatenate)]
    for function, cls in pairs:
        np.testing.assert_array_equal(function([a, b]).numpy(), cls()([a, b]).numpy())
    np.testing.assert_allclose(layers.dot([a, b], axes=1).numpy(),
                               np.sum(a * b, axis=1, keepdims=True), rtol=1e-6)


def test_symbolic_calls_give_keras_shapes():
    x = keras.Input((6, 4))
    assert layers.Dot(axes=(1, 1))([x, keras.Input((6, 3))]).shape == (None, 4, 3)
    assert layers.Permute((2, 1))(x).shape == (None, 4, 6)
    assert layers.Cropping1D((1, 2))(x).shape == (None, 3, 4)
    assert layers.AdaptiveMaxPooling1D(2)(x).shape == (None, 2, 4)
    assert layers.Masking()(x).shape == (None, 6, 4)
    assert layers.Lambda(lambda t: t[:, ::2])(x).shape == (None, 3, 4)


def test_masking_mask_reaches_the_next_layer():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
    y = layers.Masking()(x)
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[True, False, True]])
    pooled = layers.GlobalAveragePooling1D()(y)
    np.testing.assert_allclose(pooled.numpy(), [[2.0, 1.0]])


def test_spectral_normalization_drives_the_spectral_norm_to_one():
    keras.utils.set_random_seed(0)  # the kernel's singular values set the convergence speed
    dense = layers.Dense(6)
    wrapper = layers.SpectralNormalization(dense, power_iterations=1)
    x = np.random.default_rng(6).standard_normal((4, 8)).astype(np.float32)
    wrapper(x)
    for _ in range(30):  # u persists between calls: one step per call converges
        wrapper(x, training=True)
    sigma = np.linalg.svd(dense.kernel.numpy(), compute_uv=False)[0]
    assert abs(sigma - 1) < 1e-4
    clone = layers.SpectralNormalization.from_config(wrapper.get_config())
    assert clone.layer.built and clone.layer.units == 6 and clone.power_iterations == 1


def test_signatures_are_keras_own():
    # parameter names, order and defaults of every name above, as inspect reads them in Keras
    import functools
    import inspect

    from nbkeras.utils.keras_reference import case

    for qualified, expected in case("more_layers", "signatures")["signatures"].items():
        module, name = qualified.rsplit(".", 1)
        obj = getattr(functools.reduce(getattr, module.split("."), keras), name)
        function = obj.__init__ if inspect.isclass(obj) else obj
        ours = [[p.name, None if p.default is inspect.Parameter.empty else repr(p.default)]
                for p in inspect.signature(function).parameters.values()]
        assert ours == expected, qualified
