"""Every layer case frozen from real Keras: weights loaded with set_weights, then the output,
the gradients with respect to the inputs and each trainable weight, the regularization losses
and the updated weights (BatchNormalization's moving statistics) must match."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers
from nbkeras.utils.keras_reference import check_layer_case, load, make_layer

RTOL = 1e-4

CASES = load("layers")
LAYER_CASES = [c for c in CASES if "layer" in c.meta]


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_layer_matches_keras(case):
    check_layer_case(case, RTOL)


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_layer_structure_matches_keras(case):
    """Weight names and order, parameter count, and the symbolic output shape."""
    layer = make_layer(case)
    inputs = [case.array(f"x{i}") for i in range(case["n_inputs"])]
    shapes = [x.shape for x in inputs]
    layer.build(shapes if len(inputs) > 1 else shapes[0])
    assert [w.path.split("/", 1)[1] for w in layer.weights] == case["weight_paths"]
    assert layer.count_params() == case["count_params"]
    symbolic = [keras.Input(batch_shape=(None,) + x.shape[1:], dtype=x.dtype.name)
                for x in inputs]
    fresh = make_layer(case)
    out = fresh(symbolic if len(inputs) > 1 else symbolic[0])
    assert list(out.shape) == case["symbolic_output_shape"]


def _plain(value):
    """A config as JSON stores it (tuples become lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_config_matches_keras(case):
    layer = make_layer(case)
    inputs = [case.array(f"x{i}") for i in range(case["n_inputs"])]
    shapes = [x.shape for x in inputs]
    layer.build(shapes if len(inputs) > 1 else shapes[0])
    if case["trainable"] is not None:
        layer.trainable = case["trainable"]
    expected = {k: v for k, v in case["config"].items() if k != "name"}
    ours = _plain(layer.get_config())
    assert ours.pop("name") == layer.name
    assert ours == expected
    # Keras' own config (with Keras' name) rebuilds the layer
    rebuilt = type(layer).from_config(case["config"])
    assert _plain(rebuilt.get_config()) == case["config"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id.startswith("input/")],
                         ids=lambda c: c.id)
def test_input_matches_keras(case):
    tensor = keras.Input(**case["kwargs"])
    assert list(tensor.shape) == case["shape"] and tensor.dtype == case["dtype"]
    layer = tensor._keras_history.operation
    assert type(layer).__name__ == case["layer_class"]
    config = _plain(layer.get_config())
    expected = dict(case["layer_config"])
    assert config.pop("name") == layer.name and expected.pop("name")
    assert config == expected


def test_embedding_mask_zero_matches_keras():
    reference = [c for c in CASES if c.id == "embedding/mask_zero"][0]
    layer = layers.Embedding(**reference["kwargs"])
    mask = layer.compute_mask(keras.ops.convert_to_tensor(reference.array("ids")))
    np.testing.assert_array_equal(mask.numpy(), reference.array("mask"))


@pytest.mark.parametrize("shape", [(32, 64), (4, 5, 64)])
def test_dense_matmul_add_has_the_bits_of_matmul_then_add(shape):
    # Dense records x W + b as one step (ops.linalg.matmul_add): its value and all three
    # gradients must be those of the two ops it replaces
    ops = keras.ops
    rng = np.random.default_rng(0)
    x = keras.Variable(rng.standard_normal(shape).astype(np.float32))
    w = keras.Variable(rng.standard_normal((64, 16)).astype(np.float32))
    b = keras.Variable(rng.standard_normal(16).astype(np.float32))
    g = rng.standard_normal(shape[:-1] + (16,)).astype(np.float32)
    with keras.GradientTape(persistent=True) as tape:
        fused = ops.linalg.matmul_add(x, w, b)
        separate = ops.add(ops.matmul(x, w), b)
    assert len(tape._records) == 3  # matmul_add, then matmul and add
    assert np.array_equal(fused.numpy().view(np.uint32), separate.numpy().view(np.uint32))
    for one, two in zip(tape.gradient(fused, [x, w, b], output_gradients=g),
                        tape.gradient(separate, [x, w, b], output_gradients=g), strict=True):
        assert one.shape == two.shape
        assert np.array_equal(one.numpy().view(np.uint32), two.numpy().view(np.uint32))


def test_dense_matmul_add_takes_the_two_ops_for_other_inputs():
    ops = keras.ops
    x = np.arange(6, dtype=np.float64).reshape(2, 3)  # a NumPy array, float64: no fast step
    w = keras.Variable(np.ones((3, 2), np.float32))
    b = keras.Variable(np.ones(2, np.float32))
    np.testing.assert_array_equal(ops.linalg.matmul_add(x, w, b).numpy(),
                                  ops.add(ops.matmul(x, w), b).numpy())
    with pytest.raises(ValueError, match="matmul"):
        ops.linalg.matmul_add(keras.ops.ones((2, 4)), w, b)
