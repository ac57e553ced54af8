"""``Softmax``: ``exp(x) / sum(exp(x))`` along ``axis`` (an int, or a list of axes normalised
together), with an optional mask.

A mask (True where an entry counts, broadcastable to the inputs) replaces the masked logits by
-1e9 before the softmax, so they get probability 0 (exactly, after the final ``where``) and the
kept entries share all of it: attention over padded sequences uses this.
"""

from nbkeras import activations, ops
from nbkeras.layers.layer import Layer

LARGE_NEGATIVE = -1e9
"""What masked logits become (Keras uses -3e4 for float16, which nbkeras does not have)."""


class Softmax(Layer):
    """Softmax activation layer (``keras.layers.Softmax``); no weights."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def _check_mask(self, inputs, mask):
        if mask.ndim > inputs.ndim or any(
                m != 1 and m != i for m, i in zip(mask.shape[::-1], inputs.shape[::-1],
                                                  strict=False)):
            raise ValueError(
                f"Softmax '{self.name}': the mask must be broadcastable to the inputs (each "
                f"mask dimension 1 or equal to the input's, and no more dimensions); received "
                f"inputs.shape={inputs.shape}, mask.shape={mask.shape}"
            )
        if mask.dtype != "bool":
            mask = ops.greater(mask, 0.5)
        return mask

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = self._check_mask(inputs, ops.convert_to_tensor(mask))
            inputs = ops.where(mask, inputs, LARGE_NEGATIVE)
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            outputs = ops.exp(inputs - ops.logsumexp(inputs, axis=tuple(self.axis),
                                                     keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(mask, outputs, 0.0)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
