"""``AdaptiveAveragePooling1D``: average pooling to ``output_size`` windows over 1 spatial
axis."""

from nbkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Adaptive 1-D average pooling (``keras.layers.AdaptiveAveragePooling1D``)."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format, rank=1, pool_mode="average", **kwargs)
