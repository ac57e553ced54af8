"""``Discretization``: bucket real values into integer ranges.

With ``bin_boundaries=[0., 1., 2.]`` a value x goes to bucket i when boundaries[i-1] <= x <
boundaries[i]: x < 0 -> 0, 0 <= x < 1 -> 1, ..., x >= 2 -> 3 (TensorFlow's ``Bucketize``,
comparing in float32). ``num_bins`` instead lets ``adapt(data)`` place the boundaries at
quantiles of the data.

The quantiles come from Keras' approximate summary, so that the boundaries match Keras': the
sorted data is thinned to about ``1 / epsilon`` weighted points (every step-th value, each
standing for step values), summaries of successive batches are merged and re-thinned, and the
boundaries are read off the cumulative weights by linear interpolation at 1/num_bins,
2/num_bins, ...
"""

import numpy as np

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.layer import Layer
from nbkeras.layers.preprocessing.adapt_data import adapt_batches
from nbkeras.utils.numerical_utils import encode_categorical_inputs

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def summarize(values, epsilon):
    """A weighted sample of the sorted values: about 1/epsilon points, each with the number of
    values it stands for (shape (2, points): values, weights)."""
    values = np.sort(np.reshape(values, -1))
    step = max(values.size / (1.0 / epsilon), 1)
    points = values[int(step - 1)::int(step)]
    return np.stack([points, np.full_like(points, step)])


def compress_summary(summary, epsilon):
    """Re-thin a summary to about 1/epsilon points at evenly spaced cumulative weights."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    points = np.interp(targets, fractions, summary[0])
    weights_at = np.interp(targets, fractions, cumulative)
    weights = weights_at - np.concatenate((np.array([0]), weights_at[:-1]))
    return np.stack((points, weights)).astype("float32")


def merge_summaries(first, second, epsilon):
    merged = np.concatenate((first, second), axis=1)
    merged = merged[:, np.argsort(merged[0])]
    return compress_summary(merged, epsilon)


def bin_boundaries_of(summary, num_bins):
    """The num_bins - 1 inner boundaries at cumulative fractions 1/num_bins, 2/num_bins..."""
    return compress_summary(summary, 1.0 / num_bins)[0, :-1]


class Discretization(Layer):
    """Bucket values by boundaries (``keras.layers.Discretization``); ``output_mode`` "int"
    gives the bucket index (int32), "one_hot", "multi_hot" and "count" encode it (float)."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("Discretization: sparse=True is not supported by nbkeras")
        if output_mode not in OUTPUT_MODES:
            raise ValueError(
                f"Unknown value for `output_mode`. Allowed values are: {OUTPUT_MODES}. "
                f"Received: output_mode={output_mode!r}"
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. Received: "
                f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")
        self.built = True

    @property
    def output_dtype(self):
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def _convert_input(self, x):
        if isinstance(x, (np.ndarray, np.generic, list, tuple)):
            return ops.convert_to_tensor(np.asarray(x), self.compute_dtype)
        return super()._convert_input(x)

    # -- adapt ----------------------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Place ``num_bins`` buckets at approximate quantiles of ``data`` (an array, a tensor,
        or an iterable of batches, of which at most ``steps`` are read)."""
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with "
                "`bin_boundaries`, use `num_bins` instead."
            )
        self.reset_state()
        for batch in adapt_batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        data = np.array(data).astype("float32")
        self.summary = merge_summaries(summarize(data, self.epsilon), self.summary,
                                       self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = bin_boundaries_of(self.summary, self.num_bins).tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    # -- call -----------------------------------------------------------------------------------
    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at construction time or "
                "call `adapt(dataset)` before you can start using the `Discretization` layer."
            )
        boundaries = np.asarray(self.bin_boundaries, np.float32)
        values = np.asarray(ops.cast(inputs, "float32")._value)
        indices = np.digitize(values, boundaries).astype(np.int32)
        return encode_categorical_inputs(ops.convert_to_tensor(indices), self.output_mode,
                                         len(self.bin_boundaries) + 1, self.output_dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        if input_shape and len(input_shape) >= 2:
            return (input_shape[0],) + tuple(input_shape[2:]) + (depth,)
        return (depth,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.output_dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            bin_boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = bin_boundaries
            return layer
        return cls(**config)
