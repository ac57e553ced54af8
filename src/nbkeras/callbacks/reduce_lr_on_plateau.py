"""``keras.callbacks.ReduceLROnPlateau``: cut the learning rate when the monitored value stalls.

Every epoch end writes the learning rate of that epoch into ``logs["learning_rate"]`` (so it
lands in the History), then counts: during a cooldown the counter ``wait`` stays 0; an
improvement (by more than ``min_delta``) sets ``wait`` to 0; otherwise ``wait`` grows, and at
``patience`` the rate becomes ``max(lr * factor, min_lr)`` and a cooldown of ``cooldown``
epochs starts. A rate already at ``min_lr`` is left alone.
"""

import numpy as np

from nbkeras import ops
from nbkeras.callbacks.monitor_callback import MonitorCallback
from nbkeras.utils import io_utils


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` (< 1) after ``patience`` epochs without an
    improvement of ``monitor`` by more than ``min_delta``; then wait ``cooldown`` epochs
    before counting again; never go below ``min_lr``."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _learning_rate(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            self._warn_missing("Learning rate reduction is", logs, end=".")
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_lr(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce_lr(self, epoch):
        optimizer = self.model.optimizer
        old_lr = _learning_rate(optimizer)  # the float32 value, as a Python float
        if not old_lr > np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            io_utils.print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                               f"rate to {new_lr}.")
        return True

    def in_cooldown(self):
        return self.cooldown_counter > 0


def _learning_rate(optimizer):
    """The optimizer's current learning rate (its float32 value) as a Python float."""
    return float(ops.convert_to_numpy(optimizer.learning_rate))
