"""``BaseZeroPadding``: what ZeroPadding1D, 2D and 3D share: zeros before and after each
spatial axis (``ops.pad``), whose gradient cuts the padding off again."""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class BaseZeroPadding(Layer):
    """Pad each spatial axis by one (before, after) pair of ``pairs``; subclasses parse their
    ``padding`` argument (stored as ``self.padding``, as their config writes it)."""

    def __init__(self, pairs, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self._pairs = tuple(pairs)
        self.input_spec = InputSpec(ndim=len(self._pairs) + 2)
        self.built = True

    @property
    def _first_axis(self):
        return 2 if self.data_format == "channels_first" else 1

    def call(self, inputs):
        if self.data_format == "channels_first":
            return ops.pad(inputs, ((0, 0), (0, 0), *self._pairs))
        return ops.pad(inputs, ((0, 0), *self._pairs, (0, 0)))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in enumerate(self._pairs, start=self._first_axis):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
