"""``Maximum``: the elementwise maximum of a list of tensors (masked entries never win)."""

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


class Maximum(Merge):
    """``Maximum()([a, b])``; the cotangent goes to the larger input (to the first on a tie)."""

    def _merge_function(self, inputs):
        return self._apply_merge_op_and_or_mask(ops.maximum, inputs)


def maximum(inputs, **kwargs):
    """Functional form of ``Maximum``."""
    return Maximum(**kwargs)(inputs)
