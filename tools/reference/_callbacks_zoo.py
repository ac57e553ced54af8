"""Callback runs frozen from real Keras (family "callbacks"), and the code that runs them.

Both sides run this source: tools/reference/callbacks.py runs every case of ``CASES`` with real
Keras and records what it returns (with the model's initial weights); tests/test_callbacks.py
runs it with nbkeras from Keras' initial weights and compares. A case is a function
``case(keras, data, initial_weights)`` returning ``(initial weights, results)``: a dict of
JSON-able values and arrays. Every fit uses ``shuffle=False`` and ``verbose=0``; what a
callback prints is captured (``printed``), and so are its warnings.

Some decisions are checked on logs values put in by hand: ``Inject`` (placed before the
callback under test) overwrites ``logs[key]`` at each epoch end with a value from a list, so
the epoch where EarlyStopping stops, or ReduceLROnPlateau cuts, does not hang on round-off.
"""

import contextlib
import io
import os
import tempfile
import warnings

import numpy as np


def make_data(rng):
    """Noisy linear regression: 32 training and 16 validation samples of 4 features."""
    f32 = np.float32
    w = np.array([[0.5], [-1.0], [0.25], [0.8]], f32)
    x = rng.standard_normal((32, 4)).astype(f32)
    xv = rng.standard_normal((16, 4)).astype(f32)
    return {"x": x, "y": (x @ w + 0.5 * rng.standard_normal((32, 1))).astype(f32),
            "xv": xv, "yv": (xv @ w + 0.5 * rng.standard_normal((16, 1))).astype(f32)}


def _model(keras, data, initial_weights, hidden=16):
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(hidden, activation="tanh"),
                              keras.layers.Dense(1)])
    model(data["x"][:2], training=False)
    if initial_weights is not None:
        model.set_weights(initial_weights)
    return model, [np.array(w) for w in model.get_weights()]


def _recording_callback(keras, events):
    """A callback that appends ``[hook, index, sorted log keys]`` for every hook."""

    def hook(name, indexed):
        if indexed:
            def method(self, index, logs=None):
                events.append([name, index, sorted(logs or {})])
        else:
            def method(self, logs=None):
                events.append([name, None, sorted(logs or {})])
        return method

    names = {f"on_{p}_{w}": False for p in ("train", "test", "predict") for w in ("begin", "end")}
    names.update({f"on_{p}_batch_{w}": True for p in ("train", "test", "predict")
                  for w in ("begin", "end")})
    names.update({"on_epoch_begin": True, "on_epoch_end": True})
    methods = {name: hook(name, indexed) for name, indexed in names.items()}
    return type("Recorder", (keras.callbacks.Callback,), methods)()


