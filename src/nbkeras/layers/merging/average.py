"""``Average``: the elementwise mean of a list of tensors."""

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


class Average(Merge):
    """``Average()([a, b])`` is ``(a + b) / 2``; each input receives ``g / n``."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output / len(inputs)


def average(inputs, **kwargs):
    """Functional form of ``Average``."""
    return Average(**kwargs)(inputs)
