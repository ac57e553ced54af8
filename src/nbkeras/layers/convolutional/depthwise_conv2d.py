"""``DepthwiseConv2D``: a depthwise convolution over 2 axes."""

from nbkeras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """2-D depthwise convolution (``keras.layers.DepthwiseConv2D``); kernel (*kernel_size,
    in_channels, depth_multiplier)."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), *args, **kwargs):
        # then, positionally too: activation, use_bias, depthwise and bias initializers, ...
        super().__init__(2, depth_multiplier, kernel_size, strides, padding, data_format,
                         dilation_rate, *args, **kwargs)
