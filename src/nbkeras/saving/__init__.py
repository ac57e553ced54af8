"""``keras.saving``: model files (``save_model`` / ``load_model``, ``.keras`` zips and
``.weights.h5`` files in Keras' layout), configs (``serialize_keras_object`` /
``deserialize_keras_object``) and the registration of custom objects that lets a config find
a user's class again."""

from nbkeras.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from nbkeras.saving.saving_api import load_model, load_weights, save_model, save_weights
from nbkeras.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
