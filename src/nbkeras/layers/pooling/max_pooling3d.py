"""``MaxPooling3D``: max pooling over 3 spatial axes."""

from nbkeras.layers.pooling.base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """3-D max pooling (``keras.layers.MaxPooling3D``)."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 3, "max", padding, data_format, name=name,
                         **kwargs)

MaxPool3D = MaxPooling3D  # the same class under Keras' second name
