"""``AveragePooling3D``: average pooling over 3 spatial axes."""

from nbkeras.layers.pooling.base_pooling import BasePooling


class AveragePooling3D(BasePooling):
    """3-D average pooling (``keras.layers.AveragePooling3D``)."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 3, "average", padding, data_format, name=name,
                         **kwargs)

AvgPool3D = AveragePooling3D  # the same class under Keras' second name
