"""``GlobalMaxPooling3D``: the max over the three spatial axes of each channel."""

from nbkeras import ops
from nbkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling3D(BaseGlobalPooling):
    """3-D global max pooling (``keras.layers.GlobalMaxPooling3D``)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


GlobalMaxPool3D = GlobalMaxPooling3D  # the same class under Keras' second name
