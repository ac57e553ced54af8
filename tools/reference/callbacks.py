"""Reference runs of the callbacks (family "callbacks").

Each case of ``_callbacks_zoo.CASES`` runs in real Keras from Keras' own initial weights;
recorded: the arrays the cases draw from (``data/<name>``), the initial weights
(``<case>/w/<i>``) and what the case returns, arrays in the npz (``{"array": key}``).
nbkeras' tests run the same zoo from the same weights and compare.
"""

import keras
import numpy as np

from reference import _callbacks_zoo
from reference._recorder import Recorder


def _jsonable(value, rec, key):
    """A result as JSON, with arrays stored in the npz (``{"array": key}``)."""
    if isinstance(value, dict):
        return {k: _jsonable(v, rec, f"{key}/{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, rec, f"{key}/{i}") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray) and value.ndim > 0:
        rec.arrays[key] = value
        return {"array": key}
    if isinstance(value, (np.generic, np.ndarray)):
        return value.item()
    return value


def build():
    rec = Recorder("callbacks", seed=20261204)
    data = _callbacks_zoo.make_data(rec.rng)
    for name, value in data.items():
        rec.array("data", name, value)
    for case_id, case in _callbacks_zoo.CASES.items():
        keras.backend.clear_session()
        keras.utils.set_random_seed(1)
        weights, results = case(keras, data)
        for i, w in enumerate(weights):
            rec.array(case_id, f"w/{i}", w)
        meta = {k: _jsonable(v, rec, f"{case_id}/{k}") for k, v in results.items()}
        rec.add(case_id, n_weights=len(weights), **meta)
    record_tensorboard(rec, data)
    record_signatures(rec)
    return rec


SIGNED = ["Callback", "CallbackList", "History", "ProgbarLogger", "LambdaCallback",
          "LearningRateScheduler", "EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint",
          "CSVLogger", "TerminateOnNaN", "BackupAndRestore", "TensorBoard"]


def record_signatures(rec):
    """The constructor signature of every callback class, and of Callback's hooks."""
    import inspect

    signatures = {name: str(inspect.signature(getattr(keras.callbacks, name).__init__))
                  for name in SIGNED}
    base = keras.callbacks.Callback
    hooks = {name: str(inspect.signature(getattr(base, name)))
             for name in sorted(vars(base)) if name.startswith("on_") or name.startswith("set_")}
    rec.add("signatures", constructors=signatures, callback_methods=hooks)


def record_tensorboard(rec, data):
    """The [step, tag, value] triples of Keras' TensorBoard event files, per run folder, with
    update_freq "epoch" and 3 (tensorboard must be installed: Keras writes through it)."""
    import tempfile

    for update_freq in ("epoch", 3):
        keras.backend.clear_session()
        keras.utils.set_random_seed(1)
        with tempfile.TemporaryDirectory() as folder:
            weights, history = _callbacks_zoo.tensorboard_run(keras, data, folder, update_freq)
            runs = _read_runs(folder)
        for i, w in enumerate(weights):
            rec.array(f"tensorboard_{update_freq}", f"w/{i}", w)
        rec.add(f"tensorboard_{update_freq}", n_weights=len(weights), runs=runs,
                history=history)


def _read_runs(folder):
    import os

    import tensorflow as tf

    runs = {}
    for run in sorted(os.listdir(folder)):
        found = []
        for name in sorted(os.listdir(os.path.join(folder, run))):
            for event in tf.compat.v1.train.summary_iterator(os.path.join(folder, run, name)):
                for value in event.summary.value:
                    number = (float(tf.make_ndarray(value.tensor)) if value.HasField("tensor")
                              else float(value.simple_value))
                    found.append([int(event.step), value.tag, number])
        runs[run] = found
    return runs
