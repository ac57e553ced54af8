"""Constraints: projections applied to a weight after every optimizer step.

``layer.add_weight(..., constraint=c)`` stores ``c`` on the variable; the optimizer assigns
``c(w)`` back after each update (KERAS_NOTES 4.1). The norm constraints rescale whole slices: for
a Dense kernel ``(inputs, units)`` and ``axis=0``, each unit's vector of incoming weights.
"""

from nbkeras import config, ops


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight (the identity here)."""

    _keras_module = "keras.constraints"

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` whose L2 norm n exceeds ``max_value`` to norm
    ``max_value``: ``w * clip(n, 0, max_value) / (epsilon + n)``. The epsilon (1e-7) leaves a
    slice already at the limit a hair below it."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative entries to zero."""

    def __call__(self, w):
        return ops.maximum(ops.convert_to_tensor(w), 0)


class UnitNorm(Constraint):
    """Rescale each slice along ``axis`` to unit L2 norm: ``w / (epsilon + n)``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's norm n towards [min_value, max_value]:
    ``desired = rate * clip(n, min_value, max_value) + (1 - rate) * n`` and
    ``w * desired / (epsilon + n)``; ``rate=1`` enforces the interval at once."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = (
            self.rate * ops.clip(norms, self.min_value, self.max_value)
            + (1 - self.rate) * norms
        )
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }
