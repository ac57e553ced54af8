"""``keras.utils.PyDataset`` and the adapter that batches from one.

A PyDataset is a sequence of batches: ``__getitem__(i)`` returns batch ``i`` (``x``, ``(x,)``,
``(x, y)`` or ``(x, y, sample_weight)``) and ``__len__`` the number of batches (or a
``num_batches`` property, None for an endless dataset). fit visits the batches in order, or in
an order shuffled with Python's ``random.shuffle`` each epoch when ``shuffle=True`` (each batch
stays whole), and calls ``on_epoch_end()`` after each epoch, and once before the first, as
Keras 3.15 does. nbkeras reads the batches in the main process: ``workers`` and
``use_multiprocessing`` are accepted and recorded only.
"""

import random
import warnings

from nbkeras.trainers.data_adapters import data_adapter_utils
from nbkeras.trainers.data_adapters.generator_data_adapter import _standardize


class PyDataset:
    """Base class of a dataset of batches (``keras.utils.PyDataset``; ``keras.utils.Sequence``
    is the same class). Subclasses call ``super().__init__(**kwargs)`` and implement
    ``__getitem__`` and ``__len__``."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        self._check_super_called()
        return self._workers

    @property
    def use_multiprocessing(self):
        self._check_super_called()
        return self._use_multiprocessing

    @property
    def max_queue_size(self):
        self._check_super_called()
        return self._max_queue_size

    def _check_super_called(self):
        if "_workers" not in self.__dict__:
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                "constructor. `**kwargs` can include `workers`, `use_multiprocessing`, "
                "`max_queue_size`. Do not pass these arguments to `fit()`, as they will be "
                "ignored.", stacklevel=3)
            self._workers, self._use_multiprocessing, self._max_queue_size = 1, False, 10

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    @property
    def num_batches(self):
        """The number of batches (``len(self)`` when ``__len__`` is defined)."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        return None

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ or "
                                  "num_batches")

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""


class PyDatasetAdapter:
    def __init__(self, dataset, shuffle=False, class_weight=None):
        dataset._check_super_called()
        self._dataset = dataset
        self._shuffle = shuffle
        self._class_weight = class_weight
        self._dataset.on_epoch_end()  # Keras 3.15 calls it once before training, too

    @property
    def num_batches(self):
        return self._dataset.num_batches

    @property
    def batch_size(self):
        return None

    def on_epoch_begin(self):
        self._dataset.on_epoch_begin()

    def on_epoch_end(self):
        self._dataset.on_epoch_end()

    def get_iterator(self):
        total = self.num_batches
        indices = range(total) if total is not None else _count()
        if self._shuffle and total is not None:
            indices = list(indices)
            random.shuffle(indices)
        for index in indices:
            try:
                batch = self._dataset[index]
            except IndexError:
                if total is None:
                    return
                raise
            batch = _standardize(batch)
            if self._class_weight is not None:
                x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(batch)
                weights = data_adapter_utils.class_weight_to_sample_weights(
                    y, self._class_weight)
                batch = (x, y, weights)
            yield batch


def _count():
    index = 0
    while True:
        yield index
        index += 1
