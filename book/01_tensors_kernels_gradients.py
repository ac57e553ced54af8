# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tensors, kernels and gradients
#
# Everything Keras trains rests on one capability: given a program that computes a number (a
# loss) from arrays (the weights), compute how that number changes as each weight changes. This
# chapter builds that capability from the ground up, in the three floors nbkeras is made of:
#
# 1. **Kernels**: Numba-compiled loops over float32 arrays (`nbkeras.kernels`).
# 2. **Ops and the tape**: `nbkeras.ops` (the `keras.ops` functions), each a *primitive* with a
#    forward and a backward rule, recorded on a `GradientTape`.
# 3. **The Keras API** on top (activations, losses, layers, ...), in later chapters.
#
# ## Tensors and variables
#
# A tensor is an array with a dtype. Keras' default float type is float32, and Python numbers
# follow rules that keep it that way: a Python float becomes float32, and combining a float32
# tensor with a Python number keeps float32 (the number is *weak*). A NumPy array keeps its own
# dtype, so a float64 array is *strong* and promotes.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nbkeras as keras
from nbkeras import ops
from nbkeras.utils import assert_matches_keras, check_gradients, load_reference, show_source
from nbkeras.utils.keras_reference import check_op_case

x = ops.convert_to_tensor([1.0, 2.0, 3.0])
print(x)
print((x * 2).dtype, (x * np.array([2.0, 2.0, 2.0])).dtype, ops.convert_to_tensor([1, 2]).dtype)

# %% [markdown]
# A NumPy scalar such as `np.float64(0.5)` counts as a Python number here: it adopts the
# tensor's dtype. Keras itself is not consistent on this point (`keras.ops.add(x, np.float64(1))`
# is float64, while `x * np.float64(1)` on a TensorFlow tensor stays float32); nbkeras keeps the
# tensor's float32 in both, so a stray NumPy scalar never turns a model's arithmetic into
# float64.
#
# Tensors are immutable. A `keras.Variable` is a tensor whose value changes in place, which is
# what a weight needs: `assign`, `assign_add` and `assign_sub` overwrite it, and the shape must
# stay the same.

# %%
w = keras.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
w.assign_sub(ops.full((2, 2), 0.5))
print(w)
try:
    w.assign([1.0, 2.0, 3.0])
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Reverse-mode differentiation
#
# Write a program as a chain of primitive operations, $x \to v_1 = f_1(x) \to v_2 = f_2(v_1)
# \to \dots \to L = f_n(v_{n-1})$, where $L$ is a scalar. The chain rule gives the gradient as a
# product of Jacobians:
#
# $$
# \frac{\partial L}{\partial x} = J_n J_{n-1} \cdots J_1, \qquad
# J_k = \frac{\partial v_k}{\partial v_{k-1}}.
# $$
#
# The product can be evaluated from either end. *Forward mode* starts at $J_1$ and carries a
# matrix with one column per input; *reverse mode* starts at $J_n$, which is a single row
# because $L$ is a scalar, and carries a row vector all the way back:
#
# $$
# \bar v_n = 1, \qquad \bar v_{k-1} = \bar v_k J_k \quad (k = n, \dots, 1), \qquad
# \frac{\partial L}{\partial x} = \bar v_0 .
# $$
#
# Each step is a **vector-Jacobian product** (VJP): $\bar v_{k-1}^{\top} = J_k^{\top} \bar
# v_k^{\top}$. It never forms $J_k$. For an elementwise $f$ the Jacobian is diagonal and the VJP
# is $\bar x = \bar y \odot f'(x)$; for $y = a \odot b$ it is $\bar a = \bar y \odot b$ and
# $\bar b = \bar y \odot a$; for $Y = AB$ it is $\bar A = \bar Y B^{\top}$ and
# $\bar B = A^{\top} \bar Y$. One backward pass therefore costs a small multiple of one forward
# pass, however many weights there are: this is why neural networks are trained with reverse
# mode. The vector $\bar v$ is called the *cotangent* (or adjoint) of $v$.
#
# When a value feeds several operations, its cotangent is the **sum** of what each operation
# sends back (the multivariate chain rule). For $y = x \cdot x$, both factors send $\bar y\, x$,
# and $\bar x = 2 \bar y x$.
#
# ## Primitives and the tape
#
# In nbkeras every differentiable operation is a `Primitive`: a *forward* function that returns
# its output and what the derivative will need, and a *backward* function that computes the VJP.
# Here are `exp` and `multiply`, as the package defines them:

