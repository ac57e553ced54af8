"""Ops that move elements without arithmetic: reshape, transpose, join, index, gather.

Their backward rules move the cotangent back: a reshape reshapes it back, a gather scatters it
(adding where one element was gathered twice).
"""

import numpy as np

from nbkeras import dtypes
from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.ops import _args
from nbkeras.ops.operation import any_symbolic, symbolic_call
from nbkeras.tensor import Tensor


def _reshape_forward(x, *, shape):
    return x.reshape(shape), x.shape


def _reshape_backward(input_shape, g, needs):
    return (g.reshape(input_shape),)


reshape_p = Primitive("reshape", _reshape_forward, _reshape_backward)


def reshape(x, newshape):
    if type(x) is KerasTensor:
        return symbolic_call("reshape", locals())
    t = _args.tensor(x, "reshape")
    newshape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    newshape = tuple(-1 if d is None else int(d) for d in newshape)
    try:
        target = _resolve(t.shape, newshape)
    except ValueError as error:
        raise ValueError(
            f"ops.reshape: cannot reshape {t.shape} into {newshape}: {error}"
        ) from None
    return reshape_p(t, shape=target)


def _resolve(shape, newshape):
    """``newshape`` with its one -1 filled in; raises ValueError when the sizes differ."""
    size = int(np.prod(shape, dtype=np.int64))
    if sum(d == -1 for d in newshape) > 1:
        raise ValueError("only one dimension can be -1")
    if any(d < -1 for d in newshape):
        raise ValueError("dimensions must be non-negative (or -1)")
    known = int(np.prod([d for d in newshape if d != -1], dtype=np.int64))
    if -1 in newshape:
        if known == 0 or size % known:
            raise ValueError(f"{size} elements do not divide into {newshape}")
        return tuple(size // known if d == -1 else d for d in newshape)
    if known != size:
        raise ValueError(f"{size} elements do not fit {known}")
    return newshape


def _transpose_forward(x, *, axes):
    return np.transpose(x, axes), axes


def _transpose_backward(axes, g, needs):
    return (np.transpose(g, np.argsort(axes)),)


transpose_p = Primitive("transpose", _transpose_forward, _transpose_backward)


def transpose(x, axes=None):
    if type(x) is KerasTensor:
        return symbolic_call("transpose", locals())
    t = _args.tensor(x, "transpose")
    if axes is None:
        axes = tuple(range(t.ndim))[::-1]
    axes = tuple(int(a) % t.ndim if t.ndim else 0 for a in axes)
    if sorted(axes) != list(range(t.ndim)):
        raise ValueError(
            f"ops.transpose: axes {axes} is not a permutation of the {t.ndim} axes of shape "
            f"{t.shape}"
        )
    return transpose_p(t, axes=axes)


def expand_dims(x, axis):
    """Insert axes of length 1 (a reshape)."""
    if type(x) is KerasTensor:
        return symbolic_call("expand_dims", locals())
    t = _args.tensor(x, "expand_dims")
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    ndim = t.ndim + len(axes)
    positions = _args.normalize_axis(axes, ndim, "expand_dims")
    shape = iter(t.shape)
    return reshape(t, tuple(1 if a in positions else next(shape) for a in range(ndim)))


def squeeze(x, axis=None):
    """Remove axes of length 1 (a reshape); naming an axis whose length is not 1 is an error."""
    if type(x) is KerasTensor:
        return symbolic_call("squeeze", locals())
    t = _args.tensor(x, "squeeze")
    if axis is None:
        axes = tuple(a for a, d in enumerate(t.shape) if d == 1)
    else:
        axes = _args.normalize_axis(axis, t.ndim, "squeeze")
        for a in axes:
            if t.shape[a] != 1:
                raise ValueError(
                    f"ops.squeeze: cannot squeeze axis {a} of shape {t.shape}: its length is "
                    f"{t.shape[a]}, not 1"
                )
    return reshape(t, tuple(d for a, d in enumerate(t.shape) if a not in axes))


def _concatenate_forward(*xs, axis):
    return np.concatenate(xs, axis=axis), (axis, [x.shape[axis] for x in xs])


def _concatenate_backward(saved, g, needs):
    axis, sizes = saved
    return tuple(np.split(g, np.cumsum(sizes)[:-1], axis=axis))


concatenate_p = Primitive("concatenate", _concatenate_forward, _concatenate_backward)


def concatenate(xs, axis=0):
    if any_symbolic(xs):
        return symbolic_call("concatenate", locals())
    if not isinstance(xs, (list, tuple)) or not xs:
        raise ValueError("ops.concatenate: xs must be a non-empty list of tensors")
    tensors = _args.operands(xs, [f"xs[{i}]" for i in range(len(xs))], "concatenate")
    ndim = tensors[0].ndim
    if ndim == 0:
        raise ValueError("ops.concatenate: cannot concatenate 0-d tensors; use ops.stack")
    a = _args.single_axis(axis, ndim, "concatenate")
    first = tensors[0].shape
    for t in tensors[1:]:
        if t.ndim != ndim or any(t.shape[i] != first[i] for i in range(ndim) if i != a):
            raise ValueError(
                f"ops.concatenate: shapes {[x.shape for x in tensors]} differ outside axis {a}"
            )
    return concatenate_p(*tensors, axis=a)


def stack(x, axis=0):
    """Join tensors of one shape along a new axis (expand_dims, then concatenate)."""
    if any_symbolic(x):
        return symbolic_call("stack", locals())
    if not isinstance(x, (list, tuple)) or not x:
        raise ValueError("ops.stack: x must be a non-empty list of tensors")
    tensors = _args.operands(x, [f"x[{i}]" for i in range(len(x))], "stack")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"ops.stack: every tensor must have the same shape, got {sorted(shapes)}")
    a = _args.single_axis(axis, tensors[0].ndim + 1, "stack")
    return concatenate([expand_dims(t, a) for t in tensors], axis=a)


