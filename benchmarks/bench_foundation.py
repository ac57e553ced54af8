"""Foundation benchmarks: import time, first-call compile time, and forward+backward speed of
representative ops against TensorFlow (keras.ops + tf.GradientTape, eager) and PyTorch autograd.

Ratios below 1 mean nbkeras is faster. Times are medians; this VM is noisy (about +-20%).
"""

import os
import tempfile

import numpy as np
from harness import median_time, print_table, process_time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

ALL_KERNELS = """
import numpy as np
import nbkeras as keras
from nbkeras import ops
x = keras.Variable(np.linspace(0.5, 2.0, 12, dtype=np.float32).reshape(3, 4))
with keras.GradientTape() as tape:
    y = (ops.sigmoid(x) + ops.tanh(x) + ops.softplus(x) + ops.relu(x) + ops.exp(x) + ops.log(x)
         + ops.log1p(x) + ops.sqrt(x) + ops.softmax(x) + ops.log_softmax(x))
    z = ops.sum(y) + ops.max(x) + ops.min(x) + ops.prod(x) + ops.logsumexp(x)
    z = z + ops.sum(ops.matmul(x, ops.transpose(x)))
tape.gradient(z, x)
"""


def startup():
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        rows.append(("import nbkeras", {"nbkeras": process_time("import nbkeras", env)}))
        cold = process_time(ALL_KERNELS, env, repeat=1)  # the first process compiles and caches
        warm = process_time(ALL_KERNELS, env)
    rows.append(("import + first call of every kernel, cold cache", {"nbkeras": cold}))
    rows.append(("import + first call of every kernel, warm cache", {"nbkeras": warm}))
    rows[0][1]["tensorflow"] = process_time("import keras, tensorflow")
    rows[0][1]["torch"] = process_time("import torch")
    return rows


def make_cases():
    rng = np.random.default_rng(0)
    a512 = rng.standard_normal((512, 512)).astype(np.float32)
    b512 = rng.standard_normal((512, 512)).astype(np.float32)
    logits = rng.standard_normal((1024, 1000)).astype(np.float32)
    million = rng.standard_normal(1_000_000).astype(np.float32)
    positive = np.abs(million) + np.float32(0.01)  # log and log1p: finite everywhere
    ten_million = rng.standard_normal(10_000_000).astype(np.float32)
    x64 = rng.standard_normal((32, 64)).astype(np.float32)
    w64 = (rng.standard_normal((64, 64)) * 0.1).astype(np.float32)
    return {
        "matmul 512x512, fwd+bwd": ("matmul", (a512, b512)),
        "softmax (1024, 1000), fwd+bwd": ("softmax", (logits,)),
        "sigmoid 1e6, fwd+bwd": ("sigmoid", (million,)),
        "log 1e6, fwd+bwd": ("log", (positive,)),
        "log1p 1e6, fwd+bwd": ("log1p", (positive,)),
        "tanh 1e6, fwd+bwd": ("tanh", (million,)),
        "softplus 1e6, fwd+bwd": ("softplus", (million,)),
        "gelu (erf) 1e6, fwd+bwd": ("gelu", (million,)),
        "sum 1e7, fwd+bwd": ("sum", (ten_million,)),
        "small MLP step (32x64, 3 layers)": ("mlp", (x64, w64)),
        f"tape: {CHAIN} adds of 2x2, fwd+bwd, per op": ("chain", (x64[:2, :2].copy(),)),
    }


UNARY = ("log", "log1p", "tanh", "softplus", "gelu")
"""Elementwise cases on the vectorised float32 kernels (gelu: the exact, erf-based one)."""

CHAIN = 100
"""Ops in the tape-cost case: tiny adds, so the time is the framework's own cost per op."""


def keras_api_step(keras_module, ops, gradient_tape, kind, arrays):
    """One forward+backward step written once against the Keras API: nbkeras runs it as is,
    and so does Keras on TensorFlow (with tf.Variable and tf.GradientTape)."""
    variables = [keras_module.Variable(a) for a in arrays]

    def run():
        with gradient_tape() as tape:
            if kind == "matmul":
                y = ops.matmul(*variables)
            elif kind == "softmax":
                y = ops.softmax(variables[0])
            elif kind == "sigmoid":
                y = ops.sigmoid(variables[0])
            elif kind in UNARY:
                y = ops.gelu(variables[0], approximate=False) if kind == "gelu" \
                    else getattr(ops, kind)(variables[0])
            elif kind == "sum":
                y = ops.sum(variables[0])
            elif kind == "chain":
                y = variables[0]
                for _ in range(CHAIN):
                    y = ops.add(y, variables[0])
            else:
                x, w = variables
                h = x
                for _ in range(3):
                    h = ops.relu(ops.matmul(h, w) + 0.1)
                y = ops.mean(ops.logsumexp(h, axis=1) - h[:, 0])
        return tape.gradient(y, variables)

    return run


def nbkeras_step(kind, arrays):
    import nbkeras

    return keras_api_step(nbkeras, nbkeras.ops, nbkeras.GradientTape, kind, arrays)


def tensorflow_step(kind, arrays):
    import keras
    import tensorflow as tf

    return keras_api_step(tf, keras.ops, tf.GradientTape, kind, arrays)


