"""The batches of one epoch, and how ``steps_per_epoch`` cuts epochs out of the data.

Without ``steps_per_epoch`` an epoch is one pass over the data. With it, an epoch is that many
batches taken from one running pass: the pass carries on into the next epoch and starts again
only once it is used up (arrays of 4 batches with ``steps_per_epoch=2`` give batches 0, 1 in
epoch 1, batches 2, 3 in epoch 2, and 0, 1 again in epoch 3, as in Keras). Data that runs out
within an epoch ends that epoch with Keras' warning.

With ``steps_per_execution=k`` each step hands ``k`` batches to the step function at once.
"""

import warnings

from nbkeras.trainers.data_adapters import get_data_adapter

RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or "
    "generator can generate at least `steps_per_epoch * epochs` batches. You may need to use "
    "the `.repeat()` function when building your dataset."
)


class EpochIterator:
    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                 shuffle=False, class_weight=None, steps_per_execution=1):
        if steps_per_execution < 1:
            raise ValueError(
                f"steps_per_execution must be a positive integer; got {steps_per_execution}"
            )
        self.steps_per_epoch = steps_per_epoch
        self.steps_per_execution = steps_per_execution
        self.data_adapter = get_data_adapter(x, y, sample_weight=sample_weight,
                                             batch_size=batch_size,
                                             steps_per_epoch=steps_per_epoch, shuffle=shuffle,
                                             class_weight=class_weight)
        self._iterator = None
        self._fresh = False

    @property
    def num_batches(self):
        """Batches per epoch (None when the data does not say)."""
        if self.steps_per_epoch is not None:
            return self.steps_per_epoch
        return self.data_adapter.num_batches

    def reset(self):
        self._iterator = None

    def _new_pass(self):
        self._iterator = iter(self.data_adapter.get_iterator())
        self._fresh = True

    def _next_batch(self):
        """The next batch of the running pass; None when it is used up."""
        try:
            batch = next(self._iterator)
        except StopIteration:
            self._iterator = None
            return None
        self._fresh = False
        return batch

    def enumerate_epoch(self):
        """``(first step, last step, batches)`` for each step of one epoch: one batch per
        step, or ``steps_per_execution`` of them."""
        self.data_adapter.on_epoch_begin()
        if self.steps_per_epoch is None:
            self._new_pass()
        elif self._iterator is None:
            self._new_pass()
        step, limit = 0, self.steps_per_epoch
        while limit is None or step < limit:
            group = []
            while len(group) < self.steps_per_execution and (limit is None
                                                             or step + len(group) < limit):
                batch = self._next_batch()
                if batch is None and step == 0 and not group and not self._fresh \
                        and self.steps_per_epoch is not None:
                    self._new_pass()  # the previous epoch used the pass up: start again
                    batch = self._next_batch()
                if batch is None:
                    break
                group.append(batch)
            if not group:
                if limit is not None or self.data_adapter.num_batches is None:
                    warnings.warn(RAN_OUT, stacklevel=3)
                break
            yield step, step + self.steps_per_execution - 1, group
            step += len(group)
            if len(group) < self.steps_per_execution:
                break
        self.data_adapter.on_epoch_end()
