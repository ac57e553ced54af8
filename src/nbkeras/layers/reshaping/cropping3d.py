"""``Cropping3D``: cut planes off the borders of each volume along its three spatial axes."""

from nbkeras.layers.reshaping.cropping import BaseCropping


class Cropping3D(BaseCropping):
    """``cropping``: an int, three ints (symmetric per axis) or three (before, after) pairs
    (``keras.layers.Cropping3D``)."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format, **kwargs)
