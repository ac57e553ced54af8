"""``Add``: the elementwise sum of a list of tensors (e.g. a residual connection)."""

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


class Add(Merge):
    """``Add()([a, b, c])`` is ``a + b + c``; each input receives the output's cotangent."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


def add(inputs, **kwargs):
    """Functional form of ``Add``."""
    return Add(**kwargs)(inputs)
