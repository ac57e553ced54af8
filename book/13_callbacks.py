# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Callbacks
#
# `fit` is a fixed loop; a callback is how code of one's own runs inside it. At every boundary
# of the loop (training starts, an epoch starts, a batch ends, validation ends, ...) `fit` calls
# the same hook on every callback in its list, handing it the model (`self.model`), the run's
# parameters (`self.params`) and the metrics so far (`logs`). Keras' own callbacks are built
# that way: `History` records the epoch logs, `ProgbarLogger` draws the progress bar,
# `EarlyStopping` sets `model.stop_training`, `ReduceLROnPlateau` and `LearningRateScheduler`
# assign the optimizer's learning rate, `ModelCheckpoint` and `BackupAndRestore` save files.
#
# This chapter draws the hook sequence, runs the seeds' two callbacks, and then each of Keras'
# callbacks, checking what they decide (the epoch where training stops, the weights restored,
# the learning rate at every epoch, the text of the messages and of the CSV file) against real
# Keras: `tests/reference/callbacks.json` holds runs of Keras 3.15 from known weights.

# %%
import json
import os
import tempfile
import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nbkeras as keras
from nbkeras import backend as K
from nbkeras import callbacks, layers
from nbkeras.utils import load_reference, show_source
from nbkeras.utils.keras_reference import assert_matches_keras

np.set_printoptions(precision=4, suppress=True)
reference = {case.id: case for case in load_reference("callbacks")}
arrays = {name[len("data/"):]: value for name, value in reference["hooks"]._arrays.items()
          if name.startswith("data/")}


def wrap(text, width=76):
    return textwrap.fill(str(text), width, subsequent_indent="    ")


