"""The ``.keras`` file: a zip of ``metadata.json``, ``config.json`` and ``model.weights.h5``.

- ``metadata.json``: the Keras version that wrote the file and the date;
- ``config.json``: ``serialize_keras_object(model)``, the architecture and the compile
  arguments (what ``model.to_json()`` gives);
- ``model.weights.h5``: every variable, written with h5py in Keras' layout.

The HDF5 layout follows the objects, not the layers' names. The model's own variables go in
``vars/``; then come its layers, in a group per layer named after the layer's *class* and its
position among the layers of the same class (``layers/dense``, ``layers/dense_1``), so that a
model whose layers were renamed still loads; then the layers' sub-layers under their attribute
names (``layers/bidirectional/forward_layer/cell``), and the optimizer in ``optimizer/``. In each
``vars/`` group the variables are datasets ``0``, ``1``, ... in the order of
``layer.save_own_variables`` (trainable ones first), and the group's attribute ``name`` keeps
the object's name. A ``.weights.h5`` file is the same HDF5 file on its own.

Keras finds the sub-objects by walking the attributes of each object in sorted order (public
names before private ones), skipping what every plain Layer has; this module does the same, so
a subclassed model's ``self.encoder`` lands at ``encoder/`` exactly as in Keras.

Unlike Keras, a save is atomic (``file_utils.atomic_write``): a failure mid-way leaves the
previous file as it was.
"""

import datetime
import io
import json
import os
import warnings
import zipfile

import numpy as np

from nbkeras.saving import file_utils, serialization_lib
from nbkeras.utils import naming

KERAS_VERSION = "3.15.1"
"""The Keras version nbkeras' files declare: the format they follow."""

_CONFIG_FILENAME = "config.json"
_METADATA_FILENAME = "metadata.json"
_VARS_FNAME_H5 = "model.weights.h5"


# -- the HDF5 store ------------------------------------------------------------------------------
class H5IOStore:
    """An HDF5 file (on disk or in memory) seen as ``vars/`` groups by object path.

    ``make(path, metadata)`` (write mode) and ``get(path)`` (read mode) return the store of one
    object: a mapping from ``"0"``, ``"1"``, ... to arrays."""

    def __init__(self, path_or_io, mode="r"):
        import h5py

        if mode not in ("r", "w"):
            raise ValueError(f"`mode` should be either 'w' or 'r'. Received: {mode}")
        self.mode = mode
        self.h5_file = h5py.File(path_or_io, mode=mode)

    def make(self, path, metadata=None):
        group = self.h5_file.create_group(f"{path}/vars" if path else "vars")
        for key, value in (metadata or {}).items():
            group.attrs[key] = value
        return _WriteEntry(group)

    def get(self, path):
        group_path = f"{path}/vars" if path else "vars"
        group = self.h5_file.get(group_path)
        return _ReadEntry(group, group_path)

    def close(self):
        self.h5_file.close()


class _WriteEntry:
    def __init__(self, group):
        self.group = group

    def __setitem__(self, key, value):
        self.group.create_dataset(key, data=np.asarray(value))

    def keys(self):
        return self.group.keys()

    def __len__(self):
        return len(self.group)


class _ReadEntry:
    """The datasets of one ``vars/`` group (an empty store when the file has no such group)."""

    def __init__(self, group, path):
        self.group = group
        self.path = path

    def keys(self):
        return [] if self.group is None else list(self.group.keys())

    def __len__(self):
        return len(self.keys())

    def __contains__(self, key):
        return self.group is not None and key in self.group

    def __getitem__(self, key):
        if self.group is None or key not in self.group:
            raise KeyError(f"the weights file has no dataset {self.path}/{key}")
        return np.asarray(self.group[key][()])


# -- which objects have state, and where -----------------------------------------------------------
def _is_saveable(obj):
    from nbkeras.layers.layer import Layer
    from nbkeras.optimizers.base_optimizer import BaseOptimizer

    return isinstance(obj, (Layer, BaseOptimizer))


_SKIPSETS = {}


def _skipset(obj):
    """The attributes the walk ignores: every attribute of a plain Layer (or optimizer), and the
    internal structures of nbkeras' models (Keras skips the same families of names)."""
    from nbkeras.layers.layer import Layer
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential
    from nbkeras.optimizers.base_optimizer import BaseOptimizer
    from nbkeras.trainers.trainer import Trainer

    kind = ("optimizer" if isinstance(obj, BaseOptimizer) else
            "sequential" if isinstance(obj, Sequential) else
            "functional" if isinstance(obj, Functional) else
            "model" if isinstance(obj, Trainer) else "layer")
    if kind not in _SKIPSETS:
        if kind == "optimizer":
            from nbkeras.optimizers.sgd import SGD

            skip = set(dir(SGD(1.0)))
        else:
            skip = set(dir(Layer()))
            if kind != "layer":
                bare = Trainer.__new__(Trainer)
                Trainer._init_trainer_state(bare)
                skip |= set(vars(bare)) - {"optimizer"}
            if kind == "sequential":
                skip |= {"_functional"}
            if kind == "functional":
                skip |= {"_inputs_struct", "_outputs_struct", "_inputs", "_outputs", "_graph",
                         "output_names", "operations", "_operations"}
        _SKIPSETS[kind] = frozenset(skip)
    return _SKIPSETS[kind]


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name  # private attributes come last


