"""``Dot``: the dot product of two tensors along one axis of each, sample by sample.

For x of shape (batch, n) and y of shape (batch, n), ``Dot(axes=1)([x, y])`` is the (batch, 1)
column of the dot products x_b . y_b. In general the axis ``axes[0]`` of x and ``axes[1]`` of y
are contracted and every other axis is kept: the result has x's remaining axes, then y's
(without the batch axis), as one batched matrix product. With ``normalize=True`` both inputs are
first scaled to unit L2 norm along the contracted axis, so the result is the cosine similarity;
its gradient with respect to x is ``(y_hat - cos x_hat) / |x|`` (chapter 10).
"""

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


def _check_axes(axes):
    if isinstance(axes, int) and not isinstance(axes, bool):
        return axes
    if not isinstance(axes, (list, tuple)):
        raise TypeError(
            f"Invalid type for argument `axes`: it should be a list or an int. Received: "
            f"axes={axes!r}"
        )
    if len(axes) != 2:
        raise ValueError(
            f"Invalid format for argument `axes`: it should contain two elements. Received: "
            f"axes={axes!r}"
        )
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
        raise ValueError(
            f"Invalid format for argument `axes`: list elements should be integers. Received: "
            f"axes={axes!r}"
        )
    return axes


def batch_dot(x, y, axes):
    """Contract axis ``axes[0]`` of x with axis ``axes[1]`` of y for every sample (both
    non-negative, not the batch axis): shape (batch, *x's other axes, *y's other axes), with a
    trailing axis of 1 when nothing else is left."""
    a0, a1 = axes
    x_rest = [d for i, d in enumerate(x.shape) if i not in (0, a0)]
    y_rest = [d for i, d in enumerate(y.shape) if i not in (0, a1)]
    k = x.shape[a0]
    batch = x.shape[0]
    xm = ops.transpose(x, [0] + [i for i in range(1, x.ndim) if i != a0] + [a0])
    ym = ops.transpose(y, [0, a1] + [i for i in range(1, y.ndim) if i != a1])
    product = ops.matmul(ops.reshape(xm, (batch, -1, k)), ops.reshape(ym, (batch, k, -1)))
    shape = (batch, *x_rest, *y_rest)
    return ops.reshape(product, shape if len(shape) > 1 else (batch, 1))


class Dot(Merge):
    """Batched dot product of two inputs (``keras.layers.Dot``); ``axes`` is one int for both
    inputs or a pair (axis of x, axis of y)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = _check_axes(axes)
        self.normalize = normalize
        self.supports_masking = True
        self._reshape_required = False

    def _resolved_axes(self, shapes):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % len(shapes[0]), self.axes % len(shapes[1])]
            return [self.axes] * 2
        return [a % len(s) if a < 0 else a for a, s in zip(self.axes, shapes, strict=True)]

    def _check_shapes(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(
                f"A `Dot` layer ('{self.name}') should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = (tuple(s) for s in input_shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f"A `Dot` layer ('{self.name}') needs inputs of rank >= 2 (a batch axis and at "
                f"least one more); received shapes {shape1} and {shape2}"
            )
        axes = self._resolved_axes((shape1, shape2))
        for a, s in zip(axes, (shape1, shape2), strict=True):
            if not 0 <= a < len(s):
                raise ValueError(
                    f"A `Dot` layer ('{self.name}'): axes={self.axes} is out of range for "
                    f"inputs of shapes {shape1} and {shape2}"
                )
        if 0 in axes:
            raise ValueError(
                f"A `Dot` layer ('{self.name}') cannot contract the batch axis 0 (axes="
                f"{self.axes}); received shapes {shape1} and {shape2}"
            )
        d1, d2 = shape1[axes[0]], shape2[axes[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(
                f"Incompatible input shapes for the `Dot` layer '{self.name}': axis values "
                f"{d1} (at axis {axes[0]}) != {d2} (at axis {axes[1]}); expected equal sizes "
                f"along the contracted axes. Full input shapes: {shape1}, {shape2}"
            )
        return shape1, shape2, axes

    def build(self, input_shape):
        self._check_shapes(input_shape)

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer ('{self.name}') should be called on exactly 2 inputs; "
                f"received {len(inputs)}"
            )
        x1, x2 = inputs
        _, _, axes = self._check_shapes([x1.shape, x2.shape])
        if self.normalize:
            x1 = ops.normalize(x1, axis=axes[0])
            x2 = ops.normalize(x2, axis=axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        shape1, shape2, axes = self._check_shapes(input_shape)
        shape1, shape2 = list(shape1), list(shape2)
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape += [1]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """Functional form of ``Dot``."""
    return Dot(axes=axes, **kwargs)(inputs)
