# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Initializers, regularizers and constraints
#
# Three families of small functions decide what a layer's weights look like. An
# **initializer** fills a new weight; a **regularizer** turns a weight (or a layer's output) into
# a penalty that is added to the loss; a **constraint** projects a weight back into an allowed
# set after every optimizer step. A layer receives them as arguments:
#
# ```python
# Dense(64, kernel_initializer="he_normal", kernel_regularizer=regularizers.l2(0.01),
#       kernel_constraint=constraints.MaxNorm(2))
# ```
#
# and `add_weight` attaches them to the weight it creates.
#
# ## Why the initial scale matters
#
# Take a layer $y_j = \sum_{i=1}^{n} w_{ij} x_i$ with $n$ inputs (its *fan-in*), weights drawn
# independently with mean 0 and variance $v$, independent of inputs with mean 0 and variance
# $q$. Each term has variance $v q$, and the terms are uncorrelated, so
#
# $$
# \operatorname{Var}(y_j) = n_{\text{in}}\, v\, q .
# $$
#
# Through a stack of such layers the variance is multiplied by $n_{\text{in}} v$ at every layer:
# it explodes if $n_{\text{in}} v > 1$ and vanishes if $n_{\text{in}} v < 1$. Keeping it steady
# asks for $v = 1 / n_{\text{in}}$ (**LeCun**). The backward pass multiplies the cotangent by
# $W^{\top}$, a sum over the $n_{\text{out}}$ outputs, so the gradients keep their variance when
# $v = 1 / n_{\text{out}}$. **Glorot** (also called Xavier) compromises between the two with
# $v = 2 / (n_{\text{in}} + n_{\text{out}})$. A ReLU zeroes half of a symmetric input, so
# $\mathbb{E}[\mathrm{relu}(z)^2] = \operatorname{Var}(z) / 2$, and **He** compensates with
# $v = 2 / n_{\text{in}}$.
#
# Keras folds these into one rule, `VarianceScaling(scale, mode, distribution)`:
# $v = \text{scale} / n$, where $n$ is the fan-in, the fan-out, or their average. The fans of
# a Dense kernel (inputs, units) are its two dimensions; a convolution kernel
# (kh, kw, in_channels, filters) connects each output to kh x kw x in_channels inputs, so both
# fans are multiplied by the receptive field kh x kw:

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats
from sklearn.datasets import load_digits

import nbkeras as keras
from nbkeras import constraints, initializers, layers, ops, regularizers
from nbkeras.utils import assert_matches_keras, load_reference, show_source

np.set_printoptions(precision=4, suppress=True)
keras.utils.set_random_seed(0)

for shape in [(784, 128), (3, 3, 32, 64), (5,)]:
    print(f"{str(shape):15} fans (in, out) = {initializers.compute_fans(shape)}")

# %%
show_source(initializers.VarianceScaling.__call__)

# %% [markdown]
# ### From a variance to a distribution
#
# A variance can be reached with different distributions:
#
# - **uniform** on $[-L, L]$: its variance is $L^2 / 3$, so $L = \sqrt{3 v}$; Glorot uniform,
#   the default kernel initializer of Dense and the convolutions, has
#   $L = \sqrt{6 / (n_{\text{in}} + n_{\text{out}})}$;
# - **truncated normal**: draws of $N(0, s^2)$ that fall outside $\pm 2s$ are drawn again, so
#   no weight starts far out in a tail. Cutting the tails lowers the variance: for the standard
#   normal cut at $\pm 2$, with density $\varphi$ and distribution function $\Phi$,
#
#   $$
#   \operatorname{Var} = 1 - \frac{2 \cdot 2\,\varphi(2)}{2\Phi(2) - 1} \approx 0.7737,
#   \qquad \text{std} \approx 0.87963,
#   $$
#
#   so Keras draws with $s = \sqrt{v} / 0.87963$ to land on the target variance;
# - **untruncated normal**: $N(0, v)$ as it is.

# %%
phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
Phi2 = 0.5 * (1 + math.erf(2 / math.sqrt(2)))
truncated_std = math.sqrt(1 - 2 * 2 * phi2 / (2 * Phi2 - 1))
print(f"std of N(0, 1) cut at +-2: {truncated_std:.17f}")
print(f"the constant in Keras:     {initializers.random_initializers.TRUNCATED_NORMAL_STDDEV:.17f}")