def _broadcast_to_forward(x, *, shape):
    return np.broadcast_to(x, shape), None


# Each input element is copied to every position it was stretched over: the tape's
# sum_to_shape adds the copies' cotangents back, so the cotangent passes through unchanged.
def _broadcast_to_backward(saved, g, needs):
    return (g,)


broadcast_to_p = Primitive("broadcast_to", _broadcast_to_forward, _broadcast_to_backward)


def broadcast_to(x, shape):
    """``x`` stretched to ``shape`` by NumPy's broadcasting rules (axes added in front, axes
    of length 1 repeated); raises ValueError naming both shapes when they do not fit."""
    if type(x) is KerasTensor:
        return symbolic_call("broadcast_to", locals())
    t = _args.tensor(x, "broadcast_to")
    shape = tuple(int(d) for d in shape)
    try:
        np.broadcast_shapes(t.shape, shape)
        if len(shape) < t.ndim or np.broadcast_shapes(t.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"ops.broadcast_to: cannot broadcast a tensor of shape {t.shape} to shape {shape}"
        ) from None
    if t._value.dtype.kind != "f":
        return Tensor(np.broadcast_to(t._value, shape).copy())
    return broadcast_to_p(t, shape=shape)


def _take_forward(x, *, indices, axis):
    return np.take(x, indices, axis=axis), (x.shape, indices, axis)


# Gather's backward is a scatter-add: an element taken twice receives both cotangents.
def _take_backward(saved, g, needs):
    shape, indices, axis = saved
    grad = np.zeros(shape, g.dtype)
    moved = np.moveaxis(grad, axis, 0)  # a view: adding into it fills grad
    # g is shape[:axis] + indices.shape + shape[axis+1:]; bring the index dims to the front
    k = indices.ndim
    np.add.at(moved, indices, np.moveaxis(g, list(range(axis, axis + k)), list(range(k))))
    return (grad,)


take_p = Primitive("take", _take_forward, _take_backward)


def _index_array(indices, size, op, axis):
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        if idx.dtype.kind == "f" and np.all(idx == np.floor(idx)):
            idx = idx.astype(np.int64)
        else:
            raise TypeError(f"ops.{op}: indices must be integers, got dtype {idx.dtype}")
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].reshape(-1)[0]
        raise IndexError(
            f"ops.{op}: index {int(bad)} is out of bounds for axis {axis} with size {size}"
        )
    return np.where(idx < 0, idx + size, idx).astype(np.int64)


def take(x, indices, axis=None):
    """Gather entries of ``x`` along ``axis`` (the flattened ``x`` when axis is None)."""
    if type(x) is KerasTensor or type(indices) is KerasTensor:
        return symbolic_call("take", locals())
    t = _args.tensor(x, "take")
    if axis is None:
        t = reshape(t, (-1,))
        axis = 0
    a = _args.single_axis(axis, t.ndim, "take")
    idx = _index_array(indices, t.shape[a], "take", a)
    if t._value.dtype.kind != "f":
        return Tensor(np.take(t._value, idx, axis=a))
    return take_p(t, indices=idx, axis=a)


