"""``Cropping1D``: cut steps off the start and the end of each sequence (batch, steps,
features)."""

from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.layers.reshaping.cropping import crop, cropped_lengths
from nbkeras.utils.argument_validation import standardize_tuple


class Cropping1D(Layer):
    """``Cropping1D((1, 2))`` removes 1 step at the start and 2 at the end
    (``keras.layers.Cropping1D``)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_tuple(cropping, 2, "cropping", "Cropping1D",
                                          allow_zero=True)
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def compute_output_shape(self, input_shape):
        (steps,) = cropped_lengths(input_shape[1:2], (self.cropping,), input_shape,
                                   "Cropping1D", self.name)
        return (input_shape[0], steps, input_shape[2])

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # raises when nothing would be left
        return crop(inputs, (self.cropping,), 1)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}