# %% [markdown]
# ### Every initializer against its derived density
#
# Each panel is a histogram of 8,192 weights of a (64, 128) Dense kernel, with the density the
# derivation above predicts: fan-in 64, fan-out 128, fan average 96. The normal-like densities
# are drawn truncated where the initializer truncates. `Orthogonal` is the exception: its
# weights are the entries of a random matrix with orthonormal rows (or columns), whose entries
# are close to $N(0, 1/\max(\text{rows}, \text{cols}))$ for large matrices.

# %%
fan_in, fan_out = 64, 128
fan_avg = (fan_in + fan_out) / 2


def truncated(scale, mean=0.0):
    """scipy's truncated normal with the standard deviation *before* truncation."""
    return stats.truncnorm(-2, 2, loc=mean, scale=scale)


expected = {
    "RandomNormal()": (initializers.RandomNormal(seed=1), stats.norm(0, 0.05)),
    "RandomUniform()": (initializers.RandomUniform(seed=1), stats.uniform(-0.05, 0.1)),
    "TruncatedNormal()": (initializers.TruncatedNormal(seed=1), truncated(0.05)),
    "GlorotUniform()": (initializers.GlorotUniform(seed=1),
                        stats.uniform(-math.sqrt(3 / fan_avg), 2 * math.sqrt(3 / fan_avg))),
    "GlorotNormal()": (initializers.GlorotNormal(seed=1),
                       truncated(math.sqrt(1 / fan_avg) / truncated_std)),
    "HeUniform()": (initializers.HeUniform(seed=1),
                    stats.uniform(-math.sqrt(6 / fan_in), 2 * math.sqrt(6 / fan_in))),
    "HeNormal()": (initializers.HeNormal(seed=1),
                   truncated(math.sqrt(2 / fan_in) / truncated_std)),
    "LecunUniform()": (initializers.LecunUniform(seed=1),
                       stats.uniform(-math.sqrt(3 / fan_in), 2 * math.sqrt(3 / fan_in))),
    "LecunNormal()": (initializers.LecunNormal(seed=1),
                      truncated(math.sqrt(1 / fan_in) / truncated_std)),
    "VarianceScaling(3, fan_out,\nuntruncated_normal)": (
        initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=1),
        stats.norm(0, math.sqrt(3 / fan_out))),
    "VarianceScaling(0.5, fan_avg,\nuniform)": (
        initializers.VarianceScaling(0.5, "fan_avg", "uniform", seed=1),
        stats.uniform(-math.sqrt(1.5 / fan_avg), 2 * math.sqrt(1.5 / fan_avg))),
    "Orthogonal()": (initializers.Orthogonal(seed=1), stats.norm(0, math.sqrt(1 / 128))),
}
fig, axes = plt.subplots(3, 4, figsize=(11, 7.5))
for ax, (title, (initializer, density)) in zip(axes.ravel(), expected.items(), strict=True):
    w = initializer((fan_in, fan_out)).numpy().ravel()
    ax.hist(w, bins=50, density=True, color="0.75")
    grid = np.linspace(w.min() * 1.15, w.max() * 1.15, 400)
    ax.plot(grid, density.pdf(grid), color="C0")
    ax.set_title(title, fontsize=9)
    ax.set_yticks([])
fig.tight_layout()
plt.show()

# %% [markdown]
# The test suite checks the same thing numerically for every initializer, on a Dense kernel and
# on a convolution kernel: the sample mean and variance must lie within five standard errors of
# the derived values, truncated draws must stay inside their bounds, and a two-sample
# Kolmogorov-Smirnov test must not tell nbkeras' samples from samples Keras drew with
# TensorFlow. The values themselves cannot be compared: TensorFlow's random bits come from its
# own generator (KERAS_NOTES 0.2), so nbkeras draws from NumPy's, as Keras' NumPy backend does.

# %%
reference = {c.id: c for c in load_reference("initializers")}
print(f"{'initializer':50s} {'nbkeras':>9s} {'Keras':>9s}  KS p-value")
for case in reference.values():
    if not case.has_array("samples"):
        continue
    make = getattr(initializers, case["initializer"])
    ours = make(**case["kwargs"], seed=99)(tuple(case["shape"])).numpy()
    keras_samples = case.array("samples")
    p = stats.ks_2samp(ours.ravel(), keras_samples.ravel()).pvalue
    assert p > 1e-3
    label = case["initializer"] + ("(" + ", ".join(f"{v}" for v in case["kwargs"].values()) + ")"
                                   if case["kwargs"] else "")
    print(f"{label:50s} {ours.var():9.3e} {keras_samples.var():9.3e}  {p:6.3f}")

