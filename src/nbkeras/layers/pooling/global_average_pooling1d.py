"""``GlobalAveragePooling1D``: the mean over the steps of each channel.

A mask (one boolean per step) leaves the masked steps out of the mean.
"""

from nbkeras import ops
from nbkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """1-D global average pooling (``keras.layers.GlobalAveragePooling1D``)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps = self.spatial_axes[0]
        if mask is None:
            return ops.mean(inputs, axis=steps, keepdims=self.keepdims)
        kept = ops.cast(ops.expand_dims(mask, 2 if steps == 1 else 1), "bool")
        total = ops.sum(ops.where(kept, inputs, 0), axis=steps, keepdims=self.keepdims)
        count = ops.sum(ops.cast(kept, inputs.dtype), axis=steps, keepdims=self.keepdims)
        return ops.divide(total, count)

    def compute_mask(self, inputs, previous_mask=None):
        return None

GlobalAvgPool1D = GlobalAveragePooling1D  # the same class under Keras' second name
