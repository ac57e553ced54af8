"""Weight penalties: L1, L2, L1L2 and the orthogonality penalty.

A regularizer maps a weight (or a layer's output) to a scalar that is added to the training
loss: ``L1(l1)`` gives ``l1 * sum|w|``, ``L2(l2)`` gives ``l2 * sum w^2`` (no factor 1/2), and
``L1L2`` their sum. The factor is cast to the weight's dtype, so 0.01 enters as float32 0.01.
"""

import math

from nbkeras import config, ops


def _validate_factor(value, name, where):
    if (
        isinstance(value, bool)
        or not isinstance(value, (float, int))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"{where}: invalid value for argument {name}: expected a non-negative float, "
            f"got {name}={value!r}"
        )
    return float(value)


class Regularizer:
    """Base class: ``__call__(x)`` returns the penalty of ``x`` as a scalar tensor."""

    _keras_module = "keras.regularizers"

    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class L1L2(Regularizer):
    """``l1 * sum|x| + l2 * sum x^2``; a term whose factor is 0 is left out."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate_factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _validate_factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        penalty = ops.zeros((), x.dtype)
        if self.l1 != 0.0:
            penalty = penalty + ops.cast(self.l1, x.dtype) * ops.sum(ops.abs(x))
        if self.l2 != 0.0:
            penalty = penalty + ops.cast(self.l2, x.dtype) * ops.sum(ops.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum|x|``."""

    def __init__(self, l1=0.01):
        l1 = _validate_factor(0.01 if l1 is None else l1, "l1", "L1")
        self.l1 = ops.convert_to_tensor(l1)  # float32, as Keras keeps it (its config shows it)

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        return ops.cast(self.l1, x.dtype) * ops.sum(ops.abs(x))

    def get_config(self):
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """``l2 * sum x^2``."""

    def __init__(self, l2=0.01):
        self.l2 = _validate_factor(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        return ops.cast(self.l2, x.dtype) * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalise non-orthogonal rows (or columns) of a 2-D weight: ``factor / 2`` times the mean
    absolute cosine similarity over all pairs of distinct rows."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = ops.convert_to_tensor(
            _validate_factor(factor, "factor", "OrthogonalRegularizer")
        )
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"OrthogonalRegularizer: mode must be 'rows' or 'columns', got mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, inputs):
        x = ops.convert_to_tensor(inputs)
        if x.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer: inputs must have rank 2, got shape {x.shape}"
            )
        axis = 1 if self.mode == "rows" else 0
        # unit rows (columns), as ops.normalize: x * min(1 / ||x||, 1 / epsilon)
        inverse_norms = 1.0 / ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
        unit = x * ops.minimum(inverse_norms, 1.0 / config.epsilon())
        product = ops.matmul(unit, ops.transpose(unit)) if axis == 1 else ops.matmul(
            ops.transpose(unit), unit)
        size = x.shape[0] if axis == 1 else x.shape[1]
        off_diagonal = product * (1.0 - ops.eye(size, dtype=x.dtype))
        pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * ops.sum(ops.abs(off_diagonal)) / pairs

    def get_config(self):
        return {"factor": float(self.factor), "mode": self.mode}
