"""Kernels cut over two threads give the same bits as on one (kernels/threads.py), on Numba's
threads (the parallel forms) and through the thread dealer."""

import inspect
import multiprocessing
import os
import subprocess
import sys

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops
from nbkeras.kernels import elementwise as E
from nbkeras.kernels import reductions as R
from nbkeras.kernels import threads as T

LARGE = (1200, 1111)
"""Rows of an odd length, 1.3 M elements in all: far over ``PARALLEL_ELEMENTS``, and pieces
of whole rows, or of ``EXP_BLOCK`` multiples, that do not end on a row or a block."""


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 4).astype(np.float32)
    flat = x.reshape(-1)
    flat[::9973] = np.nan  # the special values travel through the cut too
    flat[5::7919] = np.inf
    flat[7::7907] = -np.inf
    flat[11::104729] = 0.0
    return x


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    return np.array_equal(a.view(np.uint8), b.view(np.uint8))  # NaNs compare by their bits


def _with_derivative(kernel_function, x):
    """Both outputs of a kernel that writes f'(x) beside f(x), side by side in one array."""
    derivative = np.empty_like(x)
    return np.stack([E.unary(kernel_function, x, derivative), derivative])


def _kernel_cases():
    x = _data(LARGE)
    g = _data(LARGE, seed=1)
    finite = np.nan_to_num(x, nan=0.5, posinf=3.0, neginf=-3.0)
    y = R.along_axis(R.softmax_3d, 1, finite)
    log_y = R.along_axis(R.log_softmax_3d, 1, finite)
    gamma = np.linspace(0.5, 2.0, LARGE[1], dtype=np.float32)
    beta = np.linspace(-1.0, 1.0, LARGE[1], dtype=np.float32)
    channels = np.linspace(0.5, 1.5, LARGE[1], dtype=np.float32)
    return {
        "sigmoid": lambda: E.unary(E.sigmoid, x),
        "softplus_grad (two arrays)": lambda: E.unary(E.softplus_grad, g, x),
        "exp": lambda: E.unary(E.exp, x),
        "gelu_with_derivative (two outputs)": lambda: _with_derivative(E.gelu_with_derivative, x),
        "softplus_with_derivative (two outputs)": lambda: _with_derivative(
            E.softplus_with_derivative, x),
        "elu (an option array)": lambda: E.unary(E.elu, x, np.array([0.3], np.float32)),
        "softmax": lambda: R.along_axis(R.softmax_3d, 1, x),
        "softmax_grad": lambda: R.along_axis(R.softmax_grad_3d, 1, g, y),
        "log_softmax": lambda: R.along_axis(R.log_softmax_3d, 1, x),
        "log_softmax_grad": lambda: R.along_axis(R.log_softmax_grad_3d, 1, g, log_y),
        "softmax over the middle axis": lambda: R.along_axis(R.softmax_3d, 1,
                                                             finite.reshape(40, 30, -1)),
        "sum over the last axis": lambda: R.reduce(R.sum_3d, x, (1,), False),
        "sum over axis 0 of a 3-D array": lambda: R.reduce(R.sum_3d,
                                                           finite.reshape(40, 30, -1), (1,),
                                                           False),
        "max over the last axis": lambda: R.reduce(R.max_3d, x, (1,), True),
        "logsumexp": lambda: R.reduce(R.logsumexp_3d, finite, (1,), False),
        "moments": lambda: ops.moments(finite, axes=[1])[1].numpy(),
        "layer_normalization": lambda: ops.layer_normalization(finite, gamma, beta).numpy(),
        "rms_normalization": lambda: ops.rms_normalization(finite, gamma).numpy(),
        "batch_normalization": lambda: ops.batch_normalization(
            finite, channels, channels, axis=1, offset=channels, scale=channels).numpy(),
    }


CASES = _kernel_cases()


def _count_cuts(monkeypatch):
    """A list that gets an entry for each call cut over threads: through the dealer or
    through a parallel form on Numba's threads."""
    calls = []
    deal, run_parallel = T.deal, T.run_parallel
    monkeypatch.setattr(T, "deal", lambda *a, **k: (calls.append("deal"), deal(*a, **k)))
    monkeypatch.setattr(T, "run_parallel",
                        lambda *a, **k: (calls.append("numba"), run_parallel(*a, **k)))
    return calls


NUMBA_PARALLEL = T.numba_parallel()
"""Whether this machine's Numba has a thread-safe threading layer (OpenMP or TBB)."""

needs_numba_parallel = pytest.mark.skipif(
    not NUMBA_PARALLEL, reason="Numba has no thread-safe threading layer here (OpenMP or TBB)")


@pytest.mark.parametrize("numba", [True, False], ids=["numba threads", "thread dealer"])
@pytest.mark.parametrize("name", list(CASES))
def test_large_arrays_give_the_same_bits_on_one_thread_and_on_two(monkeypatch, name, numba):
    if numba and not NUMBA_PARALLEL:
        pytest.skip("Numba has no thread-safe threading layer here")
    if not numba:
        monkeypatch.setattr(T, "numba_parallel", lambda: False)
    calls = _count_cuts(monkeypatch)
    monkeypatch.setattr(T, "THREADS", 1)
    one = CASES[name]()
    assert not calls
    monkeypatch.setattr(T, "THREADS", 2)
    two = CASES[name]()
    assert calls, "the large case was not cut over two threads"
    assert _same_bits(one, two)
    monkeypatch.setattr(T, "PIECES", 1)  # another cut, the same bits
    assert _same_bits(CASES[name](), two)


