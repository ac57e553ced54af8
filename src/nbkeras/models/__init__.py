"""``keras.models``: Model, Sequential, cloning, and models from JSON."""

import json

from nbkeras.models.cloning import clone_model
from nbkeras.models.functional import Functional
from nbkeras.models.model import Model
from nbkeras.models.sequential import Sequential


def model_classes():
    """The model classes a saved config may name (module ``keras``)."""
    return {"Model": Model, "Sequential": Sequential, "Functional": Functional}


def model_from_json(json_string, custom_objects=None):
    """The model whose configuration ``model.to_json()`` wrote (new weights)."""
    from nbkeras.saving import serialization_lib

    return serialization_lib.deserialize_keras_object(json.loads(json_string),
                                                      custom_objects=custom_objects)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved in ``filepath`` by ``model.save`` (``keras.models.load_model``): see
    ``nbkeras.saving.load_model``."""
    from nbkeras.saving import saving_api

    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """``keras.models.save_model``: see ``nbkeras.saving.save_model``."""
    from nbkeras.saving import saving_api

    return saving_api.save_model(model, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json",
           "save_model"]
