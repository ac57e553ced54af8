"""The rest of the core layer catalogue against real Keras (tools/reference/more_layers.py):
every layer case through the checks of tests/test_layers.py (output, gradients for the inputs
and each weight, losses, weights after the call, weight names and order, parameter count,
symbolic shape, config and from_config), the ops under the layers, Keras masks through the
merges and Masking, and Lambda's configs."""

import base64
import marshal

import numpy as np
import pytest
from test_layers import test_config_matches_keras as check_config_matches_keras
from test_layers import test_layer_matches_keras as check_layer_matches_keras
from test_layers import test_layer_structure_matches_keras as check_layer_structure
from test_masking import test_masks_flow_as_in_keras as check_masks_flow

from nbkeras import layers, ops
from nbkeras.saving import serialization_lib
from nbkeras.utils.keras_reference import assert_matches_keras, check_op_case, load

rng = np.random.default_rng(10)

GRADIENT_CASES = {
    "rsqrt": [(ops.rsqrt, [rng.uniform(0.5, 2.0, (3, 4))])],
    "broadcast_to": [(lambda x: ops.broadcast_to(x, (2, 3, 4)), [rng.standard_normal((3, 1))])],
    "rms_normalization": [
        (lambda x, s: ops.rms_normalization(x, s, axis=-1, epsilon=1e-3),
         [rng.standard_normal((3, 4)), rng.standard_normal(4)]),
        (lambda x, s: ops.rms_normalization(x, s, axis=[0, 2], epsilon=1e-3),
         [rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 2))]),
    ],
    "adaptive_average_pool": [
        (lambda x: ops.adaptive_average_pool(x, (2, 3)), [rng.standard_normal((2, 5, 7, 3))]),
        (lambda x: ops.adaptive_average_pool(x, (2, 3, 2)),
         [rng.standard_normal((1, 5, 4, 3, 2))]),
    ],
    "adaptive_max_pool": [
        (lambda x: ops.adaptive_max_pool(x, 4), [rng.standard_normal((2, 7, 3))]),
        (lambda x: ops.adaptive_max_pool(x, (3, 4), data_format="channels_first"),
         [rng.standard_normal((2, 3, 5, 7))]),
    ],
}
"""Float64 central differences for the primitives this catalogue added (tests/test_gradients.py
runs them)."""

CASES = load("more_layers")
LAYER_CASES = [c for c in CASES if "layer" in c.meta]
OP_CASES = [c for c in CASES if "fn" in c.meta]
MASK_CASES = [c for c in CASES if "steps" in c.meta]
LAMBDA_CASES = {c.id: c for c in CASES if c.id.startswith("lambda/")}


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_layer_matches_keras(case):
    check_layer_matches_keras(case)


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_layer_structure_matches_keras(case):
    check_layer_structure(case)


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_config_matches_keras(case):
    check_config_matches_keras(case)


@pytest.mark.parametrize("case", OP_CASES, ids=lambda c: c.id)
def test_op_matches_keras(case):
    check_op_case(case, rtol=1e-5)


@pytest.mark.parametrize("case", MASK_CASES, ids=lambda c: c.id)
def test_masks_flow_as_in_keras(case):
    check_masks_flow(case)


# -- Lambda -------------------------------------------------------------------------------------

def double(x):
    return x * 2.0


def _code(function_config):
    return marshal.loads(base64.decodebytes(function_config["config"]["code"].encode("ascii")))


@pytest.mark.parametrize("case_id", sorted(set(LAMBDA_CASES) - {"lambda/safe_mode_error"}))
def test_lambda_loads_keras_config(case_id):
    # Keras' own config (a lambda's bytecode, or a function's name) rebuilds the same layer
    case = LAMBDA_CASES[case_id]
    custom = {name: globals()[name] for name in case["custom_objects"]}
    layer = layers.Lambda.from_config(case["config"], custom_objects=custom, safe_mode=False)
    assert_matches_keras(layer(case.array("x")), case.array("output"), 1e-6, case_id)
    if "symbolic_output_shape" in case.meta:
        assert list(layer.compute_output_shape((None, 4))) == case["symbolic_output_shape"]
    ours = layer.get_config()
    for key in ("function", "output_shape", "arguments", "trainable", "dtype"):
        expected = case["config"].get(key)
        if isinstance(expected, dict) and expected.get("class_name") == "__lambda__":
            # the bytecode is re-dumped from the loaded code: the same code object (marshal's
            # bytes may differ in reference flags)
            assert _code(ours[key]) == _code(expected)
            assert list(ours[key]["config"]["defaults"] or []) == list(
                expected["config"]["defaults"] or [])
        elif key in case["config"]:
            got = ours[key]
            assert (list(got) if isinstance(got, tuple) else got) == expected, key


def test_lambda_is_refused_in_safe_mode_with_keras_message():
    config = LAMBDA_CASES["lambda/python_lambda"]["config"]
    message = LAMBDA_CASES["lambda/safe_mode_error"]["message"]
    for safe_mode in (None, True):  # unset means safe, as in Keras
        with pytest.raises(ValueError) as error:
            layers.Lambda.from_config(config, safe_mode=safe_mode)
        assert str(error.value) == message
    with serialization_lib.SafeModeScope(False):
        layers.Lambda.from_config(config)  # the scope lets it load
    with pytest.raises(ValueError, match="Python lambda"):
        layers.Lambda.from_config(config)  # and only inside it


def test_lambda_named_function_config_needs_custom_objects():
    config = LAMBDA_CASES["lambda/named_function"]["config"]
    with pytest.raises(ValueError, match=r"could not find the function 'double'.*custom_objects"):
        layers.Lambda.from_config(config)


def test_lambda_config_round_trips_arguments_closure_and_mask():
    offset = np.float32(0.25)
    layer = layers.Lambda(lambda t, k=3.0: t * k + offset, output_shape=lambda s: s,
                          mask=lambda inputs, mask: ops.greater(inputs, 0.0))
    clone = layers.Lambda.from_config(layer.get_config(), safe_mode=False)
    x = np.array([[1.0, -2.0]], np.float32)
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    np.testing.assert_array_equal(clone(x)._keras_mask.numpy(), [[True, False]])
    assert clone.compute_output_shape((None, 2)) == (None, 2)


def test_lambda_infers_its_symbolic_output_shape_or_asks_for_it():
    from nbkeras import Input

    y = layers.Lambda(lambda t: ops.concatenate([t, t], axis=-1))(Input((3,)))
    assert y.shape == (None, 6)
    with pytest.raises(ValueError, match="specify the `output_shape` argument"):
        layers.Lambda(lambda t: ops.reshape(t, (5,)))(Input((3, 3)))
    with pytest.raises(NotImplementedError):  # Keras raises NotImplementedError here
        layers.Lambda(lambda t: t.no_such_method())(Input((3,)))
