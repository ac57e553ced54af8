"""``MaxPooling1D``: max pooling over 1 spatial axis."""

from nbkeras.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """1-D max pooling (``keras.layers.MaxPooling1D``)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 1, "max", padding, data_format, name=name,
                         **kwargs)

MaxPool1D = MaxPooling1D  # the same class under Keras' second name
