"""Constructor-argument checks shared by the convolution and pooling layers."""


def standardize_tuple(value, n, name, where, allow_zero=False):
    """An int or ``n`` ints as a tuple of ``n`` ints, each positive (or >= 0 with
    ``allow_zero``); ``where`` (the class name) starts the error message."""
    values = (value,) * n if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    lowest = 0 if allow_zero else 1
    if len(values) != n or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= lowest for v in values
    ):
        raise ValueError(
            f"{where}: {name} must be an int or a tuple of {n} ints, each "
            f"{'>= 0' if allow_zero else '> 0'}; received {name}={value!r}"
        )
    return values


def standardize_padding(value, where, allow_causal=False):
    """``"valid"`` or ``"same"`` (or ``"causal"`` where allowed), any case."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"{where}: padding must be one of {allowed}; received padding={value!r}")
    return padding
