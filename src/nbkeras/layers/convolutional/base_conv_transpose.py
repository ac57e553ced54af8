"""``BaseConvTranspose``: the transposed convolutions (Conv1DTranspose, Conv2DTranspose,
Conv3DTranspose).

A transposed convolution runs a convolution backwards: it is the input gradient of the
convolution that maps the output's shape to the input's, so each input pixel spreads
``pixel @ kernel^T`` over a window of the output (chapter 9). The kernel has shape
``(*kernel_size, filters, in_channels)`` (the forward convolution's kernel: its input channels
are our filters) and the bias ``(filters,)``.
"""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.convolutional.base_conv import (
    add_bias,
    add_bias_then_activate,
    add_configured_weight,
    store_weight_options,
    weight_options_config,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.ops.convolution import check_strides_and_dilation, conv_transpose_output_length
from nbkeras.utils.argument_validation import standardize_padding, standardize_tuple


class BaseConvTranspose(Layer):
    """An N-D transposed convolution layer (``rank`` spatial axes); not used directly."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        where = type(self).__name__
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{where}: filters must be a positive int; received filters={filters!r}"
            )
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        self.padding = standardize_padding(padding, where)
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, rank, "output_padding", where, allow_zero=True)
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides, strict=True)):
            raise ValueError(
                f"{where}: each output_padding must be smaller than its stride; received "
                f"output_padding={self.output_padding}, strides={self.strides}"
            )
        check_strides_and_dilation(self.strides, self.dilation_rate, where)
        self.data_format = standardize_data_format(data_format)
        store_weight_options(
            self, activation, use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
        )
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        channels = input_shape[self.channel_axis]
        self.kernel = add_configured_weight(
            self, "kernel", self.kernel_size + (self.filters, channels), "kernel")
        self.bias = add_bias(self, self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self.channel_axis: channels})

    def call(self, inputs):
        outputs = ops.conv_transpose(
            inputs, self.kernel, strides=self.strides, padding=self.padding,
            output_padding=self.output_padding, data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return add_bias_then_activate(outputs, self.bias, self.activation, self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        extras = self.output_padding or (None,) * self.rank
        lengths = tuple(
            None if n is None else conv_transpose_output_length(n, k, s, self.padding, e, d)
            for n, k, s, e, d in zip(spatial, self.kernel_size, self.strides, extras,
                                     self.dilation_rate, strict=True)
        )
        return input_shape[:1] + (lengths + (self.filters,) if last else (self.filters,) + lengths)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            **weight_options_config(self),
        }
