"""``keras.regularizers``: penalties on weights and activations added to the training loss.

String names follow Keras 3: ``"l1"`` is L1(0.01), ``"l2"`` is L2(0.01), and ``"l1l2"`` (or
``"L1L2"``) is L1L2() with both factors 0, i.e. no penalty. ``"l1_l2"`` is *not* a valid string
in Keras 3 (it was L1L2(0.01, 0.01) in Keras 2): ``get`` raises, naming the closest names. The
function-style names ``l1``, ``l2`` and ``l1_l2`` are the classes.
"""

from nbkeras.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer
from nbkeras.saving import serialization_lib

l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

ALL_OBJECTS_DICT = serialization_lib.name_table(
    (Regularizer, L1, L2, L1L2, OrthogonalRegularizer))


def serialize(regularizer):
    return serialization_lib.serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    return serialization_lib.deserialize_from_table(
        config, ALL_OBJECTS_DICT, custom_objects, kind="regularizer")


def get(identifier):
    """A regularizer from an instance, class, name or config; None stays None."""
    return serialization_lib.get_object(identifier, ALL_OBJECTS_DICT, "regularizer")
