"""``Conv1D``: a convolution over one axis, ``(batch, steps, channels)`` (channels_last).

``padding="causal"`` pads ``dilation_rate * (kernel_size - 1)`` zeros before the sequence and
none after, so output step t sees only inputs up to step t (WaveNet-style sequence models).
"""

from nbkeras import ops
from nbkeras.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1-D convolution (``keras.layers.Conv1D``); kernel (kernel_size, in_channels // groups,
    filters)."""

    def __init__(self, filters, kernel_size, *args, **kwargs):
        # the rest of Keras' signature, positionally too: strides, padding, data_format,
        # dilation_rate, groups, activation, use_bias, initializers, regularizers, constraints
        super().__init__(1, filters, kernel_size, *args, **kwargs)

    def convolution_op(self, inputs, kernel):
        if self.padding != "causal":
            return super().convolution_op(inputs, kernel)
        before = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        widths = [(0, 0)] * 3
        widths[steps_axis] = (before, 0)
        return ops.conv(ops.pad(inputs, widths), kernel, strides=self.strides, padding="valid",
                        data_format=self.data_format, dilation_rate=self.dilation_rate)

Convolution1D = Conv1D  # the same class under Keras' second name
