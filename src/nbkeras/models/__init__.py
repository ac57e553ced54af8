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


__all__ = ["Model", "Sequential", "clone_model", "model_from_json"]
