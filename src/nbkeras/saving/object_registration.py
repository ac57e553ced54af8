"""Custom objects: how a saved config finds a user's class or function again.

A config names a class by ``class_name`` (and ``registered_name``). Keras' own classes are
found by name in their module; a user's class must be made known, in one of three ways:

- ``@register_keras_serializable(package="mine")`` records it for good under
  ``"mine>ClassName"``, the name its configs carry from then on;
- ``custom_objects={"ClassName": ClassName}`` passed to the loading function;
- ``with custom_object_scope({"ClassName": ClassName}):`` around the loading code.
"""

import inspect

_GLOBAL_CUSTOM_OBJECTS = {}
"""Registered objects by registered name (``"package>name"``)."""
_GLOBAL_CUSTOM_NAMES = {}
"""The registered name of each registered object."""
_scope_objects = [{}]
"""The custom objects of the innermost ``custom_object_scope`` (the last entry)."""


class CustomObjectScope:
    """Within ``with CustomObjectScope(objects):``, deserialization also finds the objects of
    the ``{name: object}`` dict ``objects`` (``keras.saving.custom_object_scope``)."""

    def __init__(self, custom_objects):
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise TypeError(
                f"custom_object_scope expects a dict {{name: object}}; got "
                f"custom_objects={custom_objects!r}"
            )
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _scope_objects.append({**_scope_objects[-1], **self.custom_objects})
        return self

    def __exit__(self, *exc_info):
        _scope_objects.pop()
        return False


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The live dictionary of registered objects (``{"package>name": object}``)."""
    return _GLOBAL_CUSTOM_OBJECTS


def scope_objects():
    """The objects of the custom object scopes currently entered."""
    return _scope_objects[-1]


def register_keras_serializable(package="Custom", name=None):
    """A decorator that registers a class or function as ``"package>name"`` (``name`` defaults
    to its ``__name__``), so that configs that name it deserialize without custom_objects.
    A class must have ``get_config``."""

    def decorator(obj):
        registered_name = f"{package}>{name if name is not None else obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj.__name__}: a class needs a get_config() method to be "
                "serializable"
            )
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj

    return decorator


def get_registered_name(obj):
    """The name ``obj`` was registered under, or its ``__name__`` when it was not."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object called ``name``: first in ``custom_objects``, then in the custom object
    scopes, then among the registered objects, then in ``module_objects``; None if absent."""
    for table in (custom_objects, scope_objects(), _GLOBAL_CUSTOM_OBJECTS, module_objects):
        if table and name in table:
            return table[name]
    return None
