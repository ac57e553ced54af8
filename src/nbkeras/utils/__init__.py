"""``keras.utils`` (to_categorical, normalize, pad_sequences) and nbkeras' own helpers: names,
source listings, gradient checks, the Keras reference loader.

The helpers load on first use: ``nbkeras.tensor`` needs ``utils.naming`` before ``ops`` exists,
and the gradient checker needs ``ops``.
"""

import importlib

_LAZY = {
    "check_gradients": "nbkeras.utils.gradient_check",
    "numerical_gradient": "nbkeras.utils.gradient_check",
    "show_source": "nbkeras.utils.source",
    "to_categorical": "nbkeras.utils.numerical_utils",
    "assert_matches_keras": "nbkeras.utils.keras_reference",
    "load_reference": "nbkeras.utils.keras_reference",
    "normalize": "nbkeras.utils.numerical_utils",
    "pad_sequences": "nbkeras.utils.sequence_utils",
    "set_random_seed": "nbkeras.random.seed_generator",
    "plot_model": "nbkeras.utils.model_visualization",
    "Progbar": "nbkeras.utils.progbar",
    "PyDataset": "nbkeras.trainers.data_adapters.py_dataset_adapter",
    "model_to_dot": "nbkeras.utils.model_visualization",
    "clear_session": "nbkeras.backend",
    "register_keras_serializable": "nbkeras.saving.object_registration",
    "custom_object_scope": "nbkeras.saving.object_registration",
    "CustomObjectScope": "nbkeras.saving.object_registration",
    "get_custom_objects": "nbkeras.saving.object_registration",
    "get_registered_name": "nbkeras.saving.object_registration",
    "get_registered_object": "nbkeras.saving.object_registration",
    "serialize_keras_object": "nbkeras.saving.serialization_lib",
    "deserialize_keras_object": "nbkeras.saving.serialization_lib",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name == "Sequence":  # Keras 2's name of PyDataset
        name = "PyDataset"
    if name == "load_reference":
        return importlib.import_module(_LAZY[name]).load
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nbkeras.utils' has no attribute {name!r}")
