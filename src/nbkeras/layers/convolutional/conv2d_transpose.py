"""``Conv2DTranspose``: a transposed convolution over 2 axes (upsampling by ``strides``)."""

from nbkeras.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution (``keras.layers.Conv2DTranspose``); kernel (*kernel_size,
    filters, in_channels)."""

    def __init__(self, filters, kernel_size, *args, **kwargs):
        # the rest of Keras' signature, positionally too: strides, padding, output_padding,
        # data_format, dilation_rate, activation, use_bias, initializers, regularizers, ...
        super().__init__(2, filters, kernel_size, *args, **kwargs)

Convolution2DTranspose = Conv2DTranspose  # the same class under Keras' second name
