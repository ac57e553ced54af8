"""``keras.constraints``: MaxNorm, NonNeg, UnitNorm, MinMaxNorm and ``get``.

Names: the class names and their snake-case forms (``"max_norm"``, ``"non_neg"``,
``"unit_norm"``, ``"min_max_norm"``); the lower-case function-style names are the classes.
"""

from nbkeras.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from nbkeras.saving import serialization_lib

max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

ALL_OBJECTS_DICT = serialization_lib.name_table(
    (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm))


def serialize(constraint):
    return serialization_lib.serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    return serialization_lib.deserialize_from_table(
        config, ALL_OBJECTS_DICT, custom_objects, kind="constraint")


def get(identifier):
    """A constraint from an instance, class, name or config; None stays None."""
    return serialization_lib.get_object(identifier, ALL_OBJECTS_DICT, "constraint")
