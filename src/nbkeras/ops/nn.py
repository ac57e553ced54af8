"""Neural-network ops (``keras.ops.nn``): sigmoid, tanh, softplus, relu and the softmax family.

Each runs on a fused Numba kernel pair: the forward, and a backward that uses the forward's result
(sigmoid' = y(1 - y), tanh' = 1 - y^2, softmax' = y (g - <g, y>)).
"""

from nbkeras.autodiff import Primitive
from nbkeras.kernels import elementwise as E
from nbkeras.kernels import reductions as R
from nbkeras.ops import _args


def _output_saving(kernel_function, grad_kernel):
    """A primitive pair whose backward needs only the forward's output y."""

    def forward(x):
        y = E.unary(kernel_function, x)
        return y, y

    def backward(y, g, needs):
        return (E.unary(grad_kernel, g, y),)

    return forward, backward


def _input_saving(kernel_function, grad_kernel):
    """A primitive pair whose backward needs the forward's input x."""

    def forward(x):
        return E.unary(kernel_function, x), x

    def backward(x, g, needs):
        return (E.unary(grad_kernel, g, x),)

    return forward, backward


sigmoid_p = Primitive("sigmoid", *_output_saving(E.sigmoid, E.sigmoid_grad))
tanh_p = Primitive("tanh", *_output_saving(E.tanh, E.tanh_grad))
softplus_p = Primitive("softplus", *_input_saving(E.softplus, E.softplus_grad))
relu_p = Primitive("relu", *_input_saving(E.relu, E.relu_grad))


def sigmoid(x):
    return sigmoid_p(_args.float_tensor(x, "sigmoid"))


def tanh(x):
    return tanh_p(_args.float_tensor(x, "tanh"))


def softplus(x):
    return softplus_p(_args.float_tensor(x, "softplus"))


def relu(x):
    return relu_p(_args.float_tensor(x, "relu"))


def _along_axis_pair(kernel_function, grad_kernel):
    def forward(x, *, axis):
        y = R.along_axis(kernel_function, axis, x)
        return y, (y, axis)

    def backward(saved, g, needs):
        y, axis = saved
        return (R.along_axis(grad_kernel, axis, g, y),)

    return forward, backward


softmax_p = Primitive("softmax", *_along_axis_pair(R.softmax_3d, R.softmax_grad_3d))
log_softmax_p = Primitive(
    "log_softmax", *_along_axis_pair(R.log_softmax_3d, R.log_softmax_grad_3d)
)


def _normalize_along(prim, x, axis, op):
    from nbkeras.ops.shape import reshape

    t = _args.float_tensor(x, op)
    if t.ndim == 0:
        raise ValueError(f"ops.{op}: the input must have at least one dimension")
    if axis is None:  # normalise over every element
        return reshape(prim(reshape(t, (-1,)), axis=0), t.shape)
    return prim(t, axis=_args.single_axis(axis, t.ndim, op))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``, computed as exp(x - max) / sum(exp(x - max))."""
    return _normalize_along(softmax_p, x, axis, "softmax")


def log_softmax(x, axis=-1):
    return _normalize_along(log_softmax_p, x, axis, "log_softmax")
