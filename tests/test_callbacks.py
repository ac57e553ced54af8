"""Callbacks against real Keras: every run of tools/reference/_callbacks_zoo.py (the same
source ran in Keras) starts from Keras' initial weights and must give what Keras gave: the
hook sequence and its log keys, params, histories, the epoch where EarlyStopping stops and
the weights it restores, ReduceLROnPlateau's and LearningRateScheduler's learning rates, what
they print, CSVLogger's file, error and warning texts (rtol 2e-4 on numbers). Then what Keras
does not check: interrupted fits, atomic saves, TensorBoard's event files."""

import json
import math
import os
import pathlib
import re
import signal
import struct
import sys
import warnings

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.utils import load_reference
from nbkeras.utils.keras_reference import assert_matches_keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
from _reference_compare import compare  # noqa: E402
from reference import _callbacks_zoo  # noqa: E402

REFERENCE = {case.id: case for case in load_reference("callbacks")}
RTOL = 2e-4
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def reference_data():
    case = REFERENCE["hooks"]
    return {name: case._arrays[f"data/{name}"]
            for name in _callbacks_zoo.make_data(np.random.default_rng(0))}


def compare_text(actual, expected, what):
    """Texts with numbers in them (CSV rows, messages): the same text around the numbers,
    and the numbers within RTOL."""
    assert NUMBER.sub("#", actual) == NUMBER.sub("#", expected), \
        f"{what}:\n{actual!r}\nKeras:\n{expected!r}"
    for a, e in zip(NUMBER.findall(actual), NUMBER.findall(expected), strict=True):
        assert_matches_keras(float(a), float(e), RTOL, what)


def run_case(case_id):
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    case = REFERENCE[case_id]
    weights = [case.array(f"w/{i}") for i in range(case["n_weights"])]
    _, results = _callbacks_zoo.CASES[case_id](keras, reference_data(), initial_weights=weights)
    return case, results


RUNS = [c for c in _callbacks_zoo.CASES if c not in ("csv_logger", "errors")]


@pytest.mark.parametrize("case_id", RUNS)
def test_run_matches_keras(case_id):
    case, results = run_case(case_id)
    for key, expected in case.meta.items():
        if key in ("id", "n_weights"):
            continue
        if key == "printed":
            compare_text(results[key], expected, f"{case_id} printed")
        else:
            compare(results[key], expected, case, f"{case_id} {key}", RTOL)


def test_hooks_record_the_keras_sequence():
    """Not only equal to Keras: the recorded sequence is the one the notes measured."""
    case = REFERENCE["hooks"]
    names = [event[0] for event in case["fit_events"]]
    assert names[0] == "on_train_begin" and names[-1] == "on_train_end"
    assert case["fit_params"] == {"verbose": 0, "epochs": 2, "steps": 2}
    assert case["evaluate_params"] == {"verbose": 0, "epochs": 1, "steps": 2}


def test_csv_logger_file_matches_keras():
    case, results = run_case("csv_logger")
    for name, expected in case["texts"].items():
        compare_text(results["texts"][name], expected, f"CSVLogger {name}")
    assert results["texts"]["plain"].startswith("epoch,loss,mae,val_loss,val_mae\r\n0,")


def test_errors_and_warnings_match_keras():
    """Each message as Keras writes it, except the mode: Keras warns and falls back to
    "auto", nbkeras raises (the issue asks for it: a misspelt mode is a mistake)."""
    case, results = run_case("errors")
    for name, expected in case["found"].items():
        actual = results["found"][name]
        if name == "early_stopping_bad_mode":
            assert expected["warnings"] == [
                "EarlyStopping mode 'bogus' is unknown, fallback to auto mode."]
            assert actual["error"] == ("ValueError: EarlyStopping: mode must be one of "
                                       "['auto', 'min', 'max']; received mode='bogus'")
            continue
        assert actual == expected, f"{name}: {actual!r}, Keras {expected!r}"


