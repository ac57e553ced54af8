"""``keras.callbacks.CallbackList``: calls every callback at each hook, in order.

fit makes one from the user's callbacks, then ``History`` (unless one was given), then
``ProgbarLogger`` (unless ``verbose=0`` or one was given). At every hook the logs are copied
into one new dict, with the keys sorted and the values made Python floats, and that same
dict goes to every callback: what one adds, the later ones (and History) see, while the
trainer's own logs stay as they were.
"""

from nbkeras.callbacks.callback import Callback
from nbkeras.callbacks.history import History
from nbkeras.callbacks.progbar_logger import ProgbarLogger


def pythonify_logs(logs):
    """``logs`` with sorted keys, nested dicts flattened and tensors made Python floats."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


class CallbackList(Callback):
    """A list of callbacks called as one. ``add_history`` / ``add_progbar`` add a History /
    ProgbarLogger when the list has none; ``model`` and ``params`` (verbose, epochs, steps)
    are handed to every callback."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        self._listeners = {}  # per-batch hook -> the callbacks that define it
        self.callbacks = list(callbacks) if callbacks else []
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks must be keras.callbacks.Callback instances; got {callback!r} "
                    f"(of type {type(callback).__name__})"
                )
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        """Add ``callback`` at the end of the list: its hooks run after the others'."""
        self.callbacks.append(callback)
        self._listeners = {}

    def set_params(self, params):
        super().set_params(params)
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, hook, *args, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    def _call_batch_hook(self, hook, batch, logs):
        """A per-batch hook: only the callbacks that define it are called, and the logs are
        converted only when one does (fit's default History and a silent run define none:
        converting the metrics at every step was most of what the callbacks cost a step).
        Who listens is worked out once per run, at its ``on_*_begin``."""
        listeners = self._listeners.get(hook)
        if listeners is None:
            listeners = self._listeners[hook] = [c for c in self.callbacks if _listens(c, hook)]
        if listeners:
            logs = pythonify_logs(logs)
            for callback in listeners:
                getattr(callback, hook)(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._call_batch_hook("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call_batch_hook("on_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch_hook("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch_hook("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch_hook("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch_hook("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch_hook("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        # the predictions stay arrays: no float conversion for them
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, dict(logs or {}))

    def on_train_begin(self, logs=None):
        self._listeners = {}
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._listeners = {}
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._listeners = {}
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)


_LEGACY_BATCH_HOOKS = {"on_train_batch_begin": "on_batch_begin",
                       "on_train_batch_end": "on_batch_end"}
"""The base Callback's training-batch hooks call these older names (as in Keras)."""


def _listens(callback, hook):
    """Whether ``callback`` does anything at ``hook``: it (or, for the training-batch hooks, the
    older name the base class forwards to) is not the base Callback's empty method. A function
    set on the instance (LambdaCallback) counts, as does a nested list."""
    if isinstance(callback, CallbackList):
        return True
    for name in (hook, _LEGACY_BATCH_HOOKS.get(hook)):
        if name is not None and getattr(getattr(callback, name), "__func__", None) \
                is not getattr(Callback, name):
            return True
    return False
