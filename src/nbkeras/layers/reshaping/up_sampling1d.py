"""``UpSampling1D``: repeat every step ``size`` times (``ops.repeat``); each input step
receives the sum of its copies' cotangents."""

from nbkeras import ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class UpSampling1D(Layer):
    """Upsampling of sequences (``keras.layers.UpSampling1D``)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"UpSampling1D: expected an integer value for `size`, got "
                            f"{type(size)}.")
        if size <= 0:
            raise ValueError(f"UpSampling1D: argument `size` should be a positive integer. "
                             f"Received: size={size}")
        self.size = size
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else self.size * input_shape[1]
        return (input_shape[0], steps, input_shape[2])

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def get_config(self):
        return {**super().get_config(), "size": self.size}
