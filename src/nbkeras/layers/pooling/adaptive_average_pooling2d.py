"""``AdaptiveAveragePooling2D``: average pooling to ``output_size`` windows over 2 spatial
axises."""

from nbkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Adaptive 2-D average pooling (``keras.layers.AdaptiveAveragePooling2D``)."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format, rank=2, pool_mode="average", **kwargs)
