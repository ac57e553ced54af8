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
    """``serialize_keras_object(layer)`` plus Keras' ``build_config`` when the layer is built:
    the shape it was built with, batch size included, as Keras records it."""
    config = serialization_lib.serialize_keras_object(layer)
    shape = getattr(layer, "_build_config_shape", None) or layer._build_input_shape
    if layer.built and shape is not None:
        config["build_config"] = {"input_shape": list(shape)}
    return config


def deserialize_layer(config, custom_objects=None):
    """The layer described by ``serialize_layer``'s dictionary, built if it was."""
    from nbkeras import layers

    classes = {name: value for name, value in vars(layers).items()
               if isinstance(value, type) and issubclass(value, Layer)}
    layer = serialization_lib.deserialize_keras_object(config, classes, custom_objects,
                                                       kind="layer")
    build_config = config.get("build_config") if isinstance(config, dict) else None
    if build_config and build_config.get("input_shape") is not None and not layer.built:
        layer.build(tuple(build_config["input_shape"]))
        layer._build_config_shape = tuple(build_config["input_shape"])
    return layer


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
            self.layer._build_config_shape = tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)
