"""Training benchmarks (the training issue): fit, train_on_batch and predict against Keras 3
on TensorFlow and a plain PyTorch loop, in the same run.

(a) Dense 64-128-64-10 (relu, softmax) on scikit-learn's digits scaled to [0, 1], Adam 1e-3,
    sparse categorical cross-entropy, metrics=["accuracy"], batch 32, 10 epochs: the wall time
    of fit() in a fresh process (first-call costs included: Keras traces its step function,
    nbkeras loads its compiled kernels from the Numba cache), and the process's peak memory
    growth during fit (the peak from the start of fit, Linux' VmHWM reset just before it); and
    the same time with the import of the framework added (work that a framework does at import
    instead of at its first step is counted either way). PyTorch runs the same model as a loop
    (loss and accuracy per batch).
(b) Conv2D(32, 3, relu) - MaxPooling2D - Conv2D(64, 3, relu) - MaxPooling2D - Flatten -
    Dense(10, softmax): one train_on_batch on 64 x 28 x 28 x 1, median of 30 after 5 warm-ups.
Also: the trainer's own cost per step (a fit step minus the same step written by hand with a
GradientTape), and predict throughput.
"""

import json
import os
import subprocess
import sys
import textwrap

from harness import fmt_time, median_time, print_table, record

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

_DIGITS = """
import resource, time, json
import numpy as np
from sklearn.datasets import load_digits
digits = load_digits()
x = (digits.data / 16.0).astype("float32")
y = digits.target.astype("int32")

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

def reset_peak():
    # Linux: writing 5 to clear_refs restarts the peak resident size (VmHWM) from now, so the
    # peak read after fit is that of fit, not of the imports before it
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
"""

_FIT_KERAS_API = _DIGITS + """
import_start = time.perf_counter()
{imports}
import_seconds = time.perf_counter() - import_start
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input(shape=(64,)),
                          keras.layers.Dense(128, activation="relu"),
                          keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
before = rss_mb()
reset_peak()
start = time.perf_counter()
history = model.fit(x, y, batch_size=32, epochs=10, verbose=0)
seconds = time.perf_counter() - start
peak = peak_mb()
start = time.perf_counter()
model.predict(x, batch_size=32, verbose=0)
predict_seconds = time.perf_counter() - start
start = time.perf_counter()
model.predict(x, batch_size=32, verbose=0)
predict_again = time.perf_counter() - start
print(json.dumps({{"fit": seconds, "memory": peak - before, "import": import_seconds,
                  "accuracy": history.history["accuracy"][-1],
                  "predict": min(predict_seconds, predict_again)}}))
"""

_FIT_TORCH = _DIGITS + """
import_start = time.perf_counter()
import torch
import_seconds = time.perf_counter() - import_start
torch.manual_seed(0)
torch.set_num_threads(2)
model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                            torch.nn.Linear(128, 64), torch.nn.ReLU(),
                            torch.nn.Linear(64, 10), torch.nn.Softmax(dim=-1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
before = rss_mb()
reset_peak()
start = time.perf_counter()
for epoch in range(10):
    total = correct = seen = 0.0
    for i in range(0, len(xt), 32):
        xb, yb = xt[i:i + 32], yt[i:i + 32]
        probabilities = model(xb)
        loss = torch.nn.functional.nll_loss(torch.log(probabilities.clamp(1e-7, 1 - 1e-7)), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += float(loss) * len(xb)
        correct += float((probabilities.argmax(-1) == yb).sum())
        seen += len(xb)
seconds = time.perf_counter() - start
peak = peak_mb()
with torch.no_grad():
    start = time.perf_counter()
    for i in range(0, len(xt), 32):
        model(xt[i:i + 32]).numpy()
    predict_seconds = time.perf_counter() - start
print(json.dumps({"fit": seconds, "memory": peak - before, "import": import_seconds,
                  "accuracy": correct / seen,
                  "predict": predict_seconds}))
"""

_IMPORTS = {"nbkeras": "import nbkeras as keras",
            "tensorflow": "import keras"}


