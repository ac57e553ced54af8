# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Preface
#
# This book is an executable specification of the Keras API. Each chapter takes one part of
# `tf.keras` (an activation, a loss, an optimizer, a layer), derives the mathematics Keras
# computes, shows the code that computes it, and checks the numbers against real Keras.
#
# The code lives in a small Python package, `nbkeras`, whose compute kernels are compiled with
# [Numba](https://numba.pydata.org). The book never holds a second copy of that code: when a
# chapter shows a kernel, it prints the package's own source. And because `nbkeras` follows the
# Keras API, a Keras program can run on it unchanged:
#
# ```python
# import nbkeras as keras
# ```
#
# as far as nbkeras has the names the program uses. The
# [appendix](17_api_coverage.ipynb) lists every public name of Keras 3.15's API modules with its
# status in nbkeras and the chapter that derives it; in one line, from the same data:

# %%
from nbkeras.utils.api_coverage import coverage_summary

print(coverage_summary())

# %% [markdown]
# ## How every number is checked
#
# Three mechanisms keep the book, the package and Keras in agreement.
#
# 1. **Reference values come from real Keras.** A script in the repository
#    (`tools/make_reference.py`) runs TensorFlow 2.21 with Keras 3.15 in a separate virtual
#    environment, records inputs, outputs and `tf.GradientTape` gradients, and freezes them into
#    `tests/reference/`. The tests and the chapters compare against those files, never against
#    nbkeras' own earlier output, and they need no TensorFlow to run.
# 2. **Every derivative is checked twice**: against Keras' gradient, and against central finite
#    differences computed in float64, which test the formula independently of any library.
# 3. **Every notebook is re-executed in the test suite** by
#    [nbval](https://github.com/computationalmodelling/nbval), and each cell's output is compared
#    with the output stored in the notebook. The stored output is the specification: if the code
#    changes what a chapter prints, the tests fail.
#
# Here is the whole loop on one example: the Keras values of `sigmoid` at a few points, as
# recorded from TensorFlow, next to nbkeras' values.

# %%
import numpy as np

import nbkeras as keras
from nbkeras import ops
from nbkeras.utils import assert_matches_keras, load_reference

case = next(c for c in load_reference("ops") if c.id == "sigmoid/extremes")
x, keras_values = case.array("x0"), case.array("output")
ours = ops.sigmoid(x).numpy()

print(f"{'x':>7}  {'Keras 3.15':>15}  {'nbkeras':>15}")
for xi, k, o in zip(x, keras_values, ours, strict=True):
    print(f"{xi:7.1f}  {k:15.7e}  {o:15.7e}")
assert_matches_keras(ours, keras_values, rtol=1e-6)

# %% [markdown]
# `assert_matches_keras` raises unless every value agrees to about one part in a million,
# relative to the scale of the array. That is the standard the whole book holds itself to.
#
# Two rows deserve a word. At $x = -100$ the exact value $e^{-100} \approx 3.8 \cdot 10^{-44}$ is
# below the smallest normal float32 ($1.2 \cdot 10^{-38}$); nbkeras returns it as a subnormal
# number, while TensorFlow's CPU kernels flush subnormal results to zero. At $x = -5$ the two
# differ in the seventh digit, which the next section explains.
#
# ## Why the last digit can differ from a printed Keras value
#
# A float32 number has a 24-bit significand: about 7.2 significant decimal digits. Neighbouring
# float32 values near $x$ are $2^{\lfloor \log_2 |x| \rfloor - 23}$ apart, a relative spacing
# between $6 \cdot 10^{-8}$ and $1.2 \cdot 10^{-7}$. When two correct programs compute the same
# function, they can land on neighbouring floats, and a value printed with 8 or 9 digits shows
# the difference in its last digits.
#
# Programs land on different neighbours for three reasons:
#
# - **Transcendental functions are approximations.** TensorFlow's CPU kernels evaluate `exp`,
#   `log`, `tanh` and `sigmoid` with Eigen's polynomial approximations; nbkeras' kernels call
#   the C library's `expf`, `logf`, `tanhf`. Both are accurate to a few units in the last place
#   (ulp), but not always the same few.
# - **Sums depend on their order.** Floating-point addition is not associative. TensorFlow
#   reduces in tree order; nbkeras accumulates in float64 and rounds once (chapter 1 shows why).
# - **Vector and scalar code paths differ.** TensorFlow's CPU kernel for `sigmoid` evaluates
#   whole packets of 8 floats with one SIMD polynomial and any leftover elements with a scalar
#   routine, so the *same* input can come out differently depending on where it sits in the array.
#
# The reference data show the last effect directly: nine copies of $-5$, passed through
# `keras.activations.sigmoid` in one array.

# %%
nine = next(c for c in load_reference("seeds") if c.id == "sigmoid/nine_copies")
assert (nine.array("x") == -5).all()
for position, value in enumerate(nine.array("output")):
    print(f"position {position}: sigmoid(-5) = {value:.7e}")

# %% [markdown]
# The first eight values went through the SIMD packet, the ninth through the scalar routine.
# Measured in float32 spacings from the exact value, together with the value older TensorFlow
# releases printed for the same documented example, and nbkeras' value:

# %%
exact = 1 / (1 + np.exp(5.0))  # sigmoid(-5) in float64
spacing = float(np.spacing(np.float32(exact)))
documented = next(c for c in load_reference("seeds") if c.id == "sigmoid/documented_example")
candidates = [
    ("older TensorFlow", 6.6928566e-03),  # as printed by tf.keras releases before Keras 3
    ("Keras, SIMD path", float(nine.array("output")[0])),
    ("Keras, scalar path", float(nine.array("output")[8])),
    ("Keras, docs example", float(documented.array("output")[1])),
    ("nbkeras", float(ops.sigmoid(np.float32(-5.0)))),
]
for label, value in candidates:
    error = abs(float(np.float32(value)) - exact) / spacing
    print(f"{label:>19}: {value:.7e}  off by {error:4.1f} float32 spacings")

# %% [markdown]
# nbkeras, like TensorFlow's scalar routine, returns the float32 value closest to the exact
# result (the 0.1 is the rounding of the exact value itself). TensorFlow's SIMD polynomial lands
# three spacings away, and the older releases twelve: a relative error of $8 \cdot 10^{-7}$.
# Differences of this size are why the book compares with a relative tolerance near $10^{-6}$
# rather than demanding identical bits. Where Keras' arithmetic is exactly reproducible
# (additions, multiplications and square roots in a fixed order, as in the optimizer update
# rules), later chapters show bit-for-bit agreement.
#
# ## Three ways to use the book
#
# - **Read it rendered.** `make book` builds this HTML book offline from the stored, verified
#   notebook outputs; open `_build/html/index.html` in a browser.
# - **Run it in JupyterLab.** `make lab` opens the chapters (the `.ipynb` files in `book/`). Each
#   notebook is paired with a plain-text twin (`.py`, in jupytext's percent format) that is
#   easier to read in a diff; saving in JupyterLab updates both.
# - **Test it.** `make test` runs the unit tests and re-executes every notebook with nbval; a
#   chapter whose output no longer matches what is stored here fails the suite.
#
# Every chapter starts from the same import, and so can your own code:

# %%
print(keras.__version__)
print(keras.GradientTape.__doc__.splitlines()[0])