def _arguments(kernel_function, x, g):
    """Arguments for ``unary`` from the kernel's parameter names."""
    names = list(inspect.signature(kernel_function.py_func).parameters)[:-1]
    option = np.array([0.7], np.float32)
    by_name = {"x": x, "g": g, "y": x, "alpha": option, "derivative": np.empty_like(x)}
    return [by_name[n] for n in names]


@needs_numba_parallel
@pytest.mark.parametrize("name", sorted(E.PARALLEL_FORMS))
def test_every_kernel_of_a_parallel_form_is_the_kernel_its_code_names(monkeypatch, name):
    # the forms list their kernels by number: a wrong number would run another kernel
    kernel_function = getattr(E, name)
    x = _data(LARGE).reshape(-1)
    g = _data(LARGE, seed=1).reshape(-1)
    form, code = E.PARALLEL_FORMS[name]
    assert form.py_func.__code__.co_names.count(name) == 1
    calls = _count_cuts(monkeypatch)
    monkeypatch.setattr(T, "THREADS", 1)
    arguments = _arguments(kernel_function, x, g)
    one = E.unary(kernel_function, *arguments)
    one_derivative = arguments[-1].copy() if "derivative" in str(
        inspect.signature(kernel_function.py_func)) else None
    monkeypatch.setattr(T, "THREADS", 2)
    two = E.unary(kernel_function, *arguments)
    assert calls == ["numba"]
    assert _same_bits(one, two)
    if one_derivative is not None:
        assert _same_bits(one_derivative, arguments[-1])


@needs_numba_parallel
@pytest.mark.parametrize("name", R.PARALLEL_ROWS)
def test_every_kernel_of_the_rows_form_is_the_kernel_its_code_names(monkeypatch, name):
    x = np.nan_to_num(_data(LARGE), nan=0.5, posinf=3.0, neginf=-3.0)
    y = R.along_axis(R.softmax_3d if name.startswith("softmax") else R.log_softmax_3d, 1, x)
    arrays = (x,) if "grad" not in name else (_data(LARGE, seed=1), y)
    calls = _count_cuts(monkeypatch)
    monkeypatch.setattr(T, "THREADS", 1)
    one = R.along_axis(getattr(R, name), 1, *arrays)
    monkeypatch.setattr(T, "THREADS", 2)
    two = R.along_axis(getattr(R, name), 1, *arrays)
    assert calls == ["numba"]
    assert _same_bits(one, two)


def test_threaded_names_elementwise_kernels_and_memory_bound_ones_stay_on_one_thread(
        monkeypatch):
    for name in E.THREADED:
        assert getattr(E, name).__name__ == name  # a typo would leave a kernel on one thread

    def refuse(*args, **kwargs):
        raise AssertionError("relu was cut over threads")

    monkeypatch.setattr(T, "THREADS", 2)
    monkeypatch.setattr(T, "deal", refuse)
    monkeypatch.setattr(T, "run_parallel", refuse)
    x = _data(LARGE)
    assert _same_bits(E.unary(E.relu, x), np.where(x > 0, x, np.where(np.isnan(x), x, 0)))
    E.unary(E.relu_grad, x, x)


@pytest.mark.parametrize("numba", [True, False], ids=["numba threads", "thread dealer"])
def test_forced_cuts_of_small_odd_arrays_match_one_call(monkeypatch, numba):
    # every piece boundary (a tail shorter than a block, rows that do not fill a piece)
    if numba and not NUMBA_PARALLEL:
        pytest.skip("Numba has no thread-safe threading layer here")
    if not numba:
        monkeypatch.setattr(T, "numba_parallel", lambda: False)
    x = _data((7, 301))
    one = (E.unary(E.sigmoid, x), R.along_axis(R.softmax_3d, 1, x),
           R.reduce(R.sum_3d, x, (1,), False))
    monkeypatch.setattr(T, "THREADS", 2)
    monkeypatch.setattr(T, "PARALLEL_ELEMENTS", 0)
    monkeypatch.setattr(T, "NUMBA_PARALLEL_ELEMENTS", 0)
    assert len(T.pieces(x.size, x.size, E.EXP_BLOCK)) > 1
    calls = _count_cuts(monkeypatch)
    two = (E.unary(E.sigmoid, x), R.along_axis(R.softmax_3d, 1, x),
           R.reduce(R.sum_3d, x, (1,), False))
    assert calls[:2] == (["numba"] * 2 if numba else ["deal"] * 2)
    for a, b in zip(one, two, strict=True):
        assert _same_bits(a, b)