@pytest.mark.parametrize("cls", ["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
def test_bad_mode_names_the_valid_ones(cls):
    with pytest.raises(ValueError, match=r"mode must be one of \['auto', 'min', 'max'\]; "
                                         r"received mode='minimum'"):
        kwargs = {"filepath": "m.keras"} if cls == "ModelCheckpoint" else {}
        getattr(keras.callbacks, cls)(mode="minimum", **kwargs)


def test_reduce_lr_on_plateau_refuses_unknown_arguments():
    """Keras 3 swallows them (**kwargs); nbkeras names them. Keras 2's epsilon is min_delta."""
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['patince'\]; "
                                        r"expected monitor, factor, patience"):
        keras.callbacks.ReduceLROnPlateau(patince=3)
    with pytest.warns(UserWarning, match="`epsilon` is Keras 2's name for `min_delta`"):
        assert keras.callbacks.ReduceLROnPlateau(epsilon=0.01).min_delta == 0.01


def test_unknown_monitor_warns_with_the_keys_there_are():
    """EarlyStopping on val_loss in a fit without validation data: nbkeras warns with Keras'
    text (as recorded), which lists the keys the logs do have."""
    expected = REFERENCE["errors"]["found"]["early_stopping_missing"]["warnings"]
    assert expected == [
        "Early stopping conditioned on metric `val_loss` which is not available. Available "
        "metrics are: loss,mae"]
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(np.zeros((4, 4), np.float32), np.zeros((4, 1), np.float32), verbose=0,
                  callbacks=[keras.callbacks.EarlyStopping()])
    assert [str(w.message) for w in caught] == expected


def test_mode_auto_follows_the_metric_direction():
    """val_accuracy is maximised, val_mae and a val_ loss minimised; an unknown name raises."""
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, "softmax")])
    model.compile("sgd", "categorical_crossentropy",
                  metrics=["accuracy", "mae", keras.metrics.AUC(name="auc")])
    x, y = np.zeros((4, 4), np.float32), np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
    model.fit(x, y, verbose=0)  # builds the compiled metrics
    for monitor, op in [("val_accuracy", np.greater), ("val_mae", np.less),
                        ("loss", np.less), ("val_auc", np.greater)]:
        stop = keras.callbacks.EarlyStopping(monitor=monitor)
        stop.set_model(model)
        stop._set_monitor_op()
        assert stop.monitor_op is op, monitor
    stop = keras.callbacks.EarlyStopping(monitor="val_custom")
    stop.set_model(model)
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        stop._set_monitor_op()


def test_lambda_callback_wrong_arity_fails_when_called():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda logs: None)
    with pytest.raises(TypeError, match="positional argument"):
        model.fit(np.zeros((4, 4)), np.zeros((4, 1)), verbose=0, callbacks=[callback])


def test_scheduler_on_a_schedule_optimizer_cannot_set_the_rate():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    model.compile(keras.optimizers.SGD(schedule), "mse")
    callback = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr)
    with pytest.raises(TypeError, match="its learning rate is not settable"):
        model.fit(np.zeros((4, 4)), np.zeros((4, 1)), verbose=0, callbacks=[callback])


# -- reliability: interrupted fits --------------------------------------------------------------
class _SigintInStep(keras.layers.Layer):
    """A layer that sends SIGINT to this process during the forward pass of one step."""

    def __init__(self, at_call, **kwargs):
        super().__init__(**kwargs)
        self.at_call, self.calls = at_call, 0

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, x, training=False):
        if training:
            self.calls += 1
            if self.calls == self.at_call:
                os.kill(os.getpid(), signal.SIGINT)
        return x


