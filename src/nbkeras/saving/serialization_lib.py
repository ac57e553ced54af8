"""Configs as Keras writes them: ``{"module", "class_name", "config", "registered_name"}``.

``serialize_keras_object(GlorotUniform(seed=1))`` gives the same dictionary as Keras, so a layer's
``get_config()`` can be compared with Keras' and fed back to ``from_config``. Unknown names raise a
ValueError that lists the closest valid names.
"""

import inspect

from nbkeras.utils import identifiers

_PLAIN = (str, int, float, bool, type(None))


def serialize_keras_object(obj):
    """A JSON-friendly description of ``obj`` (plain values pass through)."""
    if isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if hasattr(obj, "get_config"):
        cls = type(obj)
        return {
            "module": getattr(cls, "_keras_module", cls.__module__),
            "class_name": cls.__name__,
            "config": serialize_keras_object(obj.get_config()),
            "registered_name": None,
        }
    raise TypeError(f"cannot serialize {obj!r} (of type {type(obj).__name__}): no get_config()")


def lookup(name, objects, kind):
    """``objects[name]``, or a ValueError naming the closest valid names."""
    if name in objects:
        return objects[name]
    raise identifiers.unknown_identifier(kind, name, objects)


def deserialize_keras_object(config, module_objects, custom_objects=None, kind="object"):
    """Rebuild an object from ``serialize_keras_object``'s dictionary (or from a bare name)."""
    if config is None:
        return None
    objects = {**module_objects, **(custom_objects or {})}
    if isinstance(config, str):
        found = lookup(config, objects, kind)
        return found() if inspect.isclass(found) else found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret {kind} config: {config!r}")
    cls = lookup(config["class_name"], objects, kind)
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
        found = deserialize_keras_object(identifier, objects, kind=kind)
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
