"""Configs as Keras writes them: ``{"module", "class_name", "config", "registered_name"}``.

``serialize_keras_object(GlorotUniform(seed=1))`` gives the same dictionary as Keras, so a layer's
``get_config()`` can be compared with Keras' and fed back to ``from_config``. A built layer's
entry also carries ``build_config`` (the shape it was built for) and a model's its
``compile_config``. ``deserialize_keras_object`` inverts it: Keras' own classes are found by
``module`` and ``class_name`` (``"keras.layers"`` / ``"Dense"``), a user's through the custom
objects (``saving.object_registration``). Unknown names raise a ValueError that lists the
closest valid names.
"""

import importlib
import inspect

import numpy as np

from nbkeras.saving import object_registration
from nbkeras.tensor import Tensor
from nbkeras.utils import identifiers

_PLAIN = (str, int, float, bool, type(None))
_TOP_LEVEL_BASES = {"Layer", "Loss", "Metric", "Initializer"}


def _public_entry(cls):
    """``(module, registered_name)`` of a class: Keras' public module for nbkeras' own
    classes (``_keras_module``), the class's own module and registered name for a user's
    (module None for a class defined in ``__main__``, as Keras writes it)."""
    if cls.__module__.startswith("nbkeras.") and hasattr(cls, "_keras_module"):
        if cls.__name__ in _TOP_LEVEL_BASES and "_keras_module" in cls.__dict__:
            return "keras", None  # keras.Layer, keras.Loss, ...: Keras writes module "keras"
        return cls._keras_module, getattr(cls, "_keras_registered_name", None)
    module = None if cls.__module__ == "__main__" else cls.__module__
    return module, object_registration.get_registered_name(cls)


