"""Every registered primitive passes a float64 central-difference gradient check.

Each test module may define ``GRADIENT_CASES = {primitive name: [(f, inputs), ...]}``; this one
holds the foundation's ops. ``test_every_primitive_is_checked`` collects the tables of every
``tests/test_*.py`` and fails when a registered primitive has no case. Inputs stay away from
kinks (relu and abs at 0, ties in max), where the derivative is a convention that the Keras
reference cases pin down instead.
"""

import importlib
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nbkeras import autodiff, ops
from nbkeras.utils import check_gradients

rng = np.random.default_rng(7)


def normal(*shape):
    return rng.standard_normal(shape)


def positive(*shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


GRADIENT_CASES = {
    "add": [(ops.add, [normal(3, 1), normal(4)])],
    "subtract": [(ops.subtract, [normal(2, 3), normal(3)])],
    "multiply": [(ops.multiply, [normal(2, 1, 3), normal(4, 3)])],
    "divide": [(ops.divide, [normal(3, 4), positive(4)])],
    "power": [(ops.power, [positive(3, 2), normal(2)])],
    "maximum": [(ops.maximum, [normal(3, 4), normal(4) + 0.01])],
    "minimum": [(ops.minimum, [normal(3, 4), normal(3, 1) + 0.01])],
    "negative": [(ops.negative, [normal(2, 3)])],
    "abs": [(ops.abs, [away_from_zero(2, 3)])],
    "sign": [(ops.sign, [away_from_zero(5)])],
    "square": [(ops.square, [normal(2, 3)])],
    "exp": [(ops.exp, [normal(2, 3)])],
    "log": [(ops.log, [positive(2, 3)])],
    "log1p": [(ops.log1p, [positive(2, 3) - 0.4])],
    "sqrt": [(ops.sqrt, [positive(2, 3)])],
    "clip": [(lambda x: ops.clip(x, -0.5, 0.5), [np.array([-1.3, -0.4, 0.1, 0.45, 0.9, 2.0])])],
    "where": [(lambda a, b: ops.where(np.array([[True, False, True]]), a, b),
               [normal(2, 3), normal(2, 1)])],
    "cast": [],  # see test_cast_gradient: a float32 round trip defeats finite differences
    "sum": [(lambda x: ops.sum(x, axis=(0, 2)), [normal(2, 3, 4)]),
            (lambda x: ops.sum(x, axis=1, keepdims=True), [normal(2, 3, 4)])],
    "mean": [(lambda x: ops.mean(x, axis=-1), [normal(3, 5)]), (ops.mean, [normal(2, 3)])],
    "max": [(lambda x: ops.max(x, axis=1), [normal(3, 4)]), (ops.max, [normal(2, 3, 2)])],
    "min": [(lambda x: ops.min(x, axis=(0, 2), keepdims=True), [normal(3, 2, 4)])],
    "prod": [(lambda x: ops.prod(x, axis=1), [normal(2, 4)]),
             (lambda x: ops.prod(x, axis=(0, 2)), [normal(2, 3, 2)])],
    "logsumexp": [(lambda x: ops.logsumexp(x, axis=1), [normal(3, 4)]),
                  (ops.logsumexp, [normal(2, 3)])],
    "reshape": [(lambda x: ops.reshape(x, (3, -1)), [normal(2, 3, 2)])],
    "transpose": [(lambda x: ops.transpose(x, (2, 0, 1)), [normal(2, 3, 4)])],
    "concatenate": [(lambda a, b: ops.concatenate([a, b, a], axis=1),
                     [normal(2, 1), normal(2, 3)])],
    "take": [(lambda x: ops.take(x, np.array([[2, 0], [2, 2]]), axis=1), [normal(3, 4)])],
    "take_along_axis": [(lambda x: ops.take_along_axis(x, np.array([[0, 0], [2, 1]]), axis=1),
                         [normal(2, 3)])],
    "getitem": [(lambda x: x[1:, ::2], [normal(3, 4)]),
                (lambda x: x[np.array([0, 2, 0])], [normal(3, 2)]),
                (lambda x: x[x > 0.0], [normal(3, 3)])],
    "matmul": [(ops.matmul, [normal(3, 4), normal(4, 2)]),
               (ops.matmul, [normal(2, 3, 4), normal(4, 2)]),
               (ops.matmul, [normal(2, 1, 3, 4), normal(3, 4, 2)]),
               (ops.matmul, [normal(4), normal(2, 4, 3)])],
    "matmul_add": [(ops.linalg.matmul_add, [normal(3, 4), normal(4, 2), normal(2)]),
                   (ops.linalg.matmul_add, [normal(2, 3, 4), normal(4, 2), normal(2)])],
    "sigmoid": [(ops.sigmoid, [normal(3, 4) * 4])],
    "tanh": [(ops.tanh, [normal(3, 4)])],
    "softplus": [(ops.softplus, [normal(3, 4) * 4])],
    "relu": [(ops.relu, [away_from_zero(3, 4)])],
    "softmax": [(lambda x: ops.softmax(x, axis=0), [normal(3, 4)]), (ops.softmax, [normal(2, 5)])],
    "log_softmax": [(lambda x: ops.log_softmax(x, axis=1), [normal(2, 3, 4)])],
}


def _all_gradient_cases():
    tables = {}
    for path in sorted(pathlib.Path(__file__).parent.glob("test_*.py")):
        module = importlib.import_module(path.stem)
        for name, cases in getattr(module, "GRADIENT_CASES", {}).items():
            tables.setdefault(name, []).extend(cases)
    return tables


def test_every_primitive_is_checked():
    unchecked = set(autodiff.PRIMITIVES) - set(_all_gradient_cases())
    assert not unchecked, f"primitives without a gradient check: {sorted(unchecked)}"


@pytest.mark.parametrize(
    "name, index",
    [(name, i) for name, cases in _all_gradient_cases().items() for i in range(len(cases))],
)
def test_gradient_check(name, index):
    f, inputs = _all_gradient_cases()[name][index]
    assert check_gradients(f, inputs) < 1e-6


def test_cast_gradient():
    # cast is the identity on values, so its gradient is the cotangent cast back to the input
    x = ops.convert_to_tensor(np.array([1.5, -2.0], np.float32))
    cotangent = np.array([0.25, 3.0])
    from nbkeras import GradientTape

    with GradientTape() as tape:
        tape.watch(x)
        y = ops.cast(x, "float64")
    g = tape.gradient(y, x, output_gradients=cotangent)
    assert g.dtype == "float32"
    np.testing.assert_array_equal(g.numpy(), cotangent.astype(np.float32))


def test_sqrt_passes_no_gradient_where_the_cotangent_is_zero():
    # TensorFlow's SqrtGrad returns 0 for a zero cotangent, even at sqrt(0) and sqrt(-1): the
    # branch that where() discards contributes nothing (tf.GradientTape gives [0, 0, 0.25])
    from nbkeras import GradientTape

    x = ops.convert_to_tensor(np.array([0.0, -1.0, 4.0], np.float32))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.where(x > 0, ops.sqrt(x), 0.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 0.0, 0.25])


