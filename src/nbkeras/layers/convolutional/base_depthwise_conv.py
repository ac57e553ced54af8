"""``BaseDepthwiseConv``: one small convolution per input channel (DepthwiseConv2D).

Each input channel c is convolved with its own ``depth_multiplier`` filters, and output channel
``c * depth_multiplier + j`` holds channel c's filter j: a grouped convolution with one group per
channel. The kernel has shape ``(*kernel_size, in_channels, depth_multiplier)`` and the bias
``(in_channels * depth_multiplier,)``. MobileNet-style networks pair it with a 1x1 convolution
(SeparableConv2D) at a fraction of a full convolution's cost.
"""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.convolutional.base_conv import (
    add_bias,
    add_bias_then_activate,
    add_configured_weight,
    output_lengths,
    store_weight_options,
    weight_options_config,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.utils.argument_validation import standardize_padding, standardize_tuple


def positive_int(value, name, where):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: {name} must be a positive int; received {name}={value!r}")
    return value


class SpatialOptions(Layer):
    """The options every depthwise and separable convolution takes: kernel size, strides,
    padding ("valid" or "same"), data format and dilation rate, over ``rank`` axes."""

    def __init__(self, rank, kernel_size, strides, padding, data_format, dilation_rate,
                 **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.rank = rank
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def output_shape_for(self, input_shape, channels_out):
        """The output shape for inputs of ``input_shape`` and ``channels_out`` channels."""
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        lengths = output_lengths(self, input_shape, spatial)
        return input_shape[:1] + (lengths + (channels_out,) if last else
                                  (channels_out,) + lengths)

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        }


class BaseDepthwiseConv(SpatialOptions):
    """An N-D depthwise convolution layer (``rank`` spatial axes); not used directly."""

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier",
                                             type(self).__name__)
        store_weight_options(
            self, activation, use_bias, depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer, depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
        )

    def build(self, input_shape):
        channels = input_shape[self.channel_axis]
        self.compute_output_shape(input_shape)  # raises if the output would be empty
        self.kernel = add_configured_weight(
            self, "kernel", self.kernel_size + (channels, self.depth_multiplier), "depthwise")
        self.bias = add_bias(self, channels * self.depth_multiplier)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self.channel_axis: channels})

    def call(self, inputs):
        outputs = ops.depthwise_conv(inputs, self.kernel, strides=self.strides,
                                     padding=self.padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return add_bias_then_activate(outputs, self.bias, self.activation, self.data_format)

    def compute_output_shape(self, input_shape):
        channels = input_shape[self.channel_axis]
        return self.output_shape_for(
            input_shape, None if channels is None else channels * self.depth_multiplier)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                **weight_options_config(self, ("depthwise", "bias"))}
