"""``AveragePooling1D``: average pooling over 1 spatial axis."""

from nbkeras.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """1-D average pooling (``keras.layers.AveragePooling1D``)."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 1, "average", padding, data_format, name=name,
                         **kwargs)

AvgPool1D = AveragePooling1D  # the same class under Keras' second name