def reference_model(case_id):
    """The reference's network (4 -> 16 tanh -> 1) with the initial weights Keras used."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(16, activation="tanh"),
                              layers.Dense(1)])
    case = reference[case_id]
    model.set_weights([case.array(f"w/{i}") for i in range(case["n_weights"])])
    return model


digits = load_digits()
x_all = (digits.data / 16.0).astype("float32")  # 1797 images of 8 x 8, scaled to [0, 1]
y_all = digits.target.astype("int32")
x_train, x_test, y_train, y_test = train_test_split(x_all, y_all, test_size=0.2,
                                                    random_state=0, stratify=y_all)


def digits_mlp(seed=0, hidden=64):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(64,)), layers.Dense(hidden, activation="relu"),
                             layers.Dense(10, activation="softmax")], name="digits_mlp")


print(x_train.shape, x_test.shape)

# %% [markdown]
# ## The lifecycle
#
# A callback subclasses `keras.callbacks.Callback` and overrides the hooks it needs; the others
# do nothing. The one below overrides all of them and notes each call with the keys of its
# `logs`. It runs on the reference's small regression problem: 32 samples in 2 batches of 16,
# 2 epochs, and 16 validation samples in 2 batches of 8.

# %%
class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def note(self, hook, index=None, logs=None):
        self.events.append([hook, index, sorted(logs or {})])


def _indexed(hook):
    return lambda self, index, logs=None: self.note(hook, index, logs)


def _plain(hook):
    return lambda self, logs=None: self.note(hook, None, logs)


for stage in ("train", "test", "predict"):
    for when in ("begin", "end"):
        setattr(Recorder, f"on_{stage}_{when}", _plain(f"on_{stage}_{when}"))
        setattr(Recorder, f"on_{stage}_batch_{when}", _indexed(f"on_{stage}_batch_{when}"))
Recorder.on_epoch_begin = _indexed("on_epoch_begin")
Recorder.on_epoch_end = _indexed("on_epoch_end")

model = reference_model("hooks")
model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
recorder = Recorder()
history = model.fit(arrays["x"], arrays["y"], batch_size=16, epochs=2, shuffle=False,
                    validation_data=(arrays["xv"], arrays["yv"]), validation_batch_size=8,
                    callbacks=[recorder], verbose=0)
for hook, index, keys in recorder.events[:14]:
    print(f"{hook}({'' if index is None else index})".ljust(26), keys)
print("...")
print("params:", recorder.params)
assert recorder.events == reference["hooks"]["fit_events"]  # Keras' sequence, key for key
assert recorder.params == reference["hooks"]["fit_params"]

# %% [markdown]
# The same list, call for call and key for key, as Keras'. Drawn as a timeline (one row per
# level of the loop, time running to the right):

# %%
levels = {"train": 4, "epoch": 3, "train_batch": 2, "test": 1, "test_batch": 0}
colours = {"train": "tab:blue", "epoch": "tab:orange", "train_batch": "tab:green",
           "test": "tab:red", "test_batch": "tab:purple"}
fig, ax = plt.subplots(figsize=(10, 3))
opened = {}
for t, (hook, index, _keys) in enumerate(recorder.events):
    level = hook[3:].rsplit("_", 1)[0]
    if hook.endswith("_begin"):
        opened[level] = t
    else:
        start = opened.pop(level)
        ax.broken_barh([(start, t - start + 0.8)], (levels[level] - 0.35, 0.7),
                       color=colours[level], alpha=0.8)
        label = "" if index is None else str(index)
        ax.text(start + 0.1, levels[level], label, va="center", fontsize=8, color="white")
ax.set_yticks(list(levels.values()), [f"on_{name}_begin/end" for name in levels])
ax.set_xlabel("order of the hook calls")
ax.set_title("fit(epochs=2, 2 batches, validation in 2 batches)")
plt.tight_layout()
plt.show()

# %% [markdown]
# What the sequence says:
#
# * Metrics are reset before `on_epoch_begin`; after a training batch `logs` holds the running
#   means of the epoch so far; `on_epoch_end` gets the epoch's metrics and the `val_` ones.
# * Validation is a call of `evaluate` with the same callbacks: `on_test_*` hooks run inside
#   every epoch, with unprefixed keys. The progress bar stays silent there.
# * `on_train_end` gets the last epoch's logs.
# * The Keras 2 names `on_batch_begin` / `on_batch_end` still exist: the default
#   `on_train_batch_begin` / `on_train_batch_end` call them, so a callback that overrides only
#   the old names hears about training batches, and not about validation ones.
#
# `evaluate` and `predict` take callbacks too, with `params` of one epoch, and
# `on_predict_batch_end` gets the batch's predictions in `logs["outputs"]`:

# %%
evaluate_recorder, predict_recorder = Recorder(), Recorder()
model.evaluate(arrays["xv"], arrays["yv"], batch_size=8, callbacks=[evaluate_recorder],
               verbose=0)


class Outputs(callbacks.Callback):
    def on_predict_batch_end(self, batch, logs=None):
        print("predict batch", batch, "outputs", type(logs["outputs"]).__name__,
              logs["outputs"].shape)


model.predict(arrays["xv"], batch_size=8, callbacks=[predict_recorder, Outputs()], verbose=0)
print([e[0] for e in evaluate_recorder.events])
print([e[0] for e in predict_recorder.events], predict_recorder.params)
assert evaluate_recorder.events == reference["hooks"]["evaluate_events"]
assert predict_recorder.events == reference["hooks"]["predict_events"]

# %% [markdown]
# ### One `logs` dict, passed along the list
#
# fit builds its list as: the user's callbacks in the order given, then a `History`, then the
# `ProgbarLogger` (unless `verbose=0`). At each hook call the logs are copied once (keys sorted,
# values made Python floats) and that same dict goes to every callback in turn, so a key that one
# callback adds is seen by the next ones, by History and by the progress bar. That is how
# `ReduceLROnPlateau` puts `learning_rate` into the History. The trainer's own dict is not
# changed: `on_train_end` gets the logs without the added key.

# %%
show_source(callbacks.CallbackList._call)

# %%
class AddRatio(callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs["val_over_train"] = logs["val_loss"] / logs["loss"]


model = reference_model("logs_shared")
model.compile(keras.optimizers.SGD(0.05), "mse")
history = model.fit(arrays["x"], arrays["y"], batch_size=16, epochs=2, shuffle=False,
                    validation_data=(arrays["xv"], arrays["yv"]), callbacks=[AddRatio()],
                    verbose=0)
print({key: np.round(values, 4).tolist() for key, values in history.history.items()})

# %% [markdown]
# ### Stopping, and what an exception leaves behind
#
# `self.model.stop_training = True` ends training at the end of the current batch (when set in a
# batch hook: that epoch still gets its `on_epoch_end`, and History records it) or of the current
# epoch. An exception raised in a callback, or a Ctrl-C, leaves `fit` at once, as in Keras: the
# History keeps the epochs that ended, and `on_train_end` does not run, which is what lets
# `BackupAndRestore` keep its backup for the next run. nbkeras adds one thing: a Ctrl-C that
# arrives during a training step is held until the step is over, so the weights and the
# optimizer's slots are never left half-updated.

# %%
show_source(keras.trainers.interrupts.StepGuard)


# %%
class StopAfterTwoBatches(callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            self.model.stop_training = True


model = digits_mlp()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=5, callbacks=[StopAfterTwoBatches()], verbose=0)
print("epochs:", history.epoch, "steps:", int(model.optimizer.iterations))


class Crash(callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 3:
            raise RuntimeError("the disk is full")


model = digits_mlp()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
try:
    model.fit(x_train, y_train, epochs=10, callbacks=[Crash()], verbose=0)
except RuntimeError as error:
    print("RuntimeError:", error)
print("epochs kept:", model.history.epoch, "steps:", int(model.optimizer.iterations))

# %% [markdown]
# ## The seeds' two callbacks
#
# ### A LambdaCallback that writes one JSON line per epoch
#
# `LambdaCallback` makes a callback from functions: `on_epoch_end(epoch, logs)`,
# `on_train_end(logs)` and the others; any other hook can be passed by name. The seed's writes
# each epoch's logs as a line of JSON and closes the file when training ends. It runs here as
# written, with the file in a temporary folder:

# %%
workdir = tempfile.mkdtemp()
os.makedirs(os.path.join(workdir, "data"))
os.chdir(workdir)  # the files of this chapter go to a temporary folder

json_log = open('./data/keras_log.json', mode='wt', buffering=1)  # noqa: UP015, SIM115
json_logging_callback = callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: json_log.write(
        json.dumps(dict(epoch=epoch, **logs)) + '\n'),
    on_train_end=lambda logs: json_log.close()
)

model = digits_mlp()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3, validation_split=0.2, verbose=0,
          callbacks=[json_logging_callback])
print("closed:", json_log.closed)
with open("./data/keras_log.json") as f:
    for line in f:
        row = json.loads(line)
        print({key: round(value, 4) for key, value in row.items()})

# %%
show_source(callbacks.LambdaCallback)

# %% [markdown]
# ### LearningRateScheduler, as a Callback subclass
#
# The seed shows the source of Keras 2's `LearningRateScheduler`. Run as written, with
# `nbkeras.backend` as `K`: `K.get_value` / `K.set_value` and `optimizer.lr` are Keras 2 names
# that Keras 3 removed (it has `optimizer.learning_rate`, a variable: `float(v)`, `v.assign(x)`)
# and that nbkeras keeps for the seeds. One thing must change: `tf.Tensor` and `ops.Tensor`
# (TensorFlow's tensor class; the seed never imports `ops`, it comes from TensorFlow's own
# source) become nbkeras' `keras.Tensor`.

# %%
class tf:  # noqa: N801 - the seed's names for TensorFlow's tensor class
    Tensor = keras.Tensor


ops = tf


# The seed's code from here on.
class LearningRateScheduler(callbacks.Callback):
    def __init__(self, schedule, verbose=0):
        super(LearningRateScheduler, self).__init__()  # noqa: UP008
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, 'lr'):
            raise ValueError('Optimizer must have a "lr" attribute.')
        try:
            lr = float(K.get_value(self.model.optimizer.lr))
            lr = self.schedule(epoch, lr)
        except TypeError:  # Support for old API for backward compatibility
            lr = self.schedule(epoch)
        if not isinstance(lr, (tf.Tensor, float, np.float32, np.float64)):
            raise ValueError('The output of the "schedule" function '
                             'should be float.')
        if isinstance(lr, ops.Tensor) and not lr.dtype.is_floating:
            raise ValueError('The dtype of Tensor should be float')
        K.set_value(self.model.optimizer.lr, K.get_value(lr))
        if self.verbose > 0:
            print('\nEpoch %05d: LearningRateScheduler reducing learning '  # noqa: UP031
                  'rate to %s.' % (epoch + 1, lr))

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        logs['lr'] = K.get_value(self.model.optimizer.lr)


def halve_after_two(epoch, lr):
    return lr if epoch < 2 else lr * 0.5


model = digits_mlp()
model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
history = model.fit(x_train, y_train, epochs=4, verbose=0,
                    callbacks=[LearningRateScheduler(halve_after_two, verbose=1)])
print("\nlr:", [float(v) for v in history.history["lr"]])

# %% [markdown]
# Keras 3 writes the same callback with `optimizer.learning_rate`; it says "setting" rather than
# "reducing", prints the epoch without zeros, and logs the key `learning_rate` (a Python float).
# nbkeras' version, from the package:

# %%
show_source(callbacks.LearningRateScheduler)

# %% [markdown]
# On the reference's problem, from Keras' initial weights: the calls the schedule got (the
# 0-based epoch and the current rate, the float32 value as a Python float), the messages and the
# learning-rate trace are Keras' to the last digit, and the losses match to float32 round-off.

# %%
calls = []


def logged_halving(epoch, lr):
    calls.append([epoch, lr])
    return halve_after_two(epoch, lr)


model = reference_model("lr_scheduler_two_args")
model.compile(keras.optimizers.SGD(0.1), "mse")
history = model.fit(arrays["x"], arrays["y"], batch_size=8, epochs=4, shuffle=False, verbose=0,
                    callbacks=[callbacks.LearningRateScheduler(logged_halving, verbose=1)])
expected = reference["lr_scheduler_two_args"]
print("\ncalls:", calls)
print("learning_rate:", history.history["learning_rate"])
assert calls == expected["calls"]
assert history.history["learning_rate"] == expected["history"]["learning_rate"]
assert_matches_keras(history.history["loss"], expected["history"]["loss"], 2e-4, "loss")

# %% [markdown]
# A schedule of the epoch alone, `schedule(epoch)`, works too (the two-argument call raises
# TypeError and the callback tries again), and the result must be a float: `lambda epoch: 1`
# gives `ValueError: The output of the `schedule` function should be a float. Got: 1`.

# %% [markdown]
# ## Watching a metric: EarlyStopping
#
# `EarlyStopping`, `ReduceLROnPlateau` and `ModelCheckpoint` share a base, `MonitorCallback`:
# `monitor` names a key of the epoch logs, and `mode` says whether smaller or larger is better.
# With `mode="auto"` a loss is minimised, and a compiled metric follows its own direction
# (accuracy and AUC are maximised, errors minimised). A value is an improvement only when it
# beats the best so far by more than `min_delta`.

# %%
show_source(callbacks.monitor_callback.MonitorCallback._set_monitor_op,
            callbacks.monitor_callback.MonitorCallback._is_improvement)

# %% [markdown]
# At every epoch end `EarlyStopping` counts one more epoch in `wait`; an improvement sets `wait`
# back to 0 (and keeps a copy of the weights when `restore_best_weights`); otherwise, once
# `wait >= patience`, it sets `stop_training`. `baseline` is a value to reach before `wait` is
# reset, and `start_from_epoch` ignores the first epochs.

# %%
show_source(callbacks.EarlyStopping.on_epoch_end, callbacks.EarlyStopping.on_train_end)

# %% [markdown]
# Keras' decisions, on `val_loss` values put in by hand (a callback placed before `EarlyStopping`
# overwrites `logs["val_loss"]`, so that round-off cannot move the stopping epoch). Each row is
# checked against the same run in Keras: the epochs run, `stopped_epoch`, `best` and
# `best_epoch`, and the weights left at the end.

# %%
class Inject(callbacks.Callback):
    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = float(self.values[epoch])


table = [
    ([1.0, 0.9, 0.95, 0.8, 0.7, 0.6], {"patience": 0}),
    ([1.0] * 6, {"patience": 2}),
    ([1.0, 1.1, 0.9, 1.2, 1.3, 1.4], {"patience": 2}),
    ([1.0, 0.95, 0.92, 0.9, 0.85, 0.8], {"patience": 1, "min_delta": 0.1}),
    ([1.0, 0.95, 0.92, 0.9, 0.85, 0.8], {"patience": 1, "min_delta": -0.1}),
    ([1.0, 1.0, 1.0, 1.0, 1.0, 1.0], {"patience": 0}),
    ([1.0, 0.9, 0.8, 0.7, 0.6, 0.55], {"patience": 1, "baseline": 0.5}),
    ([1.0, 0.4, 0.45, 0.46, 0.47, 0.48], {"patience": 2, "baseline": 0.5}),
    ([0.1, 0.2, 1.0, 1.1, 1.2, 1.3], {"patience": 1, "start_from_epoch": 2}),
    ([0.5, 0.6, 0.7, 0.65, 0.6, 0.55], {"patience": 2, "mode": "max"}),
    ([0.5, 0.6, 0.7, 0.65, 0.6, 0.55], {"patience": 2, "monitor": "val_accuracy"}),
    ([1.0, 0.5, 0.7, 0.8, 0.9, 1.0], {"patience": 5, "restore_best_weights": True,
                                      "verbose": 1}),
    ([1.0, 0.5, 0.7, 0.8, 0.9, 1.0], {"patience": 2, "restore_best_weights": True,
                                      "verbose": 1}),
]
model = reference_model("early_stopping_table")
start = model.get_weights()
for row, ((values, kwargs), expected) in enumerate(
        zip(table, reference["early_stopping_table"]["rows"], strict=True)):
    model.set_weights(start)
    monitor = kwargs.get("monitor", "val_loss")
    model.compile(keras.optimizers.SGD(0.05), "mse",
                  metrics=["accuracy"] if monitor == "val_accuracy" else [])
    stop = callbacks.EarlyStopping(**kwargs)
    history = model.fit(arrays["x"], arrays["y"], batch_size=16, epochs=len(values),
                        shuffle=False, callbacks=[Inject(monitor, values), stop], verbose=0)
    arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items()
                          if key != "verbose")
    print(f"{row:2}: {', '.join(map(str, values)):31} {arguments:40} -> ran",
          len(history.epoch), "stopped_epoch", stop.stopped_epoch, "best", stop.best,
          "best_epoch", stop.best_epoch)
    assert history.epoch == expected["epoch"] and stop.stopped_epoch == expected["stopped_epoch"]
    assert stop.best == expected["best"] and stop.best_epoch == expected["best_epoch"]
    for i, w in enumerate(model.get_weights()):
        assert_matches_keras(w, reference["early_stopping_table"].array(
            f"rows/{row}/final_weights/{i}"), 2e-4, "final weights")

# %% [markdown]
# The rules show in the table. An equal value is no improvement (row 5 stops at once); a
# negative `min_delta` counts as positive (rows 3 and 4). With a `baseline`, `wait` is reset only
# by values that also beat it, but the stopping test is only reached by an epoch that does not
# improve: row 6 improves every epoch without reaching 0.5, so `wait` grows and training never
# stops, while row 7 reaches 0.4 and then stops after `patience` epochs without improvement.
# The last two rows print what Keras prints at the end of training, and `restore_best_weights`
# restores the best epoch's weights *even when training did not stop early* (row 11).
#
# ### On a noisy validation curve
#
# The digits, with only 100 validation images and Adam at a high learning rate (0.02), give a
# validation loss that zigzags: it jumps up at epoch 5 and reaches its lowest at epoch 6. With
# `patience=5` training goes on through the jumps, stops five epochs after the lowest point, and
# comes back to the weights of that epoch (evaluating them gives the best `val_loss` again):

# %%
x_fit, x_val, y_fit, y_val = train_test_split(x_train, y_train, test_size=100, random_state=1,
                                              stratify=y_train)
model = digits_mlp(seed=2, hidden=128)
model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
stop = callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True,
                               verbose=1)
history = model.fit(x_fit, y_fit, batch_size=32, epochs=100, validation_data=(x_val, y_val),
                    callbacks=[stop], verbose=0)
val_loss = history.history["val_loss"]
print("ran", len(history.epoch), "epochs; best epoch", stop.best_epoch + 1,
      f"val_loss {stop.best:.4f}; restored weights give",
      f"{model.evaluate(x_val, y_val, verbose=0)[0]:.4f}")

fig, ax = plt.subplots(figsize=(8, 3.2))
epochs = np.arange(1, len(val_loss) + 1)
ax.plot(epochs, history.history["loss"], label="loss")
ax.plot(epochs, val_loss, label="val_loss")
ax.axvline(stop.best_epoch + 1, color="tab:green", ls="--", label="best epoch (restored)")
ax.axvline(stop.stopped_epoch + 1, color="tab:red", ls=":", label="stopped")
ax.set_xlabel("epoch")
ax.set_yscale("log")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The same kind of run on the reference problem, from Keras' weights, stops where Keras
# stopped and restores the same epoch:

# %%
model = reference_model("early_stopping_run")
model.compile(keras.optimizers.SGD(0.01, momentum=0.9), "mse")
stop = callbacks.EarlyStopping(patience=3, restore_best_weights=True, verbose=1)
history = model.fit(arrays["x"], arrays["y"], batch_size=8, epochs=30, shuffle=False,
                    validation_data=(arrays["xv"], arrays["yv"]), callbacks=[stop],
                    verbose=0)
expected = reference["early_stopping_run"]
print(f"Keras: stopped_epoch {expected['stopped_epoch']}, best_epoch {expected['best_epoch']}")
assert (stop.stopped_epoch, stop.best_epoch) == (expected["stopped_epoch"],
                                                 expected["best_epoch"])
assert_matches_keras(history.history["val_loss"], expected["history"]["val_loss"], 2e-4,
                     "val_loss")
for i, w in enumerate(model.get_weights()):
    assert_matches_keras(w, expected.array(f"final_weights/{i}"), 2e-4, "restored weights")

# %% [markdown]
# ## ReduceLROnPlateau
#
# At every epoch end it first writes the epoch's learning rate into `logs["learning_rate"]`, then
# counts like `EarlyStopping`; after `patience` epochs without an improvement it multiplies the
# rate by `factor` (never below `min_lr`) and waits `cooldown` epochs before counting again.

# %%
show_source(callbacks.ReduceLROnPlateau.on_epoch_end, callbacks.ReduceLROnPlateau._reduce_lr)

# %% [markdown]
# With a constant `val_loss`, `patience=2`, `cooldown=1`, `factor=0.5` and `min_lr=0.01`, the
# rate is cut at epochs 3, 5, 7 and 9, the last cut stopping at `min_lr`. The trace and the
# messages are Keras', digit for digit (the messages print the Python product of the float32
# value, the History the float32 value that was assigned):

# %%
model = reference_model("reduce_lr_constant")
model.compile(keras.optimizers.SGD(0.1), "mse")
reduce = callbacks.ReduceLROnPlateau(patience=2, cooldown=1, factor=0.5, min_lr=0.01, verbose=1)
history = model.fit(arrays["x"], arrays["y"], batch_size=16, epochs=10, shuffle=False,
                    callbacks=[Inject("val_loss", [1.0] * 10), reduce], verbose=0)
print(history.history["learning_rate"])
assert history.history["learning_rate"] == \
    reference["reduce_lr_constant"]["history"]["learning_rate"]

# %% [markdown]
# On the digits, SGD at 0.5, monitoring the validation loss (`patience=3`, `factor=0.3`,
# `min_lr=1e-3`): once `val_loss` stops improving, the first cut gives the training loss a step
# down; after that every third epoch brings another cut, until the rate reaches `min_lr`.

# %%
model = digits_mlp(seed=2, hidden=128)
model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=3, min_lr=1e-3)
history = model.fit(x_fit, y_fit, batch_size=32, epochs=40, validation_data=(x_val, y_val),
                    callbacks=[reduce], verbose=0)
lr = history.history["learning_rate"]
cuts = [i for i in range(1, len(lr)) if lr[i] < lr[i - 1]]  # at the end of epoch i (1-based)
print("cuts at the end of epochs", cuts, "final learning rate", lr[-1])

fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 4.5), sharex=True)
epochs = np.arange(1, len(lr) + 1)
top.plot(epochs, history.history["loss"], label="loss")
top.plot(epochs, history.history["val_loss"], label="val_loss")
top.set_yscale("log")
top.legend()
bottom.step(epochs, lr, where="post", color="tab:red")
bottom.set_yscale("log")
bottom.set_ylabel("learning_rate")
bottom.set_xlabel("epoch")
for cut in cuts:
    top.axvline(cut, color="grey", lw=0.6)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## ModelCheckpoint
#
# `ModelCheckpoint` saves the model (`model.save`, a `.keras` file) or its weights
# (`model.save_weights`, a `.weights.h5` file) at every epoch end, or every `save_freq`
# batches. The file name is a template, filled with the epoch (1-based) and the epoch's logs:
# `"w.{epoch:02d}-{val_loss:.2f}.keras"`. With `save_best_only` it saves only when `monitor`
# improves, like `EarlyStopping` judges it.

# %%
show_source(callbacks.ModelCheckpoint._save_model, callbacks.ModelCheckpoint._get_file_path)

# %% [markdown]
# On the digits, keeping every improvement of the validation accuracy (`mode="auto"` knows that
# accuracy is maximised):

# %%
model = digits_mlp(seed=2, hidden=128)
model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
checkpoint = callbacks.ModelCheckpoint("checkpoints/w.{epoch:02d}-{val_accuracy:.2f}.keras",
                                       monitor="val_accuracy", save_best_only=True, verbose=1)
history = model.fit(x_fit, y_fit, batch_size=32, epochs=6, validation_data=(x_val, y_val),
                    callbacks=[checkpoint], verbose=0)
print("\n", sorted(os.listdir("checkpoints")))
best = keras.models.load_model(os.path.join("checkpoints", sorted(os.listdir("checkpoints"))[-1]))
print("best val_accuracy", round(max(history.history["val_accuracy"]), 4),
      "-> reloaded:", round(best.evaluate(x_val, y_val, verbose=0)[1], 4))

# %% [markdown]
# Keras' runs of the same templates, with `val_loss` values put in by hand (0.5, 0.6, 0.4, 0.4:
# an equal value is no improvement), name the same files and print the same messages:

# %%
model = reference_model("checkpoint_best_only")
model.compile(keras.optimizers.SGD(0.05), "mse")
os.makedirs("reference_run")
checkpoint = callbacks.ModelCheckpoint("reference_run/m-{epoch:02d}-{val_loss:.2f}.keras",
                                       save_best_only=True, verbose=1)
model.fit(arrays["x"], arrays["y"], batch_size=16, epochs=4, shuffle=False, verbose=0,
          callbacks=[Inject("val_loss", [0.5, 0.6, 0.4, 0.4]), checkpoint])
print(sorted(os.listdir("reference_run")), "Keras:", reference["checkpoint_best_only"]["files"])
assert sorted(os.listdir("reference_run")) == reference["checkpoint_best_only"]["files"]

# %% [markdown]
# A template key that the logs do not have fails at the first save, naming it:

# %%
try:
    model.fit(arrays["x"], arrays["y"], epochs=1, verbose=0,
              callbacks=[callbacks.ModelCheckpoint("m-{val_acc:.2f}.keras")])
except KeyError as error:
    print(wrap(f"KeyError: {error}"))

# %% [markdown]
# Keras writes its files in place, so a save that fails half-way (a full disk, a Ctrl-C)
# leaves a truncated file where the last good checkpoint was. nbkeras' `model.save` and
# `model.save_weights` write into a temporary file in the same folder and rename it over the
# target, one step for the file system: the previous file stays whole until the new one is
# complete. The tests make a save die half-way and load the previous checkpoint.

# %%
show_source(keras.saving.file_utils.atomic_write)

# %% [markdown]
# ## BackupAndRestore: a fit that survives an interruption
#
# `BackupAndRestore(backup_dir)` saves, after every epoch, the weights with the optimizer's
# state (`latest.weights.h5`) and the number of epochs done (`training_metadata.json`). When
# `fit` starts and finds a backup, it loads it and starts at that epoch; a fit that ends normally
# deletes the folder. Since `on_train_end` does not run when `fit` is left by an exception, the
# backup stays for the next run.

# %%
show_source(callbacks.BackupAndRestore.on_train_begin, callbacks.BackupAndRestore._save_model)


# %%
class PowerCut(callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 2:
            raise RuntimeError("power cut after epoch 3")


def digits_fit(callbacks_list):
    model = digits_mlp(seed=4)
    model.compile(keras.optimizers.Adam(0.001), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=6, shuffle=False, verbose=0,
                        callbacks=callbacks_list)
    return model, history


uninterrupted, _ = digits_fit([])
try:
    digits_fit([callbacks.BackupAndRestore("backup"), PowerCut()])
except RuntimeError as error:
    print("RuntimeError:", error)
print(sorted(os.listdir("backup")), open("backup/training_metadata.json").read())
resumed, history = digits_fit([callbacks.BackupAndRestore("backup")])
print("the second fit ran epochs", history.epoch, "; backup deleted:",
      not os.path.exists("backup"))
print("iterations", int(resumed.optimizer.iterations), int(uninterrupted.optimizer.iterations))
same = all(np.array_equal(a, b) for a, b in zip(resumed.get_weights(),
                                                uninterrupted.get_weights(), strict=True))
print("weights bit for bit equal:", same)
assert same and history.epoch == [3, 4, 5]

# %% [markdown]
# The resumed fit starts from fresh weights, loads the backup (the weights and Adam's moments
# and iteration count) and runs epochs 3 to 5: it ends with the uninterrupted run's weights to
# the last bit. The batches are in order here; with `shuffle=True` their order comes from
# NumPy's global generator, which `BackupAndRestore` does not save (nor does Keras').
#
# Keras' run of the reference, an Adam fit that fails in `on_epoch_end(2)` and is run again,
# resumes the same way; from Keras' initial weights nbkeras runs the same epochs and steps and
# ends with Keras' weights:

# %%
model = reference_model("backup_and_restore")
start = model.get_weights()
for attempt in ("first", "second"):
    model.set_weights(start)  # the second fit must find its weights in the backup
    model.compile(keras.optimizers.Adam(0.01), "mse")
    backup = [callbacks.BackupAndRestore("reference_backup")]
    try:
        history = model.fit(arrays["x"], arrays["y"], batch_size=8, epochs=5, shuffle=False,
                            verbose=0, callbacks=backup + ([PowerCut()] if attempt == "first"
                                                           else []))
    except RuntimeError as error:
        print("first fit:", error)
expected = reference["backup_and_restore"]
print("second fit: epochs", history.epoch, "iterations", int(model.optimizer.iterations),
      "; Keras:", expected["epoch"], expected["iterations"])
assert history.epoch == expected["epoch"]
assert int(model.optimizer.iterations) == expected["iterations"]
for i, w in enumerate(model.get_weights()):
    assert_matches_keras(w, expected.array(f"final_weights/{i}"), 2e-4, "resumed weights")

# %% [markdown]
# ## CSVLogger, TerminateOnNaN, TensorBoard
#
# `CSVLogger` writes one row per epoch with Python's `csv` module: the columns are `epoch` and
# the sorted keys of the first epoch; when there is no validation a `val_` column is added for
# each key, filled with `NA`, and the lines end in `\r\n` (the Excel dialect). The file below
# is Keras' byte for byte, up to the last digits of the losses:

# %%
model = reference_model("csv_logger")
model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
model.fit(arrays["x"], arrays["y"], batch_size=16, epochs=2, shuffle=False, verbose=0,
          callbacks=[callbacks.CSVLogger("log.csv")])
with open("log.csv", "rb") as f:
    text = f.read().decode()
print(repr(text[:text.index("\n") + 1]))
for ours, theirs in zip(text.split("\r\n"), reference["csv_logger"]["texts"]["plain"].split(
        "\r\n"), strict=True):
    cells = ours.split(",")
    print(",".join(cell[:8] for cell in cells))  # (the numbers cut for the page)
    for a, b in zip(cells, theirs.split(","), strict=True):
        assert a == b or abs(float(a) - float(b)) <= 2e-4 * abs(float(b))

# %% [markdown]
# `TerminateOnNaN` stops after the first batch whose running loss is NaN or infinite (the epoch
# still ends, and History records it); `raise_error=True` raises instead. `TensorBoard` writes
# the epoch logs as scalar summaries under `log_dir/train` and `log_dir/validation`, with the
# names Keras uses (`epoch_loss`, `epoch_learning_rate`, `evaluation_loss_vs_iterations`); the
# event files are written by tensorboardX (`pip install nbkeras[tensorboard]`), and
# `tensorboard --logdir logs` shows them. The tests compare them with the files Keras writes:
# the same tags at the same steps with the same values. One difference: with `update_freq=n`
# Keras also drops the epoch summaries of every epoch whose last batch number is not a multiple
# of n (its batch-level `record_if` stays on); nbkeras writes every epoch. There is no
# TensorFlow graph to write, so `write_graph` writes nothing, and profiling is refused.

# %%
model = digits_mlp()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=2, validation_split=0.2, verbose=0,
          callbacks=[callbacks.TensorBoard(log_dir="logs")])
print(sorted(os.listdir("logs")), [name.split(".")[:3] for name in os.listdir("logs/train")])

# %% [markdown]
# ## When something is wrong
#
# A `monitor` that is not in the logs warns at every epoch and names the keys that are; a
# `mode` other than `"auto"`, `"min"` or `"max"` raises (Keras warns and falls back to
# `"auto"`, which hides a typo); `mode="auto"` with a name it cannot place raises at the first
# epoch end, and `ReduceLROnPlateau` refuses a factor that would not reduce.

# %%
model = reference_model("errors")
model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model.fit(arrays["x"], arrays["y"], epochs=1, verbose=0,
              callbacks=[callbacks.EarlyStopping(monitor="val_loss")])
print(wrap(f"UserWarning: {caught[0].message}"))
assert [str(w.message) for w in caught] == \
    reference["errors"]["found"]["early_stopping_missing"]["warnings"]
attempts = [
    lambda: callbacks.EarlyStopping(mode="minimum"),
    lambda: model.fit(arrays["x"], arrays["y"], epochs=1, verbose=0,
                      validation_data=(arrays["xv"], arrays["yv"]),
                      callbacks=[callbacks.EarlyStopping(monitor="val_custom")]),
    lambda: callbacks.ReduceLROnPlateau(factor=1.0),
]
for attempt in attempts:
    try:
        attempt()
    except ValueError as error:
        print(wrap(f"ValueError: {error}"), "\n")
