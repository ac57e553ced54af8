# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Activations
#
# A layer computes an affine map, $x W + b$, and a stack of affine maps is still one affine map.
# What lets a network represent anything else is a nonlinear function applied to every element
# in between: the **activation**. Keras offers thirty of them in `keras.activations`. This
# chapter derives each one and its derivative, shows the kernels that compute them, and checks
# every value and every gradient against real Keras.
#
# For training, the derivative matters as much as the function: backpropagation multiplies the
# incoming cotangent by $f'(x)$ at every element (chapter 1). So each activation here is a pair
# of Numba kernels, the forward $f$ and a backward that computes $\bar x = \bar y \, f'(x)$ in
# one pass.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import nbkeras as keras
from nbkeras import activations, ops
from nbkeras.utils import assert_matches_keras, check_gradients, load_reference, show_source
from nbkeras.utils.keras_reference import check_activation_case

np.set_printoptions(precision=7, suppress=False)
plt.rcParams["figure.dpi"] = 80
cases = {c.id: c for c in load_reference("activations")}
print(len(activations.ALL_OBJECTS_DICT), "names:")
print(", ".join(sorted(activations.ALL_OBJECTS_DICT)))

# %% [markdown]
# `swish` and `hard_swish` are aliases of `silu` and `hard_silu`. Every function takes a tensor
# (or anything `ops.convert_to_tensor` accepts) and returns a tensor of the same shape and float
# dtype; integer inputs become float32.
#
# ## How an activation is built
#
# Take the exponential linear unit, $\mathrm{elu}(x) = x$ for $x > 0$ and
# $\alpha(e^x - 1)$ otherwise. Its derivative is $1$ for $x > 0$ and $\alpha e^x$ for $x < 0$.
# At $x = 0$ the two one-sided derivatives are $1$ and $\alpha$; which one a library returns is
# a convention, and TensorFlow returns $\alpha$ (the test `x > 0` fails at 0). The kernel pair:

# %%
show_source(keras.kernels.elementwise.elu, keras.kernels.elementwise.elu_grad)

# %% [markdown]
# Two details matter for float32. The option $\alpha$ arrives as an array of the input's dtype,
# so it is a float32 number inside float32 arithmetic (a Python float inside a Numba kernel
# would silently make the arithmetic float64). And the forward uses `expm1`, which computes
# $e^x - 1$ without the cancellation of subtracting two nearly equal numbers: for
# $x = -10^{-4}$, `exp(x) - 1` in float32 keeps only about four correct digits. For float32 it
# is chapter 1's vectorised expm1, element by element (`expm1_value`), in the same loop as the
# select; the backward takes $e^x$ from `exp_value` the same way. Each is computed for every
# element, so that the loop has no branch and vectorises (float64 keeps NumPy's scalar
# functions).
#
# One factory turns any such kernel pair into a differentiable primitive. The forward saves
# what the backward needs: the input $x$, or the output $y$ when the derivative is easiest to
# write in terms of it ($\sigma' = y(1-y)$, $\tanh' = 1 - y^2$):

# %%
show_source(ops.nn._elementwise)

# %% [markdown]
# The public op checks its arguments and calls the primitive; the activation calls the op:

# %%
show_source(ops.elu, activations.elu)

# %% [markdown]
# ## Sigmoid and tanh
#
# Chapter 1 derived $\sigma'(x) = \sigma(x)(1 - \sigma(x))$; for the hyperbolic tangent,
# $\tanh'(x) = 1 - \tanh^2 x$, since $\frac{d}{dx} \frac{\sinh x}{\cosh x} =
# \frac{\cosh^2 x - \sinh^2 x}{\cosh^2 x}$. The Keras documentation prints these values:

# %%
for name, documented in [
    ("sigmoid", [2.0611537e-09, 6.6928510e-03, 2.6894143e-01, 5.0e-01, 7.3105860e-01,
                 9.9330717e-01, 1.0]),
    ("tanh", [-0.9950547, -0.7615942, 0.0, 0.7615942, 0.9950547]),
]:
    case = cases[f"docs/{name}"]
    ours = getattr(activations, name)(case.array("x")).numpy()
    print(f"{name}({case.array('x').astype(int).tolist()})")
    for x, d, k, o in zip(case.array("x"), documented, case.array("output"), ours, strict=True):
        print(f"  x = {x:5.1f}  docs {d:.7e}  Keras 3.15 {k:.7e}  nbkeras {o:.7e}")
    assert_matches_keras(ours, case.array("output"), rtol=1e-6)
    assert_matches_keras(ours, np.array(documented, np.float32), rtol=1e-6)

