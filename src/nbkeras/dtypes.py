"""Dtype names and promotion, following Keras 3.

Keras names dtypes by string ("float32", "int32", ...). Python scalars are *weak*: ``x + 1.5``
keeps the dtype of a float32 tensor ``x``. Two tensors promote to the wider type, and any float
beats any integer (an int64 array plus a float32 tensor is float32, as Keras prints).
"""

import numpy as np

from nbkeras import config

FLOAT_DTYPES = ("float16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
ALLOWED_DTYPES = ("bool",) + INT_DTYPES + FLOAT_DTYPES
_ALLOWED = frozenset(ALLOWED_DTYPES)
_NAMES = {}


def name_of(numpy_dtype):
    """``numpy_dtype.name``, memoised: NumPy computes the name in Python on every access, and
    every op asks for it (a fifth of a small training step's time before this cache)."""
    try:
        return _NAMES[numpy_dtype]
    except KeyError:
        name = _NAMES[numpy_dtype] = numpy_dtype.name
        return name


def standardize_dtype(dtype):
    """Return the Keras name of ``dtype`` (None means floatx)."""
    if dtype.__class__ is str and dtype in _ALLOWED:
        return dtype
    if isinstance(dtype, np.dtype):
        # before the comparisons below: np.dtype("float64") == float and
        # np.dtype("int64") == int are True in NumPy, which made them floatx and int32
        name = name_of(dtype)
        if name not in _ALLOWED:
            raise ValueError(f"Invalid dtype: {dtype!r}; expected one of {ALLOWED_DTYPES}")
        return name
    if dtype is None:
        return config.floatx()
    if dtype in (float, "float"):
        return config.floatx()
    if dtype in (int, "int"):
        return "int32"
    if dtype in (bool, "bool"):
        return "bool"
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise ValueError(
            f"Invalid dtype: {dtype!r}; expected one of {ALLOWED_DTYPES}"
        ) from None
    if name not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype!r}; expected one of {ALLOWED_DTYPES}")
    return name


def is_float(dtype):
    return standardize_dtype(dtype) in FLOAT_DTYPES


def is_int(dtype):
    return standardize_dtype(dtype) in INT_DTYPES


def _kind(dtype):
    if dtype == "bool":
        return 0
    return 2 if dtype in FLOAT_DTYPES else 1


def result_type(*dtypes):
    """Promote dtype names and Python scalar types (``int``/``float``, which are weak)."""
    if len(dtypes) == 2 and dtypes[0] == dtypes[1] and dtypes[0].__class__ is str:
        return standardize_dtype(dtypes[0])  # the common case: two tensors of one dtype
    strong = [standardize_dtype(d) for d in dtypes if d not in (int, float, bool)]
    weak = [d for d in dtypes if d in (int, float, bool)]
    if not strong:
        if float in weak:
            return config.floatx()
        if int in weak:
            return "int32"
        return "bool"
    floats = [d for d in strong if d in FLOAT_DTYPES]
    if floats:
        return max(floats, key=lambda d: np.dtype(d).itemsize)
    ints = [d for d in strong if d in INT_DTYPES]
    if ints:
        if float in weak:
            return config.floatx()
        return np.result_type(*ints).name if len(ints) > 1 else ints[0]
    # only bools among the strong types
    if float in weak:
        return config.floatx()
    if int in weak:
        return "int32"
    return "bool"