def _run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def digits_fit(repeat=3):
    """The median over ``repeat`` fresh processes of each framework's figures."""
    codes = {name: _FIT_KERAS_API.format(imports=imports) for name, imports in _IMPORTS.items()}
    codes["torch"] = _FIT_TORCH
    results = {}
    for name, code in codes.items():
        runs = sorted((_run(code) for _ in range(repeat)), key=lambda r: r["fit"])
        results[name] = runs[len(runs) // 2]
    return results


def _cnn(keras):
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=(28, 28, 1)),
                             layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
                             layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
                             layers.Flatten(), layers.Dense(10, activation="softmax")])


def cnn_train_on_batch():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 64).astype(np.int32)
    times = {}
    import keras

    import nbkeras
    for name, module in (("nbkeras", nbkeras), ("tensorflow", keras)):
        model = _cnn(module)
        model.compile(module.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
        times[name] = median_time(lambda m=model: m.train_on_batch(x, y), repeat=30, warmup=5,
                                  min_time=0)
    return times


def trainer_overhead():
    """Microseconds per step that fit adds to the hand-written GradientTape step."""
    import numpy as np

    import nbkeras as keras

    rng = np.random.default_rng(0)
    x = rng.random((1792, 64), dtype=np.float32)
    y = rng.integers(0, 10, 1792).astype(np.int32)
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(128, "relu"),
                              keras.layers.Dense(64, "relu"), keras.layers.Dense(10, "softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    optimizer = keras.optimizers.Adam(1e-3)
    weights = model.trainable_weights
    optimizer.build(weights)

    def by_hand():
        for i in range(0, 1792, 32):
            with keras.GradientTape() as tape:
                loss = loss_fn(y[i:i + 32], model(x[i:i + 32], training=True))
            optimizer.apply(tape.gradient(loss, weights), weights)

    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    fit_time = median_time(lambda: model.fit(x, y, batch_size=32, epochs=1, verbose=0),
                           repeat=5, warmup=1, min_time=0)
    hand_time = median_time(by_hand, repeat=5, warmup=1, min_time=0)
    return fit_time / 56, hand_time / 56


def main():
    results = digits_fit()
    rows = [("(a) digits MLP fit, 10 epochs (fresh process)",
             {k: v["fit"] for k, v in results.items()}),
            ("(a) the same, with the framework's import before it",
             {k: v["import"] + v["fit"] for k, v in results.items()}),
            ("predict on the 1797 digits, batch 32",
             {k: v["predict"] for k, v in results.items()})]
    print_table("Training: fit and predict", rows, ["nbkeras", "tensorflow", "torch"],
                key="training_fit")
    record("training_fit", "Training: fit and predict", "peak memory growth during (a), MB",
           {k: v["memory"] for k, v in results.items()})
    record("training_fit", "Training: fit and predict", "final training accuracy of (a)",
           {k: v["accuracy"] for k, v in results.items()})
    print("\npeak memory growth during (a): " + ", ".join(
        f"{k} {v['memory']:.0f} MB" for k, v in results.items()))
    print("final training accuracy of (a): " + ", ".join(
        f"{k} {v['accuracy']:.4f}" for k, v in results.items()))
    print("predict throughput: " + ", ".join(
        f"{k} {1797 / v['predict']:,.0f} samples/s" for k, v in results.items()))
    rows = [("(b) CNN train_on_batch, 64x28x28x1", cnn_train_on_batch())]
    print_table("Training: one CNN step", rows, ["nbkeras", "tensorflow"], key="training_cnn")
    fit_step, hand_step = trainer_overhead()
    record("training_fit", "Training: fit and predict", "trainer cost per step (digits MLP)",
           {"fit": fit_step, "GradientTape loop": hand_step})
    print(f"\ntrainer cost per step (digits MLP, batch 32): fit {fmt_time(fit_step)}, "
          f"GradientTape loop {fmt_time(hand_step)}, fit's own share "
          f"{(fit_step - hand_step) * 1e6:.0f} us")
    print(textwrap.dedent("""
        Goals: (a) at most 0.25x tf.keras and at most 1.0x PyTorch; (b) at most 1.0x tf.keras.
    """))


if __name__ == "__main__":
    main()
