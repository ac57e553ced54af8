"""``GlobalAveragePooling2D``: the mean over every spatial axis of each channel."""

from nbkeras import ops
from nbkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    """2-D global average pooling (``keras.layers.GlobalAveragePooling2D``)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.mean(inputs, axis=self.spatial_axes, keepdims=self.keepdims)

GlobalAvgPool2D = GlobalAveragePooling2D  # the same class under Keras' second name
