"""keras.activations: every function against real Keras (outputs, dtypes, tf.GradientTape
gradients, NaN), against central differences, at extreme inputs, and the name lookup."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import activations, ops
from nbkeras.utils import check_gradients
from nbkeras.utils.keras_reference import check_activation_case, load

RTOL = 1e-5

rng = np.random.default_rng(11)


def away_from(kinks, *shape, low=-4.0, high=4.0):
    """Uniform samples at least 0.1 from every kink (where derivatives are conventions)."""
    x = rng.uniform(low, high, shape)
    while True:
        near = np.zeros(shape, bool)
        for k in kinks:
            near |= np.abs(x - k) < 0.1
        if not near.any():
            return x
        x[near] = rng.uniform(low, high, int(near.sum()))


GRADIENT_CASES = {
    "relu6": [(ops.relu6, [away_from([0, 6], 3, 4, low=-3, high=8)])],
    "leaky_relu": [(lambda x: ops.leaky_relu(x, 0.1), [away_from([0], 3, 4)])],
    "elu": [(ops.elu, [away_from([0], 3, 4)]), (lambda x: ops.elu(x, 0.5), [away_from([0], 5)])],
    "selu": [(ops.selu, [away_from([0], 3, 4)])],
    "celu": [(lambda x: ops.celu(x, 2.0), [away_from([0], 3, 4)])],
    "gelu": [(lambda x: ops.gelu(x, approximate=False), [rng.uniform(-5, 5, (3, 4))])],
    "gelu_tanh": [(ops.gelu, [rng.uniform(-5, 5, (3, 4))])],
    "silu": [(ops.silu, [rng.uniform(-8, 8, (3, 4))])],
    "hard_sigmoid": [(ops.hard_sigmoid, [away_from([-3, 3], 3, 4, low=-5, high=5)])],
    "hard_silu": [(ops.hard_silu, [away_from([-3, 3], 3, 4, low=-5, high=5)])],
    "softsign": [(ops.softsign, [away_from([0], 3, 4)])],
    "log_sigmoid": [(ops.log_sigmoid, [rng.uniform(-8, 8, (3, 4))])],
    "mish": [(activations.mish, [rng.uniform(-6, 6, (3, 4))])],
    "sparse_plus": [(ops.sparse_plus, [away_from([-1, 1], 3, 4, low=-2, high=2)])],
    "sparse_sigmoid": [(ops.sparse_sigmoid, [away_from([-1, 1], 3, 4, low=-2, high=2)])],
    "squareplus": [(ops.squareplus, [rng.uniform(-4, 4, (3, 4))]),
                   (lambda x: ops.squareplus(x, b=0.5), [rng.uniform(-4, 4, 6)])],
    "soft_shrink": [(ops.soft_shrink, [away_from([-0.5, 0.5], 3, 4, low=-2, high=2)])],
    "hard_shrink": [(lambda x: ops.hard_shrink(x, 1.0), [away_from([-1, 1], 3, 4)])],
    "hard_tanh": [(ops.hard_tanh, [away_from([-1, 1], 3, 4, low=-2, high=2)])],
    "tanh_shrink": [(ops.tanh_shrink, [rng.uniform(-3, 3, (3, 4))])],
    "threshold": [(lambda x: ops.threshold(x, 0.5, -1.0), [away_from([0.5], 3, 4)])],
    "sparsemax": [(ops.sparsemax, [rng.standard_normal((4, 5))]),
                  (lambda x: ops.sparsemax(x, axis=0), [rng.standard_normal((5, 3)) * 0.3])],
}


# -- real Keras -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", load("activations"), ids=lambda c: c.id)
def test_matches_keras(case):
    check_activation_case(case, rtol=RTOL)


def test_every_keras_activation_has_reference_cases():
    covered = {c["fn"] for c in load("activations") if c["module"] == "activations"}
    assert covered == set(activations.ALL_OBJECTS_DICT)


DOCUMENTED = [  # printed in the Keras 3.15 documentation
    (activations.sigmoid, [-20, -5, -1, 0, 1, 5, 20], {},
     [2.0611537e-09, 6.6928510e-03, 2.6894143e-01, 5.0e-01, 7.3105860e-01, 9.9330717e-01, 1.0]),
    (activations.tanh, [-3, -1, 0, 1, 3], {}, [-0.9950547, -0.7615942, 0, 0.7615942, 0.9950547]),
    (activations.relu, [-10, -5, 0, 4, 10],
     {"negative_slope": 0.5, "threshold": 5, "max_value": 8}, [-7.5, -5, -2.5, -0.5, 8]),
]


@pytest.mark.parametrize("function, x, kwargs, printed", DOCUMENTED,
                         ids=["sigmoid", "tanh", "relu"])
def test_documented_examples(function, x, kwargs, printed):
    out = function(np.array(x, np.float32), **kwargs)
    np.testing.assert_allclose(out.numpy(), np.array(printed, np.float32), rtol=1e-6, atol=1e-9)


def test_documented_softmax_first_row():
    out = activations.softmax(np.array([[-3, 2], [-1, 2], [0, 2], [1, 2], [3, 2]], np.float32))
    np.testing.assert_allclose(out.numpy()[0], [0.00669285, 0.9933072], rtol=1e-6)


# -- derivatives ----------------------------------------------------------------------------

# kinks of each activation (with its default options), where the derivative jumps
KINKS = {"relu": [0], "relu6": [0, 6], "leaky_relu": [0], "elu": [0], "selu": [0], "celu": [0],
         "hard_sigmoid": [-3, 3], "hard_silu": [-3, 3], "sparse_plus": [-1, 1],
         "sparse_sigmoid": [-1, 1], "soft_shrink": [-0.5, 0.5], "hard_shrink": [-0.5, 0.5],
         "hard_tanh": [-1, 1], "threshold": [0.5]}
OPTIONS = {"threshold": {"threshold": 0.5, "default_value": -1.0}}


@pytest.mark.parametrize("name", sorted(activations.ALL_OBJECTS_DICT))
def test_every_activation_passes_a_gradient_check(name):
    function = activations.get(name)
    options = OPTIONS.get(name, {})
    x = away_from(KINKS.get(name, []), 3, 4)
    assert check_gradients(lambda t: function(t, **options), [x]) < 1e-6


@pytest.mark.parametrize("options", [
    {"negative_slope": 0.5, "max_value": 5.0, "threshold": 1.0},
    {"negative_slope": 0.3, "max_value": 2.0},
    {"max_value": 6.0},
    {"threshold": -2.0},
])
def test_relu_with_options_passes_a_gradient_check(options):
    kinks = [0.0, options.get("threshold", 0.0), options.get("max_value", 0.0)]
    x = away_from(kinks, 4, 5, low=-6, high=7)
    check_gradients(lambda t: activations.relu(t, **options), [x])


def test_gelu_tanh_approximation_passes_a_gradient_check():
    check_gradients(lambda t: activations.gelu(t, approximate=True), [rng.uniform(-5, 5, 7)])


@pytest.mark.parametrize("name", sorted(activations.ALL_OBJECTS_DICT))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_stay_finite(name, dtype):
    x = np.array([[-1e4, -100.0, -20.0, 20.0, 100.0, 1e4]], dtype)
    function = activations.get(name)
    x_tensor = ops.convert_to_tensor(x)
    with keras.GradientTape() as tape:
        tape.watch(x_tensor)
        y = function(x_tensor, **OPTIONS.get(name, {}))
    grad = tape.gradient(y, x_tensor, output_gradients=np.ones(y.shape, dtype))
    if name == "exponential":  # e^x itself overflows past 88.7 (float32) or 709.8 (float64)
        assert np.isfinite(y.numpy()[0, :3]).all() and np.isinf(y.numpy()[0, -1])
        return
    assert np.isfinite(y.numpy()).all(), y
    assert np.isfinite(grad.numpy()).all(), grad


def test_integer_inputs_become_floatx():
    assert activations.elu(np.array([1, -2], np.int32)).dtype == "float32"
    assert activations.gelu([1, 2]).dtype == "float32"


# -- options and errors ---------------------------------------------------------------------


def test_relu_accepts_keras_2_alpha():
    x = np.array([-2.0, 3.0], np.float32)
    np.testing.assert_array_equal(activations.relu(x, alpha=0.1).numpy(),
                                  activations.relu(x, negative_slope=0.1).numpy())
    with pytest.raises(ValueError, match="not both"):
        activations.relu(x, negative_slope=0.2, alpha=0.1)


def test_relu_piece_below_the_threshold_is_a_line():
    # below the threshold 5 the output is 0.5 (x - 5) = 0.5 x - 2.5
    x = np.array([-10.0, -5.0, 0.0, 4.0, 4.5], np.float32)
    out = activations.relu(x, negative_slope=0.5, threshold=5.0, max_value=8.0)
    np.testing.assert_array_equal(out.numpy(), 0.5 * x - 2.5)


@pytest.mark.parametrize("call, error, words", [
    (lambda: activations.leaky_relu([1.0], negative_slope="a"), TypeError, "negative_slope"),
    (lambda: activations.relu([1.0], max_value=-1.0), ValueError, "max_value"),
    (lambda: activations.elu([1.0], alpha=None), TypeError, "alpha"),
    (lambda: activations.celu([1.0], alpha=0.0), ValueError, "alpha"),
    (lambda: activations.squareplus([1.0], b=-1), ValueError, "b must be >= 0"),
    (lambda: activations.glu(np.ones((2, 3))), ValueError, r"even.*\(2, 3\)"),
    (lambda: activations.softmax(np.ones((2, 3)), axis=2), ValueError, "axis 2"),
    (lambda: activations.threshold([1.0], threshold=0.0, default_value=[1, 2]), TypeError,
     "default_value"),
])
def test_bad_options_raise_naming_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


# -- get, serialize, deserialize --------------------------------------------------------------


def test_get_resolves_names_callables_and_none():
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(None) is activations.linear
    assert activations.get(ops.tanh) is ops.tanh
    assert keras.activations.get("leaky_relu")(np.array([-1.0], np.float32)).numpy()[0] == (
        np.float32(-0.2))


def test_unknown_name_lists_the_closest_names():
    with pytest.raises(ValueError, match="'rellu'.*did you mean 'relu'"):
        activations.get("rellu")
    with pytest.raises(ValueError, match="valid names are"):
        activations.get("xyzzy")
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(42)


def test_serialize_round_trip():
    for name, function in activations.ALL_OBJECTS_DICT.items():
        config = activations.serialize(function)
        assert config == function.__name__
        assert activations.deserialize(config) is function, name
    assert activations.serialize(activations.swish) == "silu"
    assert activations.deserialize({"class_name": "function", "config": "gelu",
                                    "module": "keras.activations"}) is activations.gelu


def test_serialize_rejects_unknown_functions_and_custom_objects_resolve():
    def scaled_tanh(x):
        return 1.7159 * ops.tanh(x * (2 / 3))

    with pytest.raises(ValueError, match="not a built-in"):
        activations.serialize(scaled_tanh)
    found = activations.deserialize("scaled_tanh", custom_objects={"scaled_tanh": scaled_tanh})
    assert found is scaled_tanh


def test_sigmoid_and_softmax_outputs_remember_their_logits():
    x = ops.convert_to_tensor(np.array([[1.0, -2.0]], np.float32))
    assert activations.sigmoid(x)._keras_logits is x
    assert activations.softmax(x)._keras_logits is x
    assert not hasattr(activations.sigmoid(x) * 1.0, "_keras_logits")
