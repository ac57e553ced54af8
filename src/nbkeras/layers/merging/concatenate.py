"""``Concatenate``: join a list of tensors along one axis (the last by default).

The shapes must agree everywhere except on that axis. The backward splits the output's
cotangent back into the pieces.
"""

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


class Concatenate(Merge):
    """``Concatenate(axis=-1)([a, b])``: ``(B, 3)`` and ``(B, 5)`` give ``(B, 8)``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self._reshape_required = False

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)  # raises on mismatched shapes

    def _merge_function(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shapes = [tuple(s) for s in input_shape]
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(
                f"A Concatenate layer ('{self.name}') requires inputs of one rank; received "
                f"input_shape={shapes}"
            )
        rank = ranks.pop()
        axis = self.axis % rank
        output = list(shapes[0])
        for shape in shapes[1:]:
            for a in range(rank):
                if a == axis:
                    continue
                if None not in (output[a], shape[a]) and output[a] != shape[a]:
                    raise ValueError(
                        f"A Concatenate layer ('{self.name}') requires inputs with matching "
                        f"shapes except for the concatenation axis {self.axis}; received "
                        f"input_shape={shapes}"
                    )
                if output[a] is None:
                    output[a] = shape[a]
            output[axis] = None if None in (output[axis], shape[axis]) else (
                output[axis] + shape[axis])
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        """The inputs' masks joined along ``axis`` (all True for an unmasked input; a per-step
        mask is first spread over the feature axis), then True where any feature counts."""
        mask = self._check_masks(inputs, mask)
        if mask is None or all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask, strict=True):
            if m is None:
                full.append(ops.ones_like(x, dtype="bool"))
            elif m.ndim < x.ndim:  # broadcast by an "or" with all False
                full.append(ops.logical_or(ops.expand_dims(m, -1),
                                           ops.zeros_like(x, dtype="bool")))
            else:
                full.append(m)
        joined = ops.cast(ops.concatenate(full, axis=self.axis), "int32")
        return ops.greater(ops.sum(joined, axis=-1), 0)  # any, along the last axis

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of ``Concatenate``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