# %% [markdown]
# At $x = \pm 1$ and $x = \pm 3$ nbkeras' `tanh` and TensorFlow's differ in the eighth digit.
# Both lie within a float32 spacing of the exact value and round it to different neighbours. At
# 3 the exact value lies almost halfway between two float32 numbers, and nbkeras' is the nearer
# one; at 1 TensorFlow's is, and nbkeras' vectorised tanh (chapter 1: a polynomial near 0,
# $(1 - e^{-2x}) / (1 + e^{-2x})$ beyond, at most `TANH_ULPS` spacings from the exact value)
# lands on the other neighbour:

# %%
from nbkeras.kernels import elementwise as elementwise_kernels

case = cases["docs/tanh"]
keras_tanh = dict(zip(case.array("x").tolist(), case.array("output").tolist(), strict=True))
for x in (1.0, 3.0):
    exact = math.tanh(x)
    spacing = float(np.spacing(np.float32(exact)))
    ours = float(activations.tanh(np.array([x], np.float32)).numpy()[0])
    theirs = keras_tanh[x]
    print(f"tanh({x:g}) exact {exact:.10f}: Keras {theirs:.10f} "
          f"({abs(theirs - exact) / spacing:.2f} spacings away), nbkeras {ours:.10f} "
          f"({abs(ours - exact) / spacing:.2f} spacings away)")
    nearer_is_ours = abs(ours - exact) < abs(theirs - exact)
    assert nearer_is_ours == (x == 3.0)
print(f"nbkeras' bound: {elementwise_kernels.TANH_ULPS} spacings")

# %% [markdown]
# Older TensorFlow releases printed $6.6928566 \cdot 10^{-3}$ and $0.9933071$ for
# $\sigma(-5)$ and $\sigma(5)$. Those digits differ from the ones above in the seventh
# significant place; for $\sigma(-5)$ that is twelve float32 spacings. The
# [preface](00_preface) shows where such last-digit differences come from (TensorFlow's SIMD
# polynomial against the C library's `expf`) and why the book compares with a relative
# tolerance near $10^{-6}$.
#
# ## ReLU and its options
#
# $\mathrm{relu}(x) = \max(x, 0)$ has derivative $1$ for $x > 0$ and $0$ for $x < 0$;
# TensorFlow takes $0$ at $x = 0$. Keras' `relu` also takes three options, a
# `negative_slope` $s$, a `max_value` $m$ and a `threshold` $\theta$ (Keras 2 called the slope
# `alpha`, and nbkeras accepts that name too). Keras composes the result from simpler ops, and so
# does nbkeras:

# %%
show_source(activations.relu)

# %% [markdown]
# Reading the composition: the positive part is $x$ where $x > \theta$ and $0$ elsewhere,
# clipped to $[0, m]$; the negative part is $\mathrm{relu}(\theta - x)$, which is
# $\theta - x$ for $x < \theta$ and $0$ above; the result is
#
# $$
# f(x) = \begin{cases}
#   \min(x, m) & x > \theta \\
#   -s\,(\theta - x) = s x - s\theta & x \le \theta.
# \end{cases}
# $$
#
# The threshold is not subtracted from the upper branch: for $\theta > 0$, $f$ jumps from $0$
# to $\theta$ at $x = \theta$. With $s = 0.5$, $\theta = 5$ and $m = 8$ the lower branch is the
# line $y = 0.5x - 2.5$, and the documented example follows:

# %%
x = np.array([-10, -5, 0, 4, 10], np.float32)
y = activations.relu(x, negative_slope=0.5, threshold=5, max_value=8)
print("x:             ", x)
print("relu(x):       ", y.numpy())
print("0.5 x - 2.5:   ", 0.5 * x - 2.5, " (the branch for x <= 5)")
print("Keras:         ", cases["docs/relu"].array("output"))
assert_matches_keras(y, cases["docs/relu"].array("output"), rtol=1e-6)

