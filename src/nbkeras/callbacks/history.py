"""``keras.callbacks.History``: the per-epoch logs of fit, which fit returns."""

from nbkeras.callbacks.callback import Callback


class History(Callback):
    """Records every epoch's logs: ``history`` maps each key to its list of values,
    ``epoch`` lists the epochs run (0-based). fit adds one to every run and returns it."""

    def __init__(self):
        super().__init__()
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self  # what model.history refers to, as in Keras
