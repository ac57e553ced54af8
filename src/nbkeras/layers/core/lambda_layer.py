"""``Lambda``: any function of tensors as a layer.

``Lambda(lambda x: x ** 2)`` makes the function a layer that a Sequential or functional model
can hold. The function receives ``arguments`` as keyword arguments, and ``mask`` and
``training`` too when its signature names them.

Saving follows Keras. A named function is written by name (and found again in
``custom_objects``); a Python lambda has no name to look up, so Keras writes its *bytecode*:
``marshal.dumps(fn.__code__)`` in base64, with its defaults and closure. Loading bytecode runs
code from the file, so ``from_config`` refuses it in safe mode, which is the default, unless the
caller passes ``safe_mode=False`` or calls ``keras.config.enable_unsafe_deserialization()``.
Bytecode is specific to the Python version that wrote it.

Output shapes: Keras infers the output shape of a symbolic call by tracing the function; nbkeras
does not trace, so without ``output_shape`` it calls the function on two small probe arrays
(unknown sizes filled in as 2 and 3) and reads the shape off the results: a size that differs
between the probes is unknown (None). A function that cannot run on probe data needs
``output_shape``, and the layer says so.
"""

import base64
import builtins
import inspect
import marshal
import types

import numpy as np

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib
from nbkeras.tensor import Tensor


class LambdaOutputShapeError(NotImplementedError, ValueError):
    """Raised when a Lambda layer's output shape cannot be inferred: a NotImplementedError as in
    Keras, and a ValueError (the argument is missing)."""


UNSAFE_LAMBDA_MESSAGE = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. If you trust the source of the artifact, you can override this error by passing "
    "`safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()."
)
"""Keras' words (its unbalanced backquote included)."""


def _lambda_globals():
    """The globals a loaded lambda sees: builtins, NumPy as ``np``, nbkeras as ``keras`` and
    its ops as ``ops`` (Keras gives loaded lambdas only its own module's globals)."""
    import nbkeras

    return {"__builtins__": builtins, "np": np, "keras": nbkeras, "ops": ops}


def dump_function(fn):
    """Keras' config of a function: the bytecode of a lambda, the name of any other."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}
    if callable(fn):
        name = getattr(fn, "__name__", None)
        if name is None:
            raise ValueError(f"Lambda: cannot serialize {fn!r}: a callable without a __name__")
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    raise ValueError(
        f"Invalid input type for serialization. Received: {fn} of type {type(fn)}."
    )


def load_function(config, custom_objects, safe_mode):
    """The function of ``dump_function``'s config; a lambda only when ``safe_mode`` is off."""
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "__lambda__":
        if safe_mode:
            raise ValueError(UNSAFE_LAMBDA_MESSAGE)
        inner = config["config"]
        code = marshal.loads(base64.decodebytes(inner["code"].encode("ascii")))
        defaults = inner.get("defaults")
        closure = inner.get("closure")
        cells = None if closure is None else tuple(types.CellType(v) for v in closure)
        return types.FunctionType(code, _lambda_globals(), code.co_name,
                                  None if defaults is None else tuple(defaults), cells)
    if config.get("class_name") == "function":
        name = config["config"]
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        for namespace in (ops,):
            if hasattr(namespace, name):
                return getattr(namespace, name)
        raise ValueError(
            f"Lambda: could not find the function {name!r} of this config; pass it as "
            f"custom_objects={{{name!r}: {name}}}"
        )
    return config


def _serialize_value(value):
    """``serialize_keras_object`` plus Keras' forms of tensors and arrays."""
    if isinstance(value, Tensor):
        return {"class_name": "__tensor__",
                "config": {"value": value.numpy().tolist(), "dtype": value.dtype}}
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value.item()
        return {"class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": value.dtype.name}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _serialize_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_value(v) for v in value]
    return serialization_lib.serialize_keras_object(value)


