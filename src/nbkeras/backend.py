"""``keras.backend``: the few helpers Keras 3 still exposes there."""

from nbkeras.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx
from nbkeras.dtypes import result_type, standardize_dtype

__all__ = [
    "epsilon",
    "floatx",
    "image_data_format",
    "result_type",
    "set_epsilon",
    "set_floatx",
    "standardize_dtype",
]
