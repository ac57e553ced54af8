"""Batches of NumPy arrays (and tensors): what fit does with ``x`` / ``y`` arrays.

One pass over the data cuts it into batches of ``batch_size`` in order, the last one partial
(never dropped). With ``shuffle=True`` every pass draws a new order with
``np.random.permutation(N)`` from NumPy's global generator (``keras.utils.set_random_seed``
seeds it), as Keras' NumPy backend does; ``shuffle="batch"`` shuffles within each batch.
"""

import math

import numpy as np

from nbkeras.trainers.data_adapters import data_adapter_utils
from nbkeras.utils import tree


class ArrayDataAdapter:
    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, class_weight=None):
        x = data_adapter_utils.to_arrays(x, "x")
        y = data_adapter_utils.to_arrays(y, "y")
        sample_weight = data_adapter_utils.to_arrays(sample_weight, "sample_weight")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(
                    "You cannot `class_weight` and `sample_weight` at the same time. (Keras' "
                    "message: pass one of them; Keras 2 multiplied them)"
                )
            if tree.is_nested(y):
                raise ValueError("`class_weight` is only supported for Models with a single "
                                 "output.")
            sample_weight = data_adapter_utils.class_weight_to_sample_weights(y, class_weight)
        self._data = (x, y, sample_weight)
        self._size = data_adapter_utils.check_data_cardinality(self._data)
        if batch_size is None:
            batch_size = math.ceil(self._size / steps) if steps else 32
        self._batch_size = max(int(batch_size), 1)
        self._shuffle = shuffle
        self._num_batches = math.ceil(self._size / self._batch_size)

    @property
    def num_batches(self):
        return self._num_batches

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def has_partial_batch(self):
        return self._size % self._batch_size > 0

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def get_iterator(self):
        """One pass over the data, a ``(x, y, sample_weight)`` tuple (shortest form) per
        batch."""
        if self._shuffle is True:
            order = np.random.permutation(self._size)  # noqa: NPY002 (Keras: the global RNG)
        else:
            order = None
        x, y, sample_weight = self._data
        for start in range(0, self._size, self._batch_size):
            stop = min(start + self._batch_size, self._size)
            if order is not None:
                index = order[start:stop]
            elif self._shuffle == "batch":
                index = np.random.permutation(stop - start) + start  # noqa: NPY002
            else:
                index = slice(start, stop)

            def take(part, index=index):
                return None if part is None else tree.map_structure(
                    lambda a: None if a is None else a[index], part)

            yield data_adapter_utils.pack_x_y_sample_weight(take(x), take(y),
                                                            take(sample_weight))