# %%
show_source(ops.elementwise.exp_p, ops.elementwise.multiply_p)

# %% [markdown]
# `exp` saves its own output, because $\frac{d}{dx} e^x = e^x$. The `needs` flags say which
# inputs want a gradient, so that `multiply` does not compute the cotangent of a constant.
#
# A `GradientTape` records primitive calls while it is active. `bind` runs a primitive and appends
# one record to every tape that tracks one of its inputs:

# %%
show_source(keras.autodiff.bind)

# %% [markdown]
# The record list is in execution order, so every operation appears after the operations that
# produced its inputs. Walking it backwards therefore visits each operation only after every use
# of its output has sent back its share: that is the whole graph algorithm. `gradient` seeds the
# target's cotangent with ones (the gradient of a non-scalar target is the gradient of its sum,
# as in TensorFlow), walks the records, and adds contributions into a dictionary keyed by tensor
# identity. Sources that receive nothing get `None`.

# %%
show_source(keras.GradientTape.gradient)

# %% [markdown]
# ### Broadcasting
#
# `ops.add(a, b)` with `a` of shape (3, 4) and `b` of shape (4,) uses each $b_j$ three times,
# once per row. By the summing rule, $\bar b_j = \sum_i \bar y_{ij}$. In general, an input that was
# broadcast receives the output's cotangent summed over every axis that broadcasting added or
# stretched. nbkeras undoes broadcasting in one place, after every backward rule, rather than in
# each primitive:

# %%
show_source(keras.autodiff.sum_to_shape)

# %%
a = keras.Variable(np.ones((3, 4), np.float32))
b = keras.Variable(np.arange(4, dtype=np.float32))
with keras.GradientTape() as tape:
    y = ops.sum(a * b)  # b is broadcast over the 3 rows
grad_a, grad_b = tape.gradient(y, [a, b])
print(grad_a.shape, grad_b.shape)
print(grad_b)  # each b_j met three ones

# %% [markdown]
# ## Kernels
#
# The forward and backward rules call **kernels**: loops compiled to machine code by Numba.
# Here is the sigmoid $\sigma(x) = 1 / (1 + e^{-x})$ and its derivative. Differentiating,
#
# $$
# \sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2}
# = \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}} = \sigma(x)\,\bigl(1 - \sigma(x)\bigr),
# $$
#
# so the backward kernel needs only the forward output $y = \sigma(x)$: $\bar x = \bar y\, y (1 -
# y)$. The forward kernel never lets `exp` overflow: with $e = e^{-|x|}$ it computes $1 / (1 +
# e)$ for $x \ge 0$ and $e / (1 + e)$ below, which is the same number as $e^{x} / (1 + e^{x})$;
# a *select*, not a branch, picks one per element. In float32 the exponential is nbkeras' own,
# the arithmetic of `exp_block` explained below, written out inside the sigmoid so that the
# division joins its last loop (a test checks that the two give the same bits).

# %%
show_source(keras.kernels.elementwise.sigmoid, keras.kernels.elementwise.sigmoid_grad)

# %% [markdown]
# Three habits are visible in these few lines.
#
# - **Constants carry the input's dtype.** Inside a Numba kernel, `x[i] * 2.0` or even
#   `x[i] + 1` silently computes in float64 (Numba's promotion rules differ from NumPy's). The
#   kernels write `t(1)` with `t = x.dtype.type`, so float32 stays float32 from end to end, and a
#   test inspects the compiled LLVM code of every kernel to make sure no float32 value is
#   widened to double.
# - **The caller allocates the output.** The kernel fills `out`; a small Python wrapper
#   flattens any shape into the 1-D layout the kernel expects, so it compiles once per dtype.
# - **No `fastmath`**, but for one flag. Fastmath would let LLVM assume there are no NaNs and
#   reorder sums; a NaN in the input must reach the output, where Keras' `TerminateOnNaN` can
#   see it. The one flag used, `contract` (fused multiply-adds), is for the polynomials of the
#   exponential, the logarithm, tanh and erfc, below. Every kernel says `fastmath=False` (or
#   `{"contract"}`) itself, although False is Numba's default: a kernel that leaves it unset
#   takes the setting of the kernel whose compilation first calls it, so a shared helper
#   such as the exponential compiled first inside a contracted kernel came out contracted,
#   and every kernel compiled after it, in that process and from the cache later, got other
#   last bits. A test compiles both orders in fresh caches and compares the bits.
#
# Every kernel is compiled with the same settings, in one place:

