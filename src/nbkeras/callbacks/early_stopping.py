"""``keras.callbacks.EarlyStopping``: stop training when the monitored value stops improving.

At each epoch end (from ``start_from_epoch`` on) the counter ``wait`` grows by one; an
improvement makes the value the new ``best`` (and keeps a copy of the weights when
``restore_best_weights``) and sets ``wait`` back to 0, if there is no ``baseline`` or the value
also beats it. Without an improvement, training stops once ``wait >= patience`` (never at epoch
0). The messages and the restore come at the end of training; the best weights are restored
then even when training ran to the end.
"""

from nbkeras.callbacks.monitor_callback import MonitorCallback
from nbkeras.utils import io_utils


class EarlyStopping(MonitorCallback):
    """Stop when ``monitor`` (default ``"val_loss"``) has not improved by more than
    ``min_delta`` for ``patience`` epochs. ``mode``: ``"auto"``, ``"min"`` or ``"max"``;
    ``baseline``: a value to reach before ``wait`` is reset; ``restore_best_weights``: end with
    the weights of the best epoch; ``start_from_epoch``: epochs to ignore at first.
    ``stopped_epoch`` is the 0-based epoch where it stopped (0: it did not)."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # the first epoch watched is the best so far, even if it does not beat baseline
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            io_utils.print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                io_utils.print_msg("Restoring model weights from the end of the best epoch: "
                                   f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """``logs[monitor]``, or None with a warning that lists the keys there are."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            self._warn_missing("Early stopping", logs)
        return value
