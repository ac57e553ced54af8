"""``MaxPooling2D``: max pooling over 2 spatial axes."""

from nbkeras.layers.pooling.base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    """2-D max pooling (``keras.layers.MaxPooling2D``)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 2, "max", padding, data_format, name=name,
                         **kwargs)

MaxPool2D = MaxPooling2D  # the same class under Keras' second name