# %%
show_source(keras.kernels._jit.kernel)

# %% [markdown]
# One more setting concerns the whole process rather than one kernel: **how wide the vectors
# are.** Numba compiles for the CPU it runs on, but on a CPU with AVX-512, LLVM still prefers
# 256-bit registers (eight float32 at a time), a choice made for the first AVX-512 chips, which
# lowered their clock for 512-bit arithmetic. `import nbkeras` lets LLVM use all 512 bits
# (`_allow_512_bit_vectors`, in the same file), unless you have chosen Numba's CPU name or
# features yourself. On this book's machine the exponential, the sigmoid, tanh, softplus and
# gelu then take 0.73-0.83x the time, and kernels limited by memory are not slower. The bits do not
# change: each lane computes its own element with the same instructions at either width, and
# no sum is reordered (a test compares the two widths bit for bit). PyTorch runs its own
# AVX-512 kernels on the same CPU.

# %% [markdown]
# ### A vectorised exponential
#
# A loop speeds up most when the CPU runs it in SIMD registers, eight or sixteen float32 at a
# time. LLVM does that for plain arithmetic, but `np.exp` inside a Numba kernel is a call into
# the C library, one element at a time (pip's Numba has no SVML, Intel's vector math library),
# and about 10 ns each: ten times NumPy's own vectorised `exp`. So the float32 kernels compute
# $e^v$ from additions and multiplications alone:
#
# 1. **Range reduction.** $e^v = 2^n e^r$ with $n = \operatorname{round}(v / \ln 2)$ and
#    $r = v - n \ln 2$, so $|r| \le \ln 2 / 2$. $n \ln 2$ is subtracted in two parts (Cody and
#    Waite): $\ln 2 = c_\text{hi} + c_\text{lo}$ where $c_\text{hi} = 0.693359375$ has only 9
#    significant bits, so $n c_\text{hi}$ is exact for every $|n| \le 150$ and only the tiny
#    $n c_\text{lo}$ rounds.
# 2. **A polynomial.** On that interval $e^r = 1 + r + r^2 p(r)$ with $p$ of degree 5, a
#    minimax fit (the coefficients of Cephes' `expf`). Writing $1 + r$ apart keeps the two
#    largest terms exact.
# 3. **The power of two from its bits.** $(n + 127) \ll 23$ is the bit pattern of the float
#    $2^n$. To reach the denormals ($e^v$ down to $2^{-149}$, $v > -103.97$) and the top binade
#    ($e^{88.72} = 3.4 \cdot 10^{38}$), where $2^n$ itself is not a normal float, the scale is
#    applied as two factors $2^{n_1} 2^{n_2}$ with $n_1 + n_2 = n$: the first product is exact,
#    the second rounds once. The integer becomes a float by an LLVM `bitcast` (a three-line
#    Numba intrinsic, `float32_from_bits`), so the whole block is one vectorised pass. Storing
#    the integers in scratch arrays and reading them back as floats in a second pass gives the
#    same bits and took 1.25x the time.
# 4. **Fused multiply-adds where they do no harm.** `exp_reduce` (step 1) and `exp_poly`
#    (Horner's rule for $p$) are compiled with LLVM's `contract` flag: each product and the sum
#    after it become one FMA instruction, rounded once instead of twice. Nothing is reordered
#    and NaN and $\infty$ behave as before; the loop runs a fifth faster. The last two sums,
#    $r^2 p + r + 1$, stay apart: fused, they left one input of the sweep 1.0005 ulp off,
#    and apart every error stays under one ulp.
#
# NaN, $\pm\infty$ and out-of-range inputs go through the same arithmetic: $v$ is clamped to
# $[-104, 89]$ (which gives $0$ and $\infty$ at the ends) and a NaN turns the first factor into
# NaN. No branch is left, so LLVM vectorises the loop.
#
# The arithmetic for one element is `exp_value`, and `exp_block` is the loop over it. A kernel
# that needs $e^v$ in the middle of its own formula (tanh, softplus, erfc, the sigmoid
# cross-entropy of chapter 3) calls `exp_value` inside its loop. LLVM inlines the call, so the
# loop stays one vectorised pass over memory, with the same bits as `exp_block`. Writing the
# arguments to a scratch array and running `exp_block` over it would mean extra passes. Measured
# on the project's machine, one pass takes 0.74-0.89x the time for gelu, erfc and tanh, and
# 0.59-0.78x for the softplus family.

