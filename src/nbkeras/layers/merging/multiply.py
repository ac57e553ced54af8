"""``Multiply``: the elementwise product of a list of tensors.

With masks on the inputs, a masked entry counts as 1 (it does not change the product), and an
entry masked in every input is 0 in the result, as in Keras.
"""

from nbkeras import ops
from nbkeras.layers.layer import keras_mask
from nbkeras.layers.merging.base_merge import Merge


class Multiply(Merge):
    """``Multiply()([a, b])`` is ``a * b``; a receives ``g * b`` and b receives ``g * a``."""

    def _merge_function(self, inputs):
        masks = [keras_mask(x) for x in inputs]
        every_input_masked = all(m is not None for m in masks)
        output = output_mask = None
        for x, mask in zip(inputs, masks, strict=True):
            if mask is not None:
                mask = ops.broadcast_to(ops.expand_dims(mask, -1), x.shape)
                x = ops.where(mask, x, ops.ones_like(x))  # masked entries leave the product
                if every_input_masked:
                    output_mask = mask if output_mask is None else ops.logical_or(output_mask,
                                                                                  mask)
            output = x if output is None else ops.multiply(output, x)
        if every_input_masked:
            output = ops.where(output_mask, output, ops.zeros_like(output))
            output._keras_mask = ops.any(output_mask, axis=-1)
        return output


def multiply(inputs, **kwargs):
    """Functional form of ``Multiply``."""
    return Multiply(**kwargs)(inputs)
