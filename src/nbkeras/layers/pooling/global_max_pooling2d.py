"""``GlobalMaxPooling2D``: the max over every spatial axis of each channel."""

from nbkeras import ops
from nbkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling2D(BaseGlobalPooling):
    """2-D global max pooling (``keras.layers.GlobalMaxPooling2D``)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)

GlobalMaxPool2D = GlobalMaxPooling2D  # the same class under Keras' second name
