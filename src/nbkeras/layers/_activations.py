"""Temporary bridge to ``nbkeras.activations`` (another branch adds it): until it exists,
layers accept ``activation=None`` or a callable."""


def linear(x):
    return x


def get(identifier):
    try:
        from nbkeras import activations
    except ImportError:
        activations = None
    if activations is not None:
        return activations.get(identifier)
    if identifier is None or identifier == "linear":
        return linear
    if callable(identifier):
        return identifier
    raise ValueError(
        f"activation {identifier!r}: activation names need nbkeras.activations, which this "
        "build does not have yet; pass a callable"
    )


def serialize(activation):
    try:
        from nbkeras import activations
    except ImportError:
        return getattr(activation, "__name__", repr(activation))
    return activations.serialize(activation)
