"""``AveragePooling2D``: average pooling over 2 spatial axes."""

from nbkeras.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """2-D average pooling (``keras.layers.AveragePooling2D``)."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 2, "average", padding, data_format, name=name,
                         **kwargs)

AvgPool2D = AveragePooling2D  # the same class under Keras' second name
