"""``ZeroPadding3D``: planes of zeros around each volume, along its three spatial axes."""

from nbkeras.layers.reshaping.base_zero_padding import BaseZeroPadding
from nbkeras.utils.argument_validation import standardize_pairs


class ZeroPadding3D(BaseZeroPadding):
    """``padding``: an int, three ints (symmetric per axis) or three (before, after) pairs
    (``keras.layers.ZeroPadding3D``)."""

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        self.padding = standardize_pairs(padding, 3, "padding", "ZeroPadding3D")
        super().__init__(self.padding, data_format, **kwargs)
