"""The base of the callbacks that watch one logged value: EarlyStopping, ModelCheckpoint,
ReduceLROnPlateau.

``monitor`` names a key of the epoch logs (``"val_loss"``); ``mode`` says whether smaller
(``"min"``) or larger (``"max"``) is better, or (``"auto"``) decides it from the name: a loss
is minimised, and a compiled metric follows its own direction (accuracy and AUC up, errors
down). A value improves on the best one only when it beats it by more than ``min_delta``.
The comparison is made in float32, as Keras makes it on tensors.
"""

import warnings

import numpy as np

from nbkeras.callbacks.callback import Callback

MODES = ("auto", "min", "max")


class MonitorCallback(Callback):
    """Watches ``logs[monitor]``; ``_is_improvement(value, best)`` tells whether a value is
    better than the best so far by more than ``min_delta`` (``None`` is beaten by anything)."""

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in MODES:
            # Keras warns and falls back to "auto": nbkeras refuses a misspelt mode
            raise ValueError(f"{type(self).__name__}: mode must be one of {list(MODES)}; "
                             f"received mode={mode!r}")
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        """Choose the comparison at the first epoch end, when the model's metrics exist."""
        if self.mode == "min":
            self.monitor_op = np.less
        elif self.mode == "max":
            self.monitor_op = np.greater
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = np.less
            for metric in _compiled_metrics(self.model):
                if metric.name == name and metric._direction is not None:
                    self.monitor_op = np.greater if metric._direction == "up" else np.less
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based on "
                    "the highest metric value, or pass `mode='min'` in order to use the lowest "
                    "value."
                )
        if self.monitor_op is np.less:
            self.min_delta = -self.min_delta  # value - (-delta) < best: beaten by delta

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(np.float32(monitor_value - self.min_delta),
                                    np.float32(reference_value)))

    def _warn_missing(self, what, logs, end=""):
        warnings.warn(
            f"{what} conditioned on metric `{self.monitor}` which is not available. "
            f"Available metrics are: {','.join(logs)}{end}", stacklevel=3)


def _compiled_metrics(model):
    """The metrics compiled into ``model`` (each one, out of the CompileMetrics container)."""
    found = []
    for metric in getattr(model, "metrics", []):
        found.extend(getattr(metric, "metrics", []))
    return found
