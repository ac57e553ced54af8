"""``UpSampling2D``: repeat every row ``size[0]`` times and every column ``size[1]`` times
(nearest-neighbour upsampling, ``ops.repeat``). The gradient of each input pixel is the sum
over its copies."""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.utils.argument_validation import standardize_tuple


class UpSampling2D(Layer):
    """Upsampling of 2-D inputs (``keras.layers.UpSampling2D``); only ``interpolation=
    "nearest"`` is supported by nbkeras."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size", where)
        self.interpolation = str(interpolation).lower()
        if self.interpolation != "nearest":
            raise ValueError(
                f"{where}: interpolation={interpolation!r} is not supported by nbkeras; "
                "use 'nearest'"
            )
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        first = 2 if self.data_format == "channels_first" else 1
        rows = ops.repeat(inputs, self.size[0], axis=first)
        return ops.repeat(rows, self.size[1], axis=first + 1)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        first = 2 if self.data_format == "channels_first" else 1
        for axis, factor in zip((first, first + 1), self.size, strict=True):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
