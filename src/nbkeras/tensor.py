"""Tensors and variables.

A ``Tensor`` is an immutable NumPy array with an identity: the tape records which tensor came from
which operation by the tensor's ``_id``. A ``Variable`` is a tensor whose value can change in place
(``assign``); it keeps its ``_id`` for life, so gradients find it after every update.

Python operators on tensors call ``nbkeras.ops``, so ``x * y + 1`` is recorded like
``ops.add(ops.multiply(x, y), 1)``.
"""

import itertools

import numpy as np

from nbkeras import dtypes
from nbkeras.utils import naming

_next_id = itertools.count(1).__next__


def _ops():
    # tensor.py sits below ops in the import order; the operators need ops only when called.
    from nbkeras import ops

    return ops


class Tensor:
    """An immutable array produced by an op (Keras/TF: ``tf.Tensor``)."""

    # _keras_mask: the Keras mask a layer attached (see Layer.__call__); unset means none
    __slots__ = ("_value", "_id", "_keras_mask", "__weakref__")
    # Make ``ndarray + Tensor`` call Tensor.__radd__ instead of NumPy's elementwise loop.
    __array_priority__ = 100.0

    def __init__(self, value, _id=None):
        self._value = value
        self._id = _next_id() if _id is None else _id

    # -- array protocol ------------------------------------------------------------------------
    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return dtypes.name_of(self._value.dtype)

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def size(self):
        return self._value.size

    def numpy(self):
        """A NumPy copy of the value (changing it does not change the tensor)."""
        return np.array(self._value, copy=True)

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self._value, dtype=dtype, copy=True)
        return self._value if dtype is None else self._value.astype(dtype)

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._value.shape[0]):
            yield self[i]

    def __bool__(self):
        return bool(self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return self._value.__index__()

    def __format__(self, spec):
        if self._value.ndim == 0:
            return format(self._value.item(), spec)
        return format(str(self), spec)

    def __repr__(self):
        return (
            f"<Tensor: shape={self.shape}, dtype={self.dtype}, "
            f"numpy={np.array_repr(self._value)}>"
        )

    def __str__(self):
        return f"Tensor({np.array_str(self._value)}, shape={self.shape}, dtype={self.dtype})"

    # Tensors compare elementwise, so they cannot be dict keys (as in TensorFlow).
    __hash__ = None

    # -- operators -------------------------------------------------------------------------------
    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().divide(self, other)

    def __rtruediv__(self, other):
        return _ops().divide(other, self)

    def __floordiv__(self, other):
        return _ops().floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops().floor_divide(other, self)

    def __mod__(self, other):
        return _ops().mod(self, other)

    def __rmod__(self, other):
        return _ops().mod(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().abs(self)

    def __getitem__(self, key):
        return _ops().getitem(self, key)

    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    def __eq__(self, other):
        return _ops().equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)


class Variable(Tensor):
    """A mutable, named tensor (``keras.Variable``).

    ``initializer`` is a value (array, list, number) or a callable/initializer name that is called
    with ``shape`` and ``dtype``. With ``dtype=None`` the dtype follows the value, as in Keras 3:
    ``Variable(1.0)`` is float32, ``Variable(1)`` int32, ``Variable(np.zeros(2))`` float64.
    """

    __slots__ = ("_trainable", "name", "path", "constraint", "regularizer", "_readers")
    __hash__ = object.__hash__  # variables are dict keys (optimizer slots), compared by identity

    def __init__(
        self,
        initializer,
        shape=None,
        dtype=None,
        trainable=True,
        autocast=True,
        aggregation="none",
        synchronization="auto",
        name=None,
        **kwargs,
    ):
        if kwargs:
            raise TypeError(f"Variable: unexpected keyword arguments {sorted(kwargs)}")
        value = _initial_value(initializer, shape, dtype)
        if shape is not None and tuple(shape) != value.shape:
            raise ValueError(
                f"Variable: the initial value has shape {value.shape}, "
                f"but shape={tuple(shape)} was passed"
            )
        super().__init__(np.array(value, order="C", copy=True))
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Variable: name must be a string without '/', got {name!r}")
        self.name = name if name is not None else naming.unique_name("variable")
        self.path = self.name
        self._trainable = bool(trainable)
        # tapes whose records may hold the current array: id(tape) -> a weak reference to it
        # (a plain dict: a WeakSet costs microseconds to iterate, and the optimizer asks on
        # every update); a tape leaves when it releases its records
        self._readers = {}
        self.constraint = None
        self.regularizer = None

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    @property
    def value(self):
        """The current value as a tensor. It is a read of this variable: gradients flow back."""
        return VariableRead(self)

    def numpy(self):
        return np.array(self._value, copy=True)

    def assign(self, value):
        """Overwrite the value in place; the shape must match. Returns the new value."""
        array = _assignable(self, value, "assign")
        self._array_for_writing()[...] = array
        return self.value

    def assign_add(self, value):
        array = _assignable(self, value, "assign_add")
        target = self._array_for_writing()
        np.add(target, array, out=target)
        return self.value

    def assign_sub(self, value):
        array = _assignable(self, value, "assign_sub")
        target = self._array_for_writing()
        np.subtract(target, array, out=target)
        return self.value

    def _array_for_writing(self):
        """The array to update in place (``assign*`` and the optimizers' kernels write here).

        A tape saves the arrays an operation read, to differentiate later; TensorFlow saves the
        value a variable had when it was read. So while a tape still holds records that read
        this variable (a persistent tape, or one not yet asked for its gradient), the variable
        moves to a copy before the write and the tape keeps the old array. A training step
        asks for the gradient first, which releases the records: no copy is made there.
        """
        readers = self._readers
        if readers:
            for key, reader in list(readers.items()):
                tape = reader()
                if tape is None:
                    del readers[key]  # a tape that was dropped without a gradient call
                elif tape._records:
                    self._value = np.array(self._value, order="C", copy=True)
                    self._readers = {}
                    break
        return self._value

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={np.array_str(self._value)}>"
        )

    __str__ = __repr__


