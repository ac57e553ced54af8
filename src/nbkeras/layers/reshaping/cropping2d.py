"""``Cropping2D``: cut rows and columns off the borders of each image."""

from nbkeras.layers.reshaping.cropping import BaseCropping


class Cropping2D(BaseCropping):
    """``cropping``: an int, (rows, columns) cut symmetrically, or ((top, bottom), (left,
    right)) (``keras.layers.Cropping2D``)."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format, **kwargs)
