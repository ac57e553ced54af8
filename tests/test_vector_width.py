"""The kernels give the same bits in 512-bit vectors as in 256-bit ones (kernels/_jit.py:
``_allow_512_bit_vectors``).

This process compiles with the features nbkeras chose; a second process, run as this file,
compiles the same cases with the host's own features, which keep LLVM's preference for 256-bit
vectors, and writes its results for this one to compare bit for bit. On a CPU without AVX-512
nothing was changed and there is nothing to compare."""

import inspect
import os
import subprocess
import sys

import numpy as np
import pytest

from nbkeras.kernels import _jit

OPTION_PARAMETERS = {"alpha": [0.3], "slope": [0.2], "threshold": [0.5], "b": [4.0],
                     "options": [0.5, -2.0]}
"""A value for each option array an elementwise kernel takes."""


def _inputs():
    """4099 float32 values (not a multiple of any vector length, so every loop's remainder runs
    too): normal values, every binary exponent of float32 with both signs, and the edges."""
    rng = np.random.default_rng(0)
    normal = rng.standard_normal(2000) * 4
    exponents = np.arange(-149, 128)
    powers = np.ldexp(rng.uniform(1, 2, exponents.size), exponents)
    powers = np.concatenate([powers, -powers])
    edges = [0.0, -0.0, np.inf, -np.inf, np.nan, 88.7, 89.0, -87.3, -103.9, -104.0, 1e-30]
    values = np.concatenate([normal, powers, edges]).astype(np.float32)
    x = np.resize(values, 4099)
    rng.shuffle(x)
    g = (rng.standard_normal(x.size) * 2).astype(np.float32)
    return x, g


def _elementwise_cases(x, g):
    """Every elementwise kernel that takes whole arrays, through ``elementwise.unary``."""
    from nbkeras.kernels import elementwise as E

    cases = {}
    for name in sorted(dir(E)):
        function = getattr(E, name)
        if not hasattr(function, "py_func"):
            continue
        parameters = list(inspect.signature(function.py_func).parameters)
        if parameters[-1] != "out" or "start" in parameters:
            continue  # a helper on scalars or on one block
        arguments = []
        for p in parameters[:-1]:
            if p in OPTION_PARAMETERS:
                arguments.append(np.array(OPTION_PARAMETERS[p], np.float32))
            elif p == "g":
                arguments.append(g)
            elif p == "derivative":
                arguments = None
                break
            else:
                arguments.append(x)
        if arguments is None:  # a kernel that writes f'(x) beside f(x)
            derivative = np.empty_like(x)
            cases[name] = (lambda f=function, d=derivative:
                           np.stack([E.unary(f, x, d), d]))
        else:
            cases[name] = lambda f=function, a=arguments: E.unary(f, *a)
    return cases


def _composite_cases(x, g):
    """The kernels over rows and the layers' ops, on rows of 449 (4099 = 9 x 449 + 58)."""
    import nbkeras as keras
    from nbkeras import ops

    finite = np.nan_to_num(x, nan=0.5, posinf=3.0, neginf=-3.0).clip(-60, 60)
    rows = finite[: 9 * 449].reshape(9, 449)
    g_rows = g[: 9 * 449].reshape(9, 449)
    gamma = np.linspace(0.5, 2.0, 449, dtype=np.float32)
    beta = np.linspace(-1.0, 1.0, 449, dtype=np.float32)
    labels = (np.arange(rows.size).reshape(rows.shape) % 7 == 0).astype(np.float32)
    image = finite[:4096].reshape(1, 16, 16, 16) / 8
    kernel = np.resize(finite, 3 * 3 * 16 * 8).reshape(3, 3, 16, 8) / 16

    def tape_gradient(function):
        v = keras.Variable(rows)
        with keras.GradientTape() as tape:
            y = ops.sum(function(v) * g_rows)
        return tape.gradient(y, v).numpy()

    return {
        "softmax": lambda: ops.softmax(rows).numpy(),
        "log_softmax": lambda: ops.log_softmax(rows).numpy(),
        "softmax gradient": lambda: tape_gradient(ops.softmax),
        "log_softmax gradient": lambda: tape_gradient(ops.log_softmax),
        "logsumexp": lambda: ops.logsumexp(rows, axis=1).numpy(),
        "sum over rows": lambda: ops.sum(rows, axis=1).numpy(),
        "sum over columns": lambda: ops.sum(rows, axis=0).numpy(),
        "moments": lambda: np.stack([m.numpy() for m in ops.moments(rows, axes=[1])]),
        "layer_normalization": lambda: ops.layer_normalization(rows, gamma, beta).numpy(),
        "rms_normalization": lambda: ops.rms_normalization(rows, gamma).numpy(),
        "binary cross-entropy from logits": lambda: ops.binary_crossentropy(
            labels, rows, from_logits=True).numpy(),
        "binary cross-entropy gradient": lambda: tape_gradient(
            lambda v: ops.binary_crossentropy(labels, v, from_logits=True)),
        "categorical cross-entropy from logits": lambda: ops.categorical_crossentropy(
            labels, rows, from_logits=True).numpy(),
        "conv 3x3 (Winograd)": lambda: ops.conv(image, kernel, padding="same").numpy(),
    }


