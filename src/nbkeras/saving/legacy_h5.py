"""Reading Keras 2's single-file HDF5 format (``model.save("model.h5")``, ``save_weights`` to
``.h5``), which Keras 3 still reads and writes as a legacy format.

The file's attributes hold the architecture (``model_config``, JSON) and the compile arguments
(``training_config``); the group ``model_weights`` has one group per layer, **by layer name**,
whose attribute ``weight_names`` lists the layer's weights in order (``dense/kernel:0`` in
Keras 2, ``model/dense/kernel`` in Keras 3); ``optimizer_weights`` lists the optimizer's. The
layers with weights are matched with the file's in order, as Keras does. nbkeras reads this
format; it writes only ``.keras`` and ``.weights.h5``.
"""

import inspect
import json
import os
import warnings

import numpy as np

from nbkeras.saving import object_registration, serialization_lib


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _names(attribute):
    return [_text(v) for v in np.asarray(attribute).ravel()] if len(attribute) else []


def _legacy_config(config):
    """A Keras 2 config in Keras 3's terms: ``batch_input_shape`` becomes the InputLayer's
    ``batch_shape``; a Sequential model whose first layer carried it gets that InputLayer."""
    if isinstance(config, list):
        return [_legacy_config(item) for item in config]
    if not isinstance(config, dict):
        return config
    config = {key: _legacy_config(value) for key, value in config.items()}
    inner = config.get("config")
    if not isinstance(inner, dict):
        return config
    if config.get("class_name") == "InputLayer" and "batch_input_shape" in inner:
        inner.setdefault("batch_shape", inner.pop("batch_input_shape"))
    layers = inner.get("layers")
    if config.get("class_name") == "Sequential" and isinstance(layers, list) and layers:
        first = layers[0].get("config", {})
        if layers[0].get("class_name") != "InputLayer" and "batch_input_shape" in first:
            layers.insert(0, {"class_name": "InputLayer", "config": {
                "batch_shape": first["batch_input_shape"], "dtype": first.get("dtype")}})
        for layer in layers[1:]:  # the InputLayer has the shape: the others drop their copy
            layer.get("config", {}).pop("batch_input_shape", None)
    return config


def _open(filepath):
    import h5py

    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}.")
    try:
        return h5py.File(filepath, "r")
    except OSError as error:
        raise ValueError(
            f"The file at filepath={filepath} is not an HDF5 file ({error}), so it is not a "
            "legacy Keras `.h5` model."
        ) from None


def load_model_from_hdf5(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model of a legacy ``.h5`` file: rebuilt from ``model_config``, given the weights of
    ``model_weights``, compiled from ``training_config`` with the optimizer's state."""
    with _open(filepath) as f:
        if "model_config" not in f.attrs:
            raise ValueError(f"No model config found in the file at {filepath}.")
        config = _legacy_config(json.loads(_text(f.attrs["model_config"])))
        # the legacy format names a registered model by its bare class name
        custom_objects = {**{name.split(">")[-1]: obj for name, obj
                             in object_registration.get_custom_objects().items()},
                          **(custom_objects or {})}
        with object_registration.CustomObjectScope(custom_objects):
            model = serialization_lib.deserialize_keras_object(
                config, custom_objects=custom_objects, safe_mode=safe_mode)
            load_weights_from_hdf5_group(f["model_weights"], model)
            if compile and "training_config" in f.attrs:
                training = json.loads(_text(f.attrs["training_config"]))
                model.compile(**_compile_arguments(training))
                if "optimizer_weights" in f:
                    _load_optimizer_weights(model, f["optimizer_weights"])
    return model


def load_weights_from_hdf5(model, filepath, skip_mismatch=False):
    """``model.load_weights("weights.h5")``: a legacy weights file, or a legacy model file's
    ``model_weights``."""
    with _open(filepath) as f:
        group = f["model_weights"] if "layer_names" not in f.attrs and "model_weights" in f \
            else f
        load_weights_from_hdf5_group(group, model, skip_mismatch=skip_mismatch)


def load_weights_from_hdf5_group(group, model, skip_mismatch=False):
    """Assign each saved layer's weights to the model's layer with weights at the same
    position; every shape is checked first."""
    saved = [name for name in _names(group.attrs["layer_names"])
             if _names(group[name].attrs["weight_names"])]
    targets = [layer for layer in model.layers if layer.weights]
    if saved and not targets and not model.built:
        raise ValueError(
            "Unable to load weights saved in HDF5 format into a subclassed Model which has "
            "not created its variables yet (the legacy format records no input shape). Call "
            "the Model first, then load the weights with model.load_weights(filepath)."
        )
    if len(saved) != len(targets):
        raise ValueError(
            f"Layer count mismatch when loading weights from file. Model expected "
            f"{len(targets)} layers, found {len(saved)} saved layers."
        )
    for name, layer in zip(saved, targets, strict=True):
        values = [np.asarray(group[name][w][()]) for w in _names(group[name].attrs["weight_names"])]
        own = layer.weights
        problem = None
        if len(values) != len(own):
            problem = (f"Layer '{layer.name}' expects {len(own)} weights, but the saved layer "
                       f"'{name}' has {len(values)}")
        else:
            for variable, value in zip(own, values, strict=True):
                if tuple(variable.shape) != value.shape:
                    problem = (f"Layer '{layer.name}': its weight '{variable.name}' has shape "
                               f"{tuple(variable.shape)}, but the saved layer '{name}' has "
                               f"shape {value.shape}")
                    break
        if problem is None:
            layer.set_weights(values)
        elif skip_mismatch:
            warnings.warn(f"Skipping loading weights for layer '{layer.name}': {problem}.",
                          stacklevel=3)
        else:
            raise ValueError(problem)
    if "top_level_model_weights" in group:
        top = group["top_level_model_weights"]
        own = model._trainable_variables + model._non_trainable_variables
        for variable, name in zip(own, _names(top.attrs["weight_names"]), strict=False):
            variable.assign(np.asarray(top[name][()]))


def _accepted(cls, config):
    """``config`` without the keys ``cls`` does not take (Keras 2's ``is_legacy_optimizer``)."""
    parameters = inspect.signature(cls.__init__).parameters
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        known = {"lr", "decay"} | set(parameters)
        return {k: v for k, v in config.items() if k in known}
    return {k: v for k, v in config.items() if k in parameters}


def _compile_arguments(training):
    from nbkeras import optimizers

    optimizer_config = training["optimizer_config"]
    cls = serialization_lib._locate_class(
        {"module": "keras.optimizers", **optimizer_config}, None)
    optimizer = cls(**_accepted(cls, optimizer_config["config"]))
    if not isinstance(optimizer, optimizers.BaseOptimizer):
        raise ValueError(f"training_config names {optimizer_config['class_name']!r}, which "
                         "is not an optimizer")
    return {
        "optimizer": optimizer,
        "loss": serialization_lib.deserialize_keras_object(training.get("loss")),
        "metrics": serialization_lib.deserialize_keras_object(training.get("metrics")),
        "weighted_metrics": serialization_lib.deserialize_keras_object(
            training.get("weighted_metrics")),
        "loss_weights": training.get("loss_weights"),
    }


def _load_optimizer_weights(model, group):
    names = _names(group.attrs["weight_names"])
    values = [np.asarray(group[name][()]) for name in names]
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_weights)
    try:
        optimizer.set_weights(values)
    except ValueError as error:
        warnings.warn(f"Error in loading the saved optimizer state. As a result, your model is "
                      f"starting with a freshly initialized optimizer. ({error})", stacklevel=3)
