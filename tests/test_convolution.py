"""Convolution ops: the kernels against a plain NumPy formulation, the gradients against central
differences, every keras.ops case frozen from real Keras, determinism, and argument errors."""

import itertools
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops
from nbkeras.kernels import conv as K
from nbkeras.kernels import threads as T
from nbkeras.utils import check_gradients
from nbkeras.utils.keras_reference import check_op_case, load

RTOL = 1e-5  # float32 sums in another order than TensorFlow's oneDNN/XLA kernels

rng = np.random.default_rng(11)


def normal(*shape):
    return rng.standard_normal(shape)


GRADIENT_CASES = {
    "conv": [
        (lambda x, w: ops.conv(x, w), [normal(2, 7, 3), normal(3, 3, 2)]),
        (lambda x, w: ops.conv(x, w, (2, 1), "same"), [normal(2, 5, 4, 4), normal(3, 2, 2, 4)]),
        (lambda x, w: ops.conv(x, w, 1, "same", "channels_first", 2),
         [normal(1, 3, 6, 5), normal(2, 2, 3, 2)]),
        (lambda x, w: ops.conv(x, w, (1, 2, 1)), [normal(1, 4, 5, 3, 2), normal(2, 2, 2, 2, 3)]),
    ],
    "conv_transpose": [
        (lambda x, w: ops.conv_transpose(x, w, 2), [normal(2, 3, 3, 3), normal(3, 3, 2, 3)]),
        (lambda x, w: ops.conv_transpose(x, w, 2, "same", output_padding=0),
         [normal(1, 3, 4, 2), normal(3, 3, 3, 2)]),
        (lambda x, w: ops.conv_transpose(x, w, 1, "same", None, "channels_first", 2),
         [normal(1, 2, 5), normal(3, 3, 2)]),
    ],
    # the ops under ZeroPadding2D and UpSampling2D
    "pad": [
        (lambda x: ops.pad(x, ((1, 2), (0, 1))), [normal(2, 3)]),
        (lambda x: ops.pad(x, ((2, 1), (1, 3)), mode="reflect"), [normal(3, 4)]),
        (lambda x: ops.pad(x, 1, mode="symmetric"), [normal(2, 3)]),
    ],
    "repeat": [
        (lambda x: ops.repeat(x, 2, axis=1), [normal(2, 3, 2)]),
        (lambda x: ops.repeat(x, [2, 0, 3], axis=0), [normal(3, 2)]),
    ],
}


@pytest.mark.parametrize(
    "name, index", [(n, i) for n, cases in GRADIENT_CASES.items() for i in range(len(cases))]
)
def test_gradient_check(name, index):
    f, inputs = GRADIENT_CASES[name][index]
    assert check_gradients(f, inputs) < 1e-6


def test_depthwise_and_separable_gradients():
    # composites of reshape and the conv primitive, checked end to end
    check_gradients(lambda x, w: ops.depthwise_conv(x, w, 2, "same", dilation_rate=2),
                    [normal(2, 7, 6, 2), normal(3, 3, 2, 2)])
    check_gradients(lambda x, a, b: ops.separable_conv(x, a, b, 1, "same"),
                    [normal(2, 5, 5, 3), normal(3, 3, 3, 2), normal(1, 1, 6, 4)])


# -- the kernels against the definition --------------------------------------------------------

def correlate(x, w, strides, dilations, pads, groups):
    """y[n, o, f] = sum over offsets k and channels c of x_padded[n, o s + k d, c] w[k, c, f],
    one term at a time in float64: the definition, with no im2col and no BLAS."""
    rank = x.ndim - 2
    padded = np.pad(x, [(0, 0), *pads, (0, 0)])
    kernel_size, per_group, filters = w.shape[:rank], w.shape[-2], w.shape[-1]
    per_group_out = filters // groups
    out = [(padded.shape[1 + i] - dilations[i] * (kernel_size[i] - 1) - 1) // strides[i] + 1
           for i in range(rank)]
    y = np.zeros((x.shape[0], *out, filters))
    for o in itertools.product(*map(range, out)):
        for k in itertools.product(*map(range, kernel_size)):
            pixel = padded[(slice(None), *(o[i] * strides[i] + k[i] * dilations[i]
                                          for i in range(rank)))]
            for g in range(groups):
                fs = slice(g * per_group_out, (g + 1) * per_group_out)
                y[(slice(None), *o, fs)] += (pixel[:, g * per_group:(g + 1) * per_group]
                                             @ w[k][:, fs])
    return y


