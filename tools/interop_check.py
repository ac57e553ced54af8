"""``make interop``, step 2 (the reference environment, real Keras 3.15): open nbkeras' files.

Reads what tools/interop_write.py wrote into OUT_DIR and checks, with Keras alone (nbkeras is
not imported: every verdict is Keras'):

- ``<name>.fresh.keras``: ``keras.saving.load_model`` opens it, holds nbkeras' weights exactly
  and predicts what nbkeras predicted;
- ``<name>.fresh.weights.h5``: loads into the same model built in Keras, same predictions;
- ``<name>.resaved.keras``: Keras resumes training from it (optimizer state included) and
  ends with the weights it recorded for its own file after one more epoch;
- ``ops_<name>.fresh.keras``: a graph with ops' steps; Keras rebuilds the steps, holds the
  weights exactly and predicts what nbkeras predicted;
- ``lambda.keras``: refused in safe mode, loaded and run with ``safe_mode=False``;
- ``backup/``: Keras' BackupAndRestore resumes nbkeras' crashed fit at epoch 3, with Adam's
  state, and ends with the weights nbkeras' own resume ended with.

Prints one line per check and writes OUT_DIR/results.json; exits 1 if any check failed.

    .venv-reference/bin/python tools/interop_check.py OUT_DIR
"""

import json
import os
import pathlib
import sys
import traceback
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from reference import _callbacks_zoo, _functional_ops_zoo, _saving_zoo  # noqa: E402

RTOL = 1e-5  # predictions: two frameworks' kernels on the same weights
RESUME_RTOL = 2e-4  # one more epoch of training (the training family's tolerance)


def _listed(npz, what):
    keys = sorted((k for k in npz.files if k.startswith(f"{what}/")),
                  key=lambda k: int(k.split("/")[1]))
    return [npz[k] for k in keys]


def _close(actual, expected, rtol):
    actual = actual if isinstance(actual, list) else [actual]
    worst = 0.0
    for a, e in zip(actual, expected, strict=True):
        a, e = np.asarray(a, np.float64), np.asarray(e, np.float64)
        if a.shape != e.shape:
            raise AssertionError(f"shape {a.shape} != {e.shape}")
        scale = max(float(np.max(np.abs(e))), 1e-6)
        worst = max(worst, float(np.max(np.abs(a - e))) / scale)
    if worst > rtol:
        raise AssertionError(f"relative difference {worst:.2e} > {rtol:.0e}")
    return worst


