"""``LeakyReLU``: ``x`` for x >= 0 and ``negative_slope * x`` below, so that a unit that is
off still passes a small gradient."""

import warnings

from nbkeras import activations
from nbkeras.layers.activations.relu import _non_negative
from nbkeras.layers.layer import Layer


class LeakyReLU(Layer):
    """Leaky rectified linear unit (``keras.layers.LeakyReLU``); ``alpha`` is Keras 2's name
    for ``negative_slope`` (accepted with a warning, as in Keras 3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(negative_slope, "negative_slope", "LeakyReLU")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
