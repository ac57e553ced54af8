"""``keras.optimizers``: the optimizers, their lookup by name, and learning-rate schedules."""

import difflib

from nbkeras.optimizers import schedules
from nbkeras.optimizers.adadelta import Adadelta
from nbkeras.optimizers.adafactor import Adafactor
from nbkeras.optimizers.adagrad import Adagrad
from nbkeras.optimizers.adam import Adam
from nbkeras.optimizers.adamax import Adamax
from nbkeras.optimizers.adamw import AdamW
from nbkeras.optimizers.base_optimizer import BaseOptimizer
from nbkeras.optimizers.ftrl import Ftrl
from nbkeras.optimizers.lion import Lion
from nbkeras.optimizers.nadam import Nadam
from nbkeras.optimizers.rmsprop import RMSprop
from nbkeras.optimizers.sgd import SGD

Optimizer = BaseOptimizer

ALL_OBJECTS = (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam, AdamW, Lion,
               Ftrl, Adafactor)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}
"""Names that ``get`` and ``deserialize`` accept, lower case ("sgd", "rmsprop", "adam", ...)."""


# Names that tutorials use for optimizers Keras has no name for, and what to write instead.
_BLOG_NAMES = {
    "sgdm": "SGD with momentum has no name of its own: pass "
            "keras.optimizers.SGD(learning_rate=0.01, momentum=0.9).",
    "nag": "Nesterov's accelerated gradient has no name of its own: pass "
           "keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True).",
}


def serialize(optimizer):
    """``{"module", "class_name", "config", "registered_name"}``, as Keras writes it."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """The optimizer a ``serialize`` dict describes; class names match case-insensitively."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret optimizer config {config!r}: expected a dict "
                         "with 'class_name' and 'config'")
    name = config["class_name"]
    custom = dict(custom_objects or {})
    if name in custom:
        cls = custom[name]
    elif name.lower() in ALL_OBJECTS_DICT:
        cls = ALL_OBJECTS_DICT[name.lower()]
    else:
        close = difflib.get_close_matches(name.lower(), list(ALL_OBJECTS_DICT), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        if name.lower() in _BLOG_NAMES:
            hint = f" {_BLOG_NAMES[name.lower()]}"
        raise ValueError(f"Could not interpret optimizer identifier: {name!r}.{hint} Known "
                         f"optimizers: {', '.join(sorted(ALL_OBJECTS_DICT))}")
    return cls.from_config(dict(config.get("config", {})), custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name ("adam"), a ``serialize`` dict, or an optimizer (returned as
    is); None gives None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        optimizer = deserialize(identifier)
    elif isinstance(identifier, str):
        optimizer = deserialize({"class_name": identifier, "config": {}})
    else:
        optimizer = identifier
    if isinstance(optimizer, Optimizer):
        return optimizer
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


__all__ = ["Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion",
           "Nadam", "Optimizer", "RMSprop", "SGD", "deserialize", "get", "schedules",
           "serialize"]