GEOMETRIES = [  # input shape, kernel size, filters, strides, dilations, pads, groups
    ((2, 9, 4), (3,), 6, (1,), (1,), ((0, 0),), 1),
    ((2, 9, 4), (3,), 6, (2,), (1,), ((1, 2),), 2),
    ((3, 6, 5, 4), (3, 2), 6, (1, 2), (1, 1), ((1, 1), (0, 1)), 1),
    ((2, 7, 8, 6), (3, 3), 6, (1, 1), (2, 1), ((2, 2), (1, 1)), 3),
    ((2, 4, 5, 3, 2), (2, 3, 2), 4, (1, 2, 1), (1, 1, 1), ((0, 1), (1, 1), (0, 0)), 1),
    ((1, 5, 4, 4, 4), (3, 1, 2), 4, (2, 1, 1), (1, 1, 2), ((1, 1), (0, 0), (1, 1)), 4),
]


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_kernels_match_the_definition(geometry):
    shape, kernel_size, filters, strides, dilations, pads, groups = geometry
    x = rng.standard_normal(shape)
    w = rng.standard_normal((*kernel_size, shape[-1] // groups, filters))
    args = (strides, dilations, pads, groups)
    y = K.conv(x, w, *args)
    np.testing.assert_allclose(y, correlate(x, w, *args), rtol=1e-12, atol=1e-12)
    # the gradients are the adjoints: <g, conv(x', w)> = <dx, x'> and <g, conv(x, w')> = <dw, w'>
    g = rng.standard_normal(y.shape)
    dx = K.conv_input_grad(g, w, x.shape, *args)
    dw = K.conv_kernel_grad(x, g, w.shape, *args)
    x2, w2 = rng.standard_normal(x.shape), rng.standard_normal(w.shape)
    assert np.sum(g * correlate(x2, w, *args)) == pytest.approx(np.sum(dx * x2), rel=1e-12)
    assert np.sum(g * correlate(x, w2, *args)) == pytest.approx(np.sum(dw * w2), rel=1e-12)


def test_float32_in_float32_out():
    x = rng.standard_normal((2, 6, 5, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    assert ops.conv(x, w).dtype == "float32"
    assert ops.conv_transpose(x, w.transpose(0, 1, 3, 2).copy(), 2).dtype == "float32"


def test_many_chunks_agree_with_one(monkeypatch):
    # the batch is cut into chunks of the column matrix; the cut must not change the result
    x = rng.standard_normal((9, 6, 5, 3))
    w = rng.standard_normal((3, 3, 3, 4))
    args = ((1, 1), (1, 1), ((1, 1), (1, 1)), 1)
    g = rng.standard_normal((9, 6, 5, 4))
    whole = K.conv(x, w, *args), K.conv_input_grad(g, w, x.shape, *args), \
        K.conv_kernel_grad(x, g, w.shape, *args)
    monkeypatch.setattr(K, "CHUNK_ELEMENTS", 2 * 30 * 27)  # two images per chunk
    chunked = K.conv(x, w, *args), K.conv_input_grad(g, w, x.shape, *args), \
        K.conv_kernel_grad(x, g, w.shape, *args)
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_two_threads_give_the_bits_of_one(monkeypatch):
    # several chunks are dealt to two threads; each chunk writes only its own rows, images or
    # partial, so the threads cannot change a single bit of the result
    x = rng.standard_normal((9, 6, 5, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    g = rng.standard_normal((9, 6, 5, 4)).astype(np.float32)
    args = ((1, 1), (1, 1), ((1, 1), (1, 1)), 1)
    monkeypatch.setattr(K, "CHUNK_ELEMENTS", 2 * 30 * 27)  # five chunks

    def run():
        return (K.conv(x, w, *args), K.conv_input_grad(g, w, x.shape, *args),
                K.conv_kernel_grad(x, g, w.shape, *args))

    monkeypatch.setattr(T, "THREADS", 1)
    one = run()
    monkeypatch.setattr(T, "THREADS", 2)
    two = run()
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_empty_batch_gives_empty_outputs_and_zero_kernel_gradients():
    x = keras.ops.convert_to_tensor(np.zeros((0, 5, 5, 2), np.float32))
    w = keras.ops.convert_to_tensor(rng.standard_normal((3, 3, 2, 4)).astype(np.float32))
    with keras.GradientTape() as tape:
        tape.watch([x, w])
        y = ops.conv(x, w)
    grad_x, grad_w = tape.gradient(y, [x, w], output_gradients=np.zeros((0, 3, 3, 4), np.float32))
    assert y.shape == (0, 3, 3, 4) and grad_x.shape == x.shape
    np.testing.assert_array_equal(grad_w.numpy(), np.zeros((3, 3, 2, 4), np.float32))
    assert ops.conv_transpose(y, w).shape == (0, 5, 5, 2)


def test_results_are_bit_identical_across_runs():
    x = keras.Variable(rng.standard_normal((16, 12, 12, 8)).astype(np.float32))
    w = keras.Variable(rng.standard_normal((3, 3, 8, 16)).astype(np.float32))

    def run():
        with keras.GradientTape() as tape:
            y = ops.sum(ops.conv(x, w, padding="same") ** 2)
        return [y.numpy(), *(g.numpy() for g in tape.gradient(y, [x, w]))]

    for a, b in zip(run(), run(), strict=True):
        np.testing.assert_array_equal(a, b)


DETERMINISM_SCRIPT = """
import hashlib
import numpy as np
import nbkeras as keras
from nbkeras import ops
rng = np.random.default_rng(0)
x = keras.Variable(rng.standard_normal((16, 14, 14, 8)).astype(np.float32))
w = keras.Variable(rng.standard_normal((3, 3, 8, 16)).astype(np.float32))
with keras.GradientTape() as tape:
    y = ops.conv(x, w, padding="same")
g = rng.standard_normal(y.shape).astype(np.float32)
arrays = [y, *tape.gradient(y, [x, w], output_gradients=g)]
print(hashlib.sha1(b"".join(a.numpy().tobytes() for a in arrays)).hexdigest())
"""


def test_results_do_not_depend_on_the_number_of_blas_threads():
    digests = set()
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads}
        result = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], env=env,
                                capture_output=True, text=True, check=True)
        digests.add(result.stdout)
    assert len(digests) == 1


# -- real Keras --------------------------------------------------------------------------------

OP_CASES = [c for c in load("convolution") if "fn" in c.meta]


@pytest.mark.parametrize("case", OP_CASES, ids=lambda c: c.id)
def test_op_matches_keras(case):
    check_op_case(case, rtol=RTOL)


# -- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: ops.conv(np.ones((5, 3)), np.ones((3, 3, 2))), "rank 3, 4, 5"),
    (lambda: ops.conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2))), "kernel must have rank 4"),
    (lambda: ops.conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 2))), "input channels=3"),
    (lambda: ops.conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 2)), padding="full"),
     "padding must be 'valid' or 'same'"),
    (lambda: ops.conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 2)), strides=(1, 2, 1)),
     "strides must be an int or a tuple of 2"),
    (lambda: ops.conv(np.ones((1, 9, 9, 2)), np.ones((3, 3, 2, 2)), 2, dilation_rate=2),
     "strides > 1 is not supported together with dilation_rate > 1"),
    (lambda: ops.conv(np.ones((1, 2, 2, 2)), np.ones((3, 3, 2, 2))), "empty output"),
    (lambda: ops.conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 2)), data_format="NHWC"),
     "data_format must be"),
    (lambda: ops.depthwise_conv(np.ones((1, 5, 5, 5, 2)), np.ones((3, 3, 3, 2, 1))),
     "rank 3, 4"),
    (lambda: ops.depthwise_conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 3, 1))),
     "input channels=2"),
    (lambda: ops.separable_conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 1)),
                                np.ones((3, 3, 2, 4))), "pointwise_kernel must have shape"),
    (lambda: ops.conv_transpose(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 3))),
     "in_channels=2"),
    (lambda: ops.conv_transpose(np.ones((1, 5, 5, 2)), np.ones((4, 4, 3, 2)), 2, "same",
                                output_padding=0), "output_padding=0"),
])
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_deal_runs_every_unit_once_and_each_lane_in_order(monkeypatch):
    import threading
    import time

    monkeypatch.setattr(T, "THREADS", 2)
    lanes = [list(range(lane * 10, lane * 10 + 10)) for lane in range(5)]
    seen, threads = [], set()
    lock = threading.Lock()

    def work(unit, thread):
        if thread == 0 and unit % 10 == 0:
            time.sleep(0.002)  # let the helper start, so both threads take lanes
        with lock:
            seen.append(unit)
            threads.add(thread)

    T.deal(lanes, work)
    assert sorted(seen) == list(range(50))
    for lane in lanes:  # a lane's units ran one after another, in order
        assert [u for u in seen if u in lane] == lane
    assert threads <= {0, 1}