# %% [markdown]
# The derivative is $s$ below the threshold, $1$ on $(\theta, m)$ and $0$ above $m$. At the
# joints it is whatever the composed ops give: the `where` passes the gradient only for
# $x > \theta$ and `relu` only for $\theta - x > 0$, so at $x = \theta$ both are shut and
# $f'(\theta) = 0$; `clip` passes its bounds, so $f'(m) = 1$, except that with $m = 6$ and no
# threshold Keras switches to `relu6`, whose derivative is $0$ at $6$. These conventions are
# recorded in the reference cases and reproduced.
#
# `leaky_relu` is $\max(x, s x)$ for $s < 1$ (precisely: $x$ where $x > 0$, else $s x$), with
# derivative $1$ or $s$, and $s$ at $0$; `relu6` is $\min(\max(x, 0), 6)$. The leaky variant has
# its own default slope, 0.2:

# %%
show_source(keras.kernels.elementwise.leaky_relu_grad, keras.kernels.elementwise.relu6_grad)

# %% [markdown]
# ## Exponential units: elu, selu, celu
#
# `elu` was derived above. `selu` scales it, $\mathrm{selu}(x) = \lambda\,\mathrm{elu}(x,
# \alpha)$ with $\alpha \approx 1.6732632$ and $\lambda \approx 1.0507010$: Klambauer et al.
# chose the two constants so that, for standard normal inputs and suitably initialised weights,
# the activations of every layer keep mean 0 and variance 1 (hence "self-normalising"). Its
# derivative is $\lambda$ for $x > 0$ and $\lambda \alpha e^x$ for $x < 0$; at $0$
# TensorFlow returns $\lambda$.
#
# `celu` is $\max(x, 0) + \alpha\,(e^{\min(x, 0)/\alpha} - 1)$, continuously differentiable
# for every $\alpha$: the derivative of the second term is $e^{x/\alpha}$ for $x < 0$, which
# tends to $1$ at $0$, matching the slope of the first. Yet TensorFlow's derivative at exactly
# $0$ is $2$: both `maximum` and `minimum` send the gradient of a tie to their first argument,
# $x$, so both terms count. The kernel reproduces that:

# %%
show_source(keras.kernels.elementwise.celu_grad)

# %%
grid = cases["celu/grid"]
at_zero = int(np.flatnonzero(grid.array("x") == 0)[0])
x = ops.convert_to_tensor(grid.array("x"))
with keras.GradientTape() as tape:
    tape.watch(x)
    y = activations.celu(x)
slope = tape.gradient(y, x).numpy()[at_zero]
keras_slope = grid.array("grad/x")[at_zero] / grid.array("cotangent")[at_zero]
print(f"celu'(0): nbkeras {slope:.6f}, Keras {keras_slope:.6f}")

# %% [markdown]
# ## Smooth gates: softplus, silu, mish, gelu, log_sigmoid
#
# These activations multiply $x$ by a smooth gate between 0 and 1, or smooth out the kink of
# relu.
#
# - `softplus` $= \log(1 + e^x)$ has derivative $\frac{e^x}{1 + e^x} = \sigma(x)$. It is
#   computed as $\max(x, 0) + \log(1 + e^{-|x|})$, where the exponential never overflows
#   (chapter 1). `log_sigmoid` $= \log \sigma(x) = -\mathrm{softplus}(-x)$, with derivative
#   $\sigma(-x) = 1 - \sigma(x)$.
# - `silu` (or `swish`) $= x\,\sigma(x)$: by the product rule
#   $\sigma(x) + x\,\sigma(x)(1 - \sigma(x)) = \sigma(x)\,(1 + x(1 - \sigma(x)))$.
# - `mish` $= x \tanh(\mathrm{softplus}(x))$: with $t = \tanh(\mathrm{softplus}(x))$,
#   the derivative is $t + x\,(1 - t^2)\,\sigma(x)$, since $\mathrm{softplus}' = \sigma$.
# - `gelu` $= x\,\Phi(x)$, $\Phi$ the standard normal distribution function: the input scaled
#   by the probability that a standard normal variable is below it. Its derivative is
#   $\Phi(x) + x\,\varphi(x)$ with $\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}$.
#
# The exact gelu deserves a look at how $\Phi$ is evaluated. $\Phi(x) = \tfrac12 (1 +
# \mathrm{erf}(x/\sqrt 2))$ is the textbook form, but for $x = -10$ the float32 `erf` is exactly
# $-1$ and the sum cancels to 0 (even in float64, $\mathrm{erf}(-7.07)$ rounds to $-1$). The
# complementary error function gives the same number without the subtraction,
# $\Phi(x) = \tfrac12\,\mathrm{erfc}(-x/\sqrt 2)$, and TensorFlow uses it too. In float32 the
# kernel evaluates erfc with the vectorised `erfc_block` of chapter 1 (whose $e^{-x^2/2}$ comes
# from an exact split of $x^2$, so the left tail stays accurate), and it writes the derivative
# $\Phi(x) + x\,\varphi(x)$ in the same pass: the backward pass is then one multiplication.
# `softplus` does the same with its exponential.

