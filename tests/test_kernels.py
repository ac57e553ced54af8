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