def test_deal_does_not_wait_for_a_helper_that_never_starts(monkeypatch):
    # the helper pool is busy elsewhere: the calling thread does every unit itself
    import concurrent.futures
    import threading
    monkeypatch.setattr(T, "THREADS", 2)
    blocker = threading.Event()
    pool = concurrent.futures.ThreadPoolExecutor(1)
    pool.submit(blocker.wait)
    monkeypatch.setattr(T, "_helpers", lambda: pool)
    seen = []
    T.deal([[0, 1], [2, 3], [4]], lambda unit, thread: seen.append((unit, thread)))
    blocker.set()
    pool.shutdown()
    assert seen == [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)]


@pytest.mark.parametrize("case", [
    ((5, 9, 8, 1), (3, 3, 1, 6), (1, 1), (1, 1), ((0, 0), (0, 0))),
    ((4, 10, 7, 1), (3, 3, 1, 5), (2, 1), (1, 1), ((1, 1), (0, 1))),
    ((3, 11, 9, 2), (2, 3, 2, 4), (1, 1), (2, 2), ((2, 1), (1, 2))),
    ((2, 5, 6, 4, 1), (2, 3, 2, 1, 3), (1, 2, 1), (1, 1, 1), ((0, 1), (1, 1), (0, 0))),
], ids=["1-channel", "strides-padding", "dilation", "3-D"])
def test_the_direct_small_channel_path_matches_im2col(case, monkeypatch):
    x_shape, w_shape, strides, dilations, pads = case
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    assert K._Plan(x.shape, w.shape, strides, dilations, pads, 1, x.dtype).direct
    y = K.conv(x, w, strides, dilations, pads, 1)
    g = rng.standard_normal(y.shape).astype(np.float32)
    dw = K.conv_kernel_grad(x, g, w.shape, strides, dilations, pads, 1)
    monkeypatch.setattr(K, "DIRECT_WIDTH", 0)  # the column matrix and BLAS
    np.testing.assert_allclose(y, K.conv(x, w, strides, dilations, pads, 1), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(dw, K.conv_kernel_grad(x, g, w.shape, strides, dilations, pads,
                                                      1), rtol=1e-5, atol=1e-4)
