"""One Adam step on a 1M-parameter float32 variable: time and bytes allocated per step.

Compared in the same run with:
- NumPy, minimal: the same float32 arithmetic with in-place ufuncs and two preallocated scratch
  buffers (no allocation per step): the least NumPy can do for this update;
- NumPy, as usually written: the update as array expressions (each allocates temporaries);
- Keras 3.15 on TensorFlow 2.21 (eager ``apply_gradients``) and PyTorch (``torch.optim.Adam``,
  default and ``fused=True``).

Bytes are measured with tracemalloc, which sees NumPy's and Python's allocations (not TensorFlow's
or PyTorch's own allocators: those columns say n/a). Times are medians; this VM is noisy
(about +-20%). The floor: a step must read w, g, m, v and write w, m, v: 28 bytes per parameter.
"""

import os
import tracemalloc

import numpy as np
from harness import fmt_time, median_time, record

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

SIZE = 1_000_000
LR, BETA_1, BETA_2, EPSILON = 0.001, 0.9, 0.999, 1e-7


def data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal(SIZE).astype(np.float32),
            rng.standard_normal(SIZE).astype(np.float32))


def nbkeras_step():
    import nbkeras as keras

    w0, g = data()
    w = keras.Variable(w0)
    opt = keras.optimizers.Adam(learning_rate=LR)
    opt.apply_gradients([(g, w)])  # build the slots and compile
    return lambda: opt.apply_gradients([(g, w)])


def numpy_minimal_step():
    """In-place float32 Adam with scratch buffers: the least NumPy needs per step."""
    w, g = data()
    m, v = np.zeros_like(w), np.zeros_like(w)
    a, b = np.empty_like(w), np.empty_like(w)
    f = np.float32
    state = {"t": 0}

    def step():
        state["t"] += 1
        t = state["t"]
        alpha = f(LR) * np.sqrt(f(1) - f(BETA_2) ** t) / (f(1) - f(BETA_1) ** t)
        np.subtract(g, m, out=a)          # m += (g - m)(1 - b1)
        np.multiply(a, f(1 - BETA_1), out=a)
        np.add(m, a, out=m)
        np.multiply(g, g, out=a)          # v += (g^2 - v)(1 - b2)
        np.subtract(a, v, out=a)
        np.multiply(a, f(1 - BETA_2), out=a)
        np.add(v, a, out=v)
        np.sqrt(v, out=b)                 # w -= m alpha / (sqrt(v) + eps)
        np.add(b, f(EPSILON), out=b)
        np.multiply(m, alpha, out=a)
        np.divide(a, b, out=a)
        np.subtract(w, a, out=w)

    step()
    return step


def numpy_expression_step():
    """The same update written as array expressions: temporaries on every line."""
    w, g = data()
    state = {"m": np.zeros_like(w), "v": np.zeros_like(w), "t": 0, "w": w}
    f = np.float32

    def step():
        state["t"] += 1
        t = state["t"]
        alpha = f(LR) * np.sqrt(f(1) - f(BETA_2) ** t) / (f(1) - f(BETA_1) ** t)
        state["m"] = state["m"] + (g - state["m"]) * f(1 - BETA_1)
        state["v"] = state["v"] + (g * g - state["v"]) * f(1 - BETA_2)
        state["w"] = state["w"] - state["m"] * alpha / (np.sqrt(state["v"]) + f(EPSILON))

    step()
    return step


def keras_step():
    import keras
    import tensorflow as tf

    w0, g = data()
    w = keras.Variable(w0)
    grad = tf.constant(g)
    opt = keras.optimizers.Adam(learning_rate=LR)
    opt.apply_gradients([(grad, w)])
    return lambda: opt.apply_gradients([(grad, w)])


def torch_step(fused):
    import torch

    torch.set_num_threads(2)
    w0, g = data()
    w = torch.nn.Parameter(torch.from_numpy(w0))
    w.grad = torch.from_numpy(g)
    opt = torch.optim.Adam([w], lr=LR, eps=EPSILON, fused=fused)
    opt.step()
    return opt.step


def bytes_per_step(step, steps=20):
    """Peak and net bytes that tracemalloc sees during ``steps`` steps, per step."""
    step()
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    for _ in range(steps):
        step()
    end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - start, (end - start) / steps


def main():
    makers = [
        ("nbkeras", nbkeras_step, True),
        ("NumPy minimal (in place, scratch buffers)", numpy_minimal_step, True),
        ("NumPy expressions", numpy_expression_step, True),
        ("Keras 3 / TensorFlow (eager)", keras_step, False),
        ("PyTorch Adam (foreach)", lambda: torch_step(False), False),
        ("PyTorch Adam (fused)", lambda: torch_step(True), False),
    ]
    results = {}
    for name, make, traced in makers:
        try:
            step = make()
        except ImportError as error:
            print(f"skipped {name}: {error}")
            continue
        seconds = median_time(step, repeat=30, warmup=5, min_time=1.0)
        peak, net = bytes_per_step(step) if traced else (None, None)
        results[name] = (seconds, peak, net)
    record("adam", f"One Adam step, {SIZE:,} float32 parameters", "Adam step",
           {name: seconds for name, (seconds, _, _) in results.items()})
    base = results["nbkeras"][0]
    floor = 28 * SIZE
    print(f"\n## One Adam step, {SIZE:,} float32 parameters "
          f"(floor: {floor / 1e6:.0f} MB of memory traffic)\n")
    print("| implementation | time per step | effective GB/s | peak bytes allocated in a step "
          "| nbkeras time / this |")
    print("|---|---|---|---|---|")
    for name, (seconds, peak, _) in results.items():
        allocated = "n/a (own allocator)" if peak is None else f"{peak:,}"
        print(f"| {name} | {fmt_time(seconds)} | {floor / seconds / 1e9:.1f} | {allocated} "
              f"| {base / seconds:.2f}x |")


if __name__ == "__main__":
    main()
