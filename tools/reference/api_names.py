"""The public names of Keras 3.15's API modules, for the API-coverage appendix (chapter 17).

One case per module (``layers``, ``optimizers.schedules``, ...): every name ``dir()`` shows that
does not start with an underscore, with its kind (class, function, constant). Submodules (such as
``keras.ops.nn`` or ``keras.optimizers.legacy``) are recorded apart: their names are not part of
the table. No arrays: the family is names only.
"""

import importlib
import inspect
import types

from reference._recorder import Recorder

MODULES = [
    "layers",
    "losses",
    "metrics",
    "optimizers",
    "optimizers.schedules",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
    "callbacks",
    "models",
    "saving",
    "ops",
    "utils",
    "backend",
]


def _kind(value):
    if inspect.isclass(value):
        return "class"
    if callable(value):
        return "function"
    return "constant"


def build():
    rec = Recorder("api_names")
    for module_name in MODULES:
        module = importlib.import_module(f"keras.{module_name}")
        names, submodules = [], []
        for name in sorted(n for n in dir(module) if not n.startswith("_")):
            value = getattr(module, name)
            if isinstance(value, types.ModuleType):
                submodules.append(name)
            else:
                names.append({"name": name, "kind": _kind(value)})
        rec.add(module_name, names=names, submodules=submodules)
    return rec
