"""``Hashing``: strings or integers to ``num_bins`` buckets by a hash, with no vocabulary.

A value (an integer is first written in decimal, a float first truncated to an integer, as
TensorFlow's ``as_string``) goes to bucket ``FarmHash64(bytes) mod num_bins``, or, with a
``salt``, ``SipHash-2-4(bytes) mod num_bins`` keyed by the salt (harder to provoke collisions
with chosen inputs). With ``mask_value``, that value goes to bucket 0 and the others to
1 + the hash modulo ``num_bins - 1``. The hashes are TensorFlow's, bit for bit
(``kernels/hashing.py``), so the buckets are Keras'.
"""

import numpy as np

from nbkeras import config, ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import hashing as K
from nbkeras.layers.layer import Layer
from nbkeras.tensor import Tensor
from nbkeras.utils.numerical_utils import encode_categorical_inputs

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def as_strings(values):
    """The byte strings TensorFlow hashes for ``values``: the UTF-8 of strings, the decimal
    form of integers (floats are truncated to integers first)."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        values = values.astype(np.int64)
    if values.dtype.kind in "iub":
        return [str(int(v)).encode("ascii") for v in values.reshape(-1)]
    return [v if isinstance(v, bytes) else str(v).encode("utf-8") for v in values.reshape(-1)]


def hash_to_bins(values, num_bins, salt=None):
    """The bucket in [0, num_bins) of each value (int64, the shape of ``values``)."""
    strings = as_strings(values)
    hashes = K.fingerprint64(strings) if salt is None else K.strong_hash(strings, salt)
    return (hashes % np.uint64(num_bins)).astype(np.int64).reshape(np.shape(values))


def as_values(x):
    """A layer input as a NumPy array (strings stay strings)."""
    if isinstance(x, Tensor):
        return x._value
    return np.asarray(x)


class Hashing(Layer):
    """Hash values into bins (``keras.layers.Hashing``); ``output_mode`` "int" gives the bin
    (int64), "one_hot", "multi_hot" and "count" encode it."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                f"Received: num_bins={num_bins}."
            )
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(
                'When `output_mode="int"`, `dtype` should be an integer type, \'int32\' or '
                f"'int64'. Received: dtype={kwargs['dtype']}"
            )
        if output_mode not in OUTPUT_MODES:
            raise ValueError(
                f"Invalid value for argument `output_mode`. Expected one of {OUTPUT_MODES}. "
                f"Received: output_mode={output_mode}"
            )
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported by nbkeras")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError(
                    "The `salt` argument for `Hashing` can only be a tuple of size 2 integers, "
                    f"or a single integer. Received: salt={salt}."
                )
        self.built = True

    def _convert_input(self, x):
        return x if isinstance(x, Tensor) else as_values(x)

    def _hash_values_to_bins(self, values):
        bins = self.num_bins
        if self.mask_value is None or bins == 1:
            return hash_to_bins(values, bins, self.salt)
        masked = values == self.mask_value
        return np.where(masked, 0, hash_to_bins(values, bins - 1, self.salt) + 1)

    def call(self, inputs):
        values = as_values(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        indices = ops.convert_to_tensor(self._hash_values_to_bins(values))
        return encode_categorical_inputs(indices, self.output_mode, self.num_bins, self.dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}
