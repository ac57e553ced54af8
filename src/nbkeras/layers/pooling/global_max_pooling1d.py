"""``GlobalMaxPooling1D``: the max over every spatial axis of each channel."""

from nbkeras import ops
from nbkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """1-D global max pooling (``keras.layers.GlobalMaxPooling1D``)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)

GlobalMaxPool1D = GlobalMaxPooling1D  # the same class under Keras' second name