# %%
show_source(keras.kernels.elementwise.gelu_with_derivative, ops.nn._with_derivative)

# %%
x = -10.0
print(f"x/2 (1 + erf(x/sqrt 2)), float64:   {0.5 * x * (1 + math.erf(x / math.sqrt(2))):.6e}")
print(f"x/2 erfc(-x/sqrt 2), float64:       {0.5 * x * math.erfc(-x / math.sqrt(2)):.6e}")
print(f"activations.gelu(-10.0), float32:  {float(activations.gelu(np.float32(x))):.6e}")

# %% [markdown]
# `activations.gelu` is exact by default. The older approximation
# $\tfrac{x}{2}\bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(x + 0.044715 x^3)\bigr)\bigr)$ is used with
# `approximate=True`, and it is the default of `keras.ops.gelu`; its derivative, with
# $u = \sqrt{2/\pi}(x + 0.044715x^3)$, is
# $\tfrac12(1 + \tanh u) + \tfrac{x}{2}(1 - \tanh^2 u)\sqrt{2/\pi}(1 + 3 \cdot 0.044715 x^2)$.
# The two differ by less than $5 \cdot 10^{-4}$:

# %%
x = np.linspace(-4, 4, 801).astype(np.float32)
gap = np.abs(activations.gelu(x, approximate=True).numpy() - activations.gelu(x).numpy())
print(f"largest |tanh approximation - exact| on [-4, 4]: {gap.max():.1e}")
one = int(np.flatnonzero(cases["gelu/grid"].array("x") == 1)[0])
for label, case_id, ours in [
    ("activations.gelu(1.0)", "gelu/grid", activations.gelu(np.float32(1.0))),
    ("ops.gelu(1.0)", "ops.gelu/default", ops.gelu(np.float32(1.0))),
]:
    keras_value = cases[case_id].array("output")[one]
    print(f"{label:>22}: Keras {keras_value:.7f}, nbkeras {float(ours):.7f}")

# %% [markdown]
# ## Piecewise activations
#
# The rest are built from lines and a few smooth pieces.
#
# | activation | $f(x)$ | $f'(x)$ |
# |---|---|---|
# | `hard_sigmoid` | $\mathrm{relu6}(x + 3)/6$: $0$, $x/6 + 1/2$, $1$ | $1/6$ on $(-3, 3)$ |
# | `hard_silu` | $x\,h(x)$, $h$ = `hard_sigmoid` | $h(x) + x/6$ on $(-3, 3)$ |
# | `hard_tanh` | $\mathrm{clip}(x, -1, 1)$ | $1$ on $[-1, 1]$ |
# | `sparse_sigmoid` | $0$, $(x + 1)/2$, $1$ (joints at $\pm 1$) | $1/2$ on $(-1, 1)$ |
# | `sparse_plus` | $0$, $(x + 1)^2/4$, $x$ (joints at $\pm 1$) | $0$, $(x + 1)/2$, $1$ |
# | `soft_shrink` | $x \mp t$ beyond $\pm t$, else $0$ | $1$ for $\lvert x \rvert > t$ |
# | `hard_shrink` | $x$ for $\lvert x \rvert > t$, else $0$ | $1$ for $\lvert x \rvert > t$ |
# | `threshold` | $x$ for $x > t$, else a default value | $1$ for $x > t$ |
# | `softsign` | $x / (1 + \lvert x \rvert)$ | $1/(1 + \lvert x \rvert)^2$ |
# | `squareplus` | $(x + \sqrt{x^2 + b})/2$ | $(1 + x/\sqrt{x^2 + b})/2$ |
# | `tanh_shrink` | $x - \tanh x$ | $\tanh^2 x$ |
#
# `hard_sigmoid` changed between Keras versions: Keras 2 used $\mathrm{clip}(0.2x + 0.5, 0, 1)$,
# with joints at $\pm 2.5$; Keras 3 uses $x/6 + 1/2$ between $\pm 3$, which matches `relu6`. At
# $x = 1$ Keras 2 gives $0.7$ and Keras 3 $0.6666667$.
#
# The derivatives in the table hold away from the joints; at a joint, each kernel returns what
# TensorFlow returns. The open intervals in the table come from strict comparisons (`relu6`
# passes its gradient for $0 < x < 6$), the closed one from `clip`, which passes its bounds.
# The grid of the reference cases, $-6$ to $6$ in steps of $0.25$, contains every joint, so
# these conventions are checked along with everything else:

