"""``CategoryEncoding``: integer ids to one-hot, multi-hot or count vectors of ``num_tokens``.

``[[0, 1], [1, 3]]`` with ``num_tokens=4`` is ``[[1, 1, 0, 0], [0, 1, 0, 1]]`` in "multi_hot"
mode (each sample marks the ids it holds); "count" counts repeats (optionally weighted by
``count_weights``), "one_hot" gives one row per id.
"""

from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.layer import Layer
from nbkeras.utils.numerical_utils import encode_categorical_inputs

OUTPUT_MODES = ("count", "one_hot", "multi_hot")


class CategoryEncoding(Layer):
    """Encode integer ids (``keras.layers.CategoryEncoding``); "binary" is Keras 2's name for
    "multi_hot"."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(
                f"Unknown arg for output_mode: {output_mode!r}; expected one of {OUTPUT_MODES}"
            )
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not known "
                "beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported by nbkeras")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "`count_weights` is not used when `output_mode` is not `'count'`. Received "
                f"`count_weights={count_weights}`."
            )
        return encode_categorical_inputs(inputs, self.output_mode, self.num_tokens,
                                         self.dtype, count_weights)

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if input_shape[-1] != 1 or len(input_shape) == 1:
                return tuple(input_shape) + (self.num_tokens,)
            return tuple(input_shape[:-1]) + (self.num_tokens,)
        return tuple(input_shape[:-1]) + (self.num_tokens,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}
