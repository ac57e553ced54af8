"""``keras.ops``: the op surface every layer, loss and optimizer is written against.

Each differentiable op is a primitive (forward + backward) registered in ``nbkeras.autodiff``;
the modules group them by family: elementwise, reductions, shape, linalg, nn, core.
"""

from nbkeras.ops.convolution import conv, conv_transpose, depthwise_conv, separable_conv
from nbkeras.ops.core import (
    arange,
    cast,
    convert_to_tensor,
    dtype,
    eye,
    full,
    full_like,
    is_tensor,
    ones,
    ones_like,
    shape,
    stop_gradient,
    zeros,
    zeros_like,
)
from nbkeras.ops.elementwise import (
    abs,
    absolute,
    add,
    clip,
    divide,
    equal,
    exp,
    floor,
    floor_divide,
    greater,
    greater_equal,
    isfinite,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    mod,
    multiply,
    negative,
    not_equal,
    power,
    round,
    sign,
    sqrt,
    square,
    subtract,
    true_divide,
    where,
)
from nbkeras.ops.linalg import matmul
from nbkeras.ops.nn import log_softmax, relu, sigmoid, softmax, softplus, tanh
from nbkeras.ops.pooling import average_pool, max_pool
from nbkeras.ops.reductions import argmax, argmin, logsumexp, max, mean, min, prod, sum
from nbkeras.ops.shape import (
    concatenate,
    expand_dims,
    getitem,
    one_hot,
    pad,
    repeat,
    reshape,
    squeeze,
    stack,
    take,
    take_along_axis,
    transpose,
)
