"""``Wrapper``: the base of the layers that wrap another layer (SpectralNormalization, and
Keras' TimeDistributed and Bidirectional).

The wrapped layer is a sub-layer: its weights are the wrapper's too, and building the wrapper
builds it. The config holds the wrapped layer's own serialized config (with the shape it was
built for, as Keras writes it), and ``from_config`` rebuilds it by class name from
``nbkeras.layers`` (or ``custom_objects``).
"""

from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


def serialize_layer(layer):
    """``serialize_keras_object(layer)``: with Keras' ``build_config`` (the shape it was built
    with, batch size included) once the layer is built."""
    return serialization_lib.serialize_keras_object(layer)


def deserialize_layer(config, custom_objects=None):
    """The layer described by ``serialize_layer``'s dictionary, built if it was."""
    return serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects)


class Wrapper(Layer):
    """Abstract wrapper of ``layer`` (``keras.layers.Wrapper``); subclasses write ``call``."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer!r} supplied to Wrapper isn't a supported layer type: expected "
                f"an instance of keras.layers.Layer, got {type(layer).__name__}"
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)

    def get_config(self):
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)
