"""What a layer accepts: ``InputSpec`` and the check every layer call runs.

A layer sets ``self.input_spec`` (in ``__init__`` for what it always needs, in ``build`` for what
its weights fix). ``Dense`` asks for rank >= 2 and, once built, for a fixed last axis;
``BatchNormalization`` for a fixed rank and channel count. A mismatch is a ValueError naming the
layer, what it expected, and the shape it received.
"""

from nbkeras import dtypes
from nbkeras.keras_tensor import standardize_shape


class InputSpec:
    """Constraints on one input: ``dtype``, full ``shape`` (None entries match anything),
    ``ndim``, ``min_ndim``, ``max_ndim`` and ``axes`` (``{axis: size}``, e.g. ``{-1: 3}``)."""

    _keras_module = "keras"  # keras.InputSpec

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtypes.standardize_dtype(dtype) if dtype is not None else None
        self.shape = standardize_shape(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (ValueError, TypeError, AttributeError):
            raise TypeError(
                f"InputSpec: axes must be a dict with int keys, got axes={axes!r}"
            ) from None
        top = self.ndim if self.ndim is not None else self.max_ndim
        if self.axes and top is not None and max(self.axes) > top - 1:
            raise ValueError(f"InputSpec: axis {max(self.axes)} is out of range for rank {top}")

    def __repr__(self):
        parts = [
            f"dtype={self.dtype}" if self.dtype else "",
            f"shape={self.shape}" if self.shape else "",
            f"ndim={self.ndim}" if self.ndim else "",
            f"max_ndim={self.max_ndim}" if self.max_ndim else "",
            f"min_ndim={self.min_ndim}" if self.min_ndim else "",
            f"axes={self.axes}" if self.axes else "",
        ]
        return f"InputSpec({', '.join(p for p in parts if p)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _leaves(x):
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def assert_input_compatibility(input_spec, inputs, layer_name, built_for=None):
    """Raise ValueError unless ``inputs`` satisfy ``input_spec`` (one spec or a list of them).

    ``built_for`` is the input shape the layer was built with; when given, the error repeats it,
    so that the message shows both the expected and the received shape.
    """
    if not input_spec:
        return
    specs = _leaves(input_spec)
    inputs = _leaves(inputs)
    if len(inputs) != len(specs):
        raise ValueError(
            f"Layer '{layer_name}' expects {len(specs)} input(s), but it received "
            f"{len(inputs)} input tensors"
        )
    built = f" (layer '{layer_name}' was built for inputs of shape {built_for})" if (
        built_for is not None) else ""
    for index, (x, spec) in enumerate(zip(inputs, specs, strict=True)):
        if spec is None or (x is None and spec.optional):
            continue
        if not hasattr(x, "shape"):
            raise ValueError(
                f"Inputs to a layer should be tensors. Got {x!r} (of type {type(x).__name__}) "
                f"as input {index} of layer '{layer_name}'"
            )
        shape = standardize_shape(x.shape)
        ndim = len(shape)
        prefix = f"Input {index} of layer '{layer_name}' is incompatible with the layer:"
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(
                f"{prefix} expected ndim={spec.ndim}, found ndim={ndim}. "
                f"Full shape received: {shape}{built}"
            )
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(
                f"{prefix} expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                f"Full shape received: {shape}{built}"
            )
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(
                f"{prefix} expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                f"Full shape received: {shape}{built}"
            )
        if spec.dtype is not None and dtypes.standardize_dtype(x.dtype) != spec.dtype:
            raise ValueError(f"{prefix} expected dtype={spec.dtype}, found dtype={x.dtype}")
        for axis, value in spec.axes.items():
            if value is not None and shape[axis] not in (value, None):
                raise ValueError(
                    f"{prefix} expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {shape}{built}"
                )
        if spec.shape is not None:
            expected, received = spec.shape, shape
            if spec.allow_last_axis_squeeze:
                received = received[:-1] if received and received[-1] == 1 else received
                expected = expected[:-1] if expected and expected[-1] == 1 else expected
            for e, r in zip(expected, received, strict=False):
                if e is not None and r is not None and e != r:
                    raise ValueError(
                        f"{prefix} expected shape={spec.shape}, found shape={shape}"
                    )