# %% [markdown]
# The two middle columns are the variances of 2,048 samples each (a (16, 128) kernel), drawn by
# nbkeras and by Keras; they agree within sampling error (about 3% here). The p-values repeat
# within a family because every initializer of a family rescales the same underlying draws.
#
# ### What the right scale does
#
# A stack of ten `Dense(64, activation="relu")` layers on the digits (64 pixel features,
# standardised): with He initialization the signal keeps its scale from layer to layer; with
# Glorot's $2/(n_\text{in} + n_\text{out})$, which ignores the ReLU's halving, it shrinks by
# $\sqrt{1/2}$ per layer; with a fixed `RandomNormal(stddev=0.05)` (a variance of 0.0025 against
# He's 2/64 = 0.031) it collapses.

# %%
digits = load_digits()
x0 = digits.data.astype(np.float32)
x0 = (x0 - x0.mean(0)) / (x0.std(0) + 1e-6)
fig, ax = plt.subplots(figsize=(6, 3.5))
for name in ["he_normal", "glorot_uniform", "random_normal"]:
    x = ops.convert_to_tensor(x0)
    scales = [float(np.sqrt(np.mean(x0**2)))]
    for _ in range(10):
        x = layers.Dense(64, activation="relu", kernel_initializer=name)(x)
        scales.append(float(np.sqrt(np.mean(x.numpy() ** 2))))
    ax.semilogy(scales, "o-", label=name)
    print(f"{name:15s} root-mean-square after 10 layers: {scales[-1]:.2e}")
ax.set_xlabel("layer")
ax.set_ylabel("root mean square of the activations")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Seeds
#
# Random initializers follow Keras' seeding rules:
#
# - an integer seed gives the same values on every call, and two initializers with the same
#   seed give the same values, bit for bit;
# - `seed=None` draws a random integer seed *once*, when the initializer is made (from Python's
#   `random`, which `keras.utils.set_random_seed` seeds), so one unseeded instance also repeats
#   itself, while two instances differ;
# - a `keras.random.SeedGenerator` hands out a new seed on every call: fresh values, in the
#   same sequence for the same starting seed.

# %%
seeded = initializers.GlorotUniform(seed=42)
print("int seed repeats:", np.array_equal(seeded((3, 3)), seeded((3, 3))),
      "| same seed, same values:",
      seeded((3, 3)).numpy().tobytes() == initializers.GlorotUniform(seed=42)((3, 3)).numpy()
      .tobytes())
unseeded = initializers.GlorotUniform()
print("unseeded instance repeats:", np.array_equal(unseeded((3, 3)), unseeded((3, 3))),
      "| two unseeded instances differ:",
      not np.array_equal(unseeded((3, 3)), initializers.GlorotUniform()((3, 3))))
generator = initializers.GlorotUniform(seed=keras.random.SeedGenerator(42))
print("seed generator moves on:", not np.array_equal(generator((3, 3)), generator((3, 3))))
behaviour = reference["glorot_uniform"]
print("Keras (TensorFlow) does the same:",
      {k: behaviour[k] for k in ["int_seed_repeats", "unseeded_instance_repeats",
                                 "seed_generator_repeats"]})

# %% [markdown]
# So a layer with the default `kernel_initializer="glorot_uniform"` gets its own random seed,
# and `keras.utils.set_random_seed(s)` makes a whole script's weights repeat:

# %%
weights = []
for _ in range(2):
    keras.utils.set_random_seed(7)
    dense = layers.Dense(3)
    dense.build((None, 4))
    weights.append(dense.kernel.numpy())
print("same weights after set_random_seed(7) twice:", weights[0].tobytes() == weights[1].tobytes())

# %% [markdown]
# ### Constant, identity and orthogonal
#
# `Zeros`, `Ones` and `Constant(value)` are what their names say (biases start at zero; batch
# normalization's $\gamma$ at one). `Identity(gain)` is a scaled identity matrix, and
# `Orthogonal(gain)` a random matrix with orthonormal columns (or rows, for a wide matrix):
# the QR factorization of a Gaussian matrix, with the signs of $Q$'s columns chosen so that
# $R$ has a positive diagonal, which makes $Q$ uniformly distributed over the orthogonal
# matrices. An orthogonal kernel preserves the length of every input vector.

