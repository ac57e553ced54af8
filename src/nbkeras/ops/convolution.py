"""Convolutions (``keras.ops.conv``, ``conv_transpose``, ``depthwise_conv``, ``separable_conv``).

Two primitives carry everything, on the kernels of ``kernels/conv.py`` (channels last, any of 1,
2 or 3 spatial axes):

- ``conv``: the cross-correlation of x with a kernel (*kernel_size, C_in // groups, C_out);
  its input gradient is a transposed convolution of g, its kernel gradient a correlation of x
  with g.
- ``conv_transpose``: that input gradient used as a forward operation; its own gradients are a
  convolution of g and the same kernel-gradient correlation.

A depthwise convolution is a grouped ``conv`` with one group per input channel, and a separable
convolution is a depthwise one followed by a 1x1 ``conv``, so neither needs a primitive of its
own. ``channels_first`` inputs are transposed to channels last and back, as Keras' TensorFlow
backend does for pooling.

Sizes along one spatial axis, for n inputs, kernel size k, stride s, dilation d and the
effective kernel size k_eff = d (k - 1) + 1:

- "valid": out = floor((n - k_eff) / s) + 1, no padding;
- "same": out = ceil(n / s), padding P = max((out - 1) s + k_eff - n, 0) split as
  floor(P / 2) before and the rest after (TensorFlow puts the odd one at the end).
"""

import math

import numpy as np

from nbkeras import config
from nbkeras.autodiff import Primitive, sum_to_shape
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import conv as K
from nbkeras.kernels import winograd
from nbkeras.ops import _args
from nbkeras.ops.operation import any_symbolic, symbolic_call


def same_padding(n, kernel_size, stride, dilation=1):
    """The (before, after) padding of "same" along one axis of length ``n``."""
    effective = dilation * (kernel_size - 1) + 1
    out = -(-n // stride)  # ceil(n / s)
    total = max((out - 1) * stride + effective - n, 0)
    return total // 2, total - total // 2


def conv_output_length(n, kernel_size, stride, padding, dilation=1):
    """Output length along one axis of length ``n`` (None stays None) for padding "valid",
    "same" or "causal" (Conv1D: all the padding before, so the length is that of "same")."""
    if n is None:
        return None
    if padding == "valid":
        return (n - (dilation * (kernel_size - 1) + 1)) // stride + 1
    return (n - 1) // stride + 1


def padding_pairs(spatial_shape, kernel_size, strides, dilations, padding):
    """One (before, after) pair per spatial axis for ``padding`` "valid" or "same"."""
    if padding == "valid":
        return tuple((0, 0) for _ in spatial_shape)
    return tuple(
        same_padding(n, k, s, d)
        for n, k, s, d in zip(spatial_shape, kernel_size, strides, dilations, strict=True)
    )


# -- the two primitives ------------------------------------------------------------------------

def _conv_forward(x, w, *, strides, dilations, pads, groups):
    geometry = (strides, dilations, pads, groups)
    if winograd.applies(x.shape, w.shape, strides, dilations, groups):
        return winograd.winograd_conv(x, w, pads), (x, w, geometry)
    return K.conv(x, w, *geometry), (x, w, geometry)


# For y = conv(x, w): x̄ is the transposed convolution of ȳ with w (each output pixel sends
# ȳ w^T back to the inputs under its window); w̄ correlates x with ȳ (sum over pixels of x ȳ^T).
def _conv_backward(saved, g, needs):
    x, w, geometry = saved
    strides, dilations, pads, groups = geometry
    if winograd.applies(x.shape, w.shape, strides, dilations, groups):
        return winograd.winograd_conv_grads(x, w, g, pads, *needs)
    gx = K.conv_input_grad(g, w, x.shape, *geometry) if needs[0] else None
    gw = K.conv_kernel_grad(x, g, w.shape, *geometry) if needs[1] else None
    return gx, gw


conv_p = Primitive("conv", _conv_forward, _conv_backward)


# conv(x, w) + b in one primitive (the layers' call): no second pass over the output, whose
# bias is added inside the convolution; b̄ sums ȳ over every pixel, as the broadcast add would.
def _conv_bias_forward(x, w, b, *, strides, dilations, pads, groups):
    geometry = (strides, dilations, pads, groups)
    if winograd.applies(x.shape, w.shape, strides, dilations, groups):
        return winograd.winograd_conv(x, w, pads, bias=b), (x, w, geometry)
    y = K.conv(x, w, *geometry)
    y += b
    return y, (x, w, geometry)


def _conv_bias_backward(saved, g, needs):
    gx, gw = _conv_backward(saved, g, needs[:2])
    gb = sum_to_shape(g, g.shape[-1:]) if needs[2] else None
    return gx, gw, gb


conv_bias_p = Primitive("conv_bias", _conv_bias_forward, _conv_bias_backward)


def _conv_transpose_forward(x, w, *, strides, dilations, pads, output_shape):
    geometry = (strides, dilations, pads, 1)
    return K.conv_input_grad(x, w, output_shape, *geometry), (x, w, geometry)


# y = conv_transpose(x, w) is the input gradient of a convolution z = conv(y', w), a linear map
# whose adjoint is that convolution: x̄ = conv(ȳ, w), and w̄ = the kernel gradient of conv with
# ȳ as the convolution's input and x as its output cotangent.
def _conv_transpose_backward(saved, g, needs):
    x, w, geometry = saved
    gx = K.conv(g, w, *geometry) if needs[0] else None
    gw = K.conv_kernel_grad(g, x, w.shape, *geometry) if needs[1] else None
    return gx, gw


conv_transpose_p = Primitive("conv_transpose", _conv_transpose_forward, _conv_transpose_backward)


# -- argument handling -------------------------------------------------------------------------

def spatial_tuple(value, rank, name, op, allow_zero=False):
    """An int or a sequence of ``rank`` ints, as a tuple of ``rank`` positive ints."""
    values = (value,) * rank if isinstance(value, (int, np.integer)) else tuple(value)
    lowest = 0 if allow_zero else 1
    if len(values) != rank or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= lowest
        for v in values
    ):
        raise ValueError(
            f"ops.{op}: {name} must be an int or a tuple of {rank} "
            f"{'non-negative' if allow_zero else 'positive'} ints for {rank}-D inputs, "
            f"got {value!r}"
        )
    return tuple(int(v) for v in values)