def _inject(keras, key, values):
    """A callback that sets ``logs[key] = values[epoch]`` at every epoch end."""

    class Inject(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs[key] = float(values[epoch])

    return Inject()


@contextlib.contextmanager
def _captured(results):
    """Collect stdout in ``results["printed"]`` and warning texts in ``results["warnings"]``."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            yield
        finally:
            results["printed"] = out.getvalue()
            results["warnings"] = sorted({str(w.message) for w in caught
                                          if issubclass(w.category, UserWarning)})


def _fit_results(model, history, results):
    results["history"] = history.history
    results["epoch"] = history.epoch
    results["final_weights"] = [np.array(w) for w in model.get_weights()]
    return results


# -- the hooks --------------------------------------------------------------------------------
def hooks(keras, data, initial_weights=None):
    """Hook order and log keys: fit for 2 epochs (2 batches, 2 validation batches), evaluate
    and predict (2 batches each); ``self.params`` in each; a callback overriding only the
    Keras 2 names ``on_batch_begin/end``."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    results, events, old = {}, [], []
    recorder = _recording_callback(keras, events)

    class OldNames(keras.callbacks.Callback):
        def on_batch_begin(self, batch, logs=None):
            old.append(["on_batch_begin", batch, sorted(logs or {})])

        def on_batch_end(self, batch, logs=None):
            old.append(["on_batch_end", batch, sorted(logs or {})])

    history = model.fit(data["x"], data["y"], batch_size=16, epochs=2, shuffle=False,
                        validation_data=(data["xv"], data["yv"]), validation_batch_size=8,
                        callbacks=[recorder, OldNames()], verbose=0)
    results["fit_events"], results["fit_params"] = list(events), dict(recorder.params)
    results["old_names"] = old
    results["history_params"] = dict(history.params)
    del events[:]
    model.evaluate(data["xv"], data["yv"], batch_size=8, callbacks=[recorder], verbose=0)
    results["evaluate_events"], results["evaluate_params"] = list(events), dict(recorder.params)
    del events[:]
    shapes = []

    class Outputs(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            shapes.append([type(logs["outputs"]).__name__, list(logs["outputs"].shape)])

    model.predict(data["xv"], batch_size=8, callbacks=[recorder, Outputs()], verbose=0)
    results["predict_events"], results["predict_params"] = list(events), dict(recorder.params)
    results["predict_outputs"] = shapes
    return weights, _fit_results(model, history, results)


def logs_shared(keras, data, initial_weights=None):
    """One logs dict per hook call, shared along the list: a key added by the first callback
    reaches the second and History; on_train_end gets the trainer's own logs."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    seen = []

    class Add(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["extra"] = 10.0 + epoch

    class See(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(sorted(logs))

        def on_train_end(self, logs=None):
            seen.append(sorted(logs))

    history = model.fit(data["x"], data["y"], batch_size=16, epochs=2, shuffle=False,
                        validation_data=(data["xv"], data["yv"]), callbacks=[Add(), See()],
                        verbose=0)
    return weights, _fit_results(model, history, {"seen": seen})


def stop_in_batch(keras, data, initial_weights=None):
    """``model.stop_training = True`` after batch 1 of epoch 1 (4 batches an epoch): that
    epoch ends there (on_epoch_end still runs) and no other epoch runs."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    state = {}

    class Stop(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            state["epoch"] = epoch

        def on_train_batch_end(self, batch, logs=None):
            if state["epoch"] == 1 and batch == 1:
                self.model.stop_training = True

    history = model.fit(data["x"], data["y"], batch_size=8, epochs=5, shuffle=False,
                        callbacks=[Stop()], verbose=0)
    results = {"iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations))}
    return weights, _fit_results(model, history, results)


def _interrupted(keras, data, initial_weights, error, where):
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    events = []
    recorder = _recording_callback(keras, events)
    state = {}

    class Fail(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            state["epoch"] = epoch

        def on_train_batch_begin(self, batch, logs=None):
            if where == "batch" and state["epoch"] == 1 and batch == 1:
                raise error("stop here")

        def on_epoch_end(self, epoch, logs=None):
            if where == "epoch_end" and epoch == 2:
                raise error("stop here")

    raised = None
    try:
        model.fit(data["x"], data["y"], batch_size=8, epochs=5, shuffle=False,
                  callbacks=[recorder, Fail()], verbose=0)
    except error as caught:
        raised = f"{type(caught).__name__}: {caught}"
    history = model.history
    results = {"raised": raised, "last_events": events[-4:],
               "on_train_end_called": any(e[0] == "on_train_end" for e in events),
               "iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
               "stop_training": bool(model.stop_training)}
    return weights, _fit_results(model, history, results)


def exception_at_epoch_end(keras, data, initial_weights=None):
    """An exception from a callback in on_epoch_end(2), after History has recorded epoch 2?
    (The callback runs before History: epochs 0 and 1 are recorded.) on_train_end never
    runs."""
    return _interrupted(keras, data, initial_weights, RuntimeError, "epoch_end")


def interrupt_in_batch(keras, data, initial_weights=None):
    """A KeyboardInterrupt before batch 1 of epoch 1: the epochs finished are kept."""
    return _interrupted(keras, data, initial_weights, KeyboardInterrupt, "batch")


def lambda_callback(keras, data, initial_weights=None):
    """LambdaCallback's hooks, and an extra keyword (on_test_end) that becomes a method."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    seen = []
    callback = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.append(["tb", sorted(logs)]),
        on_epoch_begin=lambda epoch, logs: seen.append(["eb", epoch, sorted(logs)]),
        on_train_batch_end=lambda batch, logs: seen.append(["be", batch, sorted(logs)]),
        on_epoch_end=lambda epoch, logs: seen.append(["ee", epoch, sorted(logs)]),
        on_train_end=lambda logs: seen.append(["te", sorted(logs)]),
        on_test_end=lambda logs: seen.append(["test_end", sorted(logs)]))
    history = model.fit(data["x"], data["y"], batch_size=16, epochs=2, shuffle=False,
                        validation_data=(data["xv"], data["yv"]), callbacks=[callback],
                        verbose=0)
    return weights, _fit_results(model, history, {"seen": seen})


# -- EarlyStopping ----------------------------------------------------------------------------
def early_stopping_run(keras, data, initial_weights=None):
    """A real run: SGD with momentum overfits, val_loss is lowest at epoch 4 and EarlyStopping
    (patience 3) stops at epoch 7, restoring epoch 4's weights."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.01, momentum=0.9), "mse")
    stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True, verbose=1)
    results = {}
    with _captured(results):
        history = model.fit(data["x"], data["y"], batch_size=8, epochs=30, shuffle=False,
                            validation_data=(data["xv"], data["yv"]), callbacks=[stop],
                            verbose=0)
    results.update(stopped_epoch=stop.stopped_epoch, best=float(stop.best),
                   best_epoch=stop.best_epoch, wait=stop.wait,
                   evaluate=model.evaluate(data["xv"], data["yv"], verbose=0))
    return weights, _fit_results(model, history, results)


EARLY_STOPPING_TABLE = [
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


def early_stopping_table(keras, data, initial_weights=None):
    """EarlyStopping's decisions on val_loss (or val_accuracy) values put in by hand: epochs
    run, stopped_epoch, best, best_epoch, wait, what it prints, and which weights it leaves
    (the training is real, at lr 0.05, so every epoch's weights differ)."""
    model, weights = _model(keras, data, initial_weights)
    rows = []
    for values, kwargs in EARLY_STOPPING_TABLE:
        model.set_weights(weights)
        metrics = ["accuracy"] if kwargs.get("monitor") == "val_accuracy" else []
        model.compile(keras.optimizers.SGD(0.05), "mse", metrics=metrics)
        key = kwargs.get("monitor", "val_loss")
        stop = keras.callbacks.EarlyStopping(**kwargs)
        row = {}
        with _captured(row):
            history = model.fit(data["x"], data["y"], batch_size=16, epochs=len(values),
                                shuffle=False, callbacks=[_inject(keras, key, values), stop],
                                verbose=0)
        row.update(epoch=history.epoch, stopped_epoch=stop.stopped_epoch,
                   best=None if stop.best is None else float(stop.best),
                   best_epoch=stop.best_epoch, wait=stop.wait,
                   final_weights=[np.array(w) for w in model.get_weights()])
        rows.append(row)
    return weights, {"rows": rows}


# -- ReduceLROnPlateau ------------------------------------------------------------------------
def reduce_lr_constant(keras, data, initial_weights=None):
    """SGD(0.1), a constant val_loss, patience 2, cooldown 1, factor 0.5, min_lr 0.01: cuts at
    epochs 3, 5, 7 and 9 (1-based); the learning_rate key and the messages."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.1), "mse")
    reduce = keras.callbacks.ReduceLROnPlateau(patience=2, cooldown=1, factor=0.5, min_lr=0.01,
                                               verbose=1)
    results = {}
    with _captured(results):
        history = model.fit(data["x"], data["y"], batch_size=16, epochs=10, shuffle=False,
                            callbacks=[_inject(keras, "val_loss", [1.0] * 10), reduce],
                            verbose=0)
    results.update(wait=reduce.wait, cooldown_counter=reduce.cooldown_counter,
                   best=float(reduce.best))
    return weights, _fit_results(model, history, results)


def reduce_lr_run(keras, data, initial_weights=None):
    """A real run: Adam, val_loss monitored (min_delta 0.01, patience 2, factor 0.5)."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.Adam(0.05), "mse")
    reduce = keras.callbacks.ReduceLROnPlateau(patience=2, factor=0.5, min_delta=0.01,
                                               verbose=1)
    results = {}
    with _captured(results):
        history = model.fit(data["x"], data["y"], batch_size=8, epochs=15, shuffle=False,
                            validation_data=(data["xv"], data["yv"]), callbacks=[reduce],
                            verbose=0)
    return weights, _fit_results(model, history, results)


# -- LearningRateScheduler --------------------------------------------------------------------
def lr_scheduler_two_args(keras, data, initial_weights=None):
    """``schedule(epoch, lr)``: halve after epoch 1; the calls, the messages and the trace."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.1), "mse")
    calls = []

    def schedule(epoch, lr):
        calls.append([epoch, lr])
        return lr if epoch < 2 else lr * 0.5

    results = {"calls": calls}
    with _captured(results):
        history = model.fit(data["x"], data["y"], batch_size=8, epochs=4, shuffle=False,
                            callbacks=[keras.callbacks.LearningRateScheduler(schedule,
                                                                             verbose=1)],
                            verbose=0)
    return weights, _fit_results(model, history, results)


def lr_scheduler_one_arg(keras, data, initial_weights=None):
    """``schedule(epoch)`` (the TypeError fallback), returning np.float32."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.Adam(0.01), "mse")

    def schedule(epoch):
        return np.float32(0.02 / (1 + epoch))

    history = model.fit(data["x"], data["y"], batch_size=8, epochs=3, shuffle=False,
                        callbacks=[keras.callbacks.LearningRateScheduler(schedule)], verbose=0)
    return weights, _fit_results(model, history, {})


# -- CSVLogger --------------------------------------------------------------------------------
def csv_logger(keras, data, initial_weights=None):
    """CSVLogger's file: without validation (val_ columns of NA), with validation and ';',
    append=True, and a ReduceLROnPlateau before and after it (a key added after the logger
    is not written)."""
    model, weights = _model(keras, data, initial_weights)
    texts = {}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "log.csv")

        def run(name, callbacks, **kwargs):
            model.set_weights(weights)
            model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
            model.fit(data["x"], data["y"], batch_size=16, epochs=2, shuffle=False,
                      callbacks=callbacks, verbose=0, **kwargs)
            with open(path, "rb") as f:
                texts[name] = f.read().decode()

        run("plain", [keras.callbacks.CSVLogger(path)])
        run("validation_semicolon", [keras.callbacks.CSVLogger(path, separator=";")],
            validation_data=(data["xv"], data["yv"]))
        run("appended", [keras.callbacks.CSVLogger(path, append=True)],
            validation_data=(data["xv"], data["yv"]))
        reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss")
        run("reduce_after", [keras.callbacks.CSVLogger(path), reduce])
        reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss")
        run("reduce_before", [reduce, keras.callbacks.CSVLogger(path)])
    return weights, {"texts": texts}


# -- TerminateOnNaN ---------------------------------------------------------------------------
def terminate_on_nan(keras, data, initial_weights=None):
    """A NaN target in batch 1: the running loss is NaN from there, training stops after that
    batch, the epoch ends as usual; raise_error=True raises instead."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    y = data["y"].copy()
    y[9] = np.nan
    results = {}
    with _captured(results):
        history = model.fit(data["x"], y, batch_size=8, epochs=3, shuffle=False,
                            callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0)
    results["history"] = {k: [repr(v) for v in vs] for k, vs in history.history.items()}
    results["epoch"] = history.epoch
    model.set_weights(weights)
    try:
        model.fit(data["x"], y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                  callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])
    except RuntimeError as error:
        results["error"] = str(error)
    return weights, results


# -- ModelCheckpoint --------------------------------------------------------------------------
def _checkpoint_run(keras, data, initial_weights, kwargs, values=None, epochs=4, batch_size=16):
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        kwargs = dict(kwargs)
        kwargs["filepath"] = os.path.join(folder, kwargs["filepath"])
        callbacks = [keras.callbacks.ModelCheckpoint(**kwargs)]
        if values is not None:
            callbacks.insert(0, _inject(keras, "val_loss", values))
        with _captured(results):
            model.fit(data["x"], data["y"], batch_size=batch_size, epochs=epochs,
                      shuffle=False, callbacks=callbacks, verbose=0)
        results["printed"] = results["printed"].replace(folder, "<dir>")
        results["files"] = sorted(os.listdir(folder))
        saved = os.path.join(folder, results["files"][-1])
        if kwargs.get("save_weights_only"):
            model.load_weights(saved)
        else:
            model = keras.models.load_model(saved)
        results["loaded_weights"] = [np.array(w) for w in model.get_weights()]
    return weights, results


def checkpoint_best_only(keras, data, initial_weights=None):
    """``m-{epoch:02d}-{val_loss:.2f}.keras`` with save_best_only on val_loss 0.5, 0.6, 0.4,
    0.4: two files (an equal value is no improvement), and the messages."""
    return _checkpoint_run(keras, data, initial_weights,
                           {"filepath": "m-{epoch:02d}-{val_loss:.2f}.keras",
                            "save_best_only": True, "verbose": 1}, [0.5, 0.6, 0.4, 0.4])


def checkpoint_every_epoch(keras, data, initial_weights=None):
    """save_weights_only to ``w-{epoch}.weights.h5`` every epoch; the last one is loaded."""
    return _checkpoint_run(keras, data, initial_weights,
                           {"filepath": "w-{epoch}.weights.h5", "save_weights_only": True,
                            "verbose": 1}, epochs=3)


def checkpoint_threshold(keras, data, initial_weights=None):
    """initial_value_threshold=0.3: nothing is saved until val_loss beats 0.3."""
    return _checkpoint_run(keras, data, initial_weights,
                           {"filepath": "t-{epoch}.keras", "save_best_only": True,
                            "initial_value_threshold": 0.3, "verbose": 1},
                           [0.5, 0.4, 0.2, 0.25])


def checkpoint_batches(keras, data, initial_weights=None):
    """save_freq=3 counts batches across epochs (4 batches an epoch, 2 epochs)."""
    return _checkpoint_run(keras, data, initial_weights,
                           {"filepath": "b-{epoch}-{batch}.keras", "save_freq": 3},
                           epochs=2, batch_size=8)


# -- BackupAndRestore -------------------------------------------------------------------------
def backup_and_restore(keras, data, initial_weights=None):
    """A 5-epoch Adam fit that fails in on_epoch_end(2), after BackupAndRestore saved epoch
    2, resumed by a second fit: epochs 3 and 4 run, and the weights and the iteration count
    equal an uninterrupted run's. Also the metadata file left by the failed run."""
    model, weights = _model(keras, data, initial_weights)
    results = {}

    class Fail(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("interrupted")

    with tempfile.TemporaryDirectory() as folder:
        backup = os.path.join(folder, "backup")

        def fit(callbacks):
            return model.fit(data["x"], data["y"], batch_size=8, epochs=5, shuffle=False,
                             callbacks=callbacks, verbose=0)

        model.compile(keras.optimizers.Adam(0.01), "mse")
        fit([])
        results["uninterrupted_weights"] = [np.array(w) for w in model.get_weights()]
        model.set_weights(weights)
        model.compile(keras.optimizers.Adam(0.01), "mse")
        try:
            fit([keras.callbacks.BackupAndRestore(backup), Fail()])
        except RuntimeError:
            pass
        results["files"] = sorted(os.listdir(backup))
        with open(os.path.join(backup, "training_metadata.json")) as f:
            results["metadata"] = f.read()
        model.set_weights(weights)  # the restore must bring the trained weights back
        model.compile(keras.optimizers.Adam(0.01), "mse")
        history = fit([keras.callbacks.BackupAndRestore(backup)])
        results["iterations"] = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        results["backup_deleted"] = not os.path.exists(backup)
    return weights, _fit_results(model, history, results)


def backup_every_3_batches(keras, data, initial_weights=None):
    """save_freq=3 (batches, 4 an epoch): a crash after batch 2 of epoch 1 (the backup of
    batch 1 is the last); the metadata, and the resumed fit, which restarts epoch 1 (the
    batch field is not used) from the weights backed up mid-epoch."""
    model, weights = _model(keras, data, initial_weights)
    results = {}
    state = {}

    class Fail(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            state["epoch"] = epoch

        def on_train_batch_end(self, batch, logs=None):
            if state["epoch"] == 1 and batch == 2:
                raise RuntimeError("interrupted")

    with tempfile.TemporaryDirectory() as folder:
        backup = os.path.join(folder, "backup")

        def fit(callbacks):
            return model.fit(data["x"], data["y"], batch_size=8, epochs=3, shuffle=False,
                             callbacks=callbacks, verbose=0)

        model.compile(keras.optimizers.Adam(0.01), "mse")
        try:
            fit([keras.callbacks.BackupAndRestore(backup, save_freq=3), Fail()])
        except RuntimeError:
            pass
        with open(os.path.join(backup, "training_metadata.json")) as f:
            results["metadata"] = f.read()
        model.set_weights(weights)
        model.compile(keras.optimizers.Adam(0.01), "mse")
        history = fit([keras.callbacks.BackupAndRestore(backup, save_freq=3)])
        results["iterations"] = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    return weights, _fit_results(model, history, results)


def interop_backup_model(keras):
    """The model of ``make interop``'s BackupAndRestore check (tools/interop_write.py lets
    nbkeras crash and back up, tools/interop_check.py lets Keras resume)."""
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


INTEROP_BACKUP_FIT = {"batch_size": 8, "epochs": 5, "shuffle": False, "verbose": 0}


# -- TensorBoard ------------------------------------------------------------------------------
def tensorboard_run(keras, data, log_dir, update_freq, initial_weights=None):
    """3 epochs of 4 batches with validation (not a case: each side reads the event files
    with its own reader)."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    history = model.fit(data["x"], data["y"], batch_size=8, epochs=3, shuffle=False,
                        validation_data=(data["xv"], data["yv"]), verbose=0,
                        callbacks=[keras.callbacks.TensorBoard(log_dir, update_freq=update_freq,
                                                               write_graph=False)])
    return weights, history.history


# -- bad input --------------------------------------------------------------------------------
def errors(keras, data, initial_weights=None):
    """Error and warning texts: missing monitor keys, modes, factor, schedules, templates."""
    model, weights = _model(keras, data, initial_weights)
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    found = {}

    def fit(callbacks, **kwargs):
        model.fit(data["x"], data["y"], batch_size=16, epochs=1, shuffle=False,
                  callbacks=callbacks, verbose=0, **kwargs)

    def attempt(name, action):
        row = {}
        try:
            with _captured(row):
                action()
        except Exception as error:  # noqa: BLE001 - the text is what is recorded
            row["error"] = f"{type(error).__name__}: {error}"
        found[name] = {"error": row.get("error"), "warnings": row["warnings"]}

    cb = keras.callbacks
    attempt("early_stopping_missing", lambda: fit([cb.EarlyStopping()]))
    attempt("reduce_lr_missing", lambda: fit([cb.ReduceLROnPlateau()]))
    attempt("early_stopping_bad_mode", lambda: cb.EarlyStopping(mode="bogus"))
    attempt("early_stopping_undecidable",
            lambda: fit([cb.EarlyStopping(monitor="val_custom")],
                        validation_data=(data["xv"], data["yv"])))
    attempt("reduce_lr_factor", lambda: cb.ReduceLROnPlateau(factor=1.0))
    attempt("schedule_int", lambda: fit([cb.LearningRateScheduler(lambda epoch: 1)]))
    attempt("checkpoint_template", lambda: fit([cb.ModelCheckpoint(
        os.path.join(tempfile.gettempdir(), "{val_acc:.2f}.keras"))]))
    attempt("checkpoint_weights_ext",
            lambda: cb.ModelCheckpoint("x.h5", save_weights_only=True))
    attempt("checkpoint_ext", lambda: cb.ModelCheckpoint("x.tf"))
    attempt("checkpoint_save_freq", lambda: cb.ModelCheckpoint("x.keras", save_freq="batch"))
    attempt("backup_empty", lambda: cb.BackupAndRestore(""))
    attempt("backup_save_freq", lambda: cb.BackupAndRestore("b", save_freq="batch"))
    # the template of a missing key names the full path: keep only what follows the folder
    text = found["checkpoint_template"]["error"]
    if text:
        found["checkpoint_template"]["error"] = text.replace(tempfile.gettempdir(), "<dir>")
    return weights, {"found": found}


CASES = {f.__name__: f for f in (
    hooks, logs_shared, stop_in_batch, exception_at_epoch_end, interrupt_in_batch,
    lambda_callback, early_stopping_run, early_stopping_table, reduce_lr_constant,
    reduce_lr_run, lr_scheduler_two_args, lr_scheduler_one_arg, csv_logger, terminate_on_nan,
    checkpoint_best_only, checkpoint_every_epoch, checkpoint_threshold, checkpoint_batches,
    backup_and_restore, backup_every_3_batches, errors,
)}
SAVING_CASES = ("checkpoint_best_only", "checkpoint_every_epoch", "checkpoint_threshold",
                "checkpoint_batches", "backup_and_restore", "backup_every_3_batches")
"""The cases that need model.save / load_weights."""