class VariableRead(Tensor):
    """The value of a variable, read as a tensor (``variable.value``).

    It shares the variable's identity, so a tape that tracks the variable tracks the read, and a
    tape that auto-watches trainable variables also watches a variable read this way. It shares
    the variable's memory too: a later ``assign`` shows through.
    """

    __slots__ = ("variable",)

    def __init__(self, variable):
        super().__init__(variable._value, _id=variable._id)
        self.variable = variable


def _initial_value(initializer, shape, dtype):
    if isinstance(initializer, str) or (
        callable(initializer) and not isinstance(initializer, Tensor)
    ):
        if shape is None:
            raise ValueError(
                f"Variable: an initializer ({initializer!r}) needs a shape; pass shape=..."
            )
        if isinstance(initializer, str):
            from nbkeras import initializers

            initializer = initializers.get(initializer)
        dtype = dtypes.standardize_dtype(dtype)
        value = np.asarray(initializer(tuple(shape), dtype=dtype))
        return value.astype(dtype, copy=False)
    value = to_array(initializer, name="initializer", where="Variable")
    if dtype is not None:
        value = value.astype(dtypes.standardize_dtype(dtype))
    return value


def _assignable(variable, value, method):
    """``value`` as an array of the variable's dtype. ``assign`` needs the variable's shape;
    ``assign_add``/``assign_sub`` also take a value that broadcasts to it, as in Keras."""
    array = to_array(value, name="value", where=f"Variable.{method}")
    fits = array.shape == variable.shape
    if not fits and method != "assign":
        try:
            fits = np.broadcast_shapes(array.shape, variable.shape) == variable.shape
        except ValueError:
            fits = False
    if not fits:
        raise ValueError(
            f"Variable.{method}: the value has shape {array.shape}, but variable "
            f"{variable.path!r} has shape {variable.shape}"
        )
    return array.astype(variable._value.dtype, copy=False)


# -- conversion ---------------------------------------------------------------------------------

def _infer_dtype(value):
    """The dtype Keras gives a Python value or NumPy array when no dtype is asked for."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, int):
        return "int32"
    if isinstance(value, float):
        return dtypes.standardize_dtype(None)
    if isinstance(value, (np.ndarray, np.generic)):
        return dtypes.name_of(value.dtype)
    array = np.asarray(value)  # a (nested) list or tuple of Python numbers
    if array.dtype.kind == "f":
        return dtypes.standardize_dtype(None)
    if array.dtype.kind in "iu":
        return "int32"
    return dtypes.name_of(array.dtype)


def to_array(value, dtype=None, name="x", where="convert_to_tensor"):
    """The array behind ``value`` (not copied if it is one already), with Keras dtype rules."""
    if isinstance(value, Tensor):
        array = value._value
    elif type(value) is np.ndarray and dtypes.name_of(value.dtype) in dtypes._ALLOWED:
        array = value  # (what the general path below gives an array: itself)
    else:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError(
                f"{where}: argument {name!r} must be a number, array or tensor, "
                f"got {type(value).__name__} {value!r}"
            )
        if isinstance(value, (list, tuple)):
            value = [v.numpy() if isinstance(v, Tensor) else v for v in value]
        inferred = _infer_dtype(value)
        try:
            array = np.asarray(value, dtype=inferred)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{where}: argument {name!r} must be a number, array or tensor, "
                f"got {type(value).__name__}: {error}"
            ) from None
        if dtypes.name_of(array.dtype) not in dtypes.ALLOWED_DTYPES:
            raise TypeError(
                f"{where}: argument {name!r} must be a number, array or tensor, got "
                f"{type(value).__name__} (NumPy sees dtype {array.dtype})"
            )
    if dtype is not None:
        dtype = dtypes.standardize_dtype(dtype)
        if dtypes.name_of(array.dtype) != dtype:
            with np.errstate(all="ignore"):  # NaN or overflow cast silently, as in TensorFlow
                array = array.astype(dtype)
    return array


def as_tensor(value, dtype=None, name="x", where="convert_to_tensor"):
    """Wrap ``value`` as a Tensor for use inside ops (no copy of NumPy inputs)."""
    if isinstance(value, Tensor) and (dtype is None or value.dtype == dtype):
        return value
    if isinstance(value, Tensor):
        return _ops().cast(value, dtype)
    return Tensor(to_array(value, dtype, name=name, where=where))