# %%
show_source(keras.kernels.elementwise.exp_reduce, keras.kernels.elementwise.exp_poly,
            keras.kernels.elementwise.exp_value, keras.kernels.elementwise.exp_block)

# %% [markdown]
# The error bound is a number in the package, `EXP_ULPS` (`SIGMOID_ULPS` for the sigmoid, whose
# $1/(1 + e)$ adds two roundings), enforced by a test over every 257th float32 bit pattern, 16.7
# million values from the smallest denormal to the largest float. An *ulp* is the spacing of
# float32 numbers at the exact result: 0.5 ulp is the best any float32 function can do. Here is
# the error over a million values between $-103.9$ and $88.7$ (beyond them the float32 result is
# $0$ or $\infty$), against NumPy's float64 `exp`:

# %%
kernels_elementwise = keras.kernels.elementwise
v = np.linspace(-103.9, 88.7, 1_000_000, dtype=np.float32)
fast = kernels_elementwise.unary(kernels_elementwise.exp, v)
exact = np.exp(v.astype(np.float64))
ulp = np.maximum(np.spacing(exact.astype(np.float32)).astype(np.float64), 2.0**-149)
ulps = np.abs(fast - exact) / ulp
print(f"largest error {ulps.max():.3f} ulp (bound EXP_ULPS = {kernels_elementwise.EXP_ULPS}); "
      f"mean {ulps.mean():.3f} ulp")
print("e^v at NaN, inf, -inf, 88.73, -103.9:",
      kernels_elementwise.unary(kernels_elementwise.exp,
                                np.array([np.nan, np.inf, -np.inf, 88.73, -103.9], np.float32)))
fig, ax = plt.subplots(figsize=(7, 2.6))
ax.plot(v[::50], ulps[::50], ",", color="C0")
ax.set_xlabel("v")
ax.set_ylabel("error (ulp)")
ax.set_title("exp_block against float64: every error below one ulp")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### The other transcendental functions, built the same way
#
# `expm1`, `log`, `log1p`, `tanh` and `erfc` get the same treatment: bits and polynomials that
# LLVM runs eight or sixteen lanes at a time, no libm call left in a float32 loop (float64 keeps
# NumPy's scalar functions). The polynomials were fitted for this package: a least-squares fit
# of the relative error, reweighted until it is close to minimax (Lawson's method).
#
# - **expm1** (for `elu`, `selu`, `celu`). With the exponential's $n$ and $r$,
#   $e^v - 1 = 2^n (e^r - 1) + (2^n - 1)$, and $e^r - 1 = r + r^2 p(r)$ is the polynomial without
#   its 1: nothing cancels. Up to $n = 24$ the products by $2^n$ and $2^n - 1$ itself are exact,
#   so the sum rounds about once; beyond ($v > 17$) the $-1$ is below an ulp of $e^v$, and
#   $e^v - 1$ comes from the exponential's two factors.
# - **log.** The exponent comes from the bits, as for `exp` but backwards: adding
#   `0x3f800000 - 0x3f3504f3` to the bits carries into the exponent field exactly when the
#   mantissa is at least $\sqrt 2$, so $x = 2^e m$ with $m \in [\sqrt{1/2}, \sqrt 2)$ and
#   $\log x = e \ln 2 + \log(1 + f)$, $f = m - 1$ exact. $\log(1 + f) = f - f^2/2 + f^3 p(f)$
#   with $p$ of degree 7. Centring $m$ on 1 keeps $|\log x| \ge \ln 2 / 2$ whenever
#   $e \ne 0$, so the final sum never cancels. Denormals are first multiplied by $2^{23}$; $0$,
#   negative numbers, $\infty$ and NaN are replaced at the end by selects, not branches.
# - **log1p.** For $x \in [\sqrt{1/2} - 1, \sqrt 2 - 1)$ the same polynomial on $x$ itself,
#   which is exact there; elsewhere $\log u$ of $u = 1 + x$ plus $(x - (u - 1))/u$, the part of
#   $x$ that rounding $1 + x$ threw away.
# - **tanh.** Below $|x| = 0.625$ an odd polynomial $x + x^3 p(x^2)$; above it
#   $(1 - e)/(1 + e)$ with $e = e^{-2|x|}$ from `exp_value`, which can neither overflow nor
#   cancel, and is exactly $\pm 1$ past $|x| = 9.01$.
# - **softplus, log_sigmoid** $= \max(x, 0) + \operatorname{log1p}(e^{-|x|})$ and its mirror,
#   on `exp_value` and `log1p_unit` (a $\log(1 + e)$ for $e \in [0, 1]$ in registers).
# - **erfc** (for the exact `gelu`): $\operatorname{erfc}(z) = t\, e^{-z^2} Q(t)$ with
#   $t = 2/(2 + z)$ and $Q$ a polynomial of degree 10. A rounded $z^2$ would cost 40 ulps at
#   $z = 9$ (its rounding error is multiplied by $z^2$), so $|x|$ is split into a 12-bit head
#   and a tail (Veltkamp), the head's square is exact, and $e^{-z^2}$ is `exp_value` of the
#   head's part times a short Taylor polynomial of the tail's. `gelu` passes $z^2 = x^2 / 2$
#   exactly and uses
#   $\operatorname{erfc}(-z) = 2 - \operatorname{erfc}(z)$, so its left tail is that of the exact
#   $x \Phi(x)$ down to the denormals, where $1 + \operatorname{erf}$ would give 0.
#
# `softplus` and `gelu` also write their derivative during the forward pass (the exponential or
# `erfc` is the expensive part of both passes), so their backward pass is one multiplication.
#
# The error bounds are constants in the package, each enforced by a test over every 257th
# float32 bit pattern (16.7 million values) and 16 million evenly spaced values where the results
# are of order one. Below each bound, the error measured here over a million values against the
# float64 functions (SciPy's `erfc` for erfc and gelu):