def test_shared_input_accumulates():
    # x is used three times: d/dx (x*x + x) = 2x + 1; the cotangents must add, never alias
    check_gradients(lambda x: x * x + x, [normal(4)])
    check_gradients(lambda x: ops.add(x, x) * x, [normal(2, 3)])


def test_composite_function():
    def f(w, x):
        hidden = ops.tanh(ops.matmul(x, w))
        return ops.logsumexp(ops.softmax(hidden * 3.0, axis=-1) + ops.sum(w), axis=0)

    check_gradients(f, [normal(4, 3), normal(5, 4)])


# -- Hypothesis: random shapes and broadcasts --------------------------------------------------

small_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


@settings(max_examples=30, deadline=None)
@given(shapes=small_shapes, op=st.sampled_from(["add", "subtract", "multiply", "divide",
                                                "maximum"]))
def test_binary_ops_under_broadcasting(shapes, op):
    a = rng.standard_normal(shapes.input_shapes[0])
    b = rng.uniform(0.5, 1.5, shapes.input_shapes[1])  # no division by zero, no max ties
    check_gradients(getattr(ops, op), [a, b])


@settings(max_examples=30, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
    data=st.data(),
    op=st.sampled_from(["sum", "mean", "max", "logsumexp", "prod"]),
    keepdims=st.booleans(),
)
def test_reductions_over_random_axes(shape, data, op, keepdims):
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1))
    x = rng.permutation(np.linspace(-2.0, 2.0, int(np.prod(shape)))).reshape(shape)  # no ties
    check_gradients(lambda t: getattr(ops, op)(t, axis=tuple(axes), keepdims=keepdims), [x])


def test_gradient_check_handles_non_contiguous_inputs():
    # a transposed (F-ordered) input must be perturbed in place, not through a copy
    x = np.asfortranarray(normal(3, 4))
    assert check_gradients(lambda t: ops.sum(ops.square(t), axis=0), [x]) < 1e-6
    from nbkeras.utils import numerical_gradient

    numeric = numerical_gradient(lambda t: ops.square(t), [x.T], np.ones((4, 3)), 0)
    np.testing.assert_allclose(numeric, 2 * x.T, rtol=1e-6)

