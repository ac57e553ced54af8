"""``keras.saving``: configs (``serialize_keras_object`` / ``deserialize_keras_object``) and
the registration of custom objects that lets a config find a user's class again."""

from nbkeras.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from nbkeras.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
