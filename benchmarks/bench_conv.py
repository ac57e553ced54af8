"""Convolution benchmark: Conv2D 3x3, 32 -> 64 channels, batch 64, 26x26 inputs ("valid", so
24x24 outputs), one forward and one backward pass (the gradients with respect to the input,
the kernel and the bias), float32.

Reported as GFLOP/s, counting 2 flops per multiply-add of the convolution itself: the forward
pass is 2·N·H_out·W_out·k·k·C_in·C_out flops, and the backward pass twice that (the input
gradient and the kernel gradient are one such product each). The yardstick is NumPy's own
float32 matrix product measured in the same run (the best of three square sizes), next to
Keras 3 on TensorFlow (eager, tf.GradientTape) and PyTorch (autograd, NCHW) on the same layer.

These are *effective* GFLOP/s: the same flop count for every framework, whatever algorithm it
runs. nbkeras computes this layer with Winograd's F(2x2, 3x3) (kernels/winograd.py), which does
2.25x fewer multiplications in its matrix products; the column "nbkeras im2col" forces its
general im2col path on the same layer, for comparison.
"""

import os

import numpy as np
from harness import median_time, print_table, record

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

BATCH, SIZE, C_IN, C_OUT, K = 64, 26, 32, 64, 3
OUT = SIZE - K + 1
FLOPS = 3 * 2 * BATCH * OUT * OUT * K * K * C_IN * C_OUT  # forward + input grad + kernel grad


def numpy_matmul_gflops():
    """{n: GFLOP/s} of ``a @ b`` for float32 n x n matrices (median of repeated runs)."""
    rng = np.random.default_rng(0)
    rates = {}
    for n in (512, 1024, 2048):
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        out = np.empty((n, n), np.float32)
        rates[n] = 2 * n**3 / median_time(lambda a=a, b=b, out=out: np.matmul(a, b, out=out),
                                          repeat=10) / 1e9
    return rates


def data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, SIZE, SIZE, C_IN)).astype(np.float32)
    kernel = (rng.standard_normal((K, K, C_IN, C_OUT)) * 0.1).astype(np.float32)
    bias = rng.standard_normal(C_OUT).astype(np.float32)
    cotangent = rng.standard_normal((BATCH, OUT, OUT, C_OUT)).astype(np.float32)
    return x, kernel, bias, cotangent


def nbkeras_step(x, kernel, bias, cotangent):
    import nbkeras as keras

    layer = keras.layers.Conv2D(C_OUT, K)
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    inputs = keras.ops.convert_to_tensor(x)

    def run():
        with keras.GradientTape() as tape:
            tape.watch(inputs)
            y = layer(inputs)
        return tape.gradient(y, [inputs, *layer.trainable_weights], output_gradients=cotangent)

    return run


def nbkeras_im2col_step(x, kernel, bias, cotangent):
    """The same step with the Winograd path switched off (its channel threshold set out of
    reach), so the convolution runs as im2col + BLAS."""
    from nbkeras.kernels import winograd

    run = nbkeras_step(x, kernel, bias, cotangent)

    def forced():
        saved = winograd.MIN_CHANNELS
        winograd.MIN_CHANNELS = 1 << 30
        try:
            return run()
        finally:
            winograd.MIN_CHANNELS = saved

    return forced


def tensorflow_step(x, kernel, bias, cotangent):
    import keras
    import tensorflow as tf

    layer = keras.layers.Conv2D(C_OUT, K)
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    inputs = tf.constant(x)
    seed = tf.constant(cotangent)

    def run():
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            y = layer(inputs)
        return tape.gradient(y, [inputs, *layer.trainable_weights], output_gradients=seed)

    return run


def torch_step(x, kernel, bias, cotangent):
    import torch

    torch.set_num_threads(2)
    layer = torch.nn.Conv2d(C_IN, C_OUT, K)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
        layer.bias.copy_(torch.from_numpy(bias))
    inputs = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_(True)
    seed = torch.from_numpy(cotangent.transpose(0, 3, 1, 2).copy())

    def run():
        inputs.grad = None
        layer.zero_grad()
        layer(inputs).backward(seed)
        return inputs.grad, layer.weight.grad, layer.bias.grad

    return run


def check_agreement(steps):
    """Both nbkeras paths compute Keras' gradients (a benchmark of wrong numbers is void)."""
    theirs = [np.asarray(g) for g in steps["tensorflow"]()]
    for name in ("nbkeras", "nbkeras im2col"):
        ours = [np.asarray(g) for g in steps[name]()]
        for a, b in zip(ours, theirs, strict=True):
            scale = float(np.max(np.abs(b)))
            assert np.max(np.abs(a - b)) <= 1e-4 * scale, f"{name} and Keras disagree"


def main():
    matmul = numpy_matmul_gflops()
    arrays = data()
    steps = {"nbkeras": nbkeras_step(*arrays), "nbkeras im2col": nbkeras_im2col_step(*arrays),
             "tensorflow": tensorflow_step(*arrays), "torch": torch_step(*arrays)}
    check_agreement(steps)
    times = {name: median_time(step, repeat=15, warmup=3) for name, step in steps.items()}
    print_table(f"Conv2D 3x3, {C_IN} -> {C_OUT} channels, batch {BATCH}, {SIZE}x{SIZE}: "
                "forward + backward (median)", [("Conv2D step", times)], list(steps),
                key="conv2d")
    record("conv2d", "NumPy float32 matmul GFLOP/s (same run)", "numpy matmul GFLOP/s",
           {f"{n}x{n}": rate for n, rate in matmul.items()})
    best = max(matmul.values())
    print("\nNumPy float32 matmul (same run): " + ", ".join(
        f"{n}x{n} {rate:.0f} GFLOP/s" for n, rate in matmul.items()))
    print(f"\n| framework | GFLOP/s | % of NumPy matmul ({best:.0f} GFLOP/s) |")
    print("|---|---|---|")
    for name, seconds in times.items():
        rate = FLOPS / seconds / 1e9
        print(f"| {name} | {rate:.0f} | {100 * rate / best:.0f}% |")


if __name__ == "__main__":
    main()