def _take_along_axis_forward(x, *, indices, axis):
    return np.take_along_axis(x, indices, axis=axis), (x.shape, indices, axis)


def _take_along_axis_backward(saved, g, needs):
    shape, indices, axis = saved
    grad = np.zeros(shape, g.dtype)
    index = list(np.indices(indices.shape, sparse=True))
    index[axis] = indices
    np.add.at(grad, tuple(index), g)
    return (grad,)


take_along_axis_p = Primitive(
    "take_along_axis", _take_along_axis_forward, _take_along_axis_backward
)


def take_along_axis(x, indices, axis=None):
    if type(x) is KerasTensor or type(indices) is KerasTensor:
        return symbolic_call("take_along_axis", locals())
    t = _args.tensor(x, "take_along_axis")
    if axis is None:
        t = reshape(t, (-1,))
        axis = 0
        indices = np.asarray(indices._value if isinstance(indices, Tensor) else indices).ravel()
    a = _args.single_axis(axis, t.ndim, "take_along_axis")
    idx = _index_array(indices, t.shape[a], "take_along_axis", a)
    if idx.ndim != t.ndim:
        raise ValueError(
            f"ops.take_along_axis: indices of rank {idx.ndim} do not match x of rank {t.ndim}"
        )
    target = tuple(idx.shape[n] if n == a else t.shape[n] for n in range(t.ndim))
    try:
        idx = np.broadcast_to(idx, target)
    except ValueError:
        raise ValueError(
            f"ops.take_along_axis: indices of shape {idx.shape} do not broadcast against x of "
            f"shape {t.shape} outside axis {a}"
        ) from None
    if t._value.dtype.kind != "f":
        return Tensor(np.take_along_axis(t._value, idx, axis=a))
    return take_along_axis_p(t, indices=idx, axis=a)


def _getitem_forward(x, *, key):
    return x[key], (x.shape, key)


def _getitem_backward(saved, g, needs):
    shape, key = saved
    grad = np.zeros(shape, g.dtype)
    if _picks_each_once(key):
        grad[key] = g  # slices and masks pick each element at most once
    else:
        np.add.at(grad, key, g)  # fancy indices may repeat an element
    return (grad,)


getitem_p = Primitive("getitem", _getitem_forward, _getitem_backward)


def _picks_each_once(key):
    parts = key if isinstance(key, tuple) else (key,)
    return all(
        isinstance(k, (int, np.integer, slice))
        or k is None
        or k is Ellipsis
        or (isinstance(k, np.ndarray) and k.dtype == bool)
        for k in parts
    )


def _plain_key(key):
    if isinstance(key, Tensor):
        return key._value
    if isinstance(key, tuple):
        return tuple(_plain_key(k) for k in key)
    if isinstance(key, list):
        return np.asarray([k._value if isinstance(k, Tensor) else k for k in key])
    return key


