"""``Normalization``: shift and scale inputs to mean 0 and variance 1, feature by feature.

The layer computes ``(x - mean) / max(sqrt(variance), epsilon)`` with ``mean`` and ``variance``
given to the constructor or learned by ``adapt(data)``. ``axis`` names the axes that keep their
own statistics (the last, by default: one mean and variance per feature); the statistics are
taken over every other axis. ``invert=True`` maps normalised values back,
``mean + x * max(sqrt(variance), epsilon)``.

``adapt`` takes an array or tensor (the statistics of all of it, in one pass), or any iterable
of batches: then each batch's mean and variance are merged into the running ones as Keras
merges them, weighting by the number of values seen (the exact combination of two groups'
means and variances). The learned statistics are weights (``mean``, ``variance`` and an unused
``count``, Keras' three), so ``get_weights`` and saving carry them.
"""

import itertools
import math

import numpy as np

from nbkeras import config, ops
from nbkeras.layers.layer import Layer
from nbkeras.tensor import Tensor


class Normalization(Layer):
    """Feature-wise normalization (``keras.layers.Normalization``)."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self.mean = None
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same "
                    f"shape. Received: mean shape {np.shape(mean)} and variance shape "
                    f"{np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    "The rank of `mean` must be less than or equal to the number of axes "
                    f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis "
                    f"{self.axis}"
                )

    def build(self, input_shape):
        if input_shape is None:
            return
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                f"ndim={ndim}, while axis={self.axis}"
            )
        self._normalization_shape = tuple(input_shape)
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(
                    f"All `axis` values to be kept must have a known shape. Received axis="
                    f"{self.axis}, inputs.shape={tuple(input_shape)}, with unknown axis at "
                    f"index {a}"
                )
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = [input_shape[a] if a in self._keep_axis else 1
                                 for a in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[a] for a in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance",
                                                  shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            mean = np.asarray(self.input_mean)
            variance = np.asarray(self.input_variance)
            if mean.ndim:  # the given values fill the last kept axes, then broadcast
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            try:
                mean = np.broadcast_to(mean, self._broadcast_shape)
                variance = np.broadcast_to(variance, self._broadcast_shape)
            except ValueError:
                raise ValueError(
                    f"Normalization '{self.name}': mean and variance of shape "
                    f"{np.shape(self.input_mean)} do not broadcast to the kept axes "
                    f"{self._mean_and_var_shape} of inputs of shape {tuple(input_shape)}"
                ) from None
            self.mean = ops.convert_to_tensor(mean, self.compute_dtype)
            self.variance = ops.convert_to_tensor(variance, self.compute_dtype)

    # -- adapt ----------------------------------------------------------------------------------
    def adapt(self, data):
        """Learn ``mean`` and ``variance`` from ``data``: a NumPy array, a tensor, or an iterable
        of batches (a list of arrays, a generator)."""
        if isinstance(data, (np.ndarray, Tensor)):
            input_shape, batches = tuple(data.shape), None
        elif hasattr(data, "__iter__"):
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError(
                    "adapt() received an empty iterable (no batches). Expected at least one "
                    "batch, e.g. layer.adapt([x]) or layer.adapt(list_of_batches)."
                )
            first = first[0] if isinstance(first, tuple) else first
            if not hasattr(first, "shape"):
                raise TypeError(
                    "adapt() expects an iterable that yields arrays or tensors with a `.shape` "
                    f"attribute; got an element of type {type(first).__name__}"
                )
            input_shape = tuple(first.shape)
            batches = itertools.chain([first], batches)
        else:
            raise TypeError(
                f"Unsupported data type: {type(data)}. `adapt` supports `np.ndarray`, tensors "
                "and iterables of batches (e.g. a list or a generator)."
            )
        if not self.built:
            self.build(input_shape)
        else:
            self._check_adapt_shape(input_shape)
        if isinstance(data, np.ndarray):
            total_mean = np.mean(data, axis=self._reduce_axis)
            total_var = np.var(data, axis=self._reduce_axis)
        elif isinstance(data, Tensor):
            data = ops.cast(data, self.compute_dtype)
            total_mean, total_var = ops.moments(data, axes=self._reduce_axis)
        else:
            total_mean, total_var = self._merge_batches(batches)
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_var)
        self.finalize_state()

    def _check_adapt_shape(self, shape):
        for a in self._keep_axis:
            if shape[a] is not None and shape[a] != self._normalization_shape[a]:
                raise ValueError(
                    f"The layer was built with input_shape={self._normalization_shape}, but "
                    f"adapt() is being called with data with an incompatible shape, "
                    f"data.shape={shape}"
                )

    def _merge_batches(self, batches):
        """Running mean and variance over batches: the mean and variance of the union of the
        values seen so far (weight w) and the new batch (weight 1 - w), in float32."""
        dtype = np.dtype(self.compute_dtype)
        total_mean = np.zeros(self._mean_and_var_shape, dtype)
        total_var = np.zeros(self._mean_and_var_shape, dtype)
        total_count = 0
        for batch in batches:
            batch = batch[0] if isinstance(batch, tuple) else batch
            batch = np.asarray(batch._value if isinstance(batch, Tensor) else batch, dtype)
            self._check_adapt_shape(batch.shape)
            batch_mean = np.mean(batch, axis=self._reduce_axis)
            batch_var = np.var(batch, axis=self._reduce_axis)
            count = math.prod(batch.shape[a] for a in self._reduce_axis)
            total_count += count
            batch_weight = count / total_count
            existing_weight = 1.0 - batch_weight
            new_mean = total_mean * existing_weight + batch_mean * batch_weight
            total_var = ((total_var + (total_mean - new_mean) ** 2) * existing_weight
                         + (batch_var + (batch_mean - new_mean) ** 2) * batch_weight)
            total_mean = new_mean
        return total_mean, total_var

    def finalize_state(self):
        """Make the normalisation use the learned statistics (after adapt or set_weights)."""
        if self.input_mean is not None or not self.built:
            return
        self.mean = ops.reshape(ops.cast(self.adapt_mean.value, self.compute_dtype),
                                self._broadcast_shape)
        self.variance = ops.reshape(ops.cast(self.adapt_variance.value, self.compute_dtype),
                                    self._broadcast_shape)

    def set_weights(self, weights):
        super().set_weights(weights)
        self.finalize_state()

    # -- call -----------------------------------------------------------------------------------
    def call(self, inputs):
        if self.mean is None:
            raise ValueError("You must call `.build(input_shape)` on the layer before using it.")
        inputs = ops.cast(inputs, self.compute_dtype)
        scale = ops.maximum(ops.sqrt(self.variance), config.epsilon())
        if self.invert:
            return ops.add(self.mean, ops.multiply(inputs, scale))
        return ops.divide(ops.subtract(inputs, self.mean), scale)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}