def _deserialize_value(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__tensor__":
            return ops.convert_to_tensor(np.array(value["config"]["value"],
                                                  value["config"]["dtype"]))
        if value.get("class_name") == "__numpy__":
            return np.array(value["config"]["value"], value["config"]["dtype"])
        return {k: _deserialize_value(v) for k, v in value.items()}
    return value


def _is_shape(value):
    return isinstance(value, (list, tuple)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value)


class Lambda(Layer):
    """Wrap ``function`` as a layer (``keras.layers.Lambda``).

    ``output_shape``: a tuple without the batch axis (the batch size is the input's), a
    function of the full input shape, or None to infer it. ``mask``: a function
    ``(inputs, mask) -> mask``, or a tensor to use as the output's mask. ``arguments``: keyword
    arguments for ``function``.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(
                f"Lambda: function must be callable, got {function!r} (of type "
                f"{type(function).__name__})"
            )
        self.arguments = arguments or {}
        self.function = function
        self.supports_masking = mask is not None
        self.mask = mask
        self._output_shape = output_shape
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            parameters = {}
        self._fn_expects_training_arg = "training" in parameters
        self._fn_expects_mask_arg = "mask" in parameters
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    # -- shapes -------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._probe_output(input_shape)[0]
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if _is_shape(input_shape) else input_shape[0][0]
        if _is_shape(self._output_shape):
            return (first,) + tuple(self._output_shape)
        return [(first,) + tuple(s) for s in self._output_shape]

    def compute_output_spec(self, inputs, *args, **kwargs):
        if self._output_shape is not None:
            return super().compute_output_spec(inputs, *args, **kwargs)
        shapes, dtypes = self._probe_output(_nested_shapes(inputs), _nested_dtypes(inputs))
        if isinstance(shapes, list):
            return [KerasTensor(s, dtype=d) for s, d in zip(shapes, dtypes, strict=True)]
        return KerasTensor(shapes, dtype=dtypes)

    def _probe_output(self, input_shape, input_dtypes=None):
        """Run the function on two probes of ``input_shape`` (None sizes as 2, then 3) and
        return the output shape(s), None where the probes differ, and the output dtype(s)."""
        results = []
        for fill in (2, 3):
            probe = _probe_inputs(input_shape, input_dtypes, fill)
            try:
                out = self.call(probe)
            except Exception as error:
                raise LambdaOutputShapeError(
                    f"Lambda '{self.name}': could not infer the output shape of the function "
                    f"for inputs of shape {input_shape} ({type(error).__name__}: {error}). "
                    "Please specify the `output_shape` argument for this Lambda layer: a "
                    "tuple without the batch axis, or a function of the input shape."
                ) from error
            results.append(out)
        first, second = results
        if isinstance(first, (list, tuple)):
            shapes = [_merge_shapes(a.shape, b.shape) for a, b in zip(first, second, strict=True)]
            return shapes, [ops.convert_to_tensor(a).dtype for a in first]
        return _merge_shapes(first.shape, second.shape), ops.convert_to_tensor(first).dtype

    # -- config -------------------------------------------------------------------------------
    def get_config(self):
        config = {"function": dump_function(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = (dump_function(self._output_shape)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = (dump_function(self.mask) if callable(self.mask)
                              else _serialize_value(self.mask))
        config["arguments"] = _serialize_value(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuild a Lambda layer; a Python lambda's bytecode is refused unless safe mode is
        off (``safe_mode=False`` here, a ``SafeModeScope(False)``, or
        ``keras.config.enable_unsafe_deserialization()``)."""
        effective = safe_mode if safe_mode is not None else serialization_lib.in_safe_mode()
        safe = effective is not False
        config = dict(config)
        config["function"] = load_function(config["function"], custom_objects, safe)
        if "output_shape" in config:
            shape = load_function(config["output_shape"], custom_objects, safe)
            config["output_shape"] = tuple(shape) if _is_shape(shape) else shape
        if "mask" in config:
            mask = config["mask"]
            config["mask"] = (load_function(mask, custom_objects, safe)
                              if isinstance(mask, dict) and mask.get("class_name") in
                              ("__lambda__", "function") else _deserialize_value(mask))
        if "arguments" in config:
            config["arguments"] = _deserialize_value(config["arguments"])
        return cls(**config)


def _nested_shapes(inputs):
    if isinstance(inputs, (list, tuple)):
        return [tuple(x.shape) for x in inputs]
    return tuple(inputs.shape)


def _nested_dtypes(inputs):
    if isinstance(inputs, (list, tuple)):
        return [x.dtype for x in inputs]
    return inputs.dtype


def _probe_inputs(input_shape, input_dtypes, fill):
    if not _is_shape(input_shape):
        dtypes = input_dtypes or [None] * len(input_shape)
        return [_probe_inputs(s, d, fill) for s, d in zip(input_shape, dtypes, strict=True)]
    shape = tuple(fill if d is None else d for d in input_shape)
    return ops.zeros(shape, dtype=input_dtypes)


def _merge_shapes(first, second):
    return tuple(a if a == b else None for a, b in zip(first, second, strict=True))
