"""Properties of the Numba kernels themselves: float32 stays float32, sums stay accurate, NaN
survives, and each kernel agrees with a plain NumPy formulation."""

import importlib
import itertools

import numba
import numpy as np
import pytest
import scipy.special

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


def _logaddexp0(x64):
    return np.logaddexp(0.0, x64)


TRANSCENDENTALS = {  # kernel name -> (float64 reference, its ULPS constant's name)
    "expm1": (np.expm1, "EXPM1_ULPS"),
    "log": (np.log, "LOG_ULPS"),
    "log1p": (np.log1p, "LOG1P_ULPS"),
    "tanh": (np.tanh, "TANH_ULPS"),
    "softplus": (_logaddexp0, "SOFTPLUS_ULPS"),
    "log_sigmoid": (lambda x64: -_logaddexp0(-x64), "SOFTPLUS_ULPS"),
    "erfc": (scipy.special.erfc, "ERFC_ULPS"),
    "gelu": (lambda x64: 0.5 * x64 * scipy.special.erfc(-x64 / np.sqrt(2)), "GELU_ULPS"),
}


@pytest.mark.parametrize("name", sorted(TRANSCENDENTALS))
def test_vectorised_transcendentals_stay_within_their_stated_ulps(name):
    # every 257th float32 bit pattern: 16.7 million values over the whole range, both signs;
    # where the float64 result is NaN or not finite, the kernel must give the same
    # plus 16 million evenly spaced values where the results are O(1) (the bit patterns thin out
    # there): erfc and gelu reach their worst error on such a grid, not on the bit patterns
    reference, bound_name = TRANSCENDENTALS[name]
    bound = getattr(E, bound_name)
    low, high = (0.0, 4.0) if name == "log" else (-0.999, 4.0) if name == "log1p" else (-16, 16)
    grid = (np.linspace(low + (high - low) * k / 8, low + (high - low) * (k + 1) / 8, 2_000_000,
                        dtype=np.float32) for k in range(8))
    worst = 0.0
    for x in itertools.chain(_float32_sweep(), grid):
        with np.errstate(all="ignore"):
            exact = reference(x.astype(np.float64))
        got = E.unary(getattr(E, name), x)
        assert got.dtype == np.float32
        finite = np.abs(exact) < np.finfo(np.float32).max  # (the spacing of max overflows)
        if finite.any():
            worst = max(worst, _ulps(got[finite], exact[finite]).max())
        with np.errstate(over="ignore"):  # (beyond float32's range: inf, as the kernel gives)
            rest_got, rest_exact = got[~finite], exact[~finite].astype(np.float32)
        assert np.array_equal(rest_got, rest_exact, equal_nan=True), name
    assert worst <= bound, f"{name}: {worst:.3f} ulps > {bound_name} = {bound}"
    assert worst > bound - 1, f"{name}: {worst:.3f} ulps, {bound_name} = {bound} is loose"


def _f32(*values):
    return np.array(values, np.float32)


def test_vectorised_log_and_log1p_edges():
    tiny = np.finfo(np.float32).tiny
    x = _f32(np.nan, np.inf, -np.inf, 0.0, -0.0, -1e-45, -1.0, 1e-45, tiny, tiny * (1 - 2**-23),
             1.0, 2.0, 0.5, np.finfo(np.float32).max)
    got = E.unary(E.log, x)
    assert np.isnan(got[0]) and got[1] == np.inf and np.isnan(got[2])
    assert got[3] == got[4] == -np.inf and np.isnan(got[5]) and np.isnan(got[6])
    assert got[10] == 0.0 and got[11] == np.float32(np.log(2.0)) == -got[12]
    with np.errstate(all="ignore"):
        exact = np.log(x[7:].astype(np.float64))
    assert np.all(_ulps(got[7:], exact) <= E.LOG_ULPS)  # denormals, the top binade
    x = _f32(np.nan, np.inf, -np.inf, -1.0, -1.0000001, 0.0, -0.0, 1e-45, -1e-45, 1e-30, -1e-7,
             3e-8, -0.99999994, -0.5, np.finfo(np.float32).max)
    got = E.unary(E.log1p, x)
    assert np.isnan(got[0]) and got[1] == np.inf and np.isnan(got[2])
    assert got[3] == -np.inf and np.isnan(got[4])
    assert got[5] == 0.0 and not np.signbit(got[5]) and got[6] == 0.0 and np.signbit(got[6])
    assert got[7] == x[7] and got[8] == x[8] and got[9] == x[9]  # log1p x = x near 0
    exact = np.log1p(x[10:].astype(np.float64))
    assert np.all(_ulps(got[10:], exact) <= E.LOG1P_ULPS)


