"""``BaseConv``: what Conv1D, Conv2D and Conv3D share; they differ only in ``rank``.

The kernel has shape ``(*kernel_size, in_channels // groups, filters)`` and the bias
``(filters,)``, created in that order (so ``get_weights()`` is ``[kernel, bias]``, as in Keras).
``call`` is ``activation(conv(inputs, kernel) + bias)`` on ``ops.conv``, whose backward pass
(chapter 9) gives the gradients with respect to the inputs, the kernel and the bias.

Inputs may carry extra leading batch axes, ``(*batch, *spatial, channels)`` (tf.keras 2 accepted
them; Keras 3 raises): they are folded into one batch axis around the convolution.
"""

from nbkeras import activations, constraints, initializers, ops, regularizers
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.ops.convolution import (
    check_strides_and_dilation,
    conv_output_length,
    conv_with_bias,
)
from nbkeras.saving import serialization_lib
from nbkeras.utils.argument_validation import standardize_padding, standardize_tuple


def serialize(obj):
    return serialization_lib.serialize_keras_object(obj)


def add_bias_then_activate(outputs, bias, activation, data_format):
    """``activation(outputs + bias)``, the bias added along the channel axis."""
    if bias is not None:
        rank = outputs.ndim - 2
        shape = (1,) * (rank + 1) + (-1,) if data_format == "channels_last" else (
            (1, -1) + (1,) * rank)
        outputs = ops.add(outputs, ops.reshape(bias, shape))
    return outputs if activation is None else activation(outputs)


_OPTION_GETTERS = {
    "initializer": initializers.get, "regularizer": regularizers.get, "constraint": constraints.get
}


def store_weight_options(layer, activation, use_bias, **options):
    """Set ``activation``, ``use_bias`` and each ``<weight>_initializer``, ``_regularizer`` and
    ``_constraint`` option on ``layer``, resolved from names ("he_normal", "l2", ...)."""
    layer.activation = activations.get(activation)
    layer.use_bias = use_bias
    for key, value in options.items():
        setattr(layer, key, _OPTION_GETTERS[key.rsplit("_", 1)[1]](value))


def add_configured_weight(layer, name, shape, options):
    """``layer.add_weight`` with the layer's ``<options>_initializer``, ``_regularizer`` and
    ``_constraint`` (options "kernel", "bias", "depthwise", "pointwise")."""
    return layer.add_weight(
        name=name,
        shape=shape,
        initializer=getattr(layer, f"{options}_initializer"),
        regularizer=getattr(layer, f"{options}_regularizer"),
        constraint=getattr(layer, f"{options}_constraint"),
    )


def add_bias(layer, size):
    """The bias weight (size,), or None when the layer has ``use_bias=False``."""
    return add_configured_weight(layer, "bias", (size,), "bias") if layer.use_bias else None


def output_lengths(layer, input_shape, spatial):
    """The output length along each spatial axis (of lengths ``spatial``) for the layer's
    kernel_size, strides, padding and dilation_rate; raises if one would be empty."""
    lengths = tuple(
        conv_output_length(n, k, s, layer.padding, d)
        for n, k, s, d in zip(spatial, layer.kernel_size, layer.strides, layer.dilation_rate,
                              strict=True)
    )
    if any(n is not None and n <= 0 for n in lengths):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': the output would be empty: inputs of "
            f"shape {tuple(input_shape)} are too small for kernel_size={layer.kernel_size}, "
            f"strides={layer.strides}, dilation_rate={layer.dilation_rate} and "
            f"padding={layer.padding!r} (output spatial shape {lengths})"
        )
    return lengths


def weight_options_config(layer, weights=("kernel", "bias")):
    """The configuration entries of the activation, the bias flag, and the initializers, the
    regularizers (then the activity regularizer) and the constraints of ``weights``, in
    Keras' order."""
    config = {"activation": activations.serialize(layer.activation), "use_bias": layer.use_bias}
    for option in _OPTION_GETTERS:
        for weight in weights:
            key = f"{weight}_{option}"
            config[key] = serialize(getattr(layer, key))
        if option == "regularizer":
            config["activity_regularizer"] = serialize(layer.activity_regularizer)
    return config


class BaseConv(Layer):
    """An N-D convolution layer (``rank`` spatial axes); not used directly."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        where = type(self).__name__
        if lora_rank is not None or lora_alpha is not None:
            raise ValueError(f"{where}: LoRA is not supported by nbkeras")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{where}: filters must be a positive int; received filters={filters!r}"
            )
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{where}: groups must be a positive int; received groups={groups!r}")
        if filters % groups:
            raise ValueError(
                f"{where}: the number of filters must be divisible by the number of groups; "
                f"received groups={groups}, filters={filters}"
            )
        self.filters = filters
        self.groups = groups
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        check_strides_and_dilation(self.strides, self.dilation_rate, where)
        self.padding = standardize_padding(padding, where, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        store_weight_options(
            self, activation, use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
        )
        self.input_spec = InputSpec(min_ndim=rank + 2)

    @property
    def channel_axis(self):
        # Counted from the end, so that it also holds with extra leading batch axes.
        return -1 if self.data_format == "channels_last" else -1 - self.rank

    def build(self, input_shape):
        channels = input_shape[self.channel_axis]
        if channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the channel dimension of the inputs "
                f"must be known; received input shape {tuple(input_shape)}"
            )
        if channels % self.groups:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the number of input channels must be "
                f"divisible by the number of groups; received groups={self.groups}, but the "
                f"input has {channels} channels (full input shape {tuple(input_shape)})"
            )
        self.compute_output_shape(input_shape)  # raises if the output would be empty
        self.kernel = add_configured_weight(
            self, "kernel", self.kernel_size + (channels // self.groups, self.filters), "kernel")
        self.bias = add_bias(self, self.filters)
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self.channel_axis: channels})

    def convolution_op(self, inputs, kernel):
        return ops.conv(inputs, kernel, strides=self.strides, padding=self.padding,
                        data_format=self.data_format, dilation_rate=self.dilation_rate)

    def call(self, inputs):
        batch_axes = inputs.shape[: inputs.ndim - self.rank - 1]
        if len(batch_axes) > 1:  # fold (*batch, ...) into (prod(batch), ...)
            inputs = ops.reshape(inputs, (-1,) + inputs.shape[len(batch_axes):])
        if self.bias is not None and type(self).convolution_op is BaseConv.convolution_op:
            # conv + bias in one primitive: the same numbers without a second pass
            outputs = conv_with_bias(
                inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                data_format=self.data_format, dilation_rate=self.dilation_rate)
            outputs = add_bias_then_activate(outputs, None, self.activation, self.data_format)
        else:
            outputs = add_bias_then_activate(self.convolution_op(inputs, self.kernel),
                                             self.bias, self.activation, self.data_format)
        if len(batch_axes) > 1:
            outputs = ops.reshape(outputs, batch_axes + outputs.shape[1:])
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[-1 - self.rank:-1] if last else input_shape[-self.rank:]
        lengths = output_lengths(self, input_shape, spatial)
        batch = input_shape[: len(input_shape) - self.rank - 1]
        return batch + (lengths + (self.filters,) if last else (self.filters,) + lengths)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            **weight_options_config(self),
        }