# %%
def slopes_at(name, points):
    """f' at ``points`` from the reference grid: Keras' and nbkeras'."""
    case = cases[f"{name}/grid"]
    x = ops.convert_to_tensor(case.array("x"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = activations.get(name)(x, **case["kwargs"])
    ours = tape.gradient(y, x).numpy()
    theirs = case.array("grad/x") / case.array("cotangent")
    where = [int(np.flatnonzero(case.array("x") == p)[0]) for p in points]
    return ours[where], theirs[where]


joints = {"relu": [0], "relu6": [0, 6], "leaky_relu": [0], "hard_sigmoid": [-3, 3],
          "hard_silu": [-3, 3], "hard_tanh": [-1, 1], "sparse_sigmoid": [-1, 1],
          "sparse_plus": [-1, 1], "soft_shrink": [-0.5, 0.5], "hard_shrink": [-0.5, 0.5],
          "elu": [0], "selu": [0], "celu": [0]}
print(f"{'activation':>15}  {'x':>5}  {'Keras':>9}  {'nbkeras':>9}")
for name, points in joints.items():
    ours, theirs = slopes_at(name, points)
    for p, o, t in zip(points, ours, theirs, strict=True):
        print(f"{name:>15}  {p:5.1f}  {t + 0.0:9.5f}  {o + 0.0:9.5f}")  # + 0.0: no -0
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)

# %% [markdown]
# ## Along an axis: softmax, log_softmax, sparsemax, glu
#
# `softmax` and `log_softmax` normalise along an axis (chapter 1 derived both kernels). Keras
# documents softmax on five rows of two logits:

# %%
case = cases["docs/softmax"]
probabilities = activations.softmax(case.array("x"))
print(probabilities.numpy())
assert_matches_keras(probabilities, case.array("output"), rtol=1e-6)
np.testing.assert_allclose(probabilities.numpy()[0], [0.00669285, 0.9933072], rtol=1e-6)

# %% [markdown]
# `sparsemax` is a softmax that can return exact zeros: Martins and Astudillo (2016) define it
# as the point of the probability simplex closest to $z$, which is $\max(z - \tau, 0)$ for the
# threshold $\tau$ that makes the result sum to 1. With $z_{(1)} \ge z_{(2)} \ge \dots$ sorted and
# $c_r = z_{(1)} + \dots + z_{(r)}$, the support is
# $\{r : z_{(r)} > (c_r - 1)/r\}$, of size $k$, and $\tau = (c_k - 1)/k$.
#
# Keras 3.15 computes a different threshold: it sums the partial sums over the support,
# $\tau = \bigl(\sum_{r \le k} c_r - 1\bigr)/k$, on every backend. The two agree when the support
# has one element, and otherwise Keras' outputs do not sum to 1. The bug was reported as
# keras-team/keras#23425 and fixed after 3.15 (pull request #23469). nbkeras follows the
# Keras 3.15 reference, as everywhere in this book, so `sparsemax` reproduces the formula Keras
# 3.15 runs:

# %%
show_source(keras.kernels.reductions.sparsemax_threshold_3d)

# %%
x = np.array([[1.0, 1.0, 0.0, -2.0], [5.0, 0.0, 0.5, 0.25], [0.5, 0.4, 0.2, -1.0]], np.float32)
ours = activations.sparsemax(x).numpy()
for row, out in zip(x, ours, strict=True):
    order = np.sort(row)[::-1]
    c = np.cumsum(order)
    k = int(np.sum(order > (c - 1) / np.arange(1, len(row) + 1)))
    intended = np.maximum(row - (c[k - 1] - 1) / k, 0)
    print(f"z = {row}:\n  Keras 3.15 {out} (sum {out.sum():.2f})"
          f"   projection {intended} (sum {intended.sum():.2f})")
assert_matches_keras(activations.sparsemax(cases["sparsemax/ties"].array("x")),
                     cases["sparsemax/ties"].array("output"), rtol=1e-6)

# %% [markdown]
# For the derivative, write $y_j = \max(z_j - \tau, 0)$. The cotangent $\bar y_j$ reaches
# $z_j - \tau$ where $z_j \ge \tau$ (TensorFlow's `maximum` passes a tie to its first argument),
# and what passes flows back into $z_j$ directly and into every $z_i$ through $\tau$. Since the
# element $z_i$ at sorted rank $r$ appears in every partial sum $c_{r'}$ with $r' \ge r$,
# $\partial \tau / \partial z_i$ is the number of support ranks $r' \ge r$, divided by $k$. The
# kernel above computes that weight for every element; the backward is then
#
# $$
# \bar z_j = [z_j \ge \tau]\,\bar y_j - \frac{\partial \tau}{\partial z_j}
#   \sum_i [z_i \ge \tau]\,\bar y_i .
# $$

# %%
show_source(ops.nn.sparsemax_p)

# %% [markdown]
# `glu`, the gated linear unit, splits its input in two halves $a, b$ along an axis and returns
# $a \odot \sigma(b)$; it is composed of slicing, sigmoid and multiply, whose backward rules give
# its derivative.
#
# ## The shapes of the functions and their derivatives
#
# For an elementwise activation the gradient of $\sum_i f(x_i)$ with respect to $x$ is the vector
# of derivatives $f'(x_i)$, so one tape gives $f'$ on a whole grid:

# %%
def derivative(function, x, **options):
    x = ops.convert_to_tensor(x)
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = function(x, **options)
    return y.numpy(), tape.gradient(y, x).numpy()


def plot_family(names, title, options=None):
    """f (left) and f' (right) for each activation, two activations per row."""
    options = options or {}
    x = np.linspace(-5, 5, 1001).astype(np.float32)
    rows = (len(names) + 1) // 2
    fig, axes = plt.subplots(rows, 4, figsize=(12, 2.2 * rows), squeeze=False)
    for k, name in enumerate(names):
        y, dy = derivative(activations.get(name), x, **options.get(name, {}))
        left, right = axes[k // 2, 2 * (k % 2)], axes[k // 2, 2 * (k % 2) + 1]
        left.plot(x, y, color="C0")
        right.plot(x, dy, color="C1")
        left.set_title(name, fontsize=9)
        right.set_title(f"{name}'", fontsize=9)
        for ax in (left, right):
            ax.axhline(0, color="0.8", lw=0.8)
            ax.axvline(0, color="0.8", lw=0.8)
            ax.tick_params(labelsize=7)
    for ax in axes.flat[2 * len(names):]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


plot_family(["sigmoid", "tanh", "relu", "leaky_relu", "relu6", "linear"],
            "sigmoid, tanh and the relu family")

# %%
plot_family(["elu", "selu", "celu", "exponential"], "exponential units",
            {"celu": {"alpha": 2.0}})

# %%
plot_family(["softplus", "log_sigmoid", "silu", "mish", "gelu", "softsign"], "smooth gates")

# %%
plot_family(["hard_sigmoid", "hard_silu", "hard_tanh", "sparse_sigmoid", "sparse_plus",
             "squareplus", "soft_shrink", "hard_shrink", "tanh_shrink", "threshold"],
            "piecewise activations", {"threshold": {"threshold": 0.5, "default_value": -1.0}})

# %% [markdown]
# `relu` with options, from the derivation above: the jump at the threshold, the line of slope
# $s$ below it, and the cap at $m$:

# %%
x = np.linspace(-10, 12, 2201).astype(np.float32)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3))
for options, color in [({}, "0.6"),
                       ({"negative_slope": 0.5, "threshold": 5.0, "max_value": 8.0}, "C0")]:
    y, dy = derivative(activations.relu, x, **options)
    label = ", ".join(f"{k}={v:g}" for k, v in options.items()) or "defaults"
    left.plot(x, y, color=color, label=label)
    right.plot(x, dy, color=color)
