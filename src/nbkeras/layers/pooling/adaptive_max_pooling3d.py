"""``AdaptiveMaxPooling3D``: max pooling to ``output_size`` windows over 3 spatial
axises."""

from nbkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Adaptive 3-D max pooling (``keras.layers.AdaptiveMaxPooling3D``)."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format, rank=3, pool_mode="max", **kwargs)
