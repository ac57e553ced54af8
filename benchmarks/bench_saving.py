"""Saving and loading the chapter's case-study CNN: file sizes and times, nbkeras against Keras.

The model (Conv2D, BatchNormalization, MaxPooling2D, Dropout, Dense on the 8x8x1 digits) is
built and fitted one epoch in a fresh process of each framework; then ``model.save`` and
``keras.models.load_model`` of the ``.keras`` file, and ``save_weights`` of a ``.weights.h5``
file, are timed (medians), and the files' sizes read. The digits come from scikit-learn in this
process and reach the children as an .npz, so the Keras side needs no scikit-learn.

    python benchmarks/bench_saving.py [--keras-python PATH] [--record]

``--keras-python``: the interpreter with TensorFlow and Keras (default: this one, as in
.venv-bench); ``--record`` writes benchmarks/results/saving.json, which chapter 14 prints.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results" / "saving.json"

CHILD = r'''
import json, os, statistics, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np
keras = __import__(sys.argv[1])
data = np.load(sys.argv[2])
folder = sys.argv[3]
x, y = data["x"], data["y"]
keras.utils.set_random_seed(0)
L = keras.layers
model = keras.Sequential([
    keras.Input((8, 8, 1)), L.Conv2D(16, 3, activation="relu", padding="same"),
    L.BatchNormalization(), L.MaxPooling2D(), L.Dropout(0.25), L.Flatten(),
    L.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=1, batch_size=32, verbose=0)

def median(fn, repeat):
    fn()  # warm: first-call costs (imports, compilation) are not the steady time
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return statistics.median(times)

path = os.path.join(folder, "cnn.keras")
weights = os.path.join(folder, "cnn.weights.h5")
t0 = time.perf_counter(); model.save(path); first_save = time.perf_counter() - t0
t0 = time.perf_counter(); loaded = keras.models.load_model(path)
first_load = time.perf_counter() - t0
result = {
    "first_save": first_save, "first_load": first_load,
    "save": median(lambda: model.save(path), 15),
    "load": median(lambda: keras.models.load_model(path), 15),
    "save_weights": median(lambda: model.save_weights(weights), 15),
    "load_weights": median(lambda: model.load_weights(weights), 15),
    "keras_size": os.path.getsize(path), "weights_size": os.path.getsize(weights),
    "params": model.count_params(),
}
print(json.dumps(result))
'''


def run(python, module, data_path):
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([python, "-c", CHILD, module, str(data_path), folder],
                             check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(keras_python=None):
    from sklearn.datasets import load_digits

    digits = load_digits()
    with tempfile.TemporaryDirectory() as folder:
        data_path = pathlib.Path(folder) / "digits.npz"
        np.savez(data_path, x=(digits.images / 16.0).astype(np.float32)[..., None],
                 y=digits.target.astype(np.int64))
        return {"nbkeras": run(sys.executable, "nbkeras", data_path),
                "keras": run(keras_python or sys.executable, "keras", data_path)}


def table(results):
    from harness import fmt_time

    lines = ["| | nbkeras | Keras 3.15 (TensorFlow) | nbkeras / Keras |", "|---|---|---|---|"]
    for key, label in [("keras_size", ".keras file size"),
                       ("weights_size", ".weights.h5 file size")]:
        a, b = results["nbkeras"][key], results["keras"][key]
        lines.append(f"| {label} | {a:,} bytes | {b:,} bytes | {a / b:.2f}x |")
    for key, label in [("save", "model.save"), ("load", "load_model"),
                       ("save_weights", "save_weights"), ("load_weights", "load_weights"),
                       ("first_save", "first save in the process"),
                       ("first_load", "first load in the process")]:
        a, b = results["nbkeras"][key], results["keras"][key]
        lines.append(f"| {label} | {fmt_time(a)} | {fmt_time(b)} | {a / b:.2f}x |")
    return "\n".join(lines)


def main(keras_python=None, record=False):
    sys.path.insert(0, str(HERE))
    results = measure(keras_python)
    print("\n## Saving and loading: the chapter's digits CNN "
          f"({results['nbkeras']['params']:,} parameters)\n")
    print(table(results))
    from harness import record as keep

    for key in ("save", "load", "save_weights", "load_weights", "first_save", "first_load"):
        keep("saving", "Saving and loading: the chapter's digits CNN", key,
             {"nbkeras": results["nbkeras"][key], "tensorflow": results["keras"][key]})
    if record:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--keras-python")
    parser.add_argument("--record", action="store_true")
    arguments = parser.parse_args()
    main(arguments.keras_python, arguments.record)
