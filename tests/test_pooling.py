"""Pooling ops: the seed grids, the kernels against a plain NumPy formulation, gradients against
central differences, every keras.ops case frozen from real Keras (ties, -inf, NaN and "same"
borders included), and argument errors."""

import itertools
import re

import numpy as np
import pytest

from nbkeras import ops
from nbkeras.utils import check_gradients
from nbkeras.utils.keras_reference import check_op_case, load

RTOL = 1e-6  # a max is exact; an average of a few float32 values rounds like TensorFlow's

rng = np.random.default_rng(12)


def distinct(*shape):
    """Values without ties (a tie is where max pooling's derivative is a convention)."""
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 - 1.0


GRADIENT_CASES = {
    "max_pool": [
        (lambda x: ops.max_pool(x, 2), [distinct(2, 6, 5, 3)]),
        (lambda x: ops.max_pool(x, 3, 1, "same"), [distinct(1, 5, 3)]),
        (lambda x: ops.max_pool(x, 2, (1, 2, 1), "same", "channels_first"),
         [distinct(1, 2, 3, 4, 3)]),
    ],
    "average_pool": [
        (lambda x: ops.average_pool(x, 3, 2, "same"), [rng.standard_normal((2, 5, 4, 3))]),
        (lambda x: ops.average_pool(x, 2, None, "valid", "channels_first"),
         [rng.standard_normal((2, 3, 5))]),
        (lambda x: ops.average_pool(x, (2, 1, 3), 1, "same"),
         [rng.standard_normal((1, 3, 2, 4, 2))]),
    ],
}


@pytest.mark.parametrize(
    "name, index", [(n, i) for n, cases in GRADIENT_CASES.items() for i in range(len(cases))]
)
def test_gradient_check(name, index):
    f, inputs = GRADIENT_CASES[name][index]
    assert check_gradients(f, inputs) < 1e-6


def test_seed_grids():
    grid3 = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    grid4 = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(ops.max_pool(grid3, 2, 1).numpy()[0, :, :, 0],
                                  [[5, 6], [8, 9]])
    np.testing.assert_array_equal(ops.max_pool(grid4, 2, 2).numpy()[0, :, :, 0],
                                  [[6, 8], [14, 16]])


def pool_by_definition(x, mode, pool_size, strides, pads):
    """Each window's max or mean over its real elements, one window at a time (float64)."""
    rank = x.ndim - 2
    out = [(x.shape[1 + i] + sum(pads[i]) - pool_size[i]) // strides[i] + 1 for i in range(rank)]
    y = np.empty((x.shape[0], *out, x.shape[-1]))
    for o in itertools.product(*map(range, out)):
        window = tuple(slice(max(o[i] * strides[i] - pads[i][0], 0),
                             o[i] * strides[i] - pads[i][0] + pool_size[i]) for i in range(rank))
        real = x[(slice(None), *window)].reshape(x.shape[0], -1, x.shape[-1])
        y[(slice(None), *o)] = real.max(axis=1) if mode == "max" else real.mean(axis=1)
    return y


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("shape, pool_size, strides, padding", [
    ((2, 9, 3), (3,), (2,), "same"),
    ((2, 7, 6, 2), (3, 2), (2, 1), "valid"),
    ((2, 7, 6, 2), (3, 3), (2, 2), "same"),
    ((1, 4, 5, 3, 2), (2, 3, 2), (1, 2, 2), "same"),
])
def test_pooling_matches_the_definition(mode, shape, pool_size, strides, padding):
    from nbkeras.kernels import pooling as K
    from nbkeras.ops.convolution import padding_pairs

    x = rng.standard_normal(shape)
    pads = padding_pairs(shape[1:-1], pool_size, strides, (1,) * len(pool_size), padding)
    np.testing.assert_allclose(K.pool(x, mode, pool_size, strides, pads),
                               pool_by_definition(x, mode, pool_size, strides, pads),
                               rtol=1e-14, atol=1e-14)


OP_CASES = [c for c in load("pooling") if "fn" in c.meta]


@pytest.mark.parametrize("case", OP_CASES, ids=lambda c: c.id)
def test_op_matches_keras(case):
    check_op_case(case, rtol=RTOL)


@pytest.mark.parametrize("call, message", [
    (lambda: ops.max_pool(np.ones((4, 4)), 2), "rank 3, 4, 5"),
    (lambda: ops.max_pool(np.ones((1, 4, 4, 1)), (2, 2, 2)),
     "pool_size must be an int or a tuple of 2"),
    (lambda: ops.average_pool(np.ones((1, 4, 4, 1)), 2, 0), "strides must be"),
    (lambda: ops.average_pool(np.ones((1, 4, 4, 1)), 5), "does not fit the spatial shape (4, 4)"),
    (lambda: ops.max_pool(np.ones((1, 4, 4, 1)), 2, padding="causal"), "padding must be"),
])
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
