"""Batches from a Python generator (or any iterator) of ``x`` / ``(x, y)`` / ``(x, y, w)``.

Keras reads the first two batches ahead, to see what the data looks like, and puts them back
at the start of *every* epoch's iteration: a finite generator therefore trains on all its
batches in the first epoch and on those two again in each later epoch (measured in Keras
3.15; an infinite generator with ``steps_per_epoch`` carries on where it was). nbkeras does
the same, so that the same program trains on the same batches.
"""

import itertools

from nbkeras.trainers.data_adapters import data_adapter_utils

_PEEK = 2


class GeneratorDataAdapter:
    def __init__(self, generator):
        self._generator = iter(generator)
        self._peeked = list(itertools.islice(self._generator, _PEEK))
        if not self._peeked:
            raise ValueError("The generator yielded no data: expected at least one batch")
        for batch in self._peeked:
            data_adapter_utils.unpack_x_y_sample_weight(batch)

    @property
    def num_batches(self):
        return None

    @property
    def batch_size(self):
        return None

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def get_iterator(self):
        for batch in itertools.chain(self._peeked, self._generator):
            yield _standardize(batch)


def _standardize(batch):
    x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(batch)
    return data_adapter_utils.pack_x_y_sample_weight(
        data_adapter_utils.to_arrays(x, "x"), data_adapter_utils.to_arrays(y, "y"),
        data_adapter_utils.to_arrays(sample_weight, "sample_weight"))
