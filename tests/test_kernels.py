"""Properties of the Numba kernels themselves: float32 stays float32, sums stay accurate, NaN
survives, and each kernel agrees with a plain NumPy formulation."""

import importlib

import numba
import numpy as np
import pytest

import nbkeras as keras
from nbkeras import kernels, ops
from nbkeras.kernels import _jit
from nbkeras.kernels import elementwise as E
from nbkeras.kernels import reductions as R


def _compile_float32(kernel):
    """Compile ``kernel`` afresh for float32 arrays of the right rank and return its LLVM IR.

    A kernel loaded from Numba's disk cache has no IR to inspect (Numba returns an empty string
    with a warning), so the same Python function is compiled again, uncached, with the same
    options."""
    module = importlib.import_module(kernel.py_func.__module__)
    # a kernel module whose kernels take scalars says how to call them
    example_arguments = getattr(module, "float32_example_arguments", None)
    arguments = example_arguments(kernel) if example_arguments else None
    # (the same hook as a table: IR_EXAMPLES() maps kernel names to their arguments)
    if arguments is None and hasattr(module, "IR_EXAMPLES"):
        arguments = module.IR_EXAMPLES().get(kernel.py_func.__name__)
    kernel = numba.njit(**_jit.OPTIONS)(kernel.py_func)
    name = kernel.py_func.__name__
    arity = kernel.py_func.__code__.co_argcount
    if arguments is not None:
        kernel(*arguments)
    elif name.endswith("_3d"):
        arrays = [np.ones((2, 3, 1), np.float32) for _ in range(arity - 1)]
        out_shape = (2, 1) if arity == 2 and name not in {"softmax_3d", "log_softmax_3d"} \
            else (2, 3, 1)
        kernel(*arrays, np.empty(out_shape, np.float32))
    else:
        kernel(*[np.ones(4, np.float32) for _ in range(arity)])
    return kernel.inspect_llvm(kernel.signatures[0])


def _without_python_wrapper(ir):
    """The IR minus Numba's CPython wrapper, which boxes a float32 *returned* value as a Python
    float (a double): that conversion happens only when Python calls a scalar kernel directly,
    never inside another kernel."""
    functions = ir.split("\ndefine ")
    return "\ndefine ".join([functions[0]] + [
        f for f in functions[1:] if "@_ZN7cpython" not in f.split("(", 1)[0]])


@pytest.mark.parametrize(
    "kernel",
    [k for k in _jit.KERNELS if k.py_func.__name__ not in _jit.INTEGER_KERNELS],
    ids=lambda k: k.py_func.__name__,
)
def test_float32_kernels_never_widen_to_double(kernel):
    ir = _without_python_wrapper(_compile_float32(kernel))
    assert "define" in ir and "float" in ir  # a real float32 function body
    widened = "fpext float" in ir
    if kernel.py_func.__name__ in _jit.FLOAT64_ACCUMULATORS:
        assert widened, "expected a float64 accumulator"
    else:
        assert not widened, "a float32 value is converted to double (a float64 literal?)"


@pytest.mark.parametrize(
    "kernel", [k for k in _jit.KERNELS if k.py_func.__name__ in _jit.INTEGER_KERNELS],
    ids=lambda k: k.py_func.__name__,
)
def test_integer_kernels_never_touch_floating_point(kernel):
    # Numba types int64 mixed with uint64 as float64: a hash computed that way is wrong
    ir = _without_python_wrapper(_compile_float32(kernel))
    assert "define" in ir
    for conversion in ("sitofp", "uitofp", "fptosi", "fptoui", "fpext"):
        assert conversion not in ir, f"{conversion}: integer arithmetic went through floats"


def test_kernels_live_in_the_kernels_package():
    # kernels/ is the bottom floor: nothing jitted is defined anywhere else
    assert _jit.KERNELS
    assert all(k.py_func.__module__.startswith("nbkeras.kernels.") for k in _jit.KERNELS)
    assert kernels.elementwise is E


def test_sum_of_ten_million_float32_values_stays_accurate():
    x = np.full(10_000_000, 0.1, np.float32)
    total = float(ops.sum(x))
    exact = 10_000_000 * float(np.float32(0.1))
    assert abs(total - exact) / exact < 1e-7  # a float32 running sum is off by ~9%


def test_mean_of_large_float32_axis_stays_accurate():
    x = np.full((3, 2_000_000), 0.3, np.float32)
    np.testing.assert_allclose(ops.mean(x, axis=1).numpy(), np.float32(0.3), rtol=1e-7)