# %%
q = initializers.Orthogonal(seed=3)((6, 4)).numpy()
print("Q^T Q =\n", q.T @ q)
print(initializers.Identity(gain=2.0)((2, 3)).numpy())
for name in ["zeros", "ones", "constant", "identity"]:
    case = reference[name]
    values = getattr(initializers, case["initializer"])(**case["kwargs"])(tuple(case["shape"]))
    assert_matches_keras(values, case.array("values"), rtol=0.0)
print("zeros, ones, constant and identity equal Keras' values exactly")

# %% [markdown]
# ### Names
#
# `initializers.get` accepts an initializer, its class, a configuration dictionary, or a name:
# the class name, its snake-case form, and the aliases `"uniform"`, `"normal"`, `"zero"`,
# `"one"`. A misspelt name fails with the closest valid names:

# %%
for name in ["glorot_uniform", "GlorotUniform", "uniform", "normal", "he_normal"]:
    print(f"{name!r:18} -> {initializers.get(name)!r}")
try:
    initializers.get("he_norm")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Regularizers
#
# A regularizer maps a weight to a penalty that the training loop adds to the loss:
#
# | regularizer | penalty | gradient |
# |---|---|---|
# | `L1(l1=0.01)` | $\ell_1 \sum \lvert w\rvert$ | $\ell_1 \operatorname{sign}(w)$ |
# | `L2(l2=0.01)` | $\ell_2 \sum w^2$ (no factor 1/2) | $2 \ell_2 w$ |
# | `L1L2(l1=0.0, l2=0.0)` | both | both |
#
# `L2`'s gradient pulls each weight towards zero in proportion to its size ("weight decay");
# `L1`'s pulls every weight by the same amount, which sets small weights to exactly zero.
# (`L1` keeps its factor as a float32 tensor, as Keras does, so its config shows float32's 0.01,
# 0.009999999776482582.)

# %%
w = keras.Variable(np.array([[-1.5, 0.2], [0.0, 3.0]], np.float32))
for regularizer in [regularizers.L1(0.01), regularizers.L2(0.01),
                    regularizers.L1L2(l1=0.01, l2=0.01)]:
    with keras.GradientTape() as tape:
        penalty = regularizer(w)
    print(f"{regularizer!r:28} penalty {float(penalty):.4f}, gradient",
          tape.gradient(penalty, w).numpy().ravel())

# %% [markdown]
# ### Names, and what changed from Keras 2
#
# The string names follow Keras 3, which differs from Keras 2 in a way that silently changes a
# model (KERAS_NOTES 6.1): `"l1"` and `"l2"` are factors 0.01, but `"l1l2"` (the snake case of
# `L1L2`) is `L1L2()`, whose factors are both **0**: no penalty at all. `"l1_l2"`, which Keras 2
# read as `L1L2(0.01, 0.01)`, is an error in Keras 3. The function-style names `l1`, `l2`,
# `l1_l2` are the classes, so `regularizers.l1_l2(0.01, 0.01)` in code still works.

# %%
reference_regularizers = {c.id: c for c in load_reference("regularizers")}
table = reference_regularizers["regularizer/names"]
for name in ["l1", "l2", "l1l2"]:
    regularizer = regularizers.get(name)
    print(f"{name!r:8} -> {regularizer!r:28} penalty {float(regularizer(w)):.4f}")
    assert regularizer.get_config() == table["names"][name]["config"]
try:
    regularizers.get("l1_l2")
except ValueError as error:
    print("ValueError:", str(error))

# %% [markdown]
# ### How a layer adds up its penalties
#
# A layer's `losses` lists the penalties of its last call. A weight regularizer contributes its
# penalty of the weight as it is now. An `activity_regularizer` penalises the layer's *output*,
# and Keras divides that penalty by the batch size, so its strength does not depend on how many
# samples a batch holds. The example from the notes: `Dense(3)` with a kernel of ones on a batch
# of four inputs of ones has outputs of 2, and `L2(0.01)` on them gives
# $0.01 \cdot (2^2 \cdot 12) / 4 = 0.12$.

# %%
dense = layers.Dense(3, kernel_initializer="ones", activity_regularizer=regularizers.L2(0.01),
                     kernel_regularizer=regularizers.L1(0.5))
dense(np.ones((4, 2), np.float32))
activity, kernel = (float(v) for v in dense.losses)
print(f"activity penalty {activity:.4f} (0.12), kernel penalty {kernel:.4f} (0.5 x 6 ones)")
show_source(layers.Layer._activity_penalty)

