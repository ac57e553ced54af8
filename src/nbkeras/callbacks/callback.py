"""``keras.callbacks.Callback``: code that runs at fixed points of fit, evaluate and predict.

The loops call a list of callbacks at every boundary (``callback_list.py``): training, epoch and
batch begin and end, and the same for evaluation (``test``) and prediction. A callback
overrides the hooks it needs; ``self.model`` is the model being trained and ``self.params``
holds ``verbose``, ``epochs`` and ``steps`` (batches per epoch, None when unknown). The ``logs``
dict of a hook holds the running metrics (after a batch) or the epoch's metrics, and it is
shared by the callbacks of one hook call: a key one callback adds, the next ones see.
"""


class Callback:
    """Base class of callbacks: every hook does nothing until overridden."""

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Called by fit, evaluate and predict before they start: ``params`` is the dict of
        ``verbose``, ``epochs`` and ``steps`` that ``self.params`` then holds."""
        self.params = params

    def set_model(self, model):
        """Called before the loop starts: the model the callback acts on (``self.model``)."""
        self._model = model

    @property
    def model(self):
        """The model being trained, evaluated or run (set by ``set_model``)."""
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Keras 2's name for ``on_train_batch_begin``, which calls it."""

    def on_batch_end(self, batch, logs=None):
        """Keras 2's name for ``on_train_batch_end``, which calls it."""

    def on_epoch_begin(self, epoch, logs=None):
        """At the start of epoch ``epoch`` (0-based), before its first batch."""

    def on_epoch_end(self, epoch, logs=None):
        """After an epoch and its validation: ``logs`` has the epoch's metrics and the
        ``val_`` ones."""

    def on_train_batch_begin(self, batch, logs=None):
        """Before training batch ``batch`` (0-based, counted within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """After a training batch: ``logs`` has the running means of the epoch so far."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Before an evaluation batch (also during fit's validation)."""

    def on_test_batch_end(self, batch, logs=None):
        """After an evaluation batch."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Before a prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """After a prediction batch: ``logs["outputs"]`` holds its predictions."""

    def on_train_begin(self, logs=None):
        """At the start of fit."""

    def on_train_end(self, logs=None):
        """At the end of fit: ``logs`` are the last epoch's."""

    def on_test_begin(self, logs=None):
        """At the start of evaluate (and of each validation run in fit)."""

    def on_test_end(self, logs=None):
        """At the end of evaluate: ``logs`` has the results."""

    def on_predict_begin(self, logs=None):
        """At the start of predict."""

    def on_predict_end(self, logs=None):
        """At the end of predict."""
