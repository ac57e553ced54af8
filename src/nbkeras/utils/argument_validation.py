"""Constructor-argument checks shared by the convolution, pooling and reshaping layers."""

_ORDINALS = ("1st", "2nd", "3rd")


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


def standardize_pairs(value, rank, name, where):
    """``value`` as ``rank`` (before, after) pairs of ints >= 0, one per spatial axis: an int
    (the same on every side), ``rank`` ints (symmetric on each axis) or ``rank`` pairs. The
    cropping and zero-padding layers take their borders this way."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{where}: `{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(
            f"{where}: `{name}` should be an int, a tuple of {rank} ints (symmetric on each "
            f"axis) or a tuple of {rank} pairs ((before, after) per spatial axis). Received: "
            f"{name}={value!r}."
        )
    return tuple(standardize_tuple(v, 2, f"{_ORDINALS[i]} entry of {name}", where,
                                   allow_zero=True) for i, v in enumerate(value))
