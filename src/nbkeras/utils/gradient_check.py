"""Finite-difference gradient checks (float64 central differences).

The tape's gradient of ``<c, f(x)>`` for a random cotangent ``c`` is compared with
``(<c, f(x + h e_i)> - <c, f(x - h e_i)>) / 2h`` for every element ``i``. Both run in float64,
so what is checked is the derivative formula, not float32 rounding. A random cotangent (rather
than ones) matters: softmax's gradient against a constant cotangent is zero whatever the formula.
"""

import numpy as np

from nbkeras.autodiff import GradientTape
from nbkeras.tensor import Tensor


def _evaluate(f, arrays):
    out = f(*[Tensor(a) for a in arrays])
    if not isinstance(out, Tensor):
        raise TypeError(f"check_gradients: f must return a Tensor, got {type(out).__name__}")
    return out


def numerical_gradient(f, arrays, cotangent, index, eps=1e-6):
    """Central-difference gradient of ``<cotangent, f(*arrays)>`` with respect to
    ``arrays[index]`` (all arrays float64)."""
    # C order: ``reshape(-1)`` below must be a view of ``x``, so that perturbing the flat
    # element perturbs the array f sees (a transposed input would otherwise be copied).
    arrays = [np.array(a, dtype=np.float64, order="C") for a in arrays]
    x = arrays[index]
    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        keep = flat_x[i]
        flat_x[i] = keep + eps
        plus = np.sum(cotangent * np.asarray(_evaluate(f, arrays)))
        flat_x[i] = keep - eps
        minus = np.sum(cotangent * np.asarray(_evaluate(f, arrays)))
        flat_x[i] = keep
        flat_g[i] = (plus - minus) / (2 * eps)
    return grad


def check_gradients(f, inputs, wrt=None, rtol=1e-6, atol=1e-9, eps=1e-6, seed=0):
    """Assert that the tape's gradient of ``f`` matches central differences.

    ``f`` takes tensors and returns a tensor; ``inputs`` are arrays (cast to float64); ``wrt``
    lists the indices of the inputs to differentiate (default: every float input). Returns the
    largest error relative to the gradient's scale; raises AssertionError naming the input.
    """
    arrays = [
        np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
        for a in inputs
    ]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    tensors = [Tensor(a) for a in arrays]
    with GradientTape() as tape:
        for i in wrt:
            tape.watch(tensors[i])
        out = f(*tensors)
    cotangent = np.random.default_rng(seed).standard_normal(out.shape)
    analytic = tape.gradient(out, [tensors[i] for i in wrt], output_gradients=cotangent)
    worst = 0.0
    for i, grad in zip(wrt, analytic, strict=True):
        numeric = numerical_gradient(f, arrays, cotangent, i, eps)
        got = np.zeros_like(numeric) if grad is None else np.asarray(grad)
        if got.dtype != np.float64:
            raise AssertionError(f"input {i}: the gradient is {got.dtype}, expected float64")
        scale = max(1.0, float(np.max(np.abs(numeric), initial=0.0)))
        error = float(np.max(np.abs(got - numeric), initial=0.0)) / scale
        if not np.allclose(got, numeric, rtol=rtol, atol=atol + rtol * scale):
            raise AssertionError(
                f"gradient of input {i} (shape {arrays[i].shape}) differs from central "
                f"differences by {error:.3g} (relative to scale {scale:.3g})\n"
                f"tape:    {got.reshape(-1)[:8]}\nnumeric: {numeric.reshape(-1)[:8]}"
            )
        worst = max(worst, error)
    return worst