def test_small_arrays_stay_on_the_calling_thread(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a small array was cut over threads")

    monkeypatch.setattr(T, "THREADS", 2)
    monkeypatch.setattr(T, "deal", refuse)
    monkeypatch.setattr(T, "run_parallel", refuse)
    n = min(T.PARALLEL_ELEMENTS, T.NUMBA_PARALLEL_ELEMENTS) - 1
    x = np.linspace(-3, 3, n, dtype=np.float32)
    E.unary(E.sigmoid, x)
    R.along_axis(R.softmax_3d, 0, x.reshape(-1, 1)[: n // 7 * 7].reshape(7, -1))
    R.reduce(R.sum_3d, x.reshape(1, -1), (1,), False)
    v = keras.Variable(x.reshape(-1, 1)[: n // 7 * 7].reshape(7, -1))
    with keras.GradientTape() as tape:
        loss = ops.sum(ops.softmax(ops.sigmoid(v)))
    tape.gradient(loss, v)


def _sigmoid_in_child(queue):
    x = _data(LARGE)
    queue.put((T.numba_parallel(), E.unary(E.sigmoid, x).tobytes()))


@needs_numba_parallel
def test_a_forked_child_cuts_for_the_dealer_and_gets_the_same_bits(monkeypatch):
    # GNU OpenMP hangs in a child forked after its threads started: the child must not use it
    x = _data(LARGE)
    monkeypatch.setattr(T, "THREADS", 2)
    expected = E.unary(E.sigmoid, x)  # the parent's OpenMP threads are running now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_sigmoid_in_child, args=(queue,))
    child.start()
    parallel, result = queue.get(timeout=120)
    child.join(120)
    assert child.exitcode == 0
    import numba

    assert parallel is (numba.threading_layer() != "omp")
    assert result == expected.tobytes()


def test_numbas_workqueue_layer_is_never_used_for_the_parallel_forms():
    # the workqueue ends the process when two threads start parallel loops at once
    code = ("import numba; numba.config.THREADING_LAYER = 'workqueue'\n"
            "from nbkeras.kernels import threads\n"
            "print(threads.numba_parallel(), numba.threading_layer())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=os.environ)
    assert result.stdout.split() == ["False", "workqueue"]


def test_pieces_cover_the_range_in_order_and_respect_the_grain(monkeypatch):
    monkeypatch.setattr(T, "THREADS", 2)
    for count, grain in ((10**6, 512), (1201, 1), (3, 1), (10**6 + 17, 512)):
        cuts = T.pieces(count, max(count, T.PARALLEL_ELEMENTS), grain)
        assert cuts[0][0] == 0 and cuts[-1][1] == count
        assert all(a[1] == b[0] for a, b in zip(cuts[:-1], cuts[1:], strict=True))
        assert all((last - first) % grain == 0 for first, last in cuts[:-1])
        assert 2 <= len(cuts) <= T.THREADS * T.PIECES
    assert T.pieces(10**6, T.PARALLEL_ELEMENTS - 1) == [(0, 10**6)]
    assert T.pieces(10**6, T.NUMBA_PARALLEL_ELEMENTS - 1, numba=True) == [(0, 10**6)]
    assert len(T.pieces(10**6, T.NUMBA_PARALLEL_ELEMENTS, numba=True)) > 1
    monkeypatch.setattr(T, "THREADS", 1)
    assert T.pieces(10**6, 10**6) == [(0, 10**6)]


def test_a_helper_exception_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(T, "THREADS", 2)

    def work(unit, thread):
        if unit == 1:
            raise ValueError("unit 1")

    with pytest.raises(ValueError, match="unit 1"):
        T.deal([[0], [1]], work)


def test_a_sum_of_everything_is_shared_by_chunks_with_sum_3ds_bits(monkeypatch):
    # one row (a sum over every axis) cannot be cut by rows: it is cut by SUM_CHUNK chunks
    x = np.nan_to_num(_data(LARGE), nan=0.5, posinf=3.0, neginf=-3.0) * np.float32(1e3)
    # 1.3 M elements: 21 chunks and a short tail
    calls = []
    deal = T.deal
    monkeypatch.setattr(T, "deal", lambda *a, **k: (calls.append(1), deal(*a, **k)))
    monkeypatch.setattr(T, "THREADS", 2)
    two = R.reduce(R.sum_3d, x, (0, 1), False)
    assert calls, "the one-row sum was not cut over two threads"
    monkeypatch.setattr(T, "THREADS", 1)
    one = R.reduce(R.sum_3d, x, (0, 1), False)
    direct = np.empty((1, 1), np.float32)
    R.sum_3d(x.reshape(1, -1, 1), direct)  # the kernel alone, on one thread
    # the documented order: each chunk in lanes, the chunks' sums one after the other
    flat = x.reshape(-1)
    total = 0.0
    for start in range(0, flat.size, R.SUM_CHUNK):
        total += R.row_sum(flat, start, min(R.SUM_CHUNK, flat.size - start))
    assert two.dtype == np.float32 and two.shape == ()
    assert _same_bits(one.reshape(1), two.reshape(1))
    assert _same_bits(two.reshape(1), direct[0])
    assert _same_bits(two.reshape(1), np.float32([total]))
    np.testing.assert_allclose(two, np.sum(x, dtype=np.float64), rtol=1e-7)
