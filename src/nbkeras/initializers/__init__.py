"""``keras.initializers``: the functions that fill a new weight.

``get`` accepts an initializer, a class, a name (``"glorot_uniform"``, ``"GlorotUniform"``,
``"he_normal"``, ``"uniform"``, ...), a config dictionary, or an array (used as the value).
"""

import numpy as np

from nbkeras import dtypes
from nbkeras.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from nbkeras.initializers.initializer import Initializer
from nbkeras.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)
from nbkeras.saving import serialization_lib
from nbkeras.tensor import Tensor

ALL_OBJECTS_DICT = serialization_lib.name_table(
    (Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal,
     HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform,
     TruncatedNormal, VarianceScaling),
    aliases={"IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
             "normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros},
)

# Keras' lower-case function-style names are the classes themselves.
constant, identity, ones, zeros = Constant, Identity, Ones, Zeros
glorot_normal, glorot_uniform, he_normal, he_uniform = (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform)
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal, variance_scaling = (
    RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling)


def serialize(initializer):
    return serialization_lib.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    return serialization_lib.deserialize_from_table(
        config, ALL_OBJECTS_DICT, custom_objects, kind="initializer"
    )


def _from_array(value):
    expected = tuple(value.shape)

    def initialize(shape, dtype=None):
        if tuple(shape) != expected:
            raise ValueError(
                f"the initial value has shape {expected}, but the weight has shape {tuple(shape)}"
            )
        return Tensor(np.asarray(value).astype(dtypes.standardize_dtype(dtype)))

    return initialize


def get(identifier):
    """An initializer from ``identifier`` (see the module docstring); None stays None."""
    if isinstance(identifier, (Tensor, np.ndarray, np.generic)):
        return _from_array(identifier)
    return serialization_lib.get_object(identifier, ALL_OBJECTS_DICT, "initializer")