def getitem(x, key):
    """``x[key]`` with NumPy's indexing rules (slices, integers, arrays, masks)."""
    if type(x) is KerasTensor or type(key) is KerasTensor:
        return symbolic_call("getitem", locals())
    t = _args.tensor(x, "getitem")
    key = _plain_key(key)
    try:
        if t._value.dtype.kind != "f":
            return Tensor(np.asarray(t._value[key]))
        return getitem_p(t, key=key)
    except IndexError as error:
        raise IndexError(f"indexing a tensor of shape {t.shape} with {key!r}: {error}") from None


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encode integer labels (a float array of whole numbers is accepted, as Keras casts
    it); a label outside [0, num_classes) gives a row of zeros."""
    dtype = dtypes.standardize_dtype(dtype)  # (before a graph step: its config has the name)
    if type(x) is KerasTensor:
        return symbolic_call("one_hot", locals())
    if sparse:
        raise ValueError("ops.one_hot: sparse outputs are not supported")
    t = _args.tensor(x, "one_hot")
    labels = np.asarray(t._value)
    if labels.dtype.kind == "f":
        whole = np.isfinite(labels) & (labels == np.floor(labels))
        if not whole.all():
            raise ValueError(
                f"ops.one_hot: x must hold integer labels, got {labels[~whole].reshape(-1)[0]!r}"
            )
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iu":
        raise TypeError(f"ops.one_hot: x must hold integer labels, got dtype {labels.dtype}")
    num_classes = int(num_classes)
    eye = labels[..., None] == np.arange(num_classes)
    out = eye.astype(dtype)
    a = _args.single_axis(axis, labels.ndim + 1, "one_hot")
    return Tensor(np.moveaxis(out, -1, a).copy())


def _pad_forward(x, *, pad_width, mode, constant_values):
    if mode == "constant":
        return np.pad(x, pad_width, constant_values=constant_values), (x.shape, pad_width, mode)
    return np.pad(x, pad_width, mode=mode), (x.shape, pad_width, mode)


# Constant padding does not depend on x: x̄ is ȳ with the padding cut off. A reflected element
# is a copy of an inner one, so the inner one also receives the copy's cotangent.
def _pad_backward(saved, g, needs):
    shape, pad_width, mode = saved
    if mode == "constant":
        return (g[tuple(slice(b, b + n) for (b, _), n in zip(pad_width, shape, strict=True))],)
    size = int(np.prod(shape, dtype=np.int64))
    source = np.pad(np.arange(size).reshape(shape), pad_width, mode=mode)
    grad = np.zeros(size, g.dtype)
    np.add.at(grad, source.reshape(-1), g.reshape(-1))
    return (grad.reshape(shape),)


pad_p = Primitive("pad", _pad_forward, _pad_backward)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad ``x`` with ``pad_width`` = ((before, after), ...) per axis (or one pair, or one int,
    for every axis), as ``np.pad``; ``mode`` is "constant", "reflect" or "symmetric"."""
    if type(x) is KerasTensor or type(constant_values) is KerasTensor:
        return symbolic_call("pad", locals())
    t = _args.tensor(x, "pad")
    if mode not in ("constant", "reflect", "symmetric"):
        raise ValueError(
            f"ops.pad: mode must be 'constant', 'reflect' or 'symmetric', got {mode!r}"
        )
    if constant_values is not None and mode != "constant":
        raise ValueError(f"ops.pad: constant_values needs mode='constant', got mode={mode!r}")
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (t.ndim, 2))
    except ValueError:
        raise ValueError(
            f"ops.pad: pad_width must be one (before, after) pair per axis of the shape "
            f"{t.shape}, got {pad_width!r}"
        ) from None
    if (widths < 0).any():
        raise ValueError(f"ops.pad: pad_width must not be negative, got {pad_width!r}")
    widths = tuple((int(b), int(a)) for b, a in widths)
    value = 0 if constant_values is None else constant_values
    if t._value.dtype.kind != "f":
        return Tensor(_pad_forward(t._value, pad_width=widths, mode=mode,
                                   constant_values=value)[0])
    return pad_p(t, pad_width=widths, mode=mode, constant_values=value)


def _repeat_forward(x, *, repeats, axis):
    return np.repeat(x, repeats, axis=axis), (x.shape[axis], repeats, axis)


# Input element i appears repeats[i] times in a row: its cotangent is the sum of theirs.
def _repeat_backward(saved, g, needs):
    n, repeats, axis = saved
    counts = np.broadcast_to(np.asarray(repeats), (n,))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    shape = list(g.shape)
    shape[axis] = n
    grad = np.zeros(shape, g.dtype)
    present = np.flatnonzero(counts)  # reduceat would copy, not zero, an empty run
    if present.size:
        index = [slice(None)] * g.ndim
        index[axis] = present
        grad[tuple(index)] = np.add.reduceat(g, starts[present], axis=axis)
    return (grad,)


repeat_p = Primitive("repeat", _repeat_forward, _repeat_backward)


def repeat(x, repeats, axis=None):
    """Repeat each element of ``x`` ``repeats`` times along ``axis`` (of the flattened ``x``
    when axis is None); ``repeats`` is an int or one count per element along the axis."""
    if type(x) is KerasTensor:
        return symbolic_call("repeat", locals())
    t = _args.tensor(x, "repeat")
    if axis is None:
        t = reshape(t, (-1,))
        axis = 0
    a = _args.single_axis(axis, t.ndim, "repeat")
    counts = np.asarray(repeats._value if isinstance(repeats, Tensor) else repeats)
    if counts.dtype.kind not in "iu" or counts.ndim > 1 or (counts < 0).any() or (
            counts.ndim == 1 and counts.shape[0] not in (1, t.shape[a])):
        raise ValueError(
            f"ops.repeat: repeats must be a non-negative int or one per element along axis {a} "
            f"(length {t.shape[a]}), got {repeats!r}"
        )
    counts = int(counts) if counts.ndim == 0 else tuple(int(c) for c in counts)
    if t._value.dtype.kind != "f":
        return Tensor(np.repeat(t._value, counts, axis=a))
    return repeat_p(t, repeats=counts, axis=a)
