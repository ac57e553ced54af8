"""``ZeroPadding1D``: zeros before and after each sequence."""

from nbkeras.layers.reshaping.base_zero_padding import BaseZeroPadding
from nbkeras.utils.argument_validation import standardize_tuple


class ZeroPadding1D(BaseZeroPadding):
    """``padding``: an int (both ends) or (before, after) (``keras.layers.ZeroPadding1D``)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        self.padding = standardize_tuple(padding, 2, "padding", "ZeroPadding1D",
                                         allow_zero=True)
        super().__init__((self.padding,), data_format, **kwargs)
