"""Resolving string identifiers ("relu", "mse", ...) with errors that suggest the right name."""

import difflib


def unknown_identifier(kind, identifier, valid_names):
    """A ValueError for an identifier that names nothing, listing the closest valid names
    (or all of them when none is close): ``kind`` says what was looked for, e.g. "loss"."""
    names = sorted(set(valid_names))
    close = difflib.get_close_matches(str(identifier), names, n=3, cutoff=0.6)
    hint = ("did you mean " + ", ".join(repr(n) for n in close) + "? ") if close else ""
    listing = "valid names are " + ", ".join(repr(n) for n in names)
    return ValueError(f"Could not interpret {kind} identifier: {identifier!r}; {hint}{listing}")


def lookup(kind, identifier, table, custom_objects=None):
    """``custom_objects[identifier]`` or ``table[identifier]``; raises ``unknown_identifier``."""
    if custom_objects and identifier in custom_objects:
        return custom_objects[identifier]
    if identifier in table:
        return table[identifier]
    raise unknown_identifier(kind, identifier, list(table) + list(custom_objects or ()))
