"""``Masking``: skip the time steps whose features all equal ``mask_value``.

For inputs (batch, steps, features) the mask is ``any(inputs != mask_value, axis=-1)``, one
boolean per step; it rides on the output to the layers after it (an RNN skips the masked
steps, a masked loss leaves them out). The masked steps of the output are set to 0.
"""

from nbkeras import ops
from nbkeras.layers.layer import Layer


class Masking(Layer):
    """Mask the steps equal to ``mask_value`` everywhere (``keras.layers.Masking``)."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        kept = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        outputs = ops.where(kept, inputs, 0)
        outputs._keras_mask = ops.squeeze(kept, axis=-1)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
