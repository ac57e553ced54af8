"""``AdaptiveMaxPooling1D``: max pooling to ``output_size`` windows over 1 spatial
axis."""

from nbkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive 1-D max pooling (``keras.layers.AdaptiveMaxPooling1D``)."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format, rank=1, pool_mode="max", **kwargs)