def check_fresh(out, stem, make):
    arrays = np.load(out / f"{stem}.fresh.npz")
    x = _saving_zoo.inputs(_listed(arrays, "x"))
    model = keras.saving.load_model(out / f"{stem}.fresh.keras")
    for mine, theirs in zip(model.get_weights(), _listed(arrays, "weights"), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    worst = _close(model.predict(x, verbose=0), _listed(arrays, "predictions"), RTOL)
    keras.backend.clear_session()
    built = make(keras)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Skipping variable loading for optimizer" (unbuilt)
        built.load_weights(out / f"{stem}.fresh.weights.h5")
    worst_weights = _close(built.predict(x, verbose=0), _listed(arrays, "predictions"), RTOL)
    return f"weights exact, predictions {worst:.1e} / weights file {worst_weights:.1e}"


def check_ops(out, name):
    """A functional model with ops' steps (tools/reference/_functional_ops_zoo.py), as nbkeras
    wrote it: Keras rebuilds every step and predicts what nbkeras predicted."""
    arrays = np.load(out / f"ops_{name}.fresh.npz")
    x = _listed(arrays, "x")
    model = keras.saving.load_model(out / f"ops_{name}.fresh.keras")
    for mine, theirs in zip(model.get_weights(), _listed(arrays, "weights"), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    predictions = model.predict(x if len(x) > 1 else x[0], verbose=0)
    predictions = predictions if isinstance(predictions, list) else [predictions]
    expected = _listed(arrays, "predictions")
    flags = [i for i, p in enumerate(expected) if p.dtype == bool]
    for i in flags:
        np.testing.assert_array_equal(predictions[i], expected[i])
    worst = _close([p for i, p in enumerate(predictions) if i not in flags],
                   [p for i, p in enumerate(expected) if i not in flags], RTOL)
    steps = [op.name for op in model.operations if op not in model.layers]
    return f"{len(steps)} steps ({', '.join(steps)}), weights exact, predictions {worst:.1e}"


def check_resumed(out, name, reference):
    """Keras resumes from nbkeras' rewrite of Keras' file: the weights after one more epoch
    must be those Keras recorded for its own file."""
    meta = reference[name]
    npz = reference["_arrays"]
    model = keras.saving.load_model(out / f"{name}.resaved.keras")
    x = _saving_zoo.inputs([npz[f"{name}/x/{i}"] for i in range(meta["n_x"])])
    y = _saving_zoo.inputs([npz[f"{name}/y/{i}"] for i in range(meta["n_y"])])
    if int(model.optimizer.iterations.numpy()) != meta["iterations"]:
        raise AssertionError(f"iterations {int(model.optimizer.iterations.numpy())} != "
                             f"{meta['iterations']}")
    model.fit(x, y, **_saving_zoo.FIT)
    after = [npz[f"{name}/weights_after/{i}"] for i in range(meta["n_weights"])]
    worst = _close(model.get_weights(), after, RESUME_RTOL)
    return f"one more epoch matches Keras' own resume to {worst:.1e}"


def check_lambda(out):
    try:
        keras.saving.load_model(out / "lambda.keras")
    except ValueError as error:
        if "safe_mode" not in str(error):
            raise
    else:
        raise AssertionError("Keras loaded a Lambda in safe mode")
    model = keras.saving.load_model(out / "lambda.keras", safe_mode=False)
    result = model.predict(np.ones((1, 3), np.float32), verbose=0)
    np.testing.assert_allclose(result, [[3.0, 3.0, 3.0]])
    return "refused in safe mode; safe_mode=False runs it (x*2+1)"


def check_backup(out):
    """Keras resumes the fit that nbkeras' BackupAndRestore backed up."""
    arrays = np.load(out / "backup.npz")
    model = _callbacks_zoo.interop_backup_model(keras)
    history = model.fit(arrays["x"], arrays["y"], **_callbacks_zoo.INTEROP_BACKUP_FIT,
                        callbacks=[keras.callbacks.BackupAndRestore(out / "backup")])
    if history.epoch != [3, 4] or int(model.optimizer.iterations.numpy()) != 20:
        raise AssertionError(f"resumed epochs {history.epoch}, iterations "
                             f"{int(model.optimizer.iterations.numpy())}; expected [3, 4], 20")
    worst = _close(model.get_weights(), _listed(arrays, "weights"), RESUME_RTOL)
    return f"epochs [3, 4], 20 iterations, weights as nbkeras' resume to {worst:.1e}"


def main(out):
    _saving_zoo.custom_objects(keras)
    reference_meta = json.loads((ROOT / "tests" / "reference" / "saving.json").read_text())
    reference = {c["id"]: c for c in reference_meta["cases"]}
    reference["_arrays"] = np.load(ROOT / "tests" / "reference" / "saving.npz")
    checks = []
    for name, make in _saving_zoo.MODELS.items():
        checks.append((f"{name}.fresh.keras", lambda n=name, m=make: check_fresh(out, n, m)))
        checks.append((f"{name}.resaved.keras",
                       lambda n=name: check_resumed(out, n, reference)))
    for name, make in _saving_zoo.LAYOUTS.items():
        checks.append((f"layout_{name}.fresh.keras",
                       lambda n=name, m=make: check_fresh(out, f"layout_{n}", m)))
    for name in _functional_ops_zoo.MODELS:
        checks.append((f"ops_{name}.fresh.keras", lambda n=name: check_ops(out, n)))
    checks.append(("lambda.keras", lambda: check_lambda(out)))
    checks.append(("backup/ (BackupAndRestore)", lambda: check_backup(out)))
    results, failed = [], 0
    for label, check in checks:
        keras.backend.clear_session()
        try:
            detail = check()
            ok = True
        except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
            detail = f"{type(error).__name__}: {error}"
            traceback.print_exc()
            ok = False
        failed += not ok
        results.append({"file": label, "ok": ok, "detail": detail})
        print(f"{'ok  ' if ok else 'FAIL'} {label:32s} {detail}")
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"interop: {len(results) - failed} of {len(results)} nbkeras files open in Keras "
          f"{keras.__version__} as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