# %%
import scipy.special

bounds = {  # kernel: (float64 reference, the package's bound, its name)
    "expm1": (np.expm1, kernels_elementwise.EXPM1_ULPS, "EXPM1_ULPS"),
    "log": (np.log, kernels_elementwise.LOG_ULPS, "LOG_ULPS"),
    "log1p": (np.log1p, kernels_elementwise.LOG1P_ULPS, "LOG1P_ULPS"),
    "tanh": (np.tanh, kernels_elementwise.TANH_ULPS, "TANH_ULPS"),
    "softplus": (lambda x: np.logaddexp(0, x), kernels_elementwise.SOFTPLUS_ULPS,
                 "SOFTPLUS_ULPS"),
    "erfc": (scipy.special.erfc, kernels_elementwise.ERFC_ULPS, "ERFC_ULPS"),
    "gelu": (lambda x: 0.5 * x * scipy.special.erfc(-x / np.sqrt(2)),
             kernels_elementwise.GELU_ULPS, "GELU_ULPS"),
}
samples = {"log": np.geomspace(1e-30, 1e30, 1_000_000),
           "log1p": np.linspace(-0.999, 20, 1_000_000)}
for name, (reference, bound, bound_name) in bounds.items():
    v = samples.get(name, np.linspace(-12, 12, 1_000_000)).astype(np.float32)
    exact = reference(v.astype(np.float64))
    fast = kernels_elementwise.unary(getattr(kernels_elementwise, name), v)
    ulp = np.maximum(np.spacing(np.abs(exact.astype(np.float32))).astype(np.float64), 2.0**-149)
    err = np.abs(fast - exact) / ulp
    print(f"{name:9s} largest error {err.max():.2f} ulp, mean {err.mean():.2f}"
          f"   (bound {bound_name} = {bound})")

# %% [markdown]
# Here is the logarithm, the simplest of them:

# %%
show_source(keras.kernels.elementwise.log_block)

# %% [markdown]
# ### Why sums accumulate in float64
#
# A float32 running sum rounds after every addition. Once the total is large, each added 0.1 is
# rounded to the total's coarse spacing, and the error grows with every step. Adding ten million
# values of 0.1 one by one in float32 (NumPy's `cumsum` does exactly that) goes badly wrong; the
# reduction kernels accumulate in float64 and round once at the end:

# %%
values = np.full(10_000_000, 0.1, np.float32)
running = np.cumsum(values, dtype=np.float32)[-1]
print(f"float32 running sum: {running:12.1f}")
print(f"nbkeras ops.sum:     {float(ops.sum(values)):12.1f}")

# %%
show_source(keras.kernels.reductions.sum_3d, keras.kernels.reductions.row_sum)