left.set_title("relu")
right.set_title("relu'")
left.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Every value and every derivative against Keras
#
# The reference cases evaluate each activation on the grid (with its joints), on extreme inputs
# ($\pm 20$, $\pm 100$, $\pm 10^4$), on a float64 input and on NaN, and each option on the grid;
# TensorFlow's gradient against a random cotangent was recorded with each. One function runs a
# case and asserts the output's dtype and values and the gradient; the test suite calls it for
# every case, and so does this chapter:

# %%
show_source(check_activation_case)

# %%
for case in cases.values():
    check_activation_case(case, rtol=1e-5)
with_gradient = sum(c["grad"] for c in cases.values())
print(f"{len(cases)} Keras reference cases ({with_gradient} with gradients) agree to 1e-5")

# %% [markdown]
# At $x = -10^4$ or $10^4$ every activation stays finite, except `exponential`, whose exact
# value $e^{10^4}$ is beyond any float (Keras returns `inf` as well). Finite differences check
# the calculus independently of Keras, for every activation, at points away from the joints:

# %%
rng = np.random.default_rng(3)
joint_points = {**joints, "threshold": [0.5]}
worst = 0.0
for name in sorted(activations.ALL_OBJECTS_DICT):
    x = rng.uniform(-4, 4, (3, 4))
    for p in joint_points.get(name, []):
        x[np.abs(x - p) < 0.1] += 0.25
    options = {"threshold": 0.5, "default_value": -1.0} if name == "threshold" else {}
    function = activations.get(name)
    worst = max(worst, check_gradients(lambda t, f=function, o=options: f(t, **o), [x]))
