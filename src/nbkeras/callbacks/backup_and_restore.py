"""``keras.callbacks.BackupAndRestore``: a fit that is interrupted resumes where it stopped.

After every epoch (or every ``save_freq`` batches) it writes into ``backup_dir`` the weights
with the optimizer's state (``latest.weights.h5``, by ``model.save_weights``) and
``training_metadata.json`` = ``{"epoch": epochs finished, "batch": ...}``. When fit starts
and a backup is there, it loads the weights and makes fit start at that epoch; a fit that
ends normally deletes the folder. Both files are written to a temporary name in the same
folder and renamed, so a crash during a save leaves the previous backup whole (Keras writes
in place). ``double_checkpoint`` also keeps the previous backup as ``*.bkp``, to fall back on
when the latest cannot be read.
"""

import json
import os
import shutil

from nbkeras.callbacks.callback import Callback
from nbkeras.saving.file_utils import atomic_write


class BackupAndRestore(Callback):
    """Back up the training state to ``backup_dir`` and restore it when fit starts again.
    ``save_freq``: ``"epoch"`` or a number of batches; ``double_checkpoint``: keep the
    previous backup too; ``delete_checkpoint``: delete the backup once fit has finished."""

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError("Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq}. Expected either 'epoch' or an integer "
                             "value.")

    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call "
                f"`fit()`. Model {self.model} is unbuilt. You can build it beforehand by "
                "calling it on a batch of data.")
        try:
            self._load_model()
        except (OSError, ValueError):  # h5py's OSError, or nbkeras' "not an HDF5 file"
            if not os.path.exists(self._prev_weights_path):
                raise
            # the latest backup is unreadable: fall back on the previous one
            _copy(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                _copy(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        if os.path.exists(self._weights_path):
            optimizer = self.model.optimizer
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.model.trainable_variables)
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as f:
                metadata = json.load(f)
            self.model._initial_epoch = metadata["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path, previous in ((self._weights_path, self._prev_weights_path),
                                   (self._training_metadata_path,
                                    self._prev_training_metadata_path)):
                if os.path.exists(path):
                    _copy(path, previous)
        self.model.save_weights(filepath=self._weights_path, overwrite=True)
        # The weights are renamed into place first, then the metadata: between the two
        # renames (microseconds) a crash would pair the new weights with the old epoch.
        with atomic_write(self._training_metadata_path) as temporary:
            with open(temporary, "w") as f:
                f.write(json.dumps({"epoch": self._current_epoch,
                                    "batch": self._last_batch_seen}))

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:
            new_batches = batch + 1
        else:
            new_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += new_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _copy(source, destination):
    """Copy a file so that ``destination`` is either the old file or the whole new one."""
    with atomic_write(destination) as temporary:
        shutil.copyfile(source, temporary)
