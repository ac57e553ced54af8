"""``Permute``: reorder the non-batch axes of each sample.

``Permute((2, 1))`` turns (batch, steps, features) into (batch, features, steps): ``dims`` is a
permutation of 1..rank-1 (the batch axis 0 never moves). The backward pass applies the inverse
permutation to the cotangent.
"""

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class Permute(Layer):
    """Permute the axes of the inputs (``keras.layers.Permute``)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(dims)
        except TypeError:
            dims = (dims,)
        if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims) or \
                sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer: expected a permutation "
                f"of 1..{len(dims)} (the indices must be consecutive and start from 1; the "
                f"batch axis 0 is not included). Received dims={dims}"
            )
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=inputs.dtype)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