def all_cases():
    x, g = _inputs()
    return {**_elementwise_cases(x, g), **_composite_cases(x, g)}


def _narrow_features():
    """The host's own features, without the ``-prefer-256-bit`` that nbkeras appended."""
    suffix = ",-prefer-256-bit"
    assert _jit.WIDE_VECTOR_FEATURES.endswith(suffix)
    return _jit.WIDE_VECTOR_FEATURES[: -len(suffix)]


@pytest.mark.skipif(_jit.WIDE_VECTOR_FEATURES is None,
                    reason="no AVX-512 here (or Numba's features set by the user): one width")
def test_512_and_256_bit_vectors_give_the_same_bits(tmp_path):
    from numba.core.registry import cpu_target

    assert cpu_target.target_context.codegen()._tm_features == _jit.WIDE_VECTOR_FEATURES
    saved = tmp_path / "narrow.npz"
    environment = {**os.environ, "NUMBA_CPU_FEATURES": _narrow_features()}
    subprocess.run([sys.executable, __file__, str(saved)], env=environment, check=True)
    narrow = np.load(saved)
    cases = all_cases()
    assert sorted(narrow.files) == sorted(cases)
    assert len(cases) > 60  # every elementwise kernel and the composite ones
    different = []
    for name, case in cases.items():
        wide = np.asarray(case())
        assert wide.dtype == np.float32, name
        if not np.array_equal(wide.view(np.uint32), narrow[name].view(np.uint32)):
            different.append(name)
    assert not different


def test_a_cpu_chosen_by_the_user_keeps_numbas_features():
    script = ("from nbkeras.kernels import _jit; assert _jit.WIDE_VECTOR_FEATURES is None; "
              "from numba.core.registry import cpu_target; "
              "assert not cpu_target.target_context.codegen()._tm_features.endswith("
              "'-prefer-256-bit')")
    subprocess.run([sys.executable, "-c", script], check=True,
                   env={**os.environ, "NUMBA_CPU_NAME": "host"})


def test_numba_compiling_before_the_import_keeps_its_own_features():
    script = ("import numba; numba.njit(lambda: 1)(); from numba.core.registry import "
              "cpu_target; before = cpu_target.target_context.codegen()._tm_features; "
              "from nbkeras.kernels import _jit; assert _jit.WIDE_VECTOR_FEATURES is None; "
              "assert cpu_target.target_context.codegen()._tm_features == before")
    subprocess.run([sys.executable, "-c", script], check=True)


if __name__ == "__main__":  # the second process: the host's own features (256-bit vectors)
    assert _jit.WIDE_VECTOR_FEATURES is None
    from numba.core.registry import cpu_target

    assert not cpu_target.target_context.codegen()._tm_features.endswith("-prefer-256-bit")
    np.savez(sys.argv[1], **{name: np.asarray(case()) for name, case in all_cases().items()})
