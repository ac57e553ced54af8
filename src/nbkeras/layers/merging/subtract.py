"""``Subtract``: ``a - b`` for exactly two inputs."""

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


class Subtract(Merge):
    """``Subtract()([a, b])`` is ``a - b``; b receives the negated cotangent."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"A `Subtract` layer ('{self.name}') should be called on exactly 2 inputs; "
                f"received {len(input_shape)} inputs of shapes {[tuple(s) for s in input_shape]}"
            )

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                f"A `Subtract` layer ('{self.name}') should be called on exactly 2 inputs; "
                f"received {len(inputs)}"
            )
        return ops.subtract(inputs[0], inputs[1])


def subtract(inputs, **kwargs):
    """Functional form of ``Subtract``."""
    return Subtract(**kwargs)(inputs)
