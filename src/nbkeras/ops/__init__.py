"""``keras.ops``: the op surface every layer, loss and optimizer is written against.

Each differentiable op is a primitive (forward + backward) registered in ``nbkeras.autodiff``;
the modules group them by family: elementwise, reductions, shape, linalg, nn, core.
"""

from nbkeras.ops import core, image
from nbkeras.ops.attention import dot_product_attention
from nbkeras.ops.convolution import conv, conv_transpose, depthwise_conv, separable_conv
from nbkeras.ops.core import (
    arange,
    cast,
    convert_to_numpy,
    convert_to_tensor,
    dtype,
    eye,
    full,
    full_like,
    is_tensor,
    ones,
    ones_like,
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
    rsqrt,
    sign,
    sqrt,
    square,
    subtract,
    true_divide,
    where,
)
from nbkeras.ops.linalg import einsum, matmul
from nbkeras.ops.nn import (
    binary_crossentropy,
    categorical_crossentropy,
    celu,
    elu,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    log_sigmoid,
    log_softmax,
    normalize,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_categorical_crossentropy,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)
from nbkeras.ops.normalization import (
    batch_normalization,
    layer_normalization,
    moments,
    rms_normalization,
)
from nbkeras.ops.pooling import (
    adaptive_average_pool,
    adaptive_max_pool,
    average_pool,
    max_pool,
)
from nbkeras.ops.reductions import (
    all,
    any,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    prod,
    sum,
)
from nbkeras.ops.shape import (
    broadcast_to,
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

# Importing the submodule nbkeras.ops.shape (above) bound the name `shape` to that module;
# keras.ops.shape is the function.
shape = core.shape