def serialize_keras_object(obj):
    """A JSON-friendly description of ``obj`` (plain values pass through)."""
    from nbkeras.keras_tensor import KerasTensor

    if isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, KerasTensor):
        history = getattr(obj, "_keras_history", None)
        if history is not None:
            history = [history.operation.name, history.node_index, history.tensor_index]
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(obj.shape), "dtype": obj.dtype,
                           "keras_history": history}}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (np.generic, np.ndarray)):
        return obj.item()
    if isinstance(obj, Tensor):  # a constant in a graph step's arguments
        return {"class_name": "__tensor__",
                "config": {"value": obj._value.tolist(), "dtype": obj.dtype}}
    if isinstance(obj, slice):  # a key of x[...]
        return {"class_name": "__slice__",
                "config": {"start": serialize_keras_object(obj.start),
                           "stop": serialize_keras_object(obj.stop),
                           "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if hasattr(obj, "get_config"):
        cls = type(obj)
        module, registered_name = _public_entry(cls)
        config = {
            "module": module,
            # Keras' public name where it differs (GroupQueryAttention)
            "class_name": cls.__dict__.get("_keras_class_name", cls.__name__),
            "config": serialize_keras_object(obj.get_config()),
            "registered_name": registered_name,
        }
        build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
        if build_config is not None:
            config["build_config"] = serialize_keras_object(build_config)
        if hasattr(obj, "get_compile_config"):
            config["compile_config"] = serialize_keras_object(obj.get_compile_config())
        return config
    if inspect.isfunction(obj) and obj.__name__ != "<lambda>":
        return {"module": obj.__module__, "class_name": "function",
                "config": object_registration.get_registered_name(obj),
                "registered_name": object_registration.get_registered_name(obj)}
    raise TypeError(f"cannot serialize {obj!r} (of type {type(obj).__name__}): no get_config()")


# Where Keras' public modules live in nbkeras: the module of a config names one of these, and
# its class is looked up in that table.
_MODULE_TABLES = {
    "keras.layers": ("nbkeras.layers", "layer_classes"),
    "keras": ("nbkeras.saving.serialization_lib", "_top_level_classes"),
    "keras.models": ("nbkeras.models", "model_classes"),
    "keras.src.models.functional": ("nbkeras.models", "model_classes"),
    "keras.src.models.sequential": ("nbkeras.models", "model_classes"),
    "keras.initializers": ("nbkeras.initializers", "ALL_OBJECTS_DICT"),
    "keras.regularizers": ("nbkeras.regularizers", "ALL_OBJECTS_DICT"),
    "keras.constraints": ("nbkeras.constraints", "ALL_OBJECTS_DICT"),
    "keras.losses": ("nbkeras.losses", "ALL_OBJECTS_DICT"),
    "keras.metrics": ("nbkeras.metrics", "ALL_OBJECTS_DICT"),
    "keras.optimizers": ("nbkeras.optimizers", "ALL_OBJECTS_DICT"),
    "keras.optimizers.schedules": ("nbkeras.optimizers.schedules.learning_rate_schedule",
                                   "SCHEDULES"),
    # the steps that keras.ops record in a functional graph (``ops/operation.py``)
    "keras.src.ops.numpy": ("nbkeras.ops.operation", "operation_classes"),
    "keras.src.ops.nn": ("nbkeras.ops.operation", "operation_classes"),
    "keras.src.ops.math": ("nbkeras.ops.operation", "operation_classes"),
    "keras.src.ops.core": ("nbkeras.ops.operation", "operation_classes"),
}


class UnknownObjectError(ValueError, TypeError):
    """A config names a class or function that cannot be found. A ValueError (bad input) and
    also a TypeError, which is what Keras raises, so code written for either catches it."""


def _top_level_classes():
    """The classes Keras' configs place in module ``keras``: the models, and the base classes
    exported at the top level (``keras.Layer``, ``keras.Loss``, ...)."""
    from nbkeras import initializers, layers, losses, metrics, models

    return {**models.model_classes(), "Layer": layers.Layer, "InputSpec": layers.InputSpec,
            "Loss": losses.Loss, "Metric": metrics.Metric,
            "Initializer": initializers.Initializer}


def _module_table(module):
    if module not in _MODULE_TABLES:
        return {}
    package, attribute = _MODULE_TABLES[module]
    table = getattr(importlib.import_module(package), attribute)
    return table() if callable(table) else table


def _all_known_objects():
    table = {}
    for module in _MODULE_TABLES:
        if not module.startswith("keras.src.ops."):  # (ops' steps: found by module only, so
            table.update(_module_table(module))    # that Concatenate stays the layer)
    return table


def _locate_class(config, custom_objects):
    class_name = config["class_name"]
    registered_name = config.get("registered_name") or class_name
    found = (object_registration.get_registered_object(registered_name, custom_objects)
             or object_registration.get_registered_object(class_name, custom_objects))
    if found is not None:
        return found
    module = config.get("module")
    table = _module_table(module)
    if module == "keras.optimizers":  # optimizer classes match in any case ("adam")
        table = {**table, **{cls.__name__: cls for cls in table.values()}}
    if class_name in table:
        return table[class_name]
    known = _all_known_objects()
    if module not in _MODULE_TABLES and class_name in known:
        return known[class_name]
    raise UnknownObjectError(
        f"Could not locate class {class_name!r} (module {module!r}). A class of your own "
        "must be passed in `custom_objects={...}`, entered with "
        "`keras.saving.custom_object_scope({...})`, or decorated with "
        "`@keras.saving.register_keras_serializable()`. Full object config: "
        f"{config}"
    )


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuild the object ``serialize_keras_object`` described: a class from its module (or
    ``custom_objects``, a custom object scope, or the registered objects) made with
    ``from_config``, then built from its ``build_config``; plain values, lists and dicts pass
    through with their contents deserialized."""
    from nbkeras.keras_tensor import KerasTensor

    if kwargs:
        raise ValueError(f"deserialize_keras_object: unknown arguments {sorted(kwargs)}")
    if isinstance(config, _PLAIN):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects, safe_mode) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode)
                for k, v in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__keras_tensor__":
        tensor = KerasTensor(inner["shape"], dtype=inner["dtype"])
        tensor._pre_serialization_keras_history = inner["keras_history"]
        return tensor
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tensor__":
        return Tensor(np.array(inner["value"], dtype=inner["dtype"]))
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner[k], custom_objects, safe_mode)
                       for k in ("start", "stop", "step")))
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "function":
        name = config.get("registered_name") or inner
        found = (object_registration.get_registered_object(name, custom_objects)
                 or object_registration.get_registered_object(inner, custom_objects))
        if found is None:
            module = config.get("module")
            if module and module.startswith("keras."):
                found = _function_table(module).get(inner)
        if found is None:
            raise UnknownObjectError(
                f"Could not locate function {inner!r}. Make sure custom classes and functions "
                "are decorated with `@keras.saving.register_keras_serializable()`, or pass "
                "them in `custom_objects`."
            )
        return found
    cls = _locate_class(config, custom_objects)
    # an outer setting (a scope, enable_unsafe_deserialization) wins over the argument
    scope_setting = in_safe_mode()
    # the custom objects stay known inside: a custom layer's from_config, or the compile
    # config's custom loss, deserializes more objects without being passed them
    with SafeModeScope(safe_mode if scope_setting is None else scope_setting), \
            object_registration.CustomObjectScope(custom_objects):
        if hasattr(cls, "from_config"):
            parameters = inspect.signature(cls.from_config).parameters
            if "custom_objects" in parameters:
                obj = cls.from_config(inner, custom_objects=custom_objects)
            else:
                obj = cls.from_config(inner)
        else:
            obj = cls(**inner)
        if config.get("build_config") and hasattr(obj, "build_from_config"):
            obj.build_from_config(config["build_config"])
        if config.get("compile_config") and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(config["compile_config"])
    return obj


def _function_table(module):
    if module == "keras.losses":
        from nbkeras import losses
        return losses.ALL_OBJECTS_DICT
    if module == "keras.metrics":
        from nbkeras import metrics
        return {**metrics.ALL_OBJECTS_DICT, **metrics._FUNCTIONS}
    if module == "keras.activations":
        from nbkeras import activations
        return {name: getattr(activations, name) for name in dir(activations)}
    return {}


def lookup(name, objects, kind):
    """``objects[name]``, or a ValueError naming the closest valid names."""
    if name in objects:
        return objects[name]
    raise identifiers.unknown_identifier(kind, name, objects)


def deserialize_from_table(config, module_objects, custom_objects=None, kind="object"):
    """Rebuild an object of one family (``module_objects``: its names) from
    ``serialize_keras_object``'s dictionary or from a bare name; what ``initializers``,
    ``regularizers``, ``constraints`` and ``metrics`` ``deserialize`` use."""
    if config is None:
        return None
    objects = {**module_objects, **object_registration.scope_objects(),
               **(custom_objects or {})}
    if isinstance(config, str):
        found = lookup(config, objects, kind)
        return found() if inspect.isclass(found) else found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret {kind} config: {config!r}")
    name = config.get("registered_name") or config["class_name"]
    found = object_registration.get_registered_object(name, custom_objects)
    cls = found if found is not None else lookup(config["class_name"], objects, kind)
    inner = config.get("config") or {}
    return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)


def name_table(classes, aliases=None):
    """Every name a family's ``get`` accepts: class names, their snake-case forms, aliases."""
    from nbkeras.utils.naming import to_snake_case

    table = {cls.__name__: cls for cls in classes}
    table.update({to_snake_case(cls.__name__): cls for cls in classes})
    table.update(aliases or {})
    return table


def get_object(identifier, objects, kind):
    """What ``initializers.get``, ``regularizers.get`` and ``constraints.get`` return: None for
    None, an instance for a name, class or config, and any other callable unchanged."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        found = deserialize_from_table(identifier, objects, kind=kind)
    else:
        found = identifier
    if inspect.isclass(found):
        found = found()
    if not callable(found):
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")
    return found


# -- safe mode -----------------------------------------------------------------------------------
# Deserializing a Python lambda runs bytecode from the file, so Keras refuses it unless safe mode
# is off: for one load (``safe_mode=False``, which enters ``SafeModeScope(False)``) or for the
# whole process (``keras.config.enable_unsafe_deserialization()``). None means "not set", which
# the loaders treat as safe.

_safe_mode = None


def in_safe_mode():
    """The safe-mode setting in force: True, False, or None when nothing has set it."""
    return _safe_mode


class SafeModeScope:
    """``with SafeModeScope(False):`` lets the deserializations inside it load lambdas; the
    previous setting comes back on exit (scopes nest)."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        global _safe_mode
        self.original_value = _safe_mode
        _safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc_info):
        global _safe_mode
        _safe_mode = self.original_value
        return False


def enable_unsafe_deserialization():
    """Turn safe mode off for the rest of the process (``keras.config``'s function)."""
    global _safe_mode
    _safe_mode = False