def test_vectorised_expm1_edges():
    x = _f32(np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45, 2e-8, -2e-8, 88.7, 88.8, -88.0,
             -1e30, 16.9, 17.0, 17.1, -0.34, 0.35, 1e-7)
    got = E.unary(E.expm1, x)
    assert np.isnan(got[0]) and got[1] == np.inf and got[2] == -1.0
    assert got[3] == 0.0 and not np.signbit(got[3]) and got[4] == 0.0 and np.signbit(got[4])
    assert np.array_equal(got[5:9], x[5:9])  # expm1 x = x below 2^-25
    assert np.isfinite(got[9]) and got[10] == np.inf and got[11] == got[12] == -1.0
    exact = np.expm1(x[13:].astype(np.float64))  # around n = 25 and n = +-1, and near 0
    assert np.all(_ulps(got[13:], exact) <= E.EXPM1_ULPS)


@pytest.mark.parametrize("name", ["elu", "elu_grad", "selu", "selu_grad", "celu", "celu_grad"])
def test_the_elu_family_float32_path_matches_its_float64_path(name):
    # the float32 path (expm1_block, exp_block) against the same kernel on float64 (libm's
    # expm1 and exp): within the blocks' bounds plus a product, NaN where it is NaN
    x = np.concatenate([np.linspace(-30, 30, 200_001, dtype=np.float32),
                        _f32(0.0, -0.0, 1e-45, -1e-45, 1e-20, -1e-20, 88.0, -88.0, 200.0,
                             -200.0, np.nan, np.inf, -np.inf)])
    kernel = getattr(E, name)
    options = () if name.startswith("selu") else (_f32(0.7 if name.startswith("elu") else 2.0),)
    args = (x,) if not name.endswith("_grad") else (np.linspace(-2, 2, x.size, dtype=np.float32), x)
    got = E.unary(kernel, *args, *options)
    with np.errstate(all="ignore"):
        exact = E.unary(kernel, *[a.astype(np.float64) for a in args + options])
    assert got.dtype == np.float32
    assert np.array_equal(np.isnan(got), np.isnan(exact))
    finite = np.isfinite(exact) & (np.abs(exact) < np.finfo(np.float32).max)
    assert np.array_equal(got[~finite & ~np.isnan(exact)], exact[~finite & ~np.isnan(exact)])
    ulps = _ulps(got[finite], exact[finite])
    assert ulps.max() <= E.EXPM1_ULPS + 1, f"{name}: {ulps.max():.3f} ulps"
    assert np.array_equal(np.signbit(got[finite]), np.signbit(exact[finite].astype(np.float32)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["softplus", "gelu"])
def test_forward_kernels_with_derivative_match_the_separate_kernels(name, dtype):
    x = np.concatenate([np.linspace(-20, 20, 10_001), [np.nan, np.inf, -np.inf, 0.0, -0.0,
                                                       1e-45, 1e30, -1e30]]).astype(dtype)
    derivative = np.empty_like(x)
    with np.errstate(all="ignore"):
        y = E.unary(getattr(E, f"{name}_with_derivative"), x, derivative)
        expected_y = E.unary(getattr(E, name), x)
        expected_d = E.unary(getattr(E, f"{name}_grad"), np.ones_like(x), x)
    assert y.dtype == derivative.dtype == dtype
    np.testing.assert_array_equal(y, expected_y)
    finite = np.isfinite(x)  # at +-inf the separate grad kernels give inf * 0 = NaN
    np.testing.assert_allclose(derivative[finite], expected_d[finite], rtol=4e-7, atol=0)


def test_vectorised_erfc_and_gelu_edges():
    x = _f32(np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, 10.0, 10.1, -10.1, 30.0, 1e30, -1e30)
    got = E.unary(E.erfc, x)
    assert np.isnan(got[0]) and got[1] == 0.0 and got[2] == 2.0
    assert got[3] == got[4] == got[5] == 1.0
    assert 0 < got[6] < np.finfo(np.float32).tiny and got[7] == 0.0 and got[8] == 2.0  # denormal
    assert got[9] == got[10] == 0.0 and got[11] == 2.0
    assert _ulps(got[6:7], scipy.special.erfc(x[6:7].astype(np.float64)))[0] <= E.ERFC_ULPS
    x = _f32(np.nan, np.inf, -np.inf, 0.0, -0.0, -13.0, -13.9, -15.0, 20.0, 1e30, -1e30)
    got = E.unary(E.gelu, x)
    assert np.isnan(got[0]) and got[1] == np.inf and np.isnan(got[2])  # -inf * 0, as x Phi(x)
    assert got[3] == 0.0 and got[4] == 0.0 and np.signbit(got[4])
    # the left tail keeps its relative accuracy down to the denormals (1 + erf would give 0)
    exact = 0.5 * x[5:7].astype(np.float64) * scipy.special.erfc(-x[5:7] / np.sqrt(2.0))
    assert np.all(got[5:7] < 0) and np.all(_ulps(got[5:7], exact) <= E.GELU_ULPS)
    assert got[7] == 0.0 and got[8] == 20.0 and got[9] == np.float32(1e30) and got[10] == 0.0
    grad = E.unary(E.gelu_grad, np.ones_like(x), x)
    assert np.isnan(grad[0]) and grad[3] == grad[4] == 0.5 and grad[8] == 1.0
    assert np.isnan(grad[1])  # inf * e^-inf, as the libm kernel gave


def test_vectorised_tanh_and_softplus_edges():
    x = _f32(np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45, 9.1, -9.1, 1e30, -1e30,
             0.625, np.nextafter(np.float32(0.625), np.float32(0)), 1e-4, -3.0)
    got = E.unary(E.tanh, x)
    assert np.isnan(got[0]) and got[1] == 1.0 and got[2] == -1.0
    assert got[3] == 0.0 and not np.signbit(got[3]) and got[4] == 0.0 and np.signbit(got[4])
    assert got[5] == x[5] and got[6] == x[6]
    assert got[7] == got[9] == 1.0 and got[8] == got[10] == -1.0  # saturates
    assert np.all(_ulps(got[11:], np.tanh(x[11:].astype(np.float64))) <= E.TANH_ULPS)
    x = _f32(np.nan, np.inf, -np.inf, 0.0, 1e-45, 88.8, -88.8, -104.0, -1e30, 1e30)
    got, mirror = E.unary(E.softplus, x), E.unary(E.log_sigmoid, -x)
    assert np.isnan(got[0]) and got[1] == np.inf and got[2] == 0.0
    assert got[3] == np.float32(np.log(2.0)) and got[4] == got[3]
    assert got[5] == np.float32(88.8) and 0 < got[6] < np.finfo(np.float32).tiny  # denormal
    assert got[7] == got[8] == 0.0 and got[9] == np.float32(1e30)
    assert np.isnan(mirror[0]) and np.array_equal(mirror[1:], -got[1:])


@pytest.mark.parametrize("name", ["softplus_grad", "log_sigmoid_grad", "silu", "silu_grad",
                                  "mish", "mish_grad", "gelu_tanh", "gelu_tanh_grad",
                                  "tanh_shrink", "tanh_shrink_grad", "gelu_grad"])
def test_vectorised_activations_match_their_float64_kernels(name):
    # the float32 path (exp_block, tanh_block, ...) against the same kernel's float64 path
    # (NumPy's libm), over [-30, 30] and the extremes; relative error in float32 ulps-ish terms
    x = np.concatenate([np.linspace(-30, 30, 200_001, dtype=np.float32),
                        _f32(0.0, -0.0, 1e-45, -1e-45, 1e-20, -1e-20, 88.0, -88.0, 200.0,
                             -200.0)])
    kernel = getattr(E, name)
    args = (x,) if kernel.py_func.__code__.co_argcount == 2 else (np.ones_like(x), x)
    got = E.unary(kernel, *args)
    exact = E.unary(kernel, *[a.astype(np.float64) for a in args])
    assert got.dtype == np.float32
    # relative error, except near a gradient's zero between -3 and 3 (silu' at -1.28, mish' at
    # -1.19, ...), where the terms that cancel are O(1): there the absolute error counts
    near_root = (np.abs(x) < 3) & (np.abs(exact) < 1e-2)
    scale = np.where(near_root, 1e-1, np.maximum(np.abs(exact), np.finfo(np.float32).tiny))
    error = np.abs(got - exact) / scale
    assert np.nanmax(error) < 3e-6 * (1 + 30 * ("mish" in name or "gelu" in name)), name
    assert np.array_equal(np.isnan(got), np.isnan(exact))


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


def test_only_the_polynomial_helpers_fuse_multiply_adds():
    # contract (FMA) changes roundings: the sums, dot products and every documented order must
    # not get it, and the polynomial helpers must
    from nbkeras.kernels import _jit

    helpers = {"exp_reduce", "exp_poly", "log1p_minus_x", "log1p_unit", "log_block",
               "log1p_block", "tanh_block", "erfc_q", "gauss_tail", "erf_p"}
    assert _jit.CONTRACTED == helpers
    for compiled in _jit.KERNELS:
        flags = compiled.targetoptions.get("fastmath")
        expected = {"contract"} if compiled.py_func.__name__ in helpers else None
        assert (set(flags) if flags else None) == expected, compiled.py_func.__name__


def test_every_kernel_sets_fastmath_itself():
    # an unset option is inherited from the kernel being compiled when this one is first
    # needed (see _jit.OPTIONS): every kernel must say False or {"contract"} itself
    for compiled in _jit.KERNELS:
        assert "fastmath" in compiled.targetoptions, compiled.py_func.__name__


_ORDER_SCRIPT = """
import sys
import numpy as np
from nbkeras.kernels import elementwise as E
if sys.argv[1] == "tanh_block first":  # a contracted kernel that calls exp_block
    E.tanh_block(*E.IR_EXAMPLES()["tanh_block"])
x = np.linspace(-6, 6, 4099).astype(np.float32)
np.save(sys.argv[2], np.stack([E.unary(E.gelu, x), E.unary(E.mish, x)]))
"""


def test_kernel_bits_do_not_depend_on_which_kernel_compiled_first(tmp_path):
    # each order in a fresh process with an empty cache: exp_block is first compiled either
    # inside the contracted tanh_block or inside gelu
    import os
    import subprocess
    import sys

    results = []
    for order in ("tanh_block first", "gelu first"):
        cache, saved = tmp_path / order.replace(" ", "_"), tmp_path / f"{len(results)}.npy"
        subprocess.run([sys.executable, "-c", _ORDER_SCRIPT, order, str(saved)], check=True,
                       env={**os.environ, "NUMBA_CACHE_DIR": str(cache)})
        results.append(np.load(saved))
    assert np.array_equal(results[0].view(np.uint32), results[1].view(np.uint32))


def test_the_softmax_exp_is_the_elementwise_one():
    # reductions.py carries a copy (kernels never call another module's jitted functions)
    import inspect

    for name in ("exp_value", "exp_block", "exp_reduce", "exp_poly"):
        assert inspect.getsource(getattr(R, name).py_func) == \
            inspect.getsource(getattr(E, name).py_func)
    assert inspect.getsource(R.float32_from_bits._defn) == \
        inspect.getsource(E.float32_from_bits._defn)


def test_float32_from_bits_is_a_bitcast():
    # the intrinsic that builds exp_block's 2^n from its bits, on int32 and on int64 (Numba's
    # shifts widen to int64; the low 32 bits are the float's)
    import numba

    from nbkeras.kernels import losses as L

    @numba.njit
    def both(i, j):
        return E.float32_from_bits(i), E.float32_from_bits(j)

    bits = np.array([0, 0x3F800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x00000001, 0x80000000],
                    np.uint32)
    for b in bits:
        narrow, wide = both(np.int32(b.view(np.int32)), np.int64(b) + (np.int64(5) << 40))
        assert np.float32(narrow).view(np.uint32) == b == np.float32(wide).view(np.uint32)
    assert inspect_source(L.float32_from_bits) == inspect_source(E.float32_from_bits)


def inspect_source(intrinsic):
    import inspect

    return inspect.getsource(intrinsic._defn)


@pytest.mark.parametrize("name", ["exp_value", "exp_block", "exp_reduce", "exp_poly",
                                  "exp_minus_abs_block",
                                  "log1p_minus_x", "log1p_unit"])
def test_the_loss_kernels_copies_are_the_elementwise_ones(name):
    import inspect

    from nbkeras.kernels import losses as L

    assert inspect.getsource(getattr(L, name).py_func) == \
        inspect.getsource(getattr(E, name).py_func)


def test_vectorised_sigmoid_cross_entropy_matches_float64():
    rng = np.random.default_rng(0)
    from nbkeras.kernels import losses as L

    x = np.concatenate([rng.standard_normal(100_000) * 10, [0.0, -0.0, 1e-45, 88.0, -88.0,
                                                           200.0, -200.0, np.inf, -np.inf]])
    y = rng.uniform(0, 1, x.size)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    got = E.unary(L.sigmoid_cross_entropy, y32, x32)
    with np.errstate(all="ignore"):
        exact = E.unary(L.sigmoid_cross_entropy, y32.astype(np.float64), x32.astype(np.float64))
        grad = E.unary(L.sigmoid_cross_entropy_grad, np.ones_like(x32), y32, x32)
        grad64 = E.unary(L.sigmoid_cross_entropy_grad, np.ones(x.size), y32.astype(np.float64),
                         x32.astype(np.float64))
    assert got.dtype == grad.dtype == np.float32
    finite = np.isfinite(x)
    # the loss's terms are rounded in float32 either way: the error is relative to their size
    scale = np.abs(np.maximum(x32, 0)) + np.abs(x32 * y32) + np.log1p(np.exp(-np.abs(x)))
    assert np.max(np.abs(got[finite] - exact[finite]) / scale[finite]) < 3e-7
    assert np.max(np.abs(grad[finite] - grad64[finite])) < 2e-7
    assert np.isfinite(grad[-2:]).all()  # sigmoid(+-inf) - y
    np.testing.assert_array_equal(np.isnan(got), np.isnan(exact))


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


@pytest.mark.parametrize("n", [1, 2, 15, 16, 17, 1000])
def test_row_max_on_integer_keys_is_the_largest_float(n):
    rng = np.random.default_rng(n)
    x = np.concatenate([[7.0], rng.standard_normal(n) * 1e3]).astype(np.float32)
    for row in (x, -x, np.abs(x), -np.abs(x)):
        assert R.row_max(row, 1, n) == row[1:].max()  # a row that starts inside the array
    # (a, b, the maximum's bits): +0 beats -0 in either order
    specials = [(-0.0, 0.0, 0.0), (0.0, -0.0, 0.0), (-0.0, -0.0, -0.0), (-np.inf, -np.inf, -np.inf),
                (-1.0, np.inf, np.inf), (-2.0, -1e-45, -1e-45), (3.4028235e38, 1.0, 3.4028235e38)]
    for a, b, largest in specials:
        row = np.array([a, b] * n, np.float32)
        m = np.float32(R.row_max(row, 0, row.size))
        assert m.tobytes() == np.float32(largest).tobytes(), (a, b)


def test_softmax_rows_with_a_nan_anywhere_are_nan():
    # row_max may pick a NaN or a number: the row is NaN either way
    for nan in (np.nan, -np.nan):
        for at in (0, 1, 17, 999):
            row = np.random.default_rng(at).standard_normal((1, 1000)).astype(np.float32)
            row[0, at] = nan
            for kernel in (R.softmax_3d, R.log_softmax_3d):
                assert np.isnan(R.along_axis(kernel, 1, row)).all(), (kernel, nan, at)


@pytest.mark.parametrize("n", [1, 5, 31, 32, 33, 64, 1003])
def test_row_sums_add_in_the_documented_lane_order(n):
    # element j goes to running sum j mod LANES, the lanes are added in order, then the tail:
    # rebuilt here one float64 addition at a time, the kernels' results must be the same bits
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n + 3) * 1e3).astype(np.float32)
    y = rng.standard_normal(n + 3).astype(np.float32)
    width, start = R.LANES, 3  # a row that starts inside the array
    full = n - n % width

    def lane_order(terms):
        lanes = [0.0] * width
        for j in range(full):
            lanes[j % width] += float(terms[j])
        total = 0.0
        for lane in lanes:
            total += lane
        for j in range(full, n):
            total += float(terms[j])
        return total

    row, other = x[start:], y[start:]
    assert R.row_sum(x, start, n) == lane_order(row.astype(np.float64))
    assert R.row_dot(x, y, start, n) == lane_order(row.astype(np.float64) * other)


def test_reductions_hand_their_kernels_read_only_inputs_and_leave_the_callers_flags():
    # one compiled signature per kernel, whether the data came from NumPy or from an op
    seen = []

    def spy(kernel_function):
        def call(*arrays):
            seen.append([a.flags.writeable for a in arrays[:-1]])
            kernel_function(*arrays)
        return call

    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    frozen = x.copy()
    frozen.flags.writeable = False
    for data in (x, frozen):
        np.testing.assert_array_equal(R.reduce(spy(R.sum_3d), data, (1,), False),
                                      [6, 22, 38])
        R.along_axis(spy(R.softmax_grad_3d), 1, data, data)
    assert seen == [[False], [False, False]] * 2
    assert x.flags.writeable and not frozen.flags.writeable