def standardize_padding(padding, op):
    mode = str(padding).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"ops.{op}: padding must be 'valid' or 'same', got {padding!r}")
    return mode


def standardize_data_format(data_format, op):
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"ops.{op}: data_format must be 'channels_last' or 'channels_first', "
            f"got {data_format!r}"
        )
    return data_format


def spatial_input(x, op, max_rank=3, name="inputs"):
    """``x`` as a float tensor of rank 3, 4 or 5 (1, 2 or 3 spatial axes)."""
    t = _args.float_tensor(x, op, name)
    if not 3 <= t.ndim <= max_rank + 2:
        ranks = ", ".join(str(r) for r in range(3, max_rank + 3))
        raise ValueError(
            f"ops.{op}: {name} must have rank {ranks} (batch, spatial axes, channels), got "
            f"shape {t.shape}"
        )
    return t


def to_channels_last(t, data_format):
    from nbkeras.ops.shape import transpose

    if data_format == "channels_last":
        return t
    return transpose(t, (0, *range(2, t.ndim), 1))


def to_channels_first(t, data_format):
    from nbkeras.ops.shape import transpose

    if data_format == "channels_last":
        return t
    return transpose(t, (0, t.ndim - 1, *range(1, t.ndim - 1)))


def _operands(inputs, kernel, op, kernel_name="kernel", max_rank=3):
    x = spatial_input(inputs, op, max_rank)
    w = _args.float_tensor(kernel, op, kernel_name)
    if w.ndim != x.ndim:
        raise ValueError(
            f"ops.{op}: {kernel_name} must have rank {x.ndim} like the inputs "
            f"(*kernel_size, in_channels, out_channels), got shape {w.shape} for inputs of "
            f"shape {x.shape}"
        )
    if w.dtype != x.dtype:
        x, w = _args.operands((x, w), ("inputs", kernel_name), op)
    return x, w


def _check_not_empty(shape, x_shape, op):
    if math.prod(shape) == 0 and math.prod(x_shape) != 0:
        raise ValueError(
            f"ops.{op}: the convolution of inputs of shape {x_shape} gives an empty output "
            f"of shape {shape}: the input is too small for this kernel size, stride, dilation "
            "and padding"
        )


def check_strides_and_dilation(strides, dilations, where):
    """TensorFlow's convolution (and so Keras') refuses strides > 1 with dilation_rate > 1."""
    if max(strides) > 1 and max(dilations) > 1:
        raise ValueError(
            f"{where}: strides > 1 is not supported together with dilation_rate > 1; got "
            f"strides={tuple(strides)} and dilation_rate={tuple(dilations)}"
        )