def _walk_saveable(obj):
    """``(attribute name, value)`` of each attribute that may hold state: a Sequential's or
    functional model's layers first, then the other attributes in Keras' order."""
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    if isinstance(obj, (Sequential, Functional)):
        yield "layers", obj.layers
    skip = _skipset(obj)
    for name in sorted(dir(obj), key=_name_key):
        if name.startswith("__") or name in skip:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = getattr(obj, name)
        except Exception:  # noqa: BLE001 - a property that cannot be read holds no state
            continue
        if _is_saveable(value) or isinstance(value, (list, tuple, dict)):
            yield name, value


def _unique_name(name, used_names):
    if name in used_names:
        used_names[name] += 1
        return f"{name}_{used_names[name]}"
    used_names[name] = 0
    return name


def _join(inner_path, name):
    return f"{inner_path}/{name}" if inner_path else name


def _container_items(container, inner_path, seen_containers):
    """``(path, item)`` of the saveables of a list, tuple or dict: named by snake-case class
    and position among those of the same class (``dense``, ``dense_1``), nested containers as
    ``container``, ``container_1``."""
    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    used_names = {}
    values = list(container.values()) if isinstance(container, dict) else list(container)
    for item in values:
        if _is_saveable(item):
            name = _unique_name(naming.to_snake_case(type(item).__name__), used_names)
            yield _join(inner_path, name), item
        elif isinstance(item, (list, tuple, dict)):
            name = _unique_name("container", used_names)
            yield from _container_items(item, _join(inner_path, name), seen_containers)


def _saveables(obj, inner_path="", visited=None, seen_containers=None):
    """Every object with state under ``obj`` with its path in the file, each once (the first
    path it is reached by), in Keras' order."""
    visited = set() if visited is None else visited
    seen_containers = set() if seen_containers is None else seen_containers
    if id(obj) in visited:
        return
    visited.add(id(obj))
    yield inner_path, obj
    for name, value in _walk_saveable(obj):
        path = _join(inner_path, name)
        if _is_saveable(value):
            yield from _saveables(value, path, visited, seen_containers)
        else:
            for item_path, item in _container_items(value, path, seen_containers):
                yield from _saveables(item, item_path, visited, seen_containers)


def weight_paths(model):
    """``{path in the HDF5 file: object}``, in the order they are written."""
    return dict(_saveables(model))


# -- saving --------------------------------------------------------------------------------------
def _save_state(model, store):
    for path, obj in _saveables(model):
        name = getattr(obj, "name", None)
        metadata = {"name": name} if isinstance(name, str) else None
        obj.save_own_variables(store.make(path, metadata=metadata))


def _load_state(model, store, skip_mismatch=False):
    """Load every object's variables; returns ``{object: error}`` for those that failed."""
    errors = {}
    for path, obj in _saveables(model):
        try:
            obj.load_own_variables(store.get(path))
        except Exception as error:  # noqa: BLE001 - gathered and reported together below
            errors[obj] = error
    return errors


def _raise_loading_failure(errors, warn_only=False):
    first, error = next(iter(errors.items()))
    message = (
        f"A total of {len(errors)} objects could not be loaded. Example error message for "
        f"object {first}:\n\n{error}\n\nList of objects that could not be loaded:\n"
        f"{list(errors)}"
    )
    if warn_only:
        warnings.warn(message, stacklevel=3)
    else:
        raise ValueError(message)


def _metadata_json():
    return json.dumps({
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    })


def _weights_bytes(model):
    buffer = io.BytesIO()
    store = H5IOStore(buffer, mode="w")
    try:
        _save_state(model, store)
    finally:
        store.close()
    return buffer.getvalue()


