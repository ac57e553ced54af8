"""``Merge``: the base of the layers that combine a list of tensors (Add, Concatenate, ...).

Elementwise merges broadcast like NumPy over the non-batch axes; inputs of different ranks are
first given extra axes of size 1 after the batch axis.

Masks: an entry of the result counts where it counts in any input (``compute_mask``, an "or");
without a mask on every input there is none. Maximum and Minimum also keep masked entries out
of the arithmetic (``_apply_merge_op_and_or_mask``): where one input is masked the other's
value is used, so a padded step cannot win the maximum.
"""

from nbkeras import ops
from nbkeras.layers.layer import Layer, keras_mask


class Merge(Layer):
    """Subclasses implement ``_merge_function(inputs)`` on a list of same-rank tensors."""

    def __init__(self, **kwargs):  # Keras' signature, which its automatic config reads
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_masks(self, inputs, mask):
        """``mask`` is None (no masks) or a list with one entry (mask or None) per input."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or not isinstance(inputs, (list, tuple)) or \
                len(mask) != len(inputs):
            raise ValueError(
                f"Layer '{self.name}': mask must be a list with one entry per input; received "
                f"{len(inputs) if isinstance(inputs, (list, tuple)) else 'a single'} input(s) "
                f"and mask={mask!r}"
            )
        return list(mask)

    def compute_mask(self, inputs, mask=None):
        """An entry of the result counts where it counts in any input; without a mask on every
        input, there is no mask (as Keras: an unmasked input counts everywhere)."""
        mask = self._check_masks(inputs, mask)
        if mask is None or any(m is None for m in mask):
            return None
        result = mask[0]
        for m in mask[1:]:
            result = ops.logical_or(result, m)
        return result

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _apply_merge_op_and_or_mask(self, op_fn, inputs):
        """Fold ``op_fn`` over the inputs, each masked entry replaced by the running result
        (and a masked running result by the input), as Keras' Maximum and Minimum do; the
        output's mask is the "or" of the masks when every input has one."""
        output = output_mask = None
        for x in inputs:
            mask = keras_mask(x)
            if mask is not None:
                mask = ops.broadcast_to(ops.expand_dims(mask, -1), x.shape)
            if output is None:
                output, output_mask = x, mask
                continue
            if mask is not None:
                x = ops.where(mask, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            if mask is not None and output_mask is not None:
                output_mask = ops.logical_or(output_mask, mask)
            else:
                output_mask = None
            output = op_fn(output, x)
        if output_mask is not None:
            output._keras_mask = ops.any(output_mask, axis=-1)
        return output

    def _elementwise_shape(self, shape1, shape2):
        """The broadcast of two per-sample shapes (None matches anything)."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._elementwise_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        result = list(shape1[: len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2, strict=True):
            if i is None or j is None:
                result.append(None)
            elif i == 1 or j == 1:
                result.append(j if i == 1 else i)
            elif i != j:
                raise ValueError(
                    f"Layer '{self.name}': inputs have incompatible shapes; received shapes "
                    f"{tuple(shape1)} and {tuple(shape2)} (without the batch axis)"
                )
            else:
                result.append(i)
        return tuple(result)

    def _check_list(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not all(
            isinstance(s, (list, tuple)) for s in input_shape
        ):
            raise ValueError(
                f"A merge layer ('{self.name}') should be called on a list of inputs; "
                f"received input_shape={input_shape}"
            )

    def build(self, input_shape):
        self._check_list(input_shape)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"Layer '{self.name}' cannot merge tensors with different batch sizes; "
                f"received shapes {[tuple(s) for s in input_shape]}"
            )
        self.compute_output_shape(input_shape)  # raises on incompatible shapes
        self._reshape_required = len({len(s) for s in input_shape}) != 1

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"A merge layer ('{self.name}') should be called on a list of inputs; "
                f"received {type(inputs).__name__}"
            )
        if getattr(self, "_reshape_required", False):
            rank = max(x.ndim for x in inputs)
            inputs = [ops.reshape(x, (x.shape[0],) + (1,) * (rank - x.ndim) + x.shape[1:])
                      for x in inputs]
        return self._merge_function(list(inputs))

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shape = tuple(input_shape[0][1:])
        for other in input_shape[1:]:
            shape = self._elementwise_shape(shape, tuple(other[1:]))
        batch_sizes = {s[0] for s in input_shape} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch,) + shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        from nbkeras.keras_tensor import KerasTensor

        shapes = [x.shape for x in inputs]
        return KerasTensor(self.compute_output_shape(shapes), dtype=self.compute_dtype)
