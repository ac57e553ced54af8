"""``keras.saving``: so far only the config (de)serialization that layers, initializers,
regularizers and constraints share."""

from nbkeras.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
