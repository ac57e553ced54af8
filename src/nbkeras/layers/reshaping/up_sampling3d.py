"""``UpSampling3D``: repeat every plane, row and column of a volume ``size`` times along its
axis (nearest-neighbour upsampling, ``ops.repeat``)."""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.utils.argument_validation import standardize_tuple


class UpSampling3D(Layer):
    """Upsampling of volumes (``keras.layers.UpSampling3D``)."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 3, "size", "UpSampling3D")
        self.input_spec = InputSpec(ndim=5)
        self.built = True

    @property
    def _first_axis(self):
        return 2 if self.data_format == "channels_first" else 1

    def call(self, inputs):
        for axis, factor in enumerate(self.size, start=self._first_axis):
            inputs = ops.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in enumerate(self.size, start=self._first_axis):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
