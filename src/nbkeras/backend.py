"""``keras.backend``: the few helpers Keras 3 still exposes there."""

from nbkeras.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx
from nbkeras.dtypes import result_type, standardize_dtype
from nbkeras.keras_tensor import is_keras_tensor


def get_value(x):
    """Keras 2's ``K.get_value``: the value of a variable or tensor as NumPy (Keras 3 removed
    it: write ``keras.ops.convert_to_numpy(x)`` or ``x.numpy()``)."""
    from nbkeras import ops

    return ops.convert_to_numpy(x)


def set_value(x, value):
    """Keras 2's ``K.set_value``: assign ``value`` to the variable ``x`` (Keras 3 removed it:
    write ``x.assign(value)``)."""
    x.assign(value)


def clear_session():
    """Forget the automatic names handed out so far: the next ``Dense`` is ``dense`` again,
    the next model ``sequential`` or ``functional`` (as ``keras.backend.clear_session``)."""
    from nbkeras.utils import naming

    naming.reset_names()


__all__ = [
    "clear_session",
    "epsilon",
    "floatx",
    "get_value",
    "image_data_format",
    "is_keras_tensor",
    "result_type",
    "set_epsilon",
    "set_floatx",
    "set_value",
    "standardize_dtype",
]
