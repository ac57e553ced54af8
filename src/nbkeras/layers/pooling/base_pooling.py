"""``BasePooling``: max and average pooling over 1, 2 or 3 spatial axes.

Windows of ``pool_size`` move by ``strides`` (default: ``pool_size``, non-overlapping windows);
``ops.max_pool`` or ``ops.average_pool`` does the work. No weights.
"""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.ops.convolution import conv_output_length
from nbkeras.utils.argument_validation import standardize_padding, standardize_tuple


class BasePooling(Layer):
    """Pooling over ``pool_dimensions`` spatial axes with ``pool_mode`` "max" or "average"."""

    def __init__(self, pool_size, strides, pool_dimensions, pool_mode="max", padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        where = type(self).__name__
        if pool_mode not in ("max", "average"):
            raise ValueError(f"{where}: pool_mode must be 'max' or 'average', got {pool_mode!r}")
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size", where)
        self.strides = self.pool_size if strides is None else standardize_tuple(
            strides, pool_dimensions, "strides", where)
        self.pool_mode = pool_mode
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.built = True

    def call(self, inputs):
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(inputs, pool_size=self.pool_size, strides=self.strides,
                    padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        lengths = tuple(conv_output_length(n, k, s, self.padding)
                        for n, k, s in zip(spatial, self.pool_size, self.strides, strict=True))
        if any(n is not None and n <= 0 for n in lengths):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': pool_size={self.pool_size} with "
                f"padding={self.padding!r} does not fit inputs of shape {input_shape}"
            )
        channels = input_shape[-1] if last else input_shape[1]
        return input_shape[:1] + (lengths + (channels,) if last else (channels,) + lengths)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}
