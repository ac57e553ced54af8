"""``keras.callbacks``: code that runs at fixed points of fit, evaluate and predict."""

from nbkeras.callbacks.backup_and_restore import BackupAndRestore
from nbkeras.callbacks.callback import Callback
from nbkeras.callbacks.callback_list import CallbackList
from nbkeras.callbacks.csv_logger import CSVLogger
from nbkeras.callbacks.early_stopping import EarlyStopping
from nbkeras.callbacks.history import History
from nbkeras.callbacks.lambda_callback import LambdaCallback
from nbkeras.callbacks.learning_rate_scheduler import LearningRateScheduler
from nbkeras.callbacks.model_checkpoint import ModelCheckpoint
from nbkeras.callbacks.progbar_logger import ProgbarLogger
from nbkeras.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from nbkeras.callbacks.tensorboard import TensorBoard
from nbkeras.callbacks.terminate_on_nan import TerminateOnNaN