def _grouped_conv(x, w, strides, padding, dilation_rate, op, bias=None):
    """conv of channels-last tensors (plus ``bias`` along the channels, if given); ``groups`` =
    C_in / kernel input channels."""
    rank = x.ndim - 2
    strides = spatial_tuple(strides, rank, "strides", op)
    dilations = spatial_tuple(dilation_rate, rank, "dilation_rate", op)
    channels, kernel_channels, filters = x.shape[-1], w.shape[-2], w.shape[-1]
    if kernel_channels == 0 or channels % kernel_channels or filters % (channels //
                                                                        kernel_channels):
        raise ValueError(
            f"ops.{op}: the number of input channels must match the kernel's input channels "
            f"(or be a multiple of them that also divides the filters, for a grouped "
            f"convolution); got input channels={channels}, kernel shape {w.shape}"
        )
    kernel_size = w.shape[:rank]
    pads = padding_pairs(x.shape[1:-1], kernel_size, strides, dilations, padding)
    shape = K.output_shape(x.shape, w.shape, strides, dilations, pads)
    _check_not_empty(shape, x.shape, op)
    geometry = {"strides": strides, "dilations": dilations, "pads": pads,
                "groups": channels // kernel_channels}
    if bias is None:
        return conv_p(x, w, **geometry)
    return conv_bias_p(x, w, bias, **geometry)


# -- public ops --------------------------------------------------------------------------------

def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (a cross-correlation, as in TensorFlow), 1 to 3 spatial axes.

    inputs: (batch, *spatial, C_in) for channels_last, (batch, C_in, *spatial) for
    channels_first; kernel: (*kernel_size, C_in // groups, C_out), where a kernel with fewer
    input channels than the inputs makes a grouped convolution. Returns (batch, *out_spatial,
    C_out) (or channels first), in the inputs' float dtype.
    """
    if type(inputs) is KerasTensor or type(kernel) is KerasTensor:
        return symbolic_call("conv", locals())
    return conv_with_bias(inputs, kernel, None, strides, padding, data_format, dilation_rate)


def conv_with_bias(inputs, kernel, bias, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, op="conv"):
    """``conv(inputs, kernel, ...)`` plus ``bias`` (C_out,) along the channel axis, in one
    primitive (not a Keras op: the convolution layers use it for ``conv + bias``). The result
    has the same bits as ``conv`` followed by ``add``; ``bias=None`` is plain ``conv``."""
    x, w = _operands(inputs, kernel, op)
    padding = standardize_padding(padding, op)
    data_format = standardize_data_format(data_format, op)
    rank = x.ndim - 2
    check_strides_and_dilation(spatial_tuple(strides, rank, "strides", op),
                               spatial_tuple(dilation_rate, rank, "dilation_rate", op), f"ops.{op}")
    if bias is not None:
        bias = _args.float_tensor(bias, op, "bias")
        if bias.shape != (w.shape[-1],):
            raise ValueError(
                f"ops.{op}: bias must have shape ({w.shape[-1]},), one value per filter, got "
                f"shape {bias.shape}"
            )
        if bias.dtype != x.dtype:  # dtypes promote as in conv(...) + bias: add them apart
            from nbkeras.ops.elementwise import add
            from nbkeras.ops.shape import reshape

            y = conv_with_bias(x, w, None, strides, padding, data_format, dilation_rate, op)
            channel_axis = -1 if data_format == "channels_last" else 1
            shape = [1] * y.ndim
            shape[channel_axis] = -1
            return add(y, reshape(bias, tuple(shape)))
    x = to_channels_last(x, data_format)
    y = _grouped_conv(x, w, strides, padding, dilation_rate, op, bias)
    return to_channels_first(y, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution: each input channel convolved with its own ``depth_multiplier``
    filters. kernel: (*kernel_size, C_in, depth_multiplier); output channel c·m + j comes from
    input channel c and filter j. 1 or 2 spatial axes."""
    if type(inputs) is KerasTensor or type(kernel) is KerasTensor:
        return symbolic_call("depthwise_conv", locals())
    from nbkeras.ops.shape import reshape

    op = "depthwise_conv"
    x, w = _operands(inputs, kernel, op, max_rank=2)
    padding = standardize_padding(padding, op)
    data_format = standardize_data_format(data_format, op)
    channels = x.shape[-1 if data_format == "channels_last" else 1]
    if w.shape[-2] != channels:
        raise ValueError(
            f"ops.{op}: the number of input channels must match the kernel's input channels; "
            f"got input channels={channels}, kernel shape {w.shape}"
        )
    x = to_channels_last(x, data_format)
    # One group per input channel: the kernel (*k, C, m) is the grouped kernel (*k, 1, C·m).
    grouped = reshape(w, w.shape[:-2] + (1, w.shape[-2] * w.shape[-1]))
    y = _grouped_conv(x, grouped, strides, padding, dilation_rate, op)
    return to_channels_first(y, data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution followed by a pointwise (1x1) one. depthwise_kernel: (*k, C_in,
    m); pointwise_kernel: (1, ..., C_in·m, C_out). 1 or 2 spatial axes."""
    if any_symbolic(inputs, depthwise_kernel, pointwise_kernel):
        return symbolic_call("separable_conv", locals())
    op = "separable_conv"
    data_format = standardize_data_format(data_format, op)
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    pointwise = _args.float_tensor(pointwise_kernel, op, "pointwise_kernel")
    if pointwise.ndim != depthwise.ndim or any(k != 1 for k in pointwise.shape[:-2]):
        raise ValueError(
            f"ops.{op}: pointwise_kernel must have shape (1, ..., in_channels · "
            f"depth_multiplier, filters) with rank {depthwise.ndim}, got {pointwise.shape}"
        )
    return conv(depthwise, pointwise, 1, "valid", data_format, 1)


def conv_transpose_output_length(n, kernel_size, stride, padding, output_padding, dilation):
    """Keras' output length of a transposed convolution along one axis."""
    effective = dilation * (kernel_size - 1) + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return (n - 1) * stride + effective + extra
    if output_padding is None:
        return n * stride
    return (n - 1) * stride + effective % 2 + output_padding


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution: the input gradient of the convolution that maps the output's
    shape to the input's. kernel: (*kernel_size, C_out, C_in) (the forward convolution's
    kernel). Output length per axis: (n - 1) s + k_eff (+ output_padding) for "valid",
    n s for "same" without output_padding."""
    if type(inputs) is KerasTensor or type(kernel) is KerasTensor:
        return symbolic_call("conv_transpose", locals())
    op = "conv_transpose"
    x = spatial_input(inputs, op)
    w = _args.float_tensor(kernel, op, "kernel")
    if w.dtype != x.dtype:
        x, w = _args.operands((x, w), ("inputs", "kernel"), op)
    padding = standardize_padding(padding, op)
    data_format = standardize_data_format(data_format, op)
    rank = x.ndim - 2
    channels = x.shape[-1 if data_format == "channels_last" else 1]
    if w.ndim != x.ndim or w.shape[-1] != channels:
        raise ValueError(
            f"ops.{op}: kernel must have shape (*kernel_size, out_channels, in_channels) with "
            f"rank {x.ndim} and in_channels={channels}; got kernel shape {w.shape} for inputs "
            f"of shape {x.shape}"
        )
    strides = spatial_tuple(strides, rank, "strides", op)
    dilations = spatial_tuple(dilation_rate, rank, "dilation_rate", op)
    check_strides_and_dilation(strides, dilations, f"ops.{op}")
    extras = (None,) * rank if output_padding is None else spatial_tuple(
        output_padding, rank, "output_padding", op, allow_zero=True)
    x = to_channels_last(x, data_format)
    kernel_size = w.shape[:rank]
    lengths = tuple(
        conv_transpose_output_length(n, k, s, padding, e, d)
        for n, k, s, e, d in zip(x.shape[1:-1], kernel_size, strides, extras, dilations,
                                 strict=True)
    )
    output_shape = (x.shape[0], *lengths, w.shape[-2])
    pads = padding_pairs(lengths, kernel_size, strides, dilations, padding)
    back = K.output_shape(output_shape, w.shape, strides, dilations, pads)
    if back[1:-1] != x.shape[1:-1]:
        raise ValueError(
            f"ops.{op}: output_padding={output_padding} gives an output of spatial shape "
            f"{lengths}, whose forward convolution would have spatial shape {back[1:-1]}, "
            f"not the input's {x.shape[1:-1]}"
        )
    _check_not_empty(output_shape, x.shape, op)
    y = conv_transpose_p(x, w, strides=strides, dilations=dilations, pads=pads,
                         output_shape=output_shape)
    return to_channels_first(y, data_format)
