"""``RMSNormalization``: divide each sample by its root mean square, then scale.

``x / sqrt(mean(x^2) + epsilon) * scale`` over ``axis``: layer normalization without the mean
(nothing is subtracted, no offset is added). One weight, ``scale``, spanning the normalised
axes. It runs on the fused ``ops.rms_normalization`` kernel pair, whose backward chapter 10
derives.
"""

from nbkeras import ops
from nbkeras.layers.layer import Layer


class RMSNormalization(Layer):
    """Root-mean-square normalization (``keras.layers.RMSNormalization``)."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        rank = len(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        for axis in axes:
            if not -rank <= axis < rank:
                raise ValueError(
                    f"RMSNormalization '{self.name}': axis {axis} is out of bounds for input "
                    f"shape {tuple(input_shape)}"
                )
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(
                f"RMSNormalization '{self.name}': the normalised axes {axes} must have known "
                f"sizes; received input shape {tuple(input_shape)}"
            )
        self.axis = axes  # Keras stores the sorted list after build (its config shows it)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")

    def call(self, x):
        return ops.rms_normalization(x, scale=self.scale, axis=self.axis, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        for axis in axes:
            if not -len(input_shape) <= axis < len(input_shape):
                raise ValueError(
                    f"Axis {axis} is out of bounds for input shape {tuple(input_shape)}. "
                    f"Received: axis={self.axis}"
                )
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