# %% [markdown]
# The kernel sees every reduction as an array of shape (outer, n, inner) reduced over its middle
# axis; the wrapper reshapes (or, for scattered axes, transposes) any input into that layout.
# Where the reduced elements lie side by side in memory (`inner == 1`), one running sum would
# make every addition wait for the previous one; `row_sum` spreads them over 32 float64 lanes
# (element j goes to lane j mod 32), which the vector units add side by side, and combines the
# lanes in order at the end. A long row is summed in chunks of `SUM_CHUNK` elements, whose
# totals are then added one after the other. The summation order is fixed, so the result is the
# same on every run and on every machine.
#
# The 32 lanes are a single LLVM vector value, so they stay in registers for the whole row.
# Plain Numba code has no way to say that. An array of 32 running sums gets stored and loaded
# again after every block, because Numba does not tell LLVM that the array cannot overlap the
# row. Thirty-two scalar variables stay thirty-two scalar chains, because Numba leaves LLVM's
# straight-line vectoriser off. So `lane_sums` is a Numba *intrinsic*: a function whose body is
# written as LLVM IR by the code below, which runs at compile time. Each block is one vector load,
# a widening to float64 and one vector addition. The additions are the ones described above, in
# the same order. On the project's machine, on one thread, the sum of each row of a (1024, 1000)
# array went from 0.27 to 0.20 ms, and the softmax of those rows from 1.25 to 1.05 ms.

# %%
show_source(keras.kernels.reductions._lane_sums_ir)

# %% [markdown]
# The softmax family (chapter 2) needs the largest element of each row too. A float maximum
# that LLVM could vectorise without `fastmath` is hard to write: the order of the compares
# decides what happens with NaN and with -0 against +0. `row_max` compares integers instead.
# Read as an int32, a float32's bits sort like the float, once the negative values have their
# 31 low bits flipped. The largest such key gives back the largest float, whatever the order of
# the compares.

# %%
show_source(keras.kernels.reductions.row_max)

# %% [markdown]
# ### Two cores, the same bits
#
# Large arrays are cut into pieces that run on the machine's cores (`kernels/threads.py`). The
# elementwise kernels that compute an exponential, a logarithm or a tanh, and the sigmoid's and
# tanh's backward products (`elementwise.THREADED`), get contiguous pieces of the flat arrays;
# the softmax family gets blocks of whole rows of its (outer, n, inner) layout. Both run on
# Numba's own threads from `NUMBA_PARALLEL_ELEMENTS` elements on, through a *parallel form*: a
# Numba function whose `prange` loop calls the ordinary kernel on each piece. Numba's threads
# (OpenMP here) take their pieces without Python's global lock and keep spinning for a few
# milliseconds after each loop, so the helper is awake when the next kernel of a training step
# comes, as PyTorch's OpenMP threads are. A sleeping thread would take 0.1 ms or more to wake,
# longer than a whole sigmoid of $2^{16}$ elements.
#
# The other kernels release Python's lock too (`nogil`), so plain Python threads can run them
# side by side: the reductions and the normalisation forwards, from `PARALLEL_ELEMENTS`
# elements on, hand blocks of whole rows to a helper thread (`threads.deal`; whoever is free
# takes the next piece), and so do the two families above where Numba has no thread-safe
# threading layer. Smaller arrays stay on the calling thread, where waking a second thread would
# cost more than it saves, and so do the elementwise kernels that only move memory (relu, most
# backward products). A sum over the whole array is a single row: it is cut at its `SUM_CHUNK`
# chunks, the same chunks one thread sums one by one, and the chunks' totals are added in order
# afterwards. The backwards that add over rows (a layer normalisation's gradient for gamma) stay
# on one thread: cut in two, their sums would be added in another order.
#
# Cutting never changes a bit. Each output element is computed by exactly one thread, by the
# same instructions in the same order as on one thread: no running sum is ever split between
# threads other than at the chunk boundaries that one thread uses too. Which thread took which
# piece does not matter either, and a test compares every kernel so cut bit for bit against
# one thread.

# %%
from nbkeras.kernels import threads

logits = np.random.default_rng(0).standard_normal((1024, 1000)).astype(np.float32)
print(f"{threads.THREADS} threads; parallel forms from {threads.NUMBA_PARALLEL_ELEMENTS} elements,"
      f" the dealer from {threads.PARALLEL_ELEMENTS}")
print(f"(1024, 1000) logits: {len(threads.pieces(1024, logits.size, numba=True))} pieces of whole"
      " rows")
cores = threads.THREADS
threads.THREADS = 1
one = keras.kernels.reductions.along_axis(keras.kernels.reductions.softmax_3d, 1, logits)
threads.THREADS = cores
two = keras.kernels.reductions.along_axis(keras.kernels.reductions.softmax_3d, 1, logits)
print("softmax on one thread and on", cores, "threads, same bits:",
      np.array_equal(one.view(np.uint32), two.view(np.uint32)))
