"""``GlobalAveragePooling3D``: the average over the three spatial axes of each channel."""

from nbkeras import ops
from nbkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling3D(BaseGlobalPooling):
    """3-D global average pooling (``keras.layers.GlobalAveragePooling3D``)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.mean(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


GlobalAvgPool3D = GlobalAveragePooling3D  # the same class under Keras' second name
