"""``keras.callbacks.LearningRateScheduler``: set the learning rate at every epoch's start.

``schedule(epoch, lr)`` gets the 0-based epoch and the current rate (the float32 value as a
Python float) and returns the new rate; a one-argument ``schedule(epoch)`` works too (it is
tried when the two-argument call raises TypeError). At the epoch's end the rate used is
written into ``logs["learning_rate"]``.
"""

import numpy as np

from nbkeras import ops
from nbkeras.callbacks.callback import Callback
from nbkeras.utils import io_utils


class LearningRateScheduler(Callback):
    """Set ``optimizer.learning_rate = schedule(epoch, lr)`` before each epoch; ``verbose=1``
    prints each new rate."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, _learning_rate(optimizer))
        except TypeError:  # a schedule of the epoch alone
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError("The output of the `schedule` function should be a float. Got: "
                             f"{learning_rate}")
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            io_utils.print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning "
                               f"rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _learning_rate(self.model.optimizer)


def _learning_rate(optimizer):
    """The optimizer's current learning rate (its float32 value) as a Python float."""
    return float(ops.convert_to_numpy(optimizer.learning_rate))
