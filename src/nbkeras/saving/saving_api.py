"""``keras.saving.save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``: the file
extension decides the format, then ``saving_lib`` reads or writes it."""

import os

from nbkeras.saving import file_utils, saving_lib


def _path(filepath):
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(
            f"filepath must be a str or a path (pathlib.Path); got {filepath!r} (of type "
            f"{type(filepath).__name__})"
        ) from None


def _proceed(filepath, overwrite):
    return overwrite or not os.path.exists(filepath) or \
        file_utils.ask_to_proceed_with_overwrite(filepath)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save ``model`` as a ``.keras`` file: its architecture (config.json), its weights and
    its optimizer's state (model.weights.h5), and the compile arguments, so that
    ``load_model`` gives back the model in the same state.

    ``overwrite``: replace an existing file without asking (False: ask on stdin, as Keras
    does). ``zipped`` must be True or None (nbkeras writes only the zip). Unlike Keras, the
    save is atomic: if it fails, an existing file at ``filepath`` is left as it was.
    """
    filepath = _path(filepath)
    kwargs.pop("include_optimizer", None)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if zipped is False:
        raise ValueError(
            "zipped=False (a folder instead of a zip) is not supported by nbkeras; save to a "
            f"`.keras` file. Received: filepath={filepath}"
        )
    if save_format and not filepath.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(
            "The `save_format` argument is deprecated in Keras 3. Please remove this argument "
            "and pass a file path with either `.keras` or `.h5` extension."
            f"Received: save_format={save_format}"
        )
    if filepath.endswith((".h5", ".hdf5")):
        raise ValueError(
            "Saving in the legacy HDF5 model format (`.h5`) is not supported by nbkeras: save "
            "to a `.keras` file (the native Keras 3 format), or save the weights alone with "
            f"model.save_weights('....weights.h5'). Received: filepath={filepath}"
        )
    if not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension "
            "for the native Keras format (recommended) or a `.h5` extension. Use "
            "`model.export(filepath)` if you want to export a SavedModel for use with "
            f"TFLite/TFServing/etc. Received: filepath={filepath}."
        )
    if not _proceed(filepath, overwrite):
        return
    saving_lib.save_model(model, filepath)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved in ``filepath`` (a ``.keras`` file).

    ``custom_objects``: ``{name: class or function}`` for the user's own layers, losses and
    metrics that the file names (registered objects and a ``custom_object_scope`` are found
    without it); ``compile``: compile the model again with the saved compile arguments and
    restore the optimizer's state; ``safe_mode``: refuse to load a ``Lambda`` layer's Python
    code (set False only for files you trust).
    """
    filepath = _path(filepath)
    if filepath.endswith(".keras"):
        return saving_lib.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                     safe_mode=safe_mode)
    if filepath.endswith((".h5", ".hdf5")):
        from nbkeras.saving import legacy_h5

        return legacy_h5.load_model_from_hdf5(filepath, custom_objects=custom_objects,
                                              compile=compile, safe_mode=safe_mode)
    raise ValueError(
        f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` "
        "files, legacy H5 format files (`.h5` extension). Note that the legacy SavedModel "
        "format is not supported by `load_model()` in Keras 3."
    )


def save_weights(model, filepath, overwrite=True, max_shard_size=None, **kwargs):
    """Save the model's variables (and its optimizer's) to a ``.weights.h5`` file, in Keras'
    HDF5 layout. Atomic, like ``save_model``."""
    filepath = _path(filepath)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if max_shard_size is not None:
        raise ValueError("max_shard_size (sharded weights) is not supported by nbkeras")
    if not filepath.endswith(".weights.h5"):
        raise ValueError(
            f"The filename must end in `.weights.h5`. Received: filepath={filepath}"
        )
    if not _proceed(filepath, overwrite):
        return
    saving_lib.save_weights_only(model, filepath)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load variables saved by ``save_weights`` (``.weights.h5``) or ``save`` (``.keras``).

    ``skip_mismatch``: layers whose variables do not fit (another count or shape) keep their
    own weights and a warning lists them; otherwise they raise a ValueError."""
    filepath = _path(filepath)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if filepath.endswith((".keras", ".weights.h5")):
        return saving_lib.load_weights_only(model, filepath, skip_mismatch=skip_mismatch)
    if filepath.endswith((".h5", ".hdf5")):
        from nbkeras.saving import legacy_h5

        return legacy_h5.load_weights_from_hdf5(model, filepath, skip_mismatch=skip_mismatch)
    raise ValueError(
        f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` "
        "files, `.weights.h5` files, legacy H5 format files (`.h5` extension), or Orbax "
        "checkpoints."
    )
