"""``keras.activations``: the activation functions, and ``get``/``serialize``/``deserialize``
to refer to them by name (``Dense(4, activation="relu")``)."""

import types

from nbkeras.activations.activations import (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)
from nbkeras.utils.identifiers import lookup

_FUNCTIONS = (
    celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_silu, hard_tanh,
    leaky_relu, linear, log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu,
    soft_shrink, softmax, softplus, softsign, sparse_plus, sparse_sigmoid, sparsemax, squareplus,
    tanh, tanh_shrink, threshold,
)
ALL_OBJECTS_DICT = {f.__name__: f for f in _FUNCTIONS}
"""Every activation by name, with Keras' aliases ``swish`` (silu) and ``hard_swish``."""
ALL_OBJECTS_DICT.update(swish=silu, hard_swish=hard_silu)


def serialize(activation):
    """The name of a built-in activation (``swish`` gives ``"silu"``, its function's name), or
    a config dict for an object with ``get_config``."""
    if isinstance(activation, types.FunctionType):
        name = activation.__name__
        if ALL_OBJECTS_DICT.get(name) is activation:
            return name
        raise ValueError(
            f"activations.serialize: {activation!r} is not a built-in activation; pass it by "
            "object, or give deserialize a custom_objects dict that names it"
        )
    if hasattr(activation, "get_config"):
        kind = type(activation)
        return {"module": kind.__module__, "class_name": kind.__name__,
                "config": activation.get_config(), "registered_name": kind.__name__}
    raise ValueError(f"activations.serialize: cannot serialize {activation!r}")


def deserialize(config, custom_objects=None):
    """The activation a name or config dict refers to; ``custom_objects`` maps extra names."""
    if isinstance(config, str):
        return lookup("activation function", config, ALL_OBJECTS_DICT, custom_objects)
    if isinstance(config, dict) and "class_name" in config:
        if config["class_name"] == "function":
            return lookup("activation function", config["config"], ALL_OBJECTS_DICT,
                          custom_objects)
        kind = lookup("activation function", config["class_name"], {}, custom_objects)
        settings = config.get("config") or {}
        return kind.from_config(settings) if hasattr(kind, "from_config") else kind(**settings)
    raise ValueError(
        f"activations.deserialize: expected a name or a dict with 'class_name', got {config!r}"
    )


def get(identifier):
    """The activation ``identifier`` refers to: None gives ``linear``, a string or config dict
    is looked up, a callable is returned as it is. An unknown name raises ValueError listing the
    closest valid names."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")
