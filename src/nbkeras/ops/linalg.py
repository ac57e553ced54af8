"""Matrix multiplication (``keras.ops.matmul``), on the BLAS kernel in ``kernels/matmul.py``, and
Einstein summation (``keras.ops.einsum``), on NumPy's BLAS-backed ``einsum``."""

import numpy as np

from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import matmul as K
from nbkeras.ops import _args
from nbkeras.ops.operation import symbolic_call
from nbkeras.tensor import Tensor


def _swap(x):
    return np.swapaxes(x, -1, -2)


def _matmul_forward(a, b):
    return K.matmul(a, b), (a, b)


# For Y = A B: dA = G B^T and dB = A^T G. With batch dims, the tape sums each cotangent back
# over the batch dims its input was broadcast along.
def _matmul_backward(saved, g, needs):
    a, b = saved
    ga = K.matmul(g, _swap(b)) if needs[0] else None
    gb = None
    if needs[1]:
        if b.ndim == 2:
            # Every batch entry of A met the same B: one GEMM over all rows at once.
            k, n = b.shape
            gb = K.matmul(_swap(a.reshape(-1, k)), g.reshape(-1, n))
        else:
            gb = K.matmul(_swap(a), g)
    return ga, gb


matmul_p = Primitive("matmul", _matmul_forward, _matmul_backward)


