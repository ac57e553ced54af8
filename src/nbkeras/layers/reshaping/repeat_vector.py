"""``RepeatVector``: (batch, features) -> (batch, n, features), the same vector n times (an
encoder's summary fed to every step of a decoder). Each input receives the sum of its n copies'
cotangents."""

from nbkeras import ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class RepeatVector(Layer):
    """Repeat the input ``n`` times (``keras.layers.RepeatVector``)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"RepeatVector: expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"RepeatVector: argument `n` should be a positive integer. "
                             f"Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}
