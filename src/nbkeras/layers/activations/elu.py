"""``ELU``: ``x`` for x >= 0 and ``alpha * (exp(x) - 1)`` below (``activations.elu``)."""

from nbkeras import activations
from nbkeras.layers.layer import Layer


class ELU(Layer):
    """Exponential linear unit (``keras.layers.ELU``); no weights. Its config is Keras'
    automatic one (``alpha``), as Keras writes no ``get_config`` for it."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape
