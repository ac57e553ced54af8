"""``Reshape``: give each sample a new shape with the same number of entries.

The target shape leaves out the batch axis; one entry may be -1, inferred from the others.
"""

import math

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.layer import Layer


def _validate_target(target_shape):
    try:
        target_shape = tuple(target_shape)
    except TypeError:
        raise ValueError(
            f"Reshape: target_shape must be a tuple of ints, got {target_shape!r}"
        ) from None
    if sum(d == -1 for d in target_shape) > 1:
        raise ValueError(f"Reshape: at most one entry of target_shape may be -1, got "
                         f"{target_shape}")
    for d in target_shape:
        if isinstance(d, bool) or not isinstance(d, int) or (d <= 0 and d != -1):
            raise ValueError(
                f"Reshape: target_shape entries must be positive ints or -1, got {target_shape}"
            )
    return target_shape


def resolve_target_shape(sample_shape, target_shape, layer_name):
    """``target_shape`` with its -1 filled in from ``sample_shape`` (None if that has unknown
    entries); raises when the sizes cannot match."""
    known = math.prod(d for d in target_shape if d != -1)
    if any(d is None for d in sample_shape):
        return tuple(None if d == -1 else d for d in target_shape)
    size = math.prod(sample_shape)
    if -1 in target_shape:
        if known == 0 or size % known:
            raise ValueError(
                f"Reshape '{layer_name}': cannot reshape inputs of shape {tuple(sample_shape)} "
                f"(per sample) into {target_shape}: {size} entries do not divide by {known}"
            )
        return tuple(size // known if d == -1 else d for d in target_shape)
    if known != size:
        raise ValueError(
            f"Reshape '{layer_name}': the total size must be unchanged; inputs of shape "
            f"{tuple(sample_shape)} (per sample) have {size} entries, target_shape "
            f"{target_shape} has {known}"
        )
    return target_shape


class Reshape(Layer):
    """``Reshape((3, 4))`` turns ``(batch, 12)`` into ``(batch, 3, 4)``."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = _validate_target(target_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + resolve_target_shape(
            tuple(input_shape[1:]), self.target_shape, self.name)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=inputs.dtype)

    def call(self, inputs):
        target = resolve_target_shape(inputs.shape[1:], self.target_shape, self.name)
        return ops.reshape(inputs, (inputs.shape[0],) + target)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
