"""``BaseSeparableConv``: a depthwise convolution followed by a 1x1 convolution
(SeparableConv2D).

Weights, in Keras' order: the depthwise kernel ``(*kernel_size, in_channels,
depth_multiplier)``, the pointwise kernel ``(1, ..., in_channels * depth_multiplier, filters)``
and the bias ``(filters,)``. A k x k convolution from C to F channels costs k·k·C·F
multiplications per pixel, the separable one k·k·C·m + C·m·F.
"""

from nbkeras import ops
from nbkeras.layers.convolutional.base_conv import (
    add_bias,
    add_bias_then_activate,
    add_configured_weight,
    store_weight_options,
    weight_options_config,
)
from nbkeras.layers.convolutional.base_depthwise_conv import SpatialOptions, positive_int
from nbkeras.layers.input_spec import InputSpec


class BaseSeparableConv(SpatialOptions):
    """An N-D separable convolution layer (``rank`` spatial axes); not used directly."""

    def __init__(self, rank, depth_multiplier, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activity_regularizer=activity_regularizer, **kwargs)
        where = type(self).__name__
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier", where)
        self.filters = positive_int(filters, "filters", where)
        store_weight_options(
            self, activation, use_bias, depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
            depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
        )

    def build(self, input_shape):
        channels = input_shape[self.channel_axis]
        self.compute_output_shape(input_shape)  # raises if the output would be empty
        self.depthwise_kernel = add_configured_weight(
            self, "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            "depthwise")
        self.pointwise_kernel = add_configured_weight(
            self, "pointwise_kernel",
            (1,) * self.rank + (channels * self.depth_multiplier, self.filters), "pointwise")
        self.bias = add_bias(self, self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self.channel_axis: channels})

    def call(self, inputs):
        outputs = ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                     strides=self.strides, padding=self.padding,
                                     data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return add_bias_then_activate(outputs, self.bias, self.activation, self.data_format)

    def compute_output_shape(self, input_shape):
        return self.output_shape_for(input_shape, self.filters)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "filters": self.filters,
                **weight_options_config(self, ("depthwise", "pointwise", "bias"))}
