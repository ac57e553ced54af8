"""A minimal private ``Wrapper`` base (a layer that wraps another) and layer (de)serialization.

``TimeDistributed`` derives from Keras' ``Wrapper``; this branch of nbkeras has no public
``keras.layers.Wrapper`` yet, so this module holds the few lines it needs. ``Bidirectional`` and
``RNN.from_config`` rebuild the layers and cells they hold from their configs with
``deserialize_layer``.
"""

import copy

from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


def deserialize_layer(config, custom_objects=None):
    """A layer (or cell) rebuilt from ``serialize_keras_object``'s dictionary; its class is
    looked up in ``nbkeras.layers`` (or ``custom_objects``). A layer object passes through."""
    if isinstance(config, Layer) or config is None:
        return config
    import nbkeras.layers

    objects = {name: obj for name, obj in vars(nbkeras.layers).items()
               if isinstance(obj, type) and issubclass(obj, Layer)}
    return serialization_lib.deserialize_keras_object(
        copy.deepcopy(config), objects, custom_objects, kind="layer")


def clone_layer(layer, **overrides):
    """A fresh, unbuilt copy of ``layer`` from its config, with some config entries replaced."""
    config = {**layer.get_config(), **overrides}
    return type(layer).from_config(config)


class Wrapper(Layer):
    """A layer that wraps ``layer`` and calls it in some way (``keras.layers.Wrapper``)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please "
                "ensure wrapped layer is a valid Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True

    def get_config(self):
        config = {"layer": serialization_lib.serialize_keras_object(self.layer)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)