# %% [markdown]
# A frozen layer's weights are not trained, so their penalties leave `losses` too. Every
# regularizer case recorded from Keras, penalty and gradient:

# %%
for case in reference_regularizers.values():
    if not case.has_array("penalty"):
        continue
    regularizer = regularizers.deserialize(case["config"])
    x = ops.convert_to_tensor(case.array("x"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        penalty = regularizer(x)
    assert_matches_keras(penalty, case.array("penalty"), rtol=1e-6)
    if case["has_grad"]:
        assert_matches_keras(tape.gradient(penalty, x), case.array("grad"), rtol=1e-5)
    print(f"{case.id:35s} {float(penalty):9.5f} = Keras {float(case.array('penalty')):9.5f}")

# %% [markdown]
# ## Constraints
#
# A constraint is applied to a weight *after* each optimizer step, `w <- constraint(w)`, and
# keeps it in a set: non-negative weights, or slices whose length is bounded. The norm
# constraints measure the Euclidean norm $n$ of each slice along `axis` (for a Dense kernel
# (inputs, units) and `axis=0`, the vector of each unit's incoming weights) and rescale the slice:
#
# | constraint | result |
# |---|---|
# | `MaxNorm(max_value=2, axis=0)` | $w \cdot \operatorname{clip}(n, 0, m) / (\epsilon + n)$ |
# | `NonNeg()` | $\max(w, 0)$ |
# | `UnitNorm(axis=0)` | $w / (\epsilon + n)$ |
# | `MinMaxNorm(min_value=a, max_value=b, rate=r, axis=0)` | $w \cdot d / (\epsilon + n)$ |
#
# with $d = r \operatorname{clip}(n, a, b) + (1 - r)\, n$ and $\epsilon = 10^{-7}$, which
# leaves a slice already at the limit a hair below it. A `rate` below 1 moves the norm only part
# of the way towards the interval at each step.
#
# `add_weight(..., constraint=c)` stores `c` on the variable, and the optimizer applies it
# after each update. One step of gradient descent on a kernel with the seed model's
# `MaxNorm(2, axis=0)`: the plain step would leave two columns longer than 2, and
# `SGD.apply_gradients` scales them back:

# %%
dense = layers.Dense(4, kernel_initializer=initializers.RandomNormal(stddev=1.0, seed=5),
                     kernel_constraint=constraints.MaxNorm(2, axis=0))
dense.build((None, 6))
x = digits.data[:16, :6].astype(np.float32) / 16.0
with keras.GradientTape() as tape:
    loss = ops.mean(ops.square(dense(x)))
gradient = tape.gradient(loss, dense.kernel)
plain_step = dense.kernel.numpy() - 0.1 * gradient.numpy()
print("column norms after a plain step:  ", np.linalg.norm(plain_step, axis=0))
keras.optimizers.SGD(learning_rate=0.1).apply_gradients([(gradient, dense.kernel)])
print("after SGD, which applies MaxNorm: ", np.linalg.norm(dense.kernel.numpy(), axis=0))

# %% [markdown]
# Every constraint case recorded from Keras, on a Dense-shaped kernel and on a convolution
# kernel (where `axis=[0, 1, 2]` bounds each filter):

# %%
for case in reference_regularizers.values():
    if not case.has_array("output"):
        continue
    constraint = constraints.deserialize(case["config"])
    out = constraint(ops.convert_to_tensor(case.array("x")))
    assert_matches_keras(out, case.array("output"), rtol=1e-6)
    print(f"{case.id:35s} matches Keras")

# %% [markdown]
# ## Summary
#
# - Variance scaling keeps signals (fan-in) or gradients (fan-out) at a steady scale; Glorot
#   averages the two, He doubles LeCun for ReLU. Uniform draws use $L = \sqrt{3v}$, truncated
#   normal draws divide by 0.8796.
# - Random initializers are seeded as in Keras: an int seed repeats, an unseeded instance
#   repeats its own seed, a SeedGenerator moves on; distributions match Keras', bits match
#   themselves.
# - Regularizers add $\ell_1 \sum |w|$ and $\ell_2 \sum w^2$; activity penalties are divided by
#   the batch size; in Keras 3, `"l1l2"` means no penalty and `"l1_l2"` is an error.
# - Constraints project a weight after each optimizer step; the norm constraints rescale
#   whole slices along `axis`.