print(f"{len(activations.ALL_OBJECTS_DICT)} activations: tape and central differences agree "
      f"within {'1e-8' if worst < 1e-8 else worst}")

# %% [markdown]
# ## Referring to activations by name
#
# Layers take `activation="relu"`, so names must resolve to functions and back. `get` accepts a
# name, a callable (returned unchanged) or `None` (the identity, `linear`); `serialize` gives
# the name; `deserialize` resolves a name, with `custom_objects` for functions of your own:

# %%
print(activations.get("swish").__name__, activations.get(None).__name__,
      activations.serialize(activations.swish))
print(activations.deserialize({"class_name": "function", "config": "gelu"}).__name__)


def scaled_tanh(x):
    return 1.7159 * ops.tanh(x * (2 / 3))


found = activations.deserialize("scaled_tanh", custom_objects={"scaled_tanh": scaled_tanh})
print(found is scaled_tanh)

# %% [markdown]
# A misspelt name raises a `ValueError` that lists the closest valid names:

# %%
try:
    activations.get("leaky_rellu")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# Keras 3.15's own `deserialize` fails on a plain function name such as `"swish"` (it looks the
# name up as a class); nbkeras resolves it.
#
# ## Summary
#
# - Each activation is a forward kernel and a backward kernel computing $\bar y f'(x)$, with
#   options passed in the input's dtype; `relu` with options is composed of ops, as in Keras.
# - At joints the derivative is a convention; nbkeras returns TensorFlow's, including
#   $\mathrm{celu}'(0) = 2$.
# - Numerically careful forms keep float32 accurate: `expm1` in the exponential units, `erfc` in
#   gelu, $\max(x, 0) + \log(1 + e^{-|x|})$ for softplus; inputs up to $\pm 10^4$ give finite
#   values and gradients.
# - Keras 3.15's `sparsemax` uses a threshold that differs from the published one; nbkeras
#   reproduces 3.15.
