"""Random initializers: fixed distributions, and the variance-scaling family.

Variance scaling chooses the spread of a layer's initial weights from its *fans*, the number of
inputs (``fan_in``) and outputs (``fan_out``) each unit connects to, so that signals (forward)
or gradients (backward) keep their variance from layer to layer. Glorot, He and LeCun are named
choices of scale, fan and distribution; chapter 8 derives them.

Seeding follows Keras: an int seed gives the same values on every call, a ``SeedGenerator`` new
values on every call, and ``seed=None`` draws a random int seed once, at construction.
"""

import math

import numpy as np

from nbkeras import random
from nbkeras.initializers.initializer import Initializer
from nbkeras.random.seed_generator import SeedGenerator, make_default_seed
from nbkeras.saving import serialization_lib
from nbkeras.tensor import Tensor

TRUNCATED_NORMAL_STDDEV = 0.87962566103423978
"""The standard deviation of N(0, 1) cut to [-2, 2]: sampling N(0, s^2) and redrawing outside
+-2s leaves a standard deviation of 0.8796 s, so variance scaling divides s by this number."""


class RandomInitializer(Initializer):
    """Base of the random initializers: keeps the seed (an int, a SeedGenerator, or a random int
    chosen now when ``seed`` is None)."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = make_default_seed()
        elif isinstance(seed, dict):
            seed = serialization_lib.deserialize_from_table(
                seed, {"SeedGenerator": SeedGenerator}, kind="seed"
            )
        elif not isinstance(seed, (int, SeedGenerator)) or isinstance(seed, bool):
            raise ValueError(
                f"{type(self).__name__}: seed must be an int or a keras.random.SeedGenerator, "
                f"got seed={seed!r}"
            )
        self.seed = seed

    def get_config(self):
        return {"seed": serialization_lib.serialize_keras_object(self._init_seed)}


class RandomNormal(RandomInitializer):
    """Samples of N(mean, stddev^2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.normal(shape, self.mean, self.stddev, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Samples of N(mean, stddev^2), redrawn when they fall outside mean +- 2 stddev."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.truncated_normal(shape, self.mean, self.stddev, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples of U[minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return random.uniform(shape, self.minval, self.maxval, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)`` of a weight of ``shape``.

    A Dense kernel ``(inputs, units)`` has fans ``(inputs, units)``. A convolution kernel
    ``(*kernel_size, in_channels, filters)`` connects each output to ``prod(kernel_size) *
    in_channels`` inputs, so both fans are multiplied by the receptive field ``prod(kernel_size)``.
    A vector counts its length as both fans, a scalar 1. ``input_axes``/``output_axes`` name the
    axes explicitly.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class VarianceScaling(RandomInitializer):
    """Samples whose variance is ``scale / n``, with ``n`` the fan chosen by ``mode``:
    ``fan_in``, ``fan_out`` or their average ``fan_avg``.

    ``distribution``: ``"truncated_normal"`` (alias ``"normal"``) draws N(0, s^2) truncated at
    +-2s with s = sqrt(scale / n) / 0.8796 (so the truncated samples have the target variance);
    ``"untruncated_normal"`` draws N(0, scale / n); ``"uniform"`` draws U[-L, L] with
    L = sqrt(3 scale / n), whose variance L^2 / 3 is the target.
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if not scale > 0.0:
            raise ValueError(
                f"VarianceScaling: scale must be a positive float, got scale={scale!r}"
            )
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"VarianceScaling: mode must be one of {modes}, got mode={mode!r}")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in distributions:
            raise ValueError(
                f"VarianceScaling: distribution must be one of {distributions} (or 'normal'), "
                f"got distribution={distribution!r}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def variance(self, shape):
        """The variance the samples are drawn to have, ``scale / max(1, n)``."""
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, n)

    def __call__(self, shape, dtype=None):
        variance = self.variance(shape)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV
            return random.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _NamedVarianceScaling(VarianceScaling):
    """A variance scaling with its scale, mode and distribution fixed by the class (Glorot, He,
    LeCun): only the seed and the fan axes are arguments."""

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(self.SCALE, self.MODE, self.DISTRIBUTION, seed, input_axes, output_axes)

    def get_config(self):
        return {
            "seed": serialization_lib.serialize_keras_object(self._init_seed),
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class GlorotUniform(_NamedVarianceScaling):
    """U[-L, L] with L = sqrt(6 / (fan_in + fan_out)): variance 2 / (fan_in + fan_out)."""

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_avg", "uniform"


class GlorotNormal(_NamedVarianceScaling):
    """Truncated normal with variance 2 / (fan_in + fan_out)."""

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_avg", "truncated_normal"


class HeUniform(_NamedVarianceScaling):
    """U[-L, L] with L = sqrt(6 / fan_in): variance 2 / fan_in (for ReLU layers)."""

    SCALE, MODE, DISTRIBUTION = 2.0, "fan_in", "uniform"


class HeNormal(_NamedVarianceScaling):
    """Truncated normal with variance 2 / fan_in (for ReLU layers)."""

    SCALE, MODE, DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


class LecunUniform(_NamedVarianceScaling):
    """U[-L, L] with L = sqrt(3 / fan_in): variance 1 / fan_in."""

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "uniform"


class LecunNormal(_NamedVarianceScaling):
    """Truncated normal with variance 1 / fan_in (for SELU networks)."""

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "truncated_normal"


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix (times ``gain``), reshaped to ``shape``.

    The shape is seen as a matrix of ``prod(shape[:-1])`` rows and ``shape[-1]`` columns. A
    Gaussian matrix is factored as Q R; Q, with each column's sign flipped to make diag(R)
    positive, is uniformly distributed over the orthogonal matrices. With more columns than rows
    the transpose is used, so the rows are orthonormal instead.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "initializers.Orthogonal needs a shape of rank 2 or more, got "
                f"shape={shape} of rank {len(shape)}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = random.normal((max(rows, cols), min(rows, cols)), seed=self.seed, dtype=dtype)
        q, r = np.linalg.qr(a.numpy())
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        out = (np.asarray(self.gain, q.dtype) * q.reshape(shape)).astype(q.dtype, copy=False)
        out.flags.writeable = False
        return Tensor(out)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