def save_model(model, filepath):
    """Write ``model`` to the ``.keras`` file ``filepath``, atomically."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid `filepath` argument: expected a `.keras` extension. "
            f"Received: filepath={filepath}"
        )
    if not model.built:
        warnings.warn(
            "You are saving a model that has not yet been built. It might not contain any "
            "weights yet. Consider building the model first by calling it on some data.",
            stacklevel=3)
    # Everything is computed before the file is opened: a failing get_config or
    # save_own_variables never gets as far as the disk.
    config_json = json.dumps(serialization_lib.serialize_keras_object(model))
    weights = _weights_bytes(model)
    with file_utils.atomic_write(filepath) as temporary:
        with zipfile.ZipFile(temporary, "w") as archive:
            archive.writestr(_METADATA_FILENAME, _metadata_json())
            archive.writestr(_CONFIG_FILENAME, config_json)
            archive.writestr(_VARS_FNAME_H5, weights)


def _open_keras_zip(filepath):
    """The ``.keras`` file's zip archive, or a ValueError saying what the file really is."""
    if not os.path.exists(filepath):
        raise ValueError(
            f"File not found: filepath={filepath}. Please ensure the file is an accessible "
            "`.keras` zip file."
        )
    if os.path.isdir(filepath):
        raise ValueError(f"filepath={filepath} is a folder, not a `.keras` zip file.")
    if not zipfile.is_zipfile(filepath):
        with open(filepath, "rb") as f:
            head = f.read(8)
        what = ("an HDF5 file (legacy Keras 2 model or weights?)" if head == b"\x89HDF\r\n\x1a\n"
                else "an empty file" if not head else "not a zip archive")
        raise ValueError(
            f"The file at filepath={filepath} is {what}: a `.keras` model file is a zip "
            "archive of config.json, metadata.json and model.weights.h5. It may be truncated "
            "or corrupt, or it is another kind of file renamed to `.keras`."
        )
    archive = zipfile.ZipFile(filepath, "r")
    if _CONFIG_FILENAME not in archive.namelist():
        members = archive.namelist()
        archive.close()
        raise ValueError(
            f"The zip file at filepath={filepath} has no {_CONFIG_FILENAME}, so it is not a "
            f"`.keras` model file. Its members: {members}"
        )
    return archive


def model_from_config_json(config_json, custom_objects=None, compile=True, safe_mode=True):
    """The model (with fresh weights) that ``config.json`` describes."""
    config = json.loads(config_json)
    if not compile:
        config["compile_config"] = None
    with serialization_lib.SafeModeScope(
            safe_mode if serialization_lib.in_safe_mode() is None
            else serialization_lib.in_safe_mode()):
        return serialization_lib.deserialize_keras_object(
            config, custom_objects=custom_objects, safe_mode=safe_mode)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model stored in the ``.keras`` file ``filepath``: rebuilt from config.json,
    compiled again from its compile config (``compile=True``), then given every saved
    variable, the optimizer's included."""
    filepath = os.fspath(filepath)
    with _open_keras_zip(filepath) as archive:
        config_json = archive.read(_CONFIG_FILENAME)
        model = model_from_config_json(config_json, custom_objects, compile, safe_mode)
        if _VARS_FNAME_H5 not in archive.namelist():
            raise ValueError(
                f"The file at filepath={filepath} has no {_VARS_FNAME_H5}: expected a "
                f"{_VARS_FNAME_H5} file next to {_CONFIG_FILENAME}."
            )
        store = H5IOStore(io.BytesIO(archive.read(_VARS_FNAME_H5)), mode="r")
        try:
            errors = _load_state(model, store)
        finally:
            store.close()
    if errors:
        _raise_loading_failure(errors)
    return model


def save_weights_only(model, filepath):
    """Write the variables of ``model`` (and of its optimizer) to a ``.weights.h5`` file."""
    filepath = os.fspath(filepath)
    if not model.built:
        raise ValueError(
            "You are saving a model that has not yet been built. Try building the model first "
            "by calling it on some data or by using `build()`."
        )
    weights = _weights_bytes(model)
    with file_utils.atomic_write(filepath) as temporary:
        with open(temporary, "wb") as f:
            f.write(weights)


def load_weights_only(model, filepath, skip_mismatch=False):
    """Load the variables of a ``.weights.h5`` or ``.keras`` file into ``model``."""
    filepath = os.fspath(filepath)
    if not model.built:
        raise ValueError(
            "You are loading weights into a model that has not yet been built. Try building "
            "the model first by calling it on some data or by using `build()`."
        )
    if filepath.endswith(".keras"):
        with _open_keras_zip(filepath) as archive:
            store = H5IOStore(io.BytesIO(archive.read(_VARS_FNAME_H5)), mode="r")
    else:
        if not os.path.exists(filepath):
            raise FileNotFoundError(
                f"Unable to load weights: no file at filepath={filepath}"
            )
        try:
            store = H5IOStore(filepath, mode="r")
        except OSError as error:
            raise ValueError(
                f"The file at filepath={filepath} is not an HDF5 weights file ({error})"
            ) from None
    try:
        errors = _load_state(model, store)
    finally:
        store.close()
    if errors:
        _raise_loading_failure(errors, warn_only=skip_mismatch)
