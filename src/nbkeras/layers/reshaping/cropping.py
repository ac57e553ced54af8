"""What Cropping1D, Cropping2D and Cropping3D share: cut rows (steps, columns, planes) off each
border of each sample, a slice whose gradient pads the cut borders with zeros again."""

from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.utils.argument_validation import standardize_pairs


def cropped_lengths(lengths, cropping, input_shape, where, name):
    """The spatial lengths after cropping (None stays None); raises when a crop would leave
    nothing."""
    result = []
    for n, (before, after) in zip(lengths, cropping, strict=True):
        if n is not None and before + after >= n:
            raise ValueError(
                f"{where} '{name}': the cropping must be smaller than the corresponding spatial "
                f"dimension of the input: expected before + after < length on every axis; "
                f"received input shape {tuple(input_shape)} and cropping={cropping}"
            )
        result.append(None if n is None else n - before - after)
    return tuple(result)


def crop(inputs, cropping, first_axis):
    """``inputs`` with ``cropping`` cut off the spatial axes starting at ``first_axis``."""
    key = [slice(None)] * inputs.ndim
    for axis, (before, after) in enumerate(cropping, start=first_axis):
        key[axis] = slice(before, inputs.shape[axis] - after)
    return inputs[tuple(key)]


class BaseCropping(Layer):
    """Cropping of images (rank 2) and volumes (rank 3): ``cropping`` is an int, ``rank``
    ints (symmetric per axis) or ``rank`` (before, after) pairs."""

    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.cropping = standardize_pairs(cropping, rank, "cropping", type(self).__name__)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    @property
    def _first_axis(self):
        return 2 if self.data_format == "channels_first" else 1

    def compute_output_shape(self, input_shape):
        first, rank = self._first_axis, len(self.cropping)
        lengths = cropped_lengths(input_shape[first:first + rank], self.cropping, input_shape,
                                  type(self).__name__, self.name)
        shape = list(input_shape)
        shape[first:first + rank] = lengths
        return tuple(shape)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # raises when nothing would be left
        return crop(inputs, self.cropping, self._first_axis)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}