def _digits_like(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    return x, (x @ np.array([[0.5], [-1.0], [0.25], [0.8]], np.float32)).astype(np.float32)


def _fresh_model(extra=None):
    keras.utils.set_random_seed(3)
    layers = [keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh")]
    if extra is not None:
        layers.append(extra)
    model = keras.Sequential(layers + [keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


@pytest.mark.skipif(os.name != "posix" or signal.getsignal(signal.SIGINT)
                    is not signal.default_int_handler,
                    reason="POSIX signals, with Python's own SIGINT handler in place")
def test_ctrl_c_during_a_step_finishes_that_step_then_interrupts():
    """SIGINT in the middle of step 7 (epoch 1, batch 2 of 4): the step completes, then
    KeyboardInterrupt; the History has epoch 0, the weights and iterations are exactly those
    of 7 whole steps, and on_train_end did not run (as in Keras)."""
    x, y = _digits_like()
    ended = []
    model = _fresh_model(_SigintInStep(at_call=7))
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=5, shuffle=False, verbose=0,
                  callbacks=[keras.callbacks.LambdaCallback(on_train_end=ended.append)])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert int(model.optimizer.iterations) == 7
    assert model.history.epoch == [0] and len(model.history.history["loss"]) == 1
    assert ended == []
    reference = _fresh_model(_SigintInStep(at_call=0))
    reference.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    reference.fit(x[:24], y[:24], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_exception_in_a_callback_keeps_the_finished_epochs():
    x, y = _digits_like()
    model = _fresh_model()

    class Fail(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[Fail()])
    assert model.history.epoch == [0, 1]
    assert int(model.optimizer.iterations) == 8
    # the model trains on from there, and a new fit gets a new History
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert history.epoch == [0] and model.history is history


# -- reliability: saves that fail, fits that resume ----------------------------------------------
def _fail_in_the_middle_of_writes(monkeypatch, suffix, after_bytes=64):
    """From now on, writing a file whose name ends with ``suffix`` writes ``after_bytes``
    bytes and then fails as a full disk does (OSError 28)."""
    import builtins
    import errno
    import zipfile

    real_open = builtins.open

    class HalfWritten:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[:after_bytes])
            self.f.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def failing_open(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        if "w" in mode and os.fspath(file).endswith(suffix):
            return HalfWritten(f)
        return f

    monkeypatch.setattr(builtins, "open", failing_open)
    real_writestr = zipfile.ZipFile.writestr

    def failing_writestr(self, name, data, *args, **kwargs):  # the weights inside a .keras
        if str(self.filename).endswith(suffix) and name == "model.weights.h5":
            real_writestr(self, name, data[:after_bytes], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)


class _FailFrom(keras.callbacks.Callback):
    """Placed before the checkpoint: from epoch ``epoch`` on, file writes fail midway."""

    def __init__(self, epoch, arm):
        super().__init__()
        self.epoch, self.arm = epoch, arm

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            self.arm()


@pytest.mark.parametrize("filepath", ["last.keras", "last.weights.h5"])
def test_a_failed_checkpoint_save_keeps_the_previous_file(tmp_path, monkeypatch, filepath):
    """The save after epoch 2 dies half-way (a full disk): fit raises, and the file of
    epoch 1 is still there, whole, and loads, with no temporary file left beside it."""
    x, y = _digits_like()
    model = _fresh_model()
    weights_only = filepath.endswith(".weights.h5")
    saved = []

    class Remember(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            saved.append(self.model.get_weights())

    checkpoint = keras.callbacks.ModelCheckpoint(tmp_path / filepath,
                                                 save_weights_only=weights_only)
    arm = _FailFrom(1, lambda: _fail_in_the_middle_of_writes(monkeypatch, filepath))
    with pytest.raises(OSError, match="No space left on device"):
        model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[Remember(), arm,
                                                                        checkpoint])
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == [filepath]
    if weights_only:
        restored = _fresh_model()
        restored.optimizer.build(restored.trainable_variables)  # the file has its slots
        restored.load_weights(tmp_path / filepath)
    else:
        restored = keras.models.load_model(tmp_path / filepath)
    for a, b in zip(restored.get_weights(), saved[0], strict=True):
        np.testing.assert_array_equal(a, b)


def _backup_run(backup, callbacks=(), epochs=5, **kwargs):
    x, y = _digits_like()
    model = _fresh_model()
    history = model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0,
                        callbacks=[keras.callbacks.BackupAndRestore(backup, **kwargs),
                                   *callbacks])
    return model, history


class _CrashAt(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("the machine went down")


def test_backup_and_restore_resumes_bit_for_bit(tmp_path):
    """Adam: a fit that crashes at epoch 3 (after its backup) and is run again (from fresh
    weights) ends with the weights, slots and iteration count of an uninterrupted fit, bit for
    bit; the second fit runs epochs 3 and 4 only and then deletes the backup. (The batches
    are in order: with shuffle=True the order comes from NumPy's global generator, which
    BackupAndRestore does not save, in Keras neither.)"""
    whole, _ = _backup_run(tmp_path / "unused")
    with pytest.raises(RuntimeError, match="went down"):
        _backup_run(tmp_path / "backup", [_CrashAt(2)])
    with open(tmp_path / "backup" / "training_metadata.json") as f:
        assert json.load(f) == {"epoch": 3, "batch": 0}
    resumed, history = _backup_run(tmp_path / "backup")
    assert history.epoch == [3, 4]
    assert not (tmp_path / "backup").exists()
    assert int(resumed.optimizer.iterations) == int(whole.optimizer.iterations) == 20
    for a, b in zip(resumed.get_weights(), whole.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(resumed.optimizer.variables, whole.optimizer.variables, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a),
                                      keras.ops.convert_to_numpy(b))


def test_a_backup_that_fails_midway_leaves_the_previous_one(tmp_path, monkeypatch):
    """The backup after epoch 3 dies half-way: the backup of epoch 2 is intact (weights and
    metadata), and the next fit resumes from it and still ends as the uninterrupted run."""
    whole, _ = _backup_run(tmp_path / "unused")
    arm = _FailFrom(2, lambda: _fail_in_the_middle_of_writes(monkeypatch, "latest.weights.h5"))
    with pytest.raises(OSError, match="No space left"):
        _backup_run(tmp_path / "backup", [arm])  # arm runs after the backup of epoch 2...
    monkeypatch.undo()
    with open(tmp_path / "backup" / "training_metadata.json") as f:
        assert json.load(f)["epoch"] == 3  # ...so the failing one is epoch 3's (0-based 3)
    assert sorted(os.listdir(tmp_path / "backup")) == ["latest.weights.h5",
                                                       "training_metadata.json"]
    resumed, history = _backup_run(tmp_path / "backup")
    assert history.epoch == [3, 4]
    for a, b in zip(resumed.get_weights(), whole.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_double_checkpoint_falls_back_on_the_previous_backup(tmp_path):
    """latest.weights.h5 made unreadable after the crash: the .bkp copies (the backup one
    epoch older) are used, so the resumed fit starts at epoch 2 and runs 2, 3 and 4."""
    with pytest.raises(RuntimeError, match="went down"):
        _backup_run(tmp_path / "backup", [_CrashAt(2)], double_checkpoint=True)
    assert sorted(os.listdir(tmp_path / "backup")) == [
        "latest.weights.h5", "latest.weights.h5.bkp", "training_metadata.json",
        "training_metadata.json.bkp"]
    (tmp_path / "backup" / "latest.weights.h5").write_bytes(b"cut short")
    _, history = _backup_run(tmp_path / "backup", double_checkpoint=True)
    assert history.epoch == [2, 3, 4]


def test_backup_and_restore_needs_a_built_model(tmp_path):
    """A subclassed model is built by its first step, after on_train_begin (a Sequential
    is built by fit before the callbacks start)."""

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    model = Net()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="you model must be built before you call `fit"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(tmp_path / "b")])


def test_checkpoint_best_only_without_the_monitor_saves_and_warns(tmp_path):
    model = _fresh_model()
    x, y = _digits_like()
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(
            tmp_path / "m.keras", save_best_only=True)])
    assert os.listdir(tmp_path) == ["m.keras"]


# -- TensorBoard --------------------------------------------------------------------------------
def _read_events(folder):
    """``[[step, tag, value], ...]`` from the event files in ``folder``, read with
    tensorboardX's protobuf classes (TFRecord framing: length, its CRC, the serialized
    Event, its CRC)."""
    from tensorboardX.proto import event_pb2

    found = []
    for name in sorted(os.listdir(folder)):
        data = (pathlib.Path(folder) / name).read_bytes()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack_from("<Q", data, offset)
            event = event_pb2.Event.FromString(data[offset + 12: offset + 12 + length])
            offset += 12 + length + 4
            found.extend([event.step, value.tag, value.simple_value]
                         for value in event.summary.value)
    return found


def _tensorboard_runs(tmp_path, update_freq):
    case = REFERENCE[f"tensorboard_{update_freq}"]
    weights = [case.array(f"w/{i}") for i in range(case["n_weights"])]
    keras.utils.set_random_seed(1)
    _callbacks_zoo.tensorboard_run(keras, reference_data(), tmp_path / "logs", update_freq,
                                   initial_weights=weights)
    ours = {run: _read_events(tmp_path / "logs" / run) for run in ("train", "validation")}
    return ours, case["runs"]


def _same_events(ours, theirs, what):
    assert [e[:2] for e in ours] == [e[:2] for e in theirs], f"{what}: {ours} vs {theirs}"
    for (_, tag, a), (_, _, b) in zip(ours, theirs, strict=True):
        assert_matches_keras(a, b, RTOL, f"{what} {tag}")


def test_tensorboard_writes_the_scalars_keras_writes(tmp_path):
    """Every (step, tag) of Keras' event files, in Keras' order, with Keras' values."""
    pytest.importorskip("tensorboardX")
    ours, theirs = _tensorboard_runs(tmp_path, "epoch")
    for run in ("train", "validation"):
        _same_events(ours[run], theirs[run], run)


def test_tensorboard_batch_summaries_every_n_batches(tmp_path):
    """update_freq=3: the batch summaries at Keras' steps. Keras then also drops the epoch
    and evaluation summaries of every epoch whose last global batch is not a multiple of 3
    (its record_if stays on); nbkeras keeps them all, so Keras' are a subset of ours."""
    pytest.importorskip("tensorboardX")
    ours, theirs = _tensorboard_runs(tmp_path, 3)
    batch = [e for e in ours["train"] if e[1].startswith("batch_")]
    _same_events(batch, [e for e in theirs["train"] if e[1].startswith("batch_")], "batch")
    for run in ("train", "validation"):
        rest = [e for e in ours[run] if not e[1].startswith("batch_")]
        kept = [e for e in rest if e[:2] in [k[:2] for k in theirs[run]]]
        _same_events(kept, [e for e in theirs[run] if not e[1].startswith("batch_")], run)
    assert [e[0] for e in ours["train"] if e[1] == "epoch_loss"] == [0, 1, 2]


def test_tensorboard_refuses_what_it_cannot_do():
    pytest.importorskip("tensorboardX")
    with pytest.raises(ValueError, match="profile_batch is not available"):
        keras.callbacks.TensorBoard(profile_batch=2)
    with pytest.raises(ValueError, match=r"embeddings_freq is not available in nbkeras \(there "
                                         r"is no embedding projector\); received "
                                         r"embeddings_freq=1 \(must be 0\)"):
        keras.callbacks.TensorBoard(embeddings_freq=1)
    with pytest.raises(ValueError, match="update_freq must be 'epoch', 'batch' or a positive"):
        keras.callbacks.TensorBoard(update_freq="step")


def test_terminate_on_nan_checks_inf_too():
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    y = np.array([[0.0], [np.inf], [0.0], [0.0]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(np.ones((4, 1)), y, batch_size=1, epochs=3, verbose=0,
                            callbacks=[keras.callbacks.TerminateOnNaN()])
    assert history.epoch == [0] and math.isinf(history.history["loss"][0])


def test_signatures_are_keras_own():
    """Shift+Tab shows Keras' signatures: every callback's constructor and Callback's hooks,
    and each has a docstring."""
    import inspect

    case = REFERENCE["signatures"]
    for name, expected in case["constructors"].items():
        cls = getattr(keras.callbacks, name)
        assert str(inspect.signature(cls.__init__)) == expected, name
        assert cls.__doc__, f"{name} has no docstring"
    for name, expected in case["callback_methods"].items():
        assert str(inspect.signature(getattr(keras.callbacks.Callback, name))) == expected, name


def test_batch_hooks_reach_only_the_callbacks_that_define_them(monkeypatch):
    from nbkeras.callbacks import callback_list

    class Legacy(keras.callbacks.Callback):  # Keras 2's name, which on_train_batch_end calls
        def __init__(self):
            super().__init__()
            self.batches = []

        def on_batch_end(self, batch, logs=None):
            self.batches.append((batch, sorted(logs)))

    x = np.linspace(0, 1, 40, dtype=np.float32).reshape(20, 2)
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    conversions = []
    convert = callback_list.pythonify_logs
    monkeypatch.setattr(callback_list, "pythonify_logs",
                        lambda logs: (conversions.append(1), convert(logs))[1])
    model.fit(x, y, batch_size=5, epochs=2, verbose=0)
    # History listens at the epochs only: begin and end of the run, two hooks per epoch
    assert len(conversions) == 2 + 2 * 2
    legacy, seen = Legacy(), []
    lambdas = keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    model.fit(x, y, batch_size=5, epochs=2, verbose=0, callbacks=[legacy, lambdas])
    assert legacy.batches == [(b, ["loss", "mae"]) for b in range(4)] * 2
    assert seen == [0, 1, 2, 3] * 2
