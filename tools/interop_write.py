"""``make interop``, step 1 (nbkeras' .venv): write nbkeras files for Keras to open.

For each model of tools/reference/_saving_zoo.py (``MODELS`` and ``LAYOUTS``):

- ``<name>.fresh.keras``: the model built and trained in nbkeras (one epoch, ``FIT``), with
  ``<name>.fresh.npz`` holding its inputs, predictions and weights, for Keras to compare;
- ``<name>.fresh.weights.h5``: the same model's ``save_weights``;
- ``<name>.resaved.keras`` (``MODELS`` only): Keras' own file from tests/reference/saving,
  loaded and saved again by nbkeras, so that Keras can resume training from it and compare
  with the weights it recorded after one more epoch;
- ``ops_<name>.fresh.keras``: each model of tools/reference/_functional_ops_zoo.py (ops on
  KerasTensors as graph steps), with ``ops_<name>.fresh.npz`` as above;
- ``lambda.keras``: a Lambda layer's code, which Keras must refuse in safe mode;
- ``backup/``: what nbkeras' BackupAndRestore leaves when a fit crashes after epoch 3 of 5
  (weights with Adam's state, training_metadata.json), with ``backup.npz`` holding the data
  and the weights nbkeras ends with when it resumes from a copy, for Keras to resume too.

Step 2 (tools/interop_check.py) runs in the reference environment, without nbkeras.

    .venv/bin/python tools/interop_write.py OUT_DIR
"""

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from reference import _callbacks_zoo, _functional_ops_zoo, _saving_zoo  # noqa: E402

import nbkeras as keras  # noqa: E402


def _save_arrays(path, x, predictions, weights):
    predictions = predictions if isinstance(predictions, list) else [predictions]
    arrays = {f"x/{i}": v for i, v in enumerate(x)}
    arrays.update({f"predictions/{i}": v for i, v in enumerate(predictions)})
    arrays.update({f"weights/{i}": v for i, v in enumerate(weights)})
    np.savez(path, **arrays)


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    _saving_zoo.custom_objects(keras)  # registers nbk_reference>Scale and >FocalLoss
    rng = np.random.default_rng(11)
    data = _saving_zoo.make_data(rng)
    for name, make in _saving_zoo.MODELS.items():
        keras.backend.clear_session()
        keras.utils.set_random_seed(5)
        model = make(keras)
        x, y = data[name]["x"], data[name]["y"]
        model.fit(_saving_zoo.inputs(x), _saving_zoo.inputs(y), **_saving_zoo.FIT)
        model.save(out / f"{name}.fresh.keras")
        model.save_weights(out / f"{name}.fresh.weights.h5")
        _save_arrays(out / f"{name}.fresh.npz", x,
                     model.predict(_saving_zoo.inputs(x), verbose=0), model.get_weights())
        keras.models.load_model(ROOT / "tests" / "reference" / "saving" / f"{name}.keras") \
            .save(out / f"{name}.resaved.keras")
        print(f"wrote {name}.fresh.keras, {name}.fresh.weights.h5, {name}.resaved.keras")
    for name, make in _saving_zoo.LAYOUTS.items():
        keras.backend.clear_session()
        keras.utils.set_random_seed(6)
        model = make(keras)
        x = _saving_zoo.layout_inputs(name, rng)
        model.save(out / f"layout_{name}.fresh.keras")
        model.save_weights(out / f"layout_{name}.fresh.weights.h5")
        _save_arrays(out / f"layout_{name}.fresh.npz", x,
                     model.predict(_saving_zoo.inputs(x), verbose=0), model.get_weights())
        print(f"wrote layout_{name}.fresh.keras, layout_{name}.fresh.weights.h5")
    for name, (make, specs) in _functional_ops_zoo.MODELS.items():
        keras.utils.set_random_seed(7)
        model = make(keras)
        x = _functional_ops_zoo.make_inputs(rng, specs)
        model.save(out / f"ops_{name}.fresh.keras")
        _save_arrays(out / f"ops_{name}.fresh.npz", x,
                     model.predict(x if len(x) > 1 else x[0], verbose=0), model.get_weights())
        print(f"wrote ops_{name}.fresh.keras")
    lam = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2.0 + 1.0)])
    lam.save(out / "lambda.keras")
    print("wrote lambda.keras")
    write_backup(out)


def write_backup(out):
    import shutil

    rng = np.random.default_rng(12)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = (x @ np.array([[0.5], [-1.0], [0.25], [0.8]], np.float32)).astype(np.float32)

    class Crash(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("crash after epoch 3")

    keras.backend.clear_session()
    keras.utils.set_random_seed(7)
    model = _callbacks_zoo.interop_backup_model(keras)
    shutil.rmtree(out / "backup", ignore_errors=True)
    try:
        model.fit(x, y, **_callbacks_zoo.INTEROP_BACKUP_FIT,
                  callbacks=[keras.callbacks.BackupAndRestore(out / "backup"), Crash()])
    except RuntimeError:
        pass
    shutil.copytree(out / "backup", out / "backup_copy", dirs_exist_ok=True)
    keras.utils.set_random_seed(8)
    resumed = _callbacks_zoo.interop_backup_model(keras)  # fresh weights, then the backup
    resumed.fit(x, y, **_callbacks_zoo.INTEROP_BACKUP_FIT,
                callbacks=[keras.callbacks.BackupAndRestore(out / "backup_copy")])
    np.savez(out / "backup.npz", x=x, y=y,
             **{f"weights/{i}": w for i, w in enumerate(resumed.get_weights())})
    print("wrote backup/ (a fit that crashed after epoch 3)")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
