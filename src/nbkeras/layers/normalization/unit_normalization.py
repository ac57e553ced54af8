"""``UnitNormalization``: scale each sample to unit L2 norm along ``axis``.

``x / ||x||`` computed as ``x * min(rsqrt(sum(x^2)), 1e12)`` (``ops.normalize`` with
``epsilon=1e-12``), so an all-zero vector stays zero instead of dividing by zero.
"""

from nbkeras import ops
from nbkeras.layers.layer import Layer


class UnitNormalization(Layer):
    """Unit-norm normalization (``keras.layers.UnitNormalization``); no weights."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(
                "Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                f"Received: axis={axis!r}"
            )
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        return ops.normalize(inputs, axis=axis, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            if not -len(input_shape) <= axis < len(input_shape):
                raise ValueError(
                    f"Axis {self.axis} is out of bounds for input shape {tuple(input_shape)}."
                )
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