def torch_step(kind, arrays):
    import torch

    torch.set_num_threads(2)
    params = [torch.tensor(a, requires_grad=True) for a in arrays]

    def run():
        for p in params:
            p.grad = None
        if kind == "matmul":
            y = params[0] @ params[1]
        elif kind == "softmax":
            y = torch.softmax(params[0], dim=-1)
        elif kind == "sigmoid":
            y = torch.sigmoid(params[0])
        elif kind == "gelu":
            y = torch.nn.functional.gelu(params[0], approximate="none")
        elif kind == "softplus":
            y = torch.nn.functional.softplus(params[0])
        elif kind in UNARY:
            y = getattr(torch, kind)(params[0])
        elif kind == "sum":
            y = params[0].sum()
        elif kind == "chain":
            y = params[0]
            for _ in range(CHAIN):
                y = y + params[0]
        else:
            x, w = params
            h = x
            for _ in range(3):
                h = torch.relu(h @ w + 0.1)
            y = (torch.logsumexp(h, dim=1) - h[:, 0]).mean()
        y.backward(torch.ones_like(y))
        return [p.grad for p in params]

    return run


def numpy_matmul_step(a, b):
    """The three GEMMs of a matmul's forward and backward pass, in NumPy (the floor)."""
    g = np.ones((a.shape[0], b.shape[1]), a.dtype)
    return lambda: (a @ b, g @ b.T, a.T @ g)


def steady():
    rows = []
    for name, (kind, arrays) in make_cases().items():
        times = {}
        for framework, make in [("nbkeras", nbkeras_step), ("tensorflow", tensorflow_step),
                                ("torch", torch_step)]:
            times[framework] = median_time(make(kind, arrays))
        if kind == "matmul":
            times["numpy"] = median_time(numpy_matmul_step(*arrays))
        if kind == "chain":  # per op
            times = {k: v / CHAIN for k, v in times.items()}
        rows.append((name, times))
    return rows


CROSSOVER_SIZES = [1 << k for k in range(12, 21)]
"""Array sizes of the one-thread / two-thread measurement (4 K to 1 M float32 elements)."""


ROUNDS = 3
"""Interleaved measurements of each case in ``crossover``."""


def crossover():
    """One thread against two for a cheap elementwise kernel (relu), a costly one (sigmoid) and
    a row softmax (rows of 1000), at each size of ``CROSSOVER_SIZES``, always cut for two
    threads (``threads.PARALLEL_ELEMENTS`` and ``NUMBA_PARALLEL_ELEMENTS`` set to 0): where the
    ratio drops below 1 is the crossover that ``NUMBA_PARALLEL_ELEMENTS`` records (the sigmoid
    and the softmax run on Numba's threads; relu, never cut, is the control), or
    ``PARALLEL_ELEMENTS`` where Numba has no thread-safe threading layer."""
    from nbkeras.kernels import elementwise as E
    from nbkeras.kernels import reductions as R
    from nbkeras.kernels import threads as T

    rng = np.random.default_rng(0)
    rows = []
    saved = T.THREADS, T.PARALLEL_ELEMENTS, T.NUMBA_PARALLEL_ELEMENTS
    try:
        for size in CROSSOVER_SIZES:
            x = rng.standard_normal(size).astype(np.float32)
            logits = x[: size // 1000 * 1000].reshape(-1, 1000) if size >= 2000 else None
            calls = {"relu": lambda x=x: E.unary(E.relu, x),
                     "sigmoid": lambda x=x: E.unary(E.sigmoid, x)}
            if logits is not None:
                calls["softmax"] = lambda x=logits: R.along_axis(R.softmax_3d, 1, x)
            times = {}
            for name, call in calls.items():
                one, two = [], []
                for _ in range(ROUNDS):  # interleaved, the best of each: the VM is shared
                    T.THREADS = 1
                    one.append(median_time(call, repeat=30, min_time=0.02))
                    T.THREADS, T.PARALLEL_ELEMENTS, T.NUMBA_PARALLEL_ELEMENTS = 2, 0, 0
                    two.append(median_time(call, repeat=30, min_time=0.02))
                times[f"{name} 2 threads / 1"] = min(two) / min(one)
            rows.append((f"{size} elements", times))
    finally:
        T.THREADS, T.PARALLEL_ELEMENTS, T.NUMBA_PARALLEL_ELEMENTS = saved
    return rows


def print_crossover(rows):
    from harness import record

    title = "Two threads against one (time ratio; below 1: two threads win)"
    print(f"\n## {title}\n")
    names = list(rows[-1][1])
    print("| size | " + " | ".join(names) + " |")
    print("|" + "|".join(["---"] * (len(names) + 1)) + "|")
    for size, times in rows:
        record("threads", title, size, times)
        print(f"| {size} | " + " | ".join(f"{times[n]:.2f}" if n in times else "-"
                                         for n in names) + " |")


def main():
    frameworks = ["nbkeras", "tensorflow", "torch"]
    print_table("Start-up (fresh processes)", startup(), frameworks, key="startup")
    print_table("Forward + backward, steady state (median; numpy: the matmul's three GEMMs)",
                steady(), [*frameworks, "numpy"], key="steady")
    print_crossover(crossover())


if __name__ == "__main__":
    main()
