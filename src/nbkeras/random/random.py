"""Random draws (``keras.random``): each one seeds a fresh PCG64 generator from a seed pair.

The draws follow Keras' NumPy backend step for step (float64 samples cast to the dtype at the
end), so ``normal((3,), seed=1)`` here equals Keras' NumPy-backend ``normal((3,), seed=1)``.
``dropout`` is differentiable: its backward passes the cotangent through the kept units, scaled
like them.
"""

import math

import numpy as np

from nbkeras import dtypes
from nbkeras.autodiff import Primitive
from nbkeras.ops import _args
from nbkeras.random.seed_generator import draw_seed
from nbkeras.tensor import Tensor


def _constant(array):
    array.flags.writeable = False
    return Tensor(array)


def _shape(shape, where):
    try:
        shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(f"random.{where}: shape must be a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"random.{where}: negative dimension in shape {shape}")
    return shape


def _float_dtype(dtype, where):
    dtype = dtypes.standardize_dtype(dtype)
    if not dtypes.is_float(dtype):
        raise ValueError(f"random.{where} needs a floating-point dtype, got dtype={dtype!r}")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev^2)."""
    dtype = _float_dtype(dtype, "normal")
    rng = np.random.default_rng(draw_seed(seed))
    return _constant(rng.normal(size=_shape(shape, "normal"), loc=mean, scale=stddev).astype(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of U[minval, maxval)."""
    dtype = _float_dtype(dtype, "uniform")
    rng = np.random.default_rng(draw_seed(seed))
    samples = rng.uniform(size=_shape(shape, "uniform"), low=minval, high=maxval)
    return _constant(samples.astype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev^2) restricted to mean +- 2 stddev: draws outside are rejected
    and drawn again (so the result's standard deviation is 0.8796 stddev, not stddev)."""
    dtype = _float_dtype(dtype, "truncated_normal")
    shape = _shape(shape, "truncated_normal")
    rng = np.random.default_rng(draw_seed(seed))
    lower, upper = mean - 2 * stddev, mean + 2 * stddev
    size = math.prod(shape)
    kept = np.empty(0)
    while kept.shape[0] < size:
        batch = rng.normal(loc=mean, scale=stddev, size=size)
        kept = np.append(kept, batch[(batch >= lower) & (batch <= upper)])
    return _constant(kept[:size].astype(dtype).reshape(shape))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers in [minval, maxval)."""
    dtype = dtypes.standardize_dtype(dtype)
    if not dtypes.is_int(dtype):
        raise ValueError(f"random.randint needs an integer dtype, got dtype={dtype!r}")
    rng = np.random.default_rng(draw_seed(seed))
    return _constant(rng.integers(minval, maxval, size=_shape(shape, "randint"), dtype=dtype))


def shuffle(x, axis=0, seed=None):
    """``x`` with its entries permuted along ``axis`` (each slice independently, as NumPy's
    ``Generator.permuted``)."""
    t = _args.tensor(x, "random.shuffle")
    rng = np.random.default_rng(draw_seed(seed))
    return _constant(rng.permuted(t._value, axis=axis))


def _dropout_forward(x, *, keep, keep_probability):
    scaled = (x / x.dtype.type(keep_probability)).astype(x.dtype, copy=False)
    return np.where(keep, scaled, np.zeros((), x.dtype)), (keep, keep_probability)


# y = x / p where kept, 0 where dropped: the same mask and scale carry the cotangent back
def _dropout_backward(saved, g, needs):
    keep, keep_probability = saved
    return (np.where(keep, g / g.dtype.type(keep_probability), np.zeros((), g.dtype)),)


dropout_p = Primitive("dropout", _dropout_forward, _dropout_backward)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Inverted dropout: each entry is kept with probability ``1 - rate`` and divided by
    ``1 - rate`` (so the expected value is unchanged), else set to 0.

    ``noise_shape`` gives the shape of the keep/drop mask, broadcast over the input (None entries
    take the input's size): ``(batch, 1, features)`` drops whole features for every time step.
    """
    t = _args.float_tensor(inputs, "random.dropout")
    if not 0 <= rate <= 1:
        raise ValueError(f"random.dropout: rate must be in [0, 1], got rate={rate!r}")
    if rate == 1.0:
        return Tensor(np.zeros(t.shape, t._value.dtype))  # nothing kept, nothing to differentiate
    if rate == 0.0:
        return t
    if noise_shape is None:
        mask_shape = t.shape
    else:
        if len(noise_shape) != t.ndim:
            raise ValueError(
                f"random.dropout: noise_shape {tuple(noise_shape)} must have one entry per "
                f"dimension of the input shape {t.shape}"
            )
        mask_shape = tuple(t.shape[i] if n is None else int(n) for i, n in enumerate(noise_shape))
    keep_probability = 1.0 - rate
    rng = np.random.default_rng(draw_seed(seed))
    keep = rng.uniform(size=mask_shape) < keep_probability
    try:
        keep = np.broadcast_to(keep, t.shape)
    except ValueError:
        raise ValueError(
            f"random.dropout: noise_shape {mask_shape} does not broadcast to the input shape "
            f"{t.shape}"
        ) from None
    return dropout_p(t, keep=keep, keep_probability=keep_probability)
