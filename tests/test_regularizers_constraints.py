"""Regularizers and constraints against Keras: penalties, their gradients, projected weights,
string names (with Keras 3's quirks), configs; and how layers sum the penalties into losses."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import constraints, layers, regularizers
from nbkeras.utils.keras_reference import assert_matches_keras, case, load

REGULARIZER_CASES = [c for c in load("regularizers")
                     if c.id.startswith("regularizer/") and c.has_array("penalty")]
CONSTRAINT_CASES = [c for c in load("regularizers")
                    if c.id.startswith("constraint/") and c.has_array("output")]


@pytest.mark.parametrize("case", REGULARIZER_CASES, ids=lambda c: c.id)
def test_regularizer_matches_keras(case):
    regularizer = regularizers.deserialize(case["config"])
    assert regularizers.serialize(regularizer) == case["config"]
    x = keras.ops.convert_to_tensor(case.array("x"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        penalty = regularizer(x)
    assert penalty.dtype == "float32"
    assert_matches_keras(penalty, case.array("penalty"), 1e-6, f"{case.id} penalty")
    grad = tape.gradient(penalty, x)
    if case["has_grad"]:
        assert_matches_keras(grad, case.array("grad"), 1e-5, f"{case.id} gradient")
    else:
        assert grad is None


def test_regularizer_names_follow_keras_3():
    reference = case("regularizers", "regularizer/names")
    x = reference.array("x")
    for name, expected in reference["names"].items():
        regularizer = regularizers.get(name)
        assert type(regularizer).__name__ == expected["class_name"], name
        assert regularizer.get_config() == expected["config"], name
        np.testing.assert_allclose(float(regularizer(x)), expected["penalty"], rtol=1e-6)
    # "l1l2" is L1L2(0, 0): no penalty at all
    assert float(regularizers.get("l1l2")(x)) == 0.0
    for name in reference["errors"]:  # Keras 3 rejects "l1_l2" (Keras 2 gave L1L2(0.01, 0.01))
        with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
            regularizers.get(name)
    with pytest.raises(ValueError, match="did you mean 'l1l2'"):
        regularizers.get("l1_l2")


def test_regularizer_arguments_are_validated():
    with pytest.raises(ValueError, match="non-negative float"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="non-negative float"):
        regularizers.L1L2(l1="a")
    assert regularizers.L1(0.01).get_config() == {"l1": float(np.float32(0.01))}


@pytest.mark.parametrize("case", CONSTRAINT_CASES, ids=lambda c: c.id)
def test_constraint_matches_keras(case):
    constraint = constraints.deserialize(case["config"])
    assert constraints.serialize(constraint) == case["config"]
    out = constraint(keras.ops.convert_to_tensor(case.array("x")))
    assert_matches_keras(out, case.array("output"), 1e-6, case.id)


def test_constraint_names():
    for name, class_name in case("regularizers", "constraint/names")["classes"].items():
        assert type(constraints.get(name)).__name__ == class_name
    with pytest.raises(ValueError, match="did you mean 'max_norm'"):
        constraints.get("maxnorm")


def test_max_norm_derivation():
    # columns of norm 3 and 1 under MaxNorm(2): the first is scaled to 2, the second kept
    # (up to the epsilon in the denominator: 1 / (1 + 1e-7))
    w = np.array([[3.0, 0.0], [0.0, 1.0]], np.float32)
    out = constraints.MaxNorm(2, axis=0)(w).numpy()
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [2.0, 1.0], rtol=1e-6)
    assert out[1, 1] < 1.0


def test_add_weight_stores_regularizer_and_constraint():
    layer = layers.Dense(3, kernel_regularizer="l2", kernel_constraint="non_neg",
                         bias_constraint=constraints.MaxNorm(1.0))
    layer.build((None, 2))
    assert isinstance(layer.kernel.regularizer, regularizers.L2)
    assert isinstance(layer.kernel.constraint, constraints.NonNeg)
    assert isinstance(layer.bias.constraint, constraints.MaxNorm)
    assert layer.bias.regularizer is None


def test_losses_sum_like_keras():
    # the activity penalty is divided by the batch size; weight penalties are not (KERAS_NOTES
    # 6.1): Dense(3) with a ones kernel on ones(4, 2), L2(0.01) -> 0.01 * (2^2 * 12) / 4 = 0.12
    layer = layers.Dense(3, kernel_initializer="ones", activity_regularizer="l2",
                         kernel_regularizer=regularizers.L1(0.5))
    layer(np.ones((4, 2), np.float32))
    activity, kernel = (float(loss) for loss in layer.losses)
    assert activity == pytest.approx(0.12, rel=1e-6)
    assert kernel == pytest.approx(0.5 * 6, rel=1e-6)
    layer(np.ones((2, 2), np.float32))
    assert len(layer.losses) == 2  # a new call replaces the activity penalty
    layer.trainable = False
    assert len(layer.losses) == 1  # a frozen weight has no penalty


def test_optimizer_applies_the_constraint_set_by_add_weight():
    layer = layers.Dense(3, kernel_initializer=keras.initializers.RandomNormal(stddev=3.0, seed=1),
                         kernel_constraint="non_neg")
    layer.build((None, 4))
    gradient = np.ones((4, 3), np.float32)
    keras.optimizers.SGD(learning_rate=0.5).apply_gradients([(gradient, layer.kernel)])
    assert layer.kernel.numpy().min() >= 0.0
