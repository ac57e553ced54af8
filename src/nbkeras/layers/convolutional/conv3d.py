"""``Conv3D``: a convolution over 3 axes, ``(batch, depth, height, width, channels)``
(channels_last)."""

from nbkeras.layers.convolutional.base_conv import BaseConv


class Conv3D(BaseConv):
    """3-D convolution (``keras.layers.Conv3D``); kernel (*kernel_size, in_channels // groups,
    filters)."""

    def __init__(self, filters, kernel_size, *args, **kwargs):
        # the rest of Keras' signature, positionally too: strides, padding, data_format,
        # dilation_rate, groups, activation, use_bias, initializers, regularizers, constraints
        super().__init__(3, filters, kernel_size, *args, **kwargs)

Convolution3D = Conv3D  # the same class under Keras' second name