threads.THREADS = 1
one = ops.sum(logits).numpy()
threads.THREADS = cores
two = ops.sum(logits).numpy()
chunks = -(-logits.size // keras.kernels.reductions.SUM_CHUNK)
print(f"sum of all {logits.size} logits: {chunks} chunks in"
      f" {len(threads.pieces(chunks, logits.size))} pieces, same bits:",
      one.tobytes() == two.tobytes())

# %% [markdown]
# ## Checking the derivatives
#
# A derivative can be checked without trusting any library. For a random cotangent $c$ (of the
# output's shape) and each input element $x_i$, the central difference
#
# $$
# \frac{\langle c, f(x + h e_i) \rangle - \langle c, f(x - h e_i) \rangle}{2h}
# = \frac{\partial \langle c, f(x) \rangle}{\partial x_i} + O(h^2)
# $$
#
# must agree with the tape's VJP. `check_gradients` runs both in float64, where a step
# $h = 10^{-6}$ leaves an error near $10^{-10}$, and returns the largest disagreement. The random
# cotangent matters: against a cotangent of ones, the softmax's VJP is zero whatever its formula.

# %%
rng = np.random.default_rng(0)
checks = {
    "sigmoid": (ops.sigmoid, [rng.standard_normal((3, 4)) * 4]),
    "softmax over axis 0": (lambda t: ops.softmax(t, axis=0), [rng.standard_normal((3, 4))]),
    "matmul, batched": (ops.matmul, [rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 2))]),
    "logsumexp": (lambda t: ops.logsumexp(t, axis=1), [rng.standard_normal((3, 5))]),
}
for name, (f, inputs) in checks.items():
    error = check_gradients(f, inputs)
    print(f"{name:>20}: {'agrees' if error < 1e-8 else 'DIFFERS'} (error < 1e-8)")

# %% [markdown]
# The test suite runs such a check for every primitive in the registry (and fails if one is
# added without a check), plus property-based tests over random shapes, broadcasts and axes.
#
# ## Checking against Keras
#
# Finite differences test the calculus; Keras' own numbers test the conventions. What is the
# gradient of `maximum(a, b)` when $a = b$? Of `abs` at 0, of `sqrt` at 0? TensorFlow made
# choices, and the reference cases record them. For a tie in `maximum`, the whole gradient goes to
# the first argument:

# %%
cases = {c.id: c for c in load_reference("ops")}
case = cases["maximum/ties"]
a, b = (ops.convert_to_tensor(case.array(n)) for n in ("x0", "x1"))
with keras.GradientTape() as tape:
    tape.watch([a, b])
    y = ops.maximum(a, b)
grad_a, grad_b = tape.gradient(y, [a, b], output_gradients=case.array("cotangent"))
print("a:", a.numpy(), " b:", b.numpy())
print("Keras   d/da:", case.array("grad/x0"), " d/db:", case.array("grad/x1"))
print("nbkeras d/da:", grad_a.numpy(), " d/db:", grad_b.numpy())
assert_matches_keras(grad_a, case.array("grad/x0"), rtol=1e-6)
assert_matches_keras(grad_b, case.array("grad/x1"), rtol=1e-6)

# %% [markdown]
# The same holds for every reference case of this chapter's ops. One function runs a case and
# asserts its output, dtype and gradients; the test suite calls it for each case, and so does
# this chapter:

# %%
show_source(check_op_case)

# %%
for case in cases.values():
    check_op_case(case)
functions = sorted({c["fn"] for c in cases.values()})
print(f"{len(cases)} Keras reference cases over {len(functions)} ops agree to 1e-6:")
print(", ".join(functions))

# %% [markdown]
# ## Gradient descent with a tape
#
# With gradients in hand, minimising a function takes a loop. The function
# $f(x) = x^2 - 2x + 1 = (x - 1)^2$ has its minimum at $x = 1$, where $f'(x) = 2x - 2$ vanishes.
# Plain gradient descent steps against the gradient, $x \leftarrow x - \eta f'(x)$, here with
# learning rate $\eta = 0.01$, until $|f'(x)| < 10^{-5}$. Since
# $x_{k+1} - 1 = (1 - 2\eta)(x_k - 1) = 0.98\,(x_k - 1)$, the distance to the minimum shrinks by
# 2% per step, and the stopping rule ($|x - 1| < 5 \cdot 10^{-6}$) is met after about
# $\ln(5 \cdot 10^{-6}) / \ln 0.98 \approx 604$ steps from $x_0 = 0$.

