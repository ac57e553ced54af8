"""``Conv2D``: a convolution over 2 axes, ``(batch, height, width, channels)`` (channels_last)."""

from nbkeras.layers.convolutional.base_conv import BaseConv


class Conv2D(BaseConv):
    """2-D convolution (``keras.layers.Conv2D``); kernel (*kernel_size, in_channels // groups,
    filters)."""

    def __init__(self, filters, kernel_size, *args, **kwargs):
        # the rest of Keras' signature, positionally too: strides, padding, data_format,
        # dilation_rate, groups, activation, use_bias, initializers, regularizers, constraints
        super().__init__(2, filters, kernel_size, *args, **kwargs)

Convolution2D = Conv2D  # the same class under Keras' second name
