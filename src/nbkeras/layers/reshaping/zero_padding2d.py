"""``ZeroPadding2D``: rows and columns of zeros around each image (``ops.pad``).

``padding`` is an int (the same on all four sides), a pair ``(rows, columns)`` (symmetric), or
``((top, bottom), (left, right))``. The gradient cuts the border off again.
"""

from nbkeras.layers.reshaping.base_zero_padding import BaseZeroPadding
from nbkeras.utils.argument_validation import standardize_tuple


class ZeroPadding2D(BaseZeroPadding):
    """Zero-padding of 2-D inputs (``keras.layers.ZeroPadding2D``)."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
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
        super().__init__(self.padding, data_format, **kwargs)
