"""Sequence benchmarks: LSTM(64) and GRU(64) on a batch of 32 sequences of 50 steps of 32
features, and MultiHeadAttention(4 heads, key_dim 16) self-attention on 32 x 64 x 64; one
forward and one backward pass each (gradients with respect to the input and every weight),
float32, nbkeras against Keras 3 on TensorFlow (eager, tf.GradientTape) and PyTorch (autograd)
in the same process.

TensorFlow runs Keras' generic recurrent loop on a CPU (``tf.while_loop`` over the cell's ops:
cuDNN is GPU only); nbkeras runs one fused kernel per direction (``kernels/recurrent.py``);
PyTorch its native fused CPU LSTM/GRU. nbkeras is checked to compute Keras' numbers before
anything is timed.

    PYTHONPATH=src .venv-bench/bin/python benchmarks/bench_recurrent.py
"""

import os

import numpy as np
from harness import median_time, print_table

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

BATCH, STEPS, FEATURES, UNITS = 32, 50, 32, 64
HEADS, KEY_DIM, LENGTH, DIM = 4, 16, 64, 64


def _data(shape, out_shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    cotangent = rng.standard_normal(out_shape).astype(np.float32)
    return x, cotangent


def _weights(shapes, seed):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * 0.1).astype(np.float32) for s in shapes]


def nbkeras_step(make_layer, x, cotangent, weights, *extra):
    import nbkeras as keras

    layer = make_layer(keras)
    inputs = keras.ops.convert_to_tensor(x)
    layer(inputs, *[inputs] * len(extra))
    layer.set_weights(weights)

    def run():
        with keras.GradientTape() as tape:
            tape.watch(inputs)
            y = layer(inputs, *[inputs] * len(extra))
        return tape.gradient(y, [inputs, *layer.trainable_weights], output_gradients=cotangent)

    return run


def tensorflow_step(make_layer, x, cotangent, weights, *extra):
    import keras
    import tensorflow as tf

    layer = make_layer(keras)
    inputs = tf.constant(x)
    layer(inputs, *[inputs] * len(extra))
    layer.set_weights(weights)
    seed = tf.constant(cotangent)

    def run():
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            y = layer(inputs, *[inputs] * len(extra))
        return tape.gradient(y, [inputs, *layer.trainable_weights], output_gradients=seed)

    return run


def torch_step(module, x, cotangent, call):
    import torch

    torch.set_num_threads(2)
    inputs = torch.from_numpy(x).requires_grad_(True)
    seed = torch.from_numpy(cotangent)

    def run():
        inputs.grad = None
        module.zero_grad()
        call(module, inputs).backward(seed)
        return inputs.grad

    return run


def check_agreement(ours, theirs, name):
    """nbkeras computes Keras' gradients (a benchmark of wrong numbers is void), relative to
    the largest gradient: the key bias's is zero in exact arithmetic, rounding noise in both."""
    pairs = [(np.asarray(a), np.asarray(b)) for a, b in zip(ours(), theirs(), strict=True)]
    scale = max(float(np.max(np.abs(b))) for _, b in pairs)
    for a, b in pairs:
        assert np.max(np.abs(a - b)) <= 1e-4 * max(float(np.max(np.abs(b))), 1e-3 * scale), \
            f"{name}: nbkeras and Keras disagree"


def cases():
    import torch

    sequence = _data((BATCH, STEPS, FEATURES), (BATCH, UNITS), 1)
    tokens = _data((BATCH, LENGTH, DIM), (BATCH, LENGTH, DIM), 2)
    lstm_weights = _weights([(FEATURES, 4 * UNITS), (UNITS, 4 * UNITS), (4 * UNITS,)], 3)
    gru_weights = _weights([(FEATURES, 3 * UNITS), (UNITS, 3 * UNITS), (2, 3 * UNITS)], 4)
    mha_weights = _weights([(DIM, HEADS, KEY_DIM), (HEADS, KEY_DIM)] * 3
                           + [(HEADS, KEY_DIM, DIM), (DIM,)], 5)
    return [
        (f"LSTM({UNITS}), {BATCH} x {STEPS} x {FEATURES}",
         lambda k: k.layers.LSTM(UNITS), sequence, lstm_weights, (),
         torch.nn.LSTM(FEATURES, UNITS, batch_first=True),
         lambda m, x: m(x)[1][0][0]),
        (f"GRU({UNITS}), {BATCH} x {STEPS} x {FEATURES}",
         lambda k: k.layers.GRU(UNITS), sequence, gru_weights, (),
         torch.nn.GRU(FEATURES, UNITS, batch_first=True),
         lambda m, x: m(x)[1][0]),
        (f"MultiHeadAttention({HEADS} heads, key_dim {KEY_DIM}), {BATCH} x {LENGTH} x {DIM}",
         lambda k: k.layers.MultiHeadAttention(HEADS, KEY_DIM), tokens, mha_weights, ("value",),
         torch.nn.MultiheadAttention(DIM, HEADS, batch_first=True),
         lambda m, x: m(x, x, x, need_weights=False)[0]),
    ]


def main(repeat=15):
    rows = []
    for name, make, (x, cotangent), weights, extra, module, call in cases():
        steps = {"nbkeras": nbkeras_step(make, x, cotangent, weights, *extra),
                 "tensorflow": tensorflow_step(make, x, cotangent, weights, *extra),
                 "torch": torch_step(module, x, cotangent, call)}
        check_agreement(steps["nbkeras"], steps["tensorflow"], name)
        times = {}
        for _ in range(3):  # interleaved rounds: a noisy neighbour hits every framework
            for framework, step in steps.items():
                times.setdefault(framework, []).append(median_time(step, repeat=repeat))
        rows.append((name, {f: float(np.median(t)) for f, t in times.items()}))
    print_table("Sequences and attention: forward + backward (median of 3 rounds of medians)",
                rows, ["nbkeras", "tensorflow", "torch"], key="recurrent")


if __name__ == "__main__":
    main()
