"""Pooling (``keras.ops.max_pool``, ``average_pool``, ``adaptive_max_pool``,
``adaptive_average_pool``) on ``kernels/pooling.py``.

Windows of ``pool_size`` move by ``strides`` (default: the pool size, so windows do not
overlap) over 1, 2 or 3 spatial axes; output sizes and the "same" padding split are those of a
convolution with kernel size ``pool_size``. The padding is never a candidate: the max of a
border window is the max of its real elements, and the average divides by their number.

Gradients: max pooling sends each output's cotangent to the element the max came from (on a
tie, TensorFlow's 1-D and 2-D pooling pick the first in scan order, its 3-D pooling gives the
full cotangent to every tied element); average pooling spreads it evenly over the window.

Adaptive pooling asks for a number of windows per axis instead of a window size: window i of
m over n elements covers [floor(i n / m), ceil((i + 1) n / m)).
"""

from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import pooling as K
from nbkeras.ops.convolution import (
    padding_pairs,
    spatial_input,
    spatial_tuple,
    standardize_data_format,
    standardize_padding,
    to_channels_first,
    to_channels_last,
)
from nbkeras.ops.operation import symbolic_call


def _max_pool_forward(x, *, pool_size, strides, pads):
    y = K.pool(x, "max", pool_size, strides, pads)
    return y, (x, y, pool_size, strides, pads)


# d max / dx = 1 at the arg-max of each window, 0 elsewhere (3-D: at every tied maximum).
def _max_pool_backward(saved, g, needs):
    x, y, pool_size, strides, pads = saved
    return (K.max_pool_input_grad(x, y, g, pool_size, strides, pads, all_ties=x.ndim == 5),)


max_pool_p = Primitive("max_pool", _max_pool_forward, _max_pool_backward)


def _average_pool_forward(x, *, pool_size, strides, pads):
    return K.pool(x, "average", pool_size, strides, pads), (x.shape, pool_size, strides, pads)


# d mean / dx = 1 / count on each of the window's count real elements.
def _average_pool_backward(saved, g, needs):
    input_shape, pool_size, strides, pads = saved
    return (K.average_pool_input_grad(g, input_shape, pool_size, strides, pads),)


average_pool_p = Primitive("average_pool", _average_pool_forward, _average_pool_backward)


def _pool(prim, op, inputs, pool_size, strides, padding, data_format):
    x = spatial_input(inputs, op)
    padding = standardize_padding(padding, op)
    data_format = standardize_data_format(data_format, op)
    rank = x.ndim - 2
    pool_size = spatial_tuple(pool_size, rank, "pool_size", op)
    strides = pool_size if strides is None else spatial_tuple(strides, rank, "strides", op)
    x = to_channels_last(x, data_format)
    pads = padding_pairs(x.shape[1:-1], pool_size, strides, (1,) * rank, padding)
    shape = K.output_shape(x.shape, pool_size, strides, pads)
    if any(n <= 0 for n in shape[1:-1]):
        raise ValueError(
            f"ops.{op}: pool_size={pool_size} with padding={padding!r} does not fit the "
            f"spatial shape {x.shape[1:-1]} (the output would have spatial shape {shape[1:-1]})"
        )
    return to_channels_first(prim(x, pool_size=pool_size, strides=strides, pads=pads),
                             data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The max over each window. inputs: (batch, *spatial, C) for channels_last (1 to 3
    spatial axes); returns (batch, *out_spatial, C) in the same float dtype."""
    if type(inputs) is KerasTensor:
        return symbolic_call("max_pool", locals())
    return _pool(max_pool_p, "max_pool", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The mean over each window's real elements (the padding of "same" is not counted)."""
    if type(inputs) is KerasTensor:
        return symbolic_call("average_pool", locals())
    return _pool(average_pool_p, "average_pool", inputs, pool_size, strides, padding,
                 data_format)


def _adaptive_forward(x, *, mode, output_size):
    return K.adaptive_pool(x, mode, output_size), x


def _adaptive_max_backward(x, g, needs):
    return (K.adaptive_pool_input_grad(x, g, "max"),)


def _adaptive_average_backward(x, g, needs):
    return (K.adaptive_pool_input_grad(x, g, "average"),)


adaptive_max_pool_p = Primitive("adaptive_max_pool", _adaptive_forward, _adaptive_max_backward)
adaptive_average_pool_p = Primitive(
    "adaptive_average_pool", _adaptive_forward, _adaptive_average_backward)


def _adaptive(prim, mode, op, inputs, output_size, data_format):
    x = spatial_input(inputs, op)
    data_format = standardize_data_format(data_format, op)
    rank = x.ndim - 2
    output_size = spatial_tuple(output_size, rank, "output_size", op)
    x = to_channels_last(x, data_format)
    return to_channels_first(prim(x, mode=mode, output_size=output_size), data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """The max over each of ``output_size`` windows per spatial axis, whatever the input size.
    inputs: (batch, *spatial, C) for channels_last (1 to 3 spatial axes)."""
    if type(inputs) is KerasTensor:
        return symbolic_call("adaptive_max_pool", locals())
    return _adaptive(adaptive_max_pool_p, "max", "adaptive_max_pool", inputs, output_size,
                     data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """The mean over each of ``output_size`` windows per spatial axis, whatever the input
    size."""
    if type(inputs) is KerasTensor:
        return symbolic_call("adaptive_average_pool", locals())
    return _adaptive(adaptive_average_pool_p, "average", "adaptive_average_pool", inputs,
                     output_size, data_format)
