"""``AdaptiveMaxPooling2D``: max pooling to ``output_size`` windows over 2 spatial
axises."""

from nbkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Adaptive 2-D max pooling (``keras.layers.AdaptiveMaxPooling2D``)."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format, rank=2, pool_mode="max", **kwargs)