def matmul(x1, x2):
    """The matrix product, with NumPy's rules: batch dims broadcast, and a 1-D operand is a
    vector (a row on the left, a column on the right) whose axis is dropped from the result."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("matmul", locals())
    from nbkeras.ops.shape import expand_dims, squeeze

    if (isinstance(x1, Tensor) and isinstance(x2, Tensor) and x1._value.ndim == 2
            and x2._value.ndim == 2 and x1._value.dtype is x2._value.dtype
            and x1._value.dtype.kind == "f" and x1._value.shape[1] == x2._value.shape[0]):
        return matmul_p(x1, x2)  # the common case (a Dense layer): nothing to check or convert
    t1, t2 = _args.operands((x1, x2), ("x1", "x2"), "matmul")
    if t1.ndim == 0 or t2.ndim == 0:
        raise ValueError(
            f"ops.matmul: both inputs need at least one dimension, got shapes {t1.shape} "
            f"and {t2.shape}"
        )
    if t1.shape[-1] != t2.shape[-2 if t2.ndim > 1 else 0]:
        raise ValueError(
            f"ops.matmul: the last dimension of x1 {t1.shape} must equal the "
            f"{'second-to-last' if t2.ndim > 1 else 'only'} dimension of x2 {t2.shape}"
        )
    _args.broadcast_shape(t1.shape[:-2], t2.shape[:-2], "matmul")
    if t1._value.dtype.kind != "f":
        return Tensor(np.matmul(t1._value, t2._value))
    if t1.ndim == 1:
        return squeeze(matmul(expand_dims(t1, 0), t2), -2 if t2.ndim > 1 else 0)
    if t2.ndim == 1:
        return squeeze(matmul(t1, expand_dims(t2, 1)), -1)
    return matmul_p(t1, t2)


# -- a Dense layer's product and bias in one record -----------------------------------------
# x @ kernel + bias, as matmul's forward and add's compute it; backward, matmul's two products,
# and the cotangent itself for the bias, which the tape sums over the batch axes as it does for
# add's broadcast operand. So the values and gradients have the bits of the two ops, and a
# training step pays the tape once per layer instead of twice.
def _matmul_add_forward(x, kernel, bias):
    return np.add(K.matmul(x, kernel), bias), (x, kernel)


def _matmul_add_backward(saved, g, needs):
    ga, gb = _matmul_backward(saved, g, needs)
    return ga, gb, (g if needs[2] else None)


matmul_add_p = Primitive("matmul_add", _matmul_add_forward, _matmul_add_backward)


def matmul_add(x, kernel, bias):
    """``ops.add(ops.matmul(x, kernel), bias)`` (a Dense layer's ``x W + b``) with the bits of
    the two ops, recorded as one step when ``x`` is a float tensor of at least two dimensions
    and ``kernel`` (2-D) and ``bias`` (1-D) match it; anything else takes the two ops."""
    if (type(x) is not KerasTensor and isinstance(x, Tensor) and isinstance(kernel, Tensor)
            and isinstance(bias, Tensor)):
        v, k, b = x._value, kernel._value, bias._value
        if (v.ndim >= 2 and k.ndim == 2 and b.ndim == 1 and v.dtype.kind == "f"
                and v.dtype is k.dtype and k.dtype is b.dtype
                and v.shape[-1] == k.shape[0] and b.shape[0] == k.shape[1]):
            return matmul_add_p(x, kernel, bias)
    from nbkeras.ops.elementwise import add

    return add(matmul(x, kernel), bias)


# -- einsum -----------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _explicit_subscripts(subscripts, shapes):
    """``subscripts`` with every ``...`` spelled out in unused letters and the output written
    explicitly: "...i,ij->...j" on shapes (2, 3, 4), (4, 5) gives (["abi", "ij"], "abj")."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    operands = inputs.split(",")
    if len(operands) != len(shapes):
        raise ValueError(
            f"ops.einsum: the subscripts {subscripts!r} name {len(operands)} operands, but "
            f"{len(shapes)} were given"
        )
    free = [c for c in _LETTERS if c not in subscripts]
    widest = max((len(s) - len(op.replace("...", "")) for op, s in zip(operands, shapes,
                                                                        strict=True)
                  if "..." in op), default=0)
    ellipsis = "".join(free[:widest])
    explicit = []
    for op, shape in zip(operands, shapes, strict=True):
        if "..." in op:
            n = len(shape) - len(op.replace("...", ""))
            op = op.replace("...", ellipsis[widest - n:] if n else "")
        if len(op) != len(shape):
            raise ValueError(
                f"ops.einsum: the subscripts {op!r} do not match an operand of shape {shape}"
            )
        explicit.append(op)
    if not arrow:  # implicit output: the letters used once, in alphabetical order
        counts = {c: "".join(explicit).count(c) for c in "".join(explicit)}
        output = ellipsis + "".join(sorted(c for c, n in counts.items()
                                           if n == 1 and c not in ellipsis))
    else:
        output = output.replace("...", ellipsis)
    for op in explicit:
        if len(set(op)) != len(op):
            raise ValueError(
                f"ops.einsum: repeated subscripts within one operand ({op!r}, a diagonal) are "
                "not supported"
            )
    return explicit, output


def _as_matrix_product(inputs, output):
    """The number of contracted axes k when the einsum is a plain matrix product, "F K, K O ->
    F O" (the input's last k axes against the kernel's first k, as in every projection of
    EinsumDense and MultiHeadAttention); else None."""
    if len(inputs) != 2:
        return None
    a, b = inputs
    for k in range(1, min(len(a), len(b)) + 1):
        if a[-k:] == b[:k] and output == a[:-k] + b[k:] and not set(a[:-k]) & set(b[k:]):
            return k
    return None


def _einsum_forward(*operands, inputs, output):
    saved = (operands, inputs, output)
    k = _as_matrix_product(inputs, output)
    if k is not None:  # one GEMM on reshaped operands, no transposes
        a, b = operands
        free, out = a.shape[:a.ndim - k], b.shape[k:]
        contracted = int(np.prod(b.shape[:k], dtype=np.int64))
        product = K.matmul(np.ascontiguousarray(a).reshape(-1, contracted),
                           np.ascontiguousarray(b).reshape(contracted, -1))
        return product.reshape(free + out), saved
    equation = ",".join(inputs) + "->" + output
    return np.einsum(equation, *operands, optimize=True), saved


# The einsum is linear in each operand: the cotangent of operand i is the einsum of ḡ (with the
# output's subscripts) and the other operands, back to operand i's subscripts. A letter only
# operand i has was summed away, so its cotangent is the same along that axis: broadcast.
def _einsum_backward(saved, g, needs):
    operands, inputs, output = saved
    k = _as_matrix_product(inputs, output)
    if k is not None:  # Y = A B as matrices: Ā = Ȳ B^T, B̄ = A^T Ȳ
        a, b = operands
        contracted = int(np.prod(b.shape[:k], dtype=np.int64))
        a2 = np.ascontiguousarray(a).reshape(-1, contracted)
        b2 = np.ascontiguousarray(b).reshape(contracted, -1)
        g2 = np.ascontiguousarray(g).reshape(a2.shape[0], b2.shape[1])
        # the matmul kernel's GEMMs: the transposes are BLAS flags, and small products stay
        # on one thread (two libraries' thread pools spinning at once slowed them 4x)
        ga = K.matmul(g2, _swap(b2)).reshape(a.shape) if needs[0] else None
        gb = K.matmul(_swap(a2), g2).reshape(b.shape) if needs[1] else None
        return ga, gb
    grads = []
    for i, (subscripts, needed) in enumerate(zip(inputs, needs, strict=True)):
        if not needed:
            grads.append(None)
            continue
        others = [op for j, op in enumerate(inputs) if j != i]
        present = set(output).union(*others)
        kept = "".join(c for c in subscripts if c in present)
        equation = ",".join([output, *others]) + "->" + kept
        grad = np.einsum(equation, g, *[a for j, a in enumerate(operands) if j != i],
                         optimize=True)
        if kept != subscripts:
            shape = operands[i].shape
            grad = grad.reshape([shape[k] if c in present else 1
                                 for k, c in enumerate(subscripts)])
            grad = np.broadcast_to(grad, shape)
        grads.append(np.ascontiguousarray(grad, dtype=g.dtype))
    return tuple(grads)


einsum_p = Primitive("einsum", _einsum_forward, _einsum_backward)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation (``keras.ops.einsum``): ``einsum("btd,dk->btk", x, w)`` is a matrix
    product over the last axis. Products of two operands run on BLAS (NumPy's ``einsum`` with
    ``optimize=True``). Broadcasting ``...`` is supported; repeated subscripts within one
    operand (diagonals) are not."""
    if kwargs:
        raise TypeError(f"ops.einsum: unexpected keyword arguments {sorted(kwargs)}")
    names = tuple(f"operand {i}" for i in range(len(operands)))
    tensors = _args.operands(operands, names, "einsum")
    inputs, output = _explicit_subscripts(subscripts, [t.shape for t in tensors])
    if tensors[0]._value.dtype.kind != "f":
        equation = ",".join(inputs) + "->" + output
        return Tensor(np.einsum(equation, *[t._value for t in tensors]))
    return einsum_p(*tensors, inputs=tuple(inputs), output=output)
