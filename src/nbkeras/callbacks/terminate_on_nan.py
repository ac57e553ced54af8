"""``keras.callbacks.TerminateOnNaN``: stop when the training loss becomes NaN or infinite."""

import numpy as np

from nbkeras.callbacks.callback import Callback
from nbkeras.utils import io_utils


class TerminateOnNaN(Callback):
    """After every training batch, look at ``logs["loss"]`` (the epoch's running mean): NaN or
    inf stops training after that batch (the epoch still ends, and History records it), or
    raises RuntimeError when ``raise_error=True``."""

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                               f"{loss}. Terminating training immediately.")
        io_utils.print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
