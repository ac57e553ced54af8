"""``keras.backend``: the few helpers Keras 3 still exposes there."""

from nbkeras.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx
from nbkeras.dtypes import result_type, standardize_dtype
from nbkeras.keras_tensor import is_keras_tensor


def clear_session():
    """Forget the automatic names handed out so far: the next ``Dense`` is ``dense`` again,
    the next model ``sequential`` or ``functional`` (as ``keras.backend.clear_session``)."""
    from nbkeras.utils import naming

    naming.reset_names()


__all__ = [
    "clear_session",
    "epsilon",
    "floatx",
    "image_data_format",
    "is_keras_tensor",
    "result_type",
    "set_epsilon",
    "set_floatx",
    "standardize_dtype",
]
