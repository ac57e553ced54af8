"""``keras.callbacks.TensorBoard``: the training curves as event files that TensorBoard reads.

Under ``log_dir`` it keeps two runs, ``train/`` and ``validation/``, as Keras does. At every
epoch end the training logs (with the learning rate) go to ``train/`` as ``epoch_<key>`` and
the ``val_`` logs, without their prefix, to ``validation/``, at step = the epoch; every
evaluation also writes ``evaluation_<key>_vs_iterations`` at step = the optimizer's iteration
count. With ``update_freq`` a number of batches, the batch logs go to ``train/`` as
``batch_<key>``; with ``histogram_freq``, the weights as histograms. The files are written by
tensorboardX (``pip install nbkeras[tensorboard]``): the event format is TensorBoard's
protobuf, which is not ours to write by hand. TensorFlow's graph, profiling and embeddings
have no counterpart here.
"""

import os
import time

from nbkeras import ops
from nbkeras.callbacks.callback import Callback


class TensorBoard(Callback):
    """Write scalar summaries of fit and evaluate to ``log_dir``. ``update_freq``:
    ``"epoch"``, ``"batch"`` or every n batches; ``histogram_freq``: weight histograms every
    n epochs (0: none); ``write_steps_per_second``: also the training speed.
    ``write_graph`` and ``write_images`` are accepted and write nothing (there is no TF
    graph); ``profile_batch`` and ``embeddings_freq`` must stay 0."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        if self.update_freq != "epoch" and not (
                isinstance(self.update_freq, int) and self.update_freq > 0):
            raise ValueError("TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"integer; received update_freq={update_freq!r}")
        for name, value in (("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq)):
            if value:
                raise ValueError(f"TensorBoard: {name} is not available in nbkeras (there is "
                                 f"no TensorFlow profiler); received {name}={value!r} (must "
                                 "be 0)")
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._global_train_batch = 0
        self._writers = {}
        _summary_writer_class()  # fail now, not at the first epoch, without tensorboardX

    def set_model(self, model):
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._close_writers()

    def _writer(self, run):
        """The event-file writer of ``"train"`` or ``"validation"``, made when first used."""
        if run not in self._writers:
            folder = self._train_dir if run == "train" else self._val_dir
            self._writers[run] = _summary_writer_class()(logdir=folder)
        return self._writers[run]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self.update_freq == "epoch" or step % self.update_freq:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            writer.add_scalar("batch_steps_per_second", 1.0 / max(elapsed, 1e-9), step)
        for name, value in (logs or {}).items():
            writer.add_scalar(f"batch_{name}", value, step)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return
        writer = self._writer("validation")
        step = int(ops.convert_to_numpy(optimizer.iterations))
        for name, value in (logs or {}).items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", value, step)
        writer.flush()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_iterations = int(ops.convert_to_numpy(
                self.model.optimizer.iterations))
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        validation = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            train["learning_rate"] = float(ops.convert_to_numpy(optimizer.learning_rate))
            if self.write_steps_per_second:
                steps = int(ops.convert_to_numpy(optimizer.iterations))
                train["steps_per_second"] = (steps - self._epoch_start_iterations) / max(
                    time.time() - self._epoch_start_time, 1e-9)
        for run, values in (("train", train), ("validation", validation)):
            if values:
                writer = self._writer(run)
                for name, value in values.items():
                    writer.add_scalar(f"epoch_{name}", value, epoch)
                writer.flush()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            writer = self._writer("train")
            for weight in self.model.weights:
                name = getattr(weight, "path", weight.name).replace(":", "_")
                writer.add_histogram(f"{name}/histogram", ops.convert_to_numpy(weight), epoch)
            writer.flush()


def _summary_writer_class():
    try:
        from tensorboardX import SummaryWriter
    except ImportError as error:
        raise ImportError("The TensorBoard callback writes its event files with tensorboardX: "
                          "install it with `pip install tensorboardX` (or the extra "
                          "`pip install nbkeras[tensorboard]`).") from error
    return SummaryWriter
