"""``Minimum``: the elementwise minimum of a list of tensors (masked entries never win)."""

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


class Minimum(Merge):
    """``Minimum()([a, b])``; the cotangent goes to the smaller input (to the first on a tie)."""

    def _merge_function(self, inputs):
        return self._apply_merge_op_and_or_mask(ops.minimum, inputs)


def minimum(inputs, **kwargs):
    """Functional form of ``Minimum``."""
    return Minimum(**kwargs)(inputs)
