"""Nested structures of values (one value, lists, tuples, dicts), as Keras' ``tree``: dicts
flatten in sorted-key order, and pack back in the caller's key order."""


def is_nested(structure):
    return isinstance(structure, (list, tuple, dict))


def flatten(structure):
    """The leaves of nested lists, tuples and dicts (dicts in sorted-key order)."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    return [structure]


def pack_as(structure, leaves):
    """``leaves`` (as ``flatten`` gives them) put back into the nesting of ``structure``."""
    leaves = iter(leaves)

    def pack(item):
        if isinstance(item, list):
            return [pack(x) for x in item]
        if isinstance(item, tuple):
            return tuple(pack(x) for x in item)
        if isinstance(item, dict):
            packed = {key: pack(item[key]) for key in sorted(item)}
            return {key: packed[key] for key in item}  # the caller's key order
        return next(leaves)

    return pack(structure)


def map_structure(function, structure):
    """``structure`` with ``function`` applied to every leaf."""
    if isinstance(structure, list):
        return [map_structure(function, x) for x in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(function, x) for x in structure)
    if isinstance(structure, dict):
        return {k: map_structure(function, v) for k, v in structure.items()}
    return function(structure)
