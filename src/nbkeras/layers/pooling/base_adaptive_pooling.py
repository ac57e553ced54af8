"""``BaseAdaptivePooling``: pooling to a fixed output size, whatever the input size.

``AdaptiveAveragePooling2D(7)`` turns any (batch, height, width, channels) image into
(batch, 7, 7, channels): along an axis of n inputs and m outputs, window i covers inputs
floor(i n / m) to ceil((i + 1) n / m) - 1, so the windows tile the axis (neighbours share an
element when m does not divide n). ``ops.adaptive_average_pool`` / ``adaptive_max_pool`` do the
work; no weights.
"""

from nbkeras import config, ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer

_AXIS_NAMES = {1: "length", 2: "(height, width)", 3: "(depth, height, width)"}


def standardize_output_size(output_size, rank, where):
    """An int (the same on every axis) or ``rank`` ints, as a tuple of positive ints."""
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        output_size = (output_size,) * rank
    elif isinstance(output_size, (tuple, list)) and len(output_size) == rank:
        output_size = tuple(output_size)
    else:
        raise TypeError(
            f"{where}: `output_size` must be an integer or a {_AXIS_NAMES[rank]} tuple of "
            f"{rank} integer(s). Received: {output_size!r} of type {type(output_size)}"
        )
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in output_size):
        raise ValueError(
            f"{where}: every entry of `output_size` must be a positive integer. Received: "
            f"{output_size!r}"
        )
    return output_size


class BaseAdaptivePooling(Layer):
    """Adaptive pooling over ``rank`` spatial axes with ``pool_mode`` "average" or "max"."""

    def __init__(self, output_size, data_format=None, *, rank, pool_mode, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.output_size = standardize_output_size(output_size, rank, where)
        self.data_format = data_format or config.image_data_format()
        if self.data_format not in ("channels_first", "channels_last"):
            raise ValueError(
                f"{where}: invalid data_format: {self.data_format!r}. Expected "
                "'channels_first' or 'channels_last'."
            )
        self.pool_mode = pool_mode
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    def call(self, inputs):
        pool = ops.adaptive_average_pool if self.pool_mode == "average" else \
            ops.adaptive_max_pool
        return pool(inputs, output_size=self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}
