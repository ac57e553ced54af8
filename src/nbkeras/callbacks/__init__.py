"""``keras.callbacks``: code that runs at fixed points of fit, evaluate and predict."""

from nbkeras.callbacks.callback import Callback
from nbkeras.callbacks.callback_list import CallbackList
from nbkeras.callbacks.history import History
from nbkeras.callbacks.progbar_logger import ProgbarLogger
