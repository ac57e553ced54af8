"""Global settings, as ``keras.config``: floatx, epsilon, the image data format, and whether
deserialization may load Python lambdas (safe mode)."""

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_VALID_FLOATX = ("float16", "float32", "float64")
_VALID_DATA_FORMATS = ("channels_last", "channels_first")


def floatx():
    """The default float dtype name; ``"float32"`` unless changed with ``set_floatx``."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value == "float16":
        raise ValueError(
            "set_floatx: 'float16' is not supported: nbkeras' Numba kernels compute in float32 "
            "or float64; expected 'float32' or 'float64'"
        )
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: unknown dtype {value!r}; expected one of {_VALID_FLOATX}")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor Keras uses to keep logs and divisions finite (a Python float, 1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in _VALID_DATA_FORMATS:
        raise ValueError(
            f"set_image_data_format: unknown data_format {data_format!r}; "
            f"expected one of {_VALID_DATA_FORMATS}"
        )
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format):
    """``"channels_last"`` or ``"channels_first"`` (any case); None means
    ``image_data_format()``. Layers with a ``data_format`` argument call this."""
    if data_format is None:
        return _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in _VALID_DATA_FORMATS:
        raise ValueError(
            f"The data_format argument must be one of {_VALID_DATA_FORMATS}; "
            f"got data_format={data_format!r}"
        )
    return value


def enable_unsafe_deserialization():
    """Let every later deserialization load Python lambdas (a Lambda layer's bytecode): Keras
    refuses them by default, since loading one runs code from the file."""
    from nbkeras.saving import serialization_lib  # config sits below saving in the imports

    serialization_lib.enable_unsafe_deserialization()