def test_nan_propagates():
    x = np.array([1.0, np.nan, 3.0], np.float32)
    for op in [ops.sum, ops.max, ops.min, ops.mean, ops.prod, ops.logsumexp]:
        assert np.isnan(float(op(x))), op.__name__
    assert np.isnan(ops.relu(x).numpy()[1])
    assert np.isnan(ops.sigmoid(x).numpy()[1])
    assert np.isnan(ops.softmax(x).numpy()).all()


def test_inf_and_nan_results_come_without_warnings():
    # TensorFlow returns inf and NaN silently; NumPy would warn (an error in these tests, and
    # stray stderr in a notebook) on overflow, division by zero and invalid operations
    zero, big = np.array([0.0, 1.0], np.float32), np.array([1e30, 3e38], np.float32)
    x = keras.Variable([0.0, -1.0, 2.0])
    with keras.GradientTape() as tape:
        values = [
            ops.divide(1.0, zero), ops.divide(zero, zero), ops.multiply(big, big),
            ops.square(big), ops.add(big, big), ops.power(zero, -1.0),
            ops.power(x, 0.5), ops.log(x), ops.divide(1.0, x), ops.mean(x[:0]),
            ops.cast(ops.divide(zero, zero), "int32"), ops.cast(big, "float16"),
            ops.logsumexp(ops.log(x[:1])), ops.floor_divide(zero, 0.0), ops.mod(zero, 0.0),
        ]
        total = ops.sum(ops.stack([ops.sum(ops.cast(v, "float32")) for v in values[6:-2]]))
    grad = tape.gradient(total, x)
    assert np.isinf(values[0].numpy()[0]) and np.isnan(values[1].numpy()[0])
    assert np.isinf(values[2].numpy()).all() and np.isinf(values[5].numpy()[0])
    assert np.isnan(grad.numpy()).any()


def test_extreme_inputs_stay_finite():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], np.float32)
    for op in [ops.sigmoid, ops.tanh, ops.softplus, ops.softmax, ops.log_softmax]:
        assert np.isfinite(op(x).numpy()).all(), op.__name__
    assert float(ops.logsumexp(x)) == pytest.approx(1e4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_kernels_match_numpy(dtype):
    x = np.linspace(-8, 8, 101).astype(dtype)
    g = np.cos(x).astype(dtype)
    sig = 1 / (1 + np.exp(-x.astype(np.float64)))
    checks = {
        E.sigmoid: (sig, (x,)),
        E.tanh: (np.tanh(x), (x,)),
        E.softplus: (np.log1p(np.exp(x.astype(np.float64))), (x,)),
        E.relu: (np.maximum(x, 0), (x,)),
        E.sigmoid_grad: (g * sig * (1 - sig), (g, sig.astype(dtype))),
        E.softplus_grad: (g * sig, (g, x)),
    }
    for kernel, (expected, args) in checks.items():
        got = E.unary(kernel, *args)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, expected, rtol=2e-6 if dtype == np.float32 else 1e-12,
                                   atol=1e-7, err_msg=kernel.py_func.__name__)