# %%
x = keras.Variable(0.0)
learning_rate = 0.01
trajectory = []
step = 0
while True:
    with keras.GradientTape() as tape:
        y = x**2 - 2 * x + 1
    dy_dx = tape.gradient(y, x)
    if abs(dy_dx) < 1e-5:
        break
    x.assign_sub(learning_rate * dy_dx)
    trajectory.append(float(x))
    if step % 100 == 0:
        print(f"step {step:3d}: x = {float(x):.6f}  f(x) = {float(y):.3e}  "
              f"df/dx = {float(dy_dx):+.6f}")
    step += 1
print(f"stopped after {step} steps: x = {float(x):.6f}")

# %% [markdown]
# TensorFlow ran the same loop, written with `tf.Variable` and `tf.GradientTape`, when the
# reference data were made. Both take the same number of steps, and every iterate agrees:

# %%
seed = next(c for c in load_reference("seeds") if c.id == "gradient_descent/quadratic")
print(f"TensorFlow: {seed['steps']} steps, nbkeras: {len(trajectory)} steps")
assert len(trajectory) == seed["steps"]
assert_matches_keras(np.array(trajectory, np.float32), seed.array("x"), rtol=1e-6)

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
grid = np.linspace(-0.25, 1.5, 200)
left.plot(grid, (grid - 1) ** 2, color="0.6", label="$f(x) = (x-1)^2$")
iterates = np.array([0.0] + trajectory)
shown = iterates[::40]
left.plot(shown, (shown - 1) ** 2, "o", color="C0", markersize=4, label="every 40th iterate")
left.set_xlabel("x")
left.legend()
right.semilogy(np.abs(iterates - 1), color="C0")
right.set_xlabel("step")
right.set_ylabel("|x - 1|")
right.set_title("the distance shrinks by 2% per step")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What it costs
#
# Numba compiles each kernel on its first call and stores the machine code on disk
# (`cache=True`), so the cost is paid once per machine, not once per process. The benchmarks
# (`make bench`) measure import time, first-call compile time and steady-state speed against
# TensorFlow and PyTorch, all in one run, and write what they measured to
# `benchmarks/results/latest.json`; every speed figure in this book and in the README is read
# from that file. The machine is a shared 2-core VM, so single figures move by tens of percent
# from run to run; the ratios, measured in the same run, are the part to read.
#
# Numba has a cost of its own besides compiling: the first time any jitted function runs in a
# process, cached or not, Numba builds its typing and code-generation tables (0.3-0.45 s and
# about 40 MB on this machine). `import nbkeras` pays it (`start_numba` in `kernels/_jit.py`),
# so that it does not land in the first step of a `fit`; the import time below includes it.
# And each recorded operation costs the tape some microseconds of Python of its own (the
# `tape:` line, a chain of tiny adds, forward and backward, per op): the part of a small
# model's training step that no kernel can make faster.

# %%
import json
import pathlib

bench = json.loads(pathlib.Path("../benchmarks/results/latest.json").read_text())
print(f"make bench of {bench['meta']['date']}, {bench['meta']['cpus']} cores")
startup = bench["sections"]["startup"]["rows"]
print(f"import nbkeras {startup['import nbkeras']['nbkeras']:.2f} s; first call of every "
      f"kernel: {startup['import + first call of every kernel, cold cache']['nbkeras']:.1f} s "
      f"with an empty cache, "
      f"{startup['import + first call of every kernel, warm cache']['nbkeras']:.1f} s warm")
for name, times in bench["sections"]["steady"]["rows"].items():
    ratios = ", ".join(f"{times['nbkeras'] / times[other]:.2f}x {other}"
                       for other in ("tensorflow", "torch", "numpy") if other in times)
    print(f"{name}: nbkeras {times['nbkeras'] * 1e3:.3f} ms = {ratios}")

# %% [markdown]
# ## Summary
#
# - A tensor is an immutable float32 array with an identity; a variable is a tensor updated in
#   place.
# - Reverse mode computes a gradient with one vector-Jacobian product per primitive, walking the
#   tape backwards; shared values add their cotangents, broadcast values sum them.
# - Kernels are Numba loops that keep float32 in float32, accumulate sums in float64, and let
#   NaN through. The float32 exponential is range reduction, a degree-5 polynomial and a power
#   of two built from its bits: within one ulp everywhere, and vectorised by LLVM. `log`,
#   `log1p`, `tanh` and `erfc` follow the same pattern, each with a tested error bound.
# - Every derivative is checked against central differences and against TensorFlow.
