"""``SeparableConv2D``: a separable convolution over 2 axes."""

from nbkeras.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv2D(BaseSeparableConv):
    """2-D separable convolution (``keras.layers.SeparableConv2D``)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, *args, **kwargs):
        # then, positionally too: activation, use_bias, depthwise, pointwise and bias
        # initializers, regularizers and constraints
        super().__init__(2, depth_multiplier, filters, kernel_size, strides, padding,
                         data_format, dilation_rate, *args, **kwargs)

SeparableConvolution2D = SeparableConv2D  # the same class under Keras' second name