def test_reduction_layouts_match_numpy():
    x = np.random.default_rng(0).standard_normal((3, 4, 5, 2)).astype(np.float32)
    for axes in [(0,), (1, 2), (0, 3), (0, 1, 2, 3), (1, 3)]:
        np.testing.assert_allclose(R.sum_over_axes(x, axes), x.sum(axis=axes, dtype=np.float64),
                                   rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(R.reduce(R.max_3d, x, axes, False), x.max(axis=axes))


def test_malloc_keeps_freed_memory_on_linux():
    # importing the kernels raised glibc's mmap and trim thresholds (kernels/memory.py)
    import sys

    from nbkeras.kernels import memory

    if sys.platform.startswith("linux"):
        assert memory.tuned
        assert memory.keep_freed_memory()  # a second call changes nothing and says so


def _float32_sweep(stride=257, chunk=1 << 22):
    """Every ``stride``-th float32 bit pattern (both signs, all exponents, NaN and inf
    included), in chunks."""
    for first in range(0, 1 << 32, stride * chunk):
        bits = np.arange(first, min(first + stride * chunk, 1 << 32), stride, dtype=np.uint64)
        yield bits.astype(np.uint32).view(np.float32)


def _ulps(got, exact):
    """|got - exact| in units in the last place of exact rounded to float32 (2^-149 below the
    smallest normal); 0 where both are the same inf."""
    rounded = exact.astype(np.float32)
    ulp = np.maximum(np.spacing(np.abs(rounded)).astype(np.float64), 2.0 ** -149)
    with np.errstate(invalid="ignore"):
        error = np.abs(got.astype(np.float64) - exact) / ulp
    return np.where(got.astype(np.float64) == exact, 0.0, error)


@pytest.mark.parametrize("name", ["exp", "sigmoid"])
def test_vectorised_exp_and_sigmoid_stay_within_their_stated_ulps(name):
    bound = {"exp": E.EXP_ULPS, "sigmoid": E.SIGMOID_ULPS}[name]
    worst = 0.0
    for x in _float32_sweep():
        finite = x[np.isfinite(x)]
        with np.errstate(over="ignore"):
            x64 = finite.astype(np.float64)
            exact = np.exp(x64) if name == "exp" else 1 / (1 + np.exp(-x64))
        got = E.unary(getattr(E, name), finite)
        representable = exact <= np.finfo(np.float32).max
        worst = max(worst, _ulps(got[representable], exact[representable]).max())
        assert np.all(np.isposinf(got[~representable]))  # past 88.72: overflow to inf
    assert worst <= bound, f"{name}: {worst:.3f} ulps"


def test_vectorised_exp_edges():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 88.72, 88.73, -87.5, -103.9, -104.0,
                  -1e30, 1e30, 1e-45, -1e-45], np.float32)
    got = E.unary(E.exp, x)
    with np.errstate(over="ignore"):
        exact = np.exp(x.astype(np.float64))
    assert np.isnan(got[0]) and got[1] == np.inf and got[2] == 0.0
    assert got[3] == got[4] == 1.0
    assert np.isfinite(got[5]) and got[6] == np.inf  # the largest float32 is e^88.7228
    assert 0 < got[7] < np.finfo(np.float32).tiny and got[8] == np.float32(2.0 ** -149)  # denormals
    assert got[9] == got[10] == 0.0 and got[11] == np.inf
    assert np.all(_ulps(got[3:6], exact[3:6]) <= E.EXP_ULPS)
    assert _ulps(got[7:8], exact[7:8])[0] <= E.EXP_ULPS
    sig = E.unary(E.sigmoid, np.array([np.nan, np.inf, -np.inf, 0.0, 90.0, -90.0, -104.0],
                                      np.float32))
    assert np.isnan(sig[0]) and sig[1] == 1.0 and sig[2] == 0.0 and sig[3] == 0.5
    assert sig[4] == 1.0 and 0 < sig[5] < 1e-38 and sig[6] == 0.0


def test_the_fused_sigmoid_is_the_elementwise_exp_then_a_division():
    # sigmoid inlines exp_block's arithmetic on -|x|: the same bits as calling exp, then
    # 1 / (1 + e) for x >= 0 and e / (1 + e) (as e * (1 / (1 + e))) below, for every input
    one = np.float32(1)
    for x in _float32_sweep():
        x = np.concatenate([x, np.array([np.nan, np.inf, -np.inf, -0.0], np.float32)])
        e = E.unary(E.exp, np.where(x >= 0, -x, x))
        s = one / (one + e)
        expected = np.where(x >= 0, s, e * s)
        assert np.array_equal(E.unary(E.sigmoid, x).view(np.uint32), expected.view(np.uint32))


def test_the_softmax_exp_is_the_elementwise_one():
    # reductions.py carries a copy (kernels never call another module's jitted functions)
    import inspect

    assert inspect.getsource(R.exp_block.py_func) == inspect.getsource(E.exp_block.py_func)


def test_fast_softmax_rows_match_float64():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((64, 1003)) * 4).astype(np.float32)
    x64 = x.astype(np.float64)
    exact = np.exp(x64 - x64.max(axis=1, keepdims=True))
    exact /= exact.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(R.along_axis(R.softmax_3d, 1, x), exact, rtol=2e-6, atol=0)
    np.testing.assert_allclose(R.along_axis(R.log_softmax_3d, 1, x), np.log(exact), rtol=0,
                               atol=4e-6)
    rows = np.array([[np.nan, 1, 2], [np.inf, 1, 2], [-np.inf] * 3, [0, 0, -np.inf]],
                    np.float32)
    y = R.along_axis(R.softmax_3d, 1, rows)
    assert np.all(np.isnan(y[:3])) and y[3].tolist() == [0.5, 0.5, 0.0]
