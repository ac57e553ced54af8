"""``ZeroPadding2D``: rows and columns of zeros around each image (``ops.pad``).

``padding`` is an int (the same on all four sides), a pair ``(rows, columns)`` (symmetric), or
``((top, bottom), (left, right))``. The gradient cuts the border off again.
"""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.utils.argument_validation import standardize_tuple


class ZeroPadding2D(Layer):
    """Zero-padding of 2-D inputs (``keras.layers.ZeroPadding2D``)."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        where = type(self).__name__
        if isinstance(padding, int) and not isinstance(padding, bool):
            padding = (padding, padding)
        if not isinstance(padding, (list, tuple)) or len(padding) != 2:
            raise ValueError(
                f"{where}: padding must be an int, a pair (rows, columns) or a pair of pairs "
                f"((top, bottom), (left, right)); received padding={padding!r}"
            )
        self.padding = tuple(
            standardize_tuple(p, 2, name, where, allow_zero=True)
            for p, name in zip(padding, ("padding[0]", "padding[1]"), strict=True)
        )
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_first":
            return ops.pad(inputs, ((0, 0), (0, 0), *self.padding))
        return ops.pad(inputs, ((0, 0), *self.padding, (0, 0)))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        first = 2 if self.data_format == "channels_first" else 1
        for axis, (before, after) in enumerate(self.padding, start=first):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
