# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Losses
#
# Training minimises one number: the loss, a measure of how far the model's predictions are from
# the targets. Keras offers each loss in two forms. The **function** form,
# `keras.losses.binary_crossentropy(y_true, y_pred)`, returns one value per sample. The
# **class** form, `keras.losses.BinaryCrossentropy()`, wraps the function and adds what training
# needs: weighting each sample, reducing the values to one number, and a config from which the
# loss can be rebuilt. This chapter derives every Keras loss, shows how nbkeras computes it,
# and checks values and gradients against real Keras.

# %%
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np

import nbkeras as keras
from nbkeras import activations, losses, ops
from nbkeras.utils import assert_matches_keras, check_gradients, load_reference, show_source
from nbkeras.utils.keras_reference import check_loss_case, run_loss_case

np.set_printoptions(precision=7)
plt.rcParams["figure.dpi"] = 80
cases = {c.id: c for c in load_reference("losses")}

y_true = [[0.0, 1.0], [0.0, 0.0]]
y_pred = [[0.6, 0.4], [0.4, 0.6]]
print("function:", losses.binary_crossentropy(y_true, y_pred).numpy())
print("class:   ", losses.BinaryCrossentropy()(y_true, y_pred).numpy())

# %% [markdown]
# The function averaged the elementwise cross-entropy over the last axis, giving one value per
# sample; the class averaged those over the batch. Both are the values the Keras documentation
# prints, $[0.91629076, 0.7135582]$ and $0.8149245$.
#
# ## What the class adds: weights and reductions
#
# Every class form is a `LossFunctionWrapper` around its function, and everything besides the
# formula lives once, in the `Loss` base class: converting both inputs to the loss dtype
# (float32), calling the function, then weighting and reducing.

# %%
show_source(losses.Loss.__call__, losses.loss.reduce_weighted_values,
            losses.loss.reduce_values)

# %% [markdown]
# With per-sample values $\ell_i$ and weights $w_i$ ($1$ when none are given), the reductions
# are
#
# | `reduction` | result |
# |---|---|
# | `"sum_over_batch_size"` (default), `"mean"` | $\frac{1}{N}\sum_i w_i \ell_i$, $N$ values |
# | `"mean_with_sample_weight"` | $\sum_i w_i \ell_i \,/\, \sum_i w_i$ |
# | `"sum"` | $\sum_i w_i \ell_i$ |
# | `None` or `"none"` | the weighted values $w_i \ell_i$ |
#
# A zero weight removes a sample from the sum but not from $N$: with weights $[1, 0]$ the
# default reduction gives $0.9162908 / 2$, not $0.9162908$. That is Keras' rule (and
# `"mean_with_sample_weight"` exists for the other one). The documented values:

# %%
bce = losses.BinaryCrossentropy
for label, value, case_id in [
    ("default", bce()(y_true, y_pred), "docs/bce_default"),
    ("sample_weight=[1, 0]", bce()(y_true, y_pred, sample_weight=[1.0, 0.0]), "docs/bce_weighted"),
    ('reduction="sum"', bce(reduction="sum")(y_true, y_pred), "docs/bce_sum"),
    ("reduction=None", bce(reduction=None)(y_true, y_pred), "docs/bce_none"),
]:
    keras_value = cases[case_id].array("output")
    print(f"{label:>22}: {np.array2string(value.numpy())}   Keras: {np.array2string(keras_value)}")
    assert_matches_keras(value, cases[case_id].array("output"), rtol=1e-6)

# %% [markdown]
# The weights must fit the per-sample values: shape `(batch,)` for values of shape `(batch,)`,
# `(batch, time)` for a loss that keeps a time axis. A weight of shape `(batch, 1)` against
# `(batch,)` values is aligned (the one trailing axis of 1 that Keras squeezes or adds). A
# weight that would enlarge the values by broadcasting is an error in nbkeras; Keras 3 raises
# for `(batch,)` against `(batch, time)` too:

# %%
try:
    bce()(np.zeros((2, 3, 4)), np.full((2, 3, 4), 0.5), sample_weight=[1.0, 2.0])
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Binary cross-entropy
#
# A model that outputs the probability $p$ that a label is 1 assigns the observed label $y \in
# \{0, 1\}$ the likelihood $p^y (1 - p)^{1 - y}$. Its negative logarithm is the binary
# cross-entropy,
#
# $$
# \ell(y, p) = -\,y \log p - (1 - y) \log(1 - p),
# $$
#
# and minimising its mean over the data is maximum-likelihood estimation. It is also defined
# for soft labels $y \in [0, 1]$, which label smoothing produces.
#
# ### From probabilities: clipping
#
# At $p = 0$ with $y = 1$ the loss is infinite. Keras clips the probabilities to
# $[\varepsilon, 1 - \varepsilon]$ with $\varepsilon = 10^{-7}$ first, which caps the loss. The
# upper bound is computed in double precision and then rounded to float32:
# $1 - 10^{-7}$ becomes $1 - 2^{-23} \approx 0.99999988$, the float32 number just below 1. A
# confidently wrong prediction therefore costs $-\log 10^{-7} = 16.118095$ when it says 0 and
# $-\log 2^{-23} = 15.942385$ when it says 1, and a perfect one is not quite free:

# %%
show_source(ops.binary_crossentropy)

# %%
y = np.array([[1.0, 0.0, 0.0, 1.0]], np.float32)
p = np.array([[0.0, 1.0, 0.0, 1.0]], np.float32)
elementwise = ops.binary_crossentropy(y, p).numpy()[0]
for yi, pi, value in zip(y[0], p[0], elementwise, strict=True):
    print(f"y = {yi:.0f}, p = {pi:.0f}: {value:.7g}")
case = cases["binary_crossentropy/extremes"]
assert_matches_keras(losses.binary_crossentropy(case.array("y_true"), case.array("y_pred")),
                     case.array("output"), rtol=1e-6)

# %% [markdown]
# Keras 2 (tf.keras up to TF 2.15) added $\varepsilon$ inside the logarithm after clipping, and
# printed $15.424949$ and $15.333239$ for the first two rows; Keras 3 dropped the second
# $\varepsilon$. The gradient is zero wherever the clip is active, so a saturated prediction
# stops learning: one more reason to work with logits.
#
# The seeds' binary task: two samples, labels 0 and 1, predicted first at 0.4 and 0.6, then at
# 0.1 and 0.9. The closer prediction costs less. The seed's printed values are Keras 2's, with
# the extra $\varepsilon$ inside the logarithm: $-\log(0.6 + 10^{-7}) = 0.5108254$ where
# Keras 3 computes $-\log 0.6$ in float32:

# %%
bce_class = losses.BinaryCrossentropy()
for case_id, documented in [("docs/bce_1", 0.5108254), ("docs/bce_2", 0.10536041)]:
    case = cases[case_id]
    value = bce_class(case.array("y_true"), case.array("y_pred"))
    print(f"y_pred {case.array('y_pred').ravel()}: {float(value):.8g}  "
          f"Keras 3.15 {float(case.array('output')):.8g}  the seed (Keras 2) {documented}")
    assert_matches_keras(value, case.array("output"), rtol=1e-6)

# %% [markdown]
# ### From logits: no clipping needed
#
# With $p = \sigma(x)$, use $\log \sigma(x) = -\mathrm{softplus}(-x)$ and
# $\log(1 - \sigma(x)) = \log \sigma(-x) = -\mathrm{softplus}(x)$:
#
# $$
# \begin{aligned}
# \ell &= y\,\mathrm{softplus}(-x) + (1 - y)\,\mathrm{softplus}(x) \\
#      &= \mathrm{softplus}(x) - x y \\
#      &= \max(x, 0) - x y + \log\bigl(1 + e^{-|x|}\bigr),
# \end{aligned}
# $$
#
# using $\mathrm{softplus}(-x) = \mathrm{softplus}(x) - x$. No exponential can overflow and no
# logarithm sees 0, for any logit. The derivative is as simple as it gets:
# $\partial \ell / \partial x = \sigma(x) - y$ (and $\partial \ell / \partial y = -x$). The fused
# kernel pair:

# %%
show_source(keras.kernels.losses.sigmoid_cross_entropy,
            keras.kernels.losses.sigmoid_cross_entropy_grad)

# %% [markdown]
# The Keras documentation's example, and the same number by a hand-written loop in float64 that
# follows the definition (sigmoid, then the two logarithms):

# %%
labels = [0, 1, 0, 0]
logits = [-18.6, 0.51, 2.94, -12.8]
loss = losses.BinaryCrossentropy(from_logits=True)(labels, logits)

total = 0.0
for label, logit in zip(labels, logits, strict=True):
    p = 1 / (1 + math.exp(-logit))
    total += -(label * math.log(p) + (1 - label) * math.log(1 - p))
by_hand = total / len(labels)

print(f"BinaryCrossentropy(from_logits=True): {float(loss):.6f}")
print(f"hand-written loop (float64):          {by_hand:.6f}")
keras_value = float(cases["docs/bce_logits"].array("output"))
print(f"Keras:                                {keras_value:.6f}")
assert abs(float(loss) - by_hand) < 1e-6
assert_matches_keras(loss, cases["docs/bce_logits"].array("output"), rtol=1e-6)

# %% [markdown]
# ### TensorFlow's logits shortcut
#
# In Keras' TensorFlow backend the output of `sigmoid` (and of `softmax`) remembers the logits it
# came from, and the cross-entropies use them: they take the exact logits path even when called
# with `from_logits=False`. A model whose last layer is `Dense(1, activation="sigmoid")` gets the
# stable loss without asking. nbkeras does the same, because the shortcut is observable in a
# plain loss call. With logits $\pm 30$ the probabilities are 1 or $10^{-13}$ in float32:

# %%
logits = np.array([[30.0], [30.0], [-30.0]], np.float32)
labels = np.array([[0.0], [1.0], [1.0]], np.float32)
probabilities = activations.sigmoid(logits)
exact = losses.BinaryCrossentropy()(labels, probabilities)
clipped = losses.BinaryCrossentropy()(labels, probabilities.numpy())
print(f"on the sigmoid output:   {float(exact):.6f}")
print(f"on a copy of the values: {float(clipped):.6f}")
for case_id in ["shortcut/bce_sigmoid"]:
    assert_matches_keras(losses.BinaryCrossentropy()(labels, probabilities),
                         cases[case_id].array("output"), rtol=1e-6)

# %% [markdown]
# The first is the exact mean $(30 + 0 + 30)/3 = 20$; the second clips and saturates at
# $(15.94 + 0 + 16.12)/3$. The JAX, PyTorch and NumPy backends of Keras cannot attach anything
# to an array and always give the second number, so the choice of backend changes what
# `model.evaluate` reports for such a model. Passing `from_logits=True` on a sigmoid output is a
# mistake that TensorFlow catches: it warns and uses the remembered logits, and so does nbkeras:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    value = losses.binary_crossentropy(labels, probabilities, from_logits=True)
print(value.numpy(), "|", caught[0].category.__name__ + ":", str(caught[0].message)[:60], "...")

# %% [markdown]
# ### Label smoothing
#
# `label_smoothing` $s$ pulls each label towards $\tfrac12$: $y \leftarrow y(1 - s) +
# \tfrac{s}{2}$. The loss then stops rewarding ever more confident predictions: for $y = 1$ its
# minimum moves from $p = 1$ to $p = 1 - s/2$.
#
# ## Focal loss
#
# When most examples are easy (a detector sees far more background than objects), their small
# losses add up and drown out the hard ones. Lin et al. (2017) scale the cross-entropy by
# $(1 - p_t)^\gamma$, where $p_t = y p + (1 - y)(1 - p)$ is the probability given to the true
# class:
#
# $$
# \ell_\text{focal} = (1 - p_t)^\gamma \, \ell_\text{BCE}, \qquad
# \ell_\text{BCE} = -\log p_t \text{ for hard labels.}
# $$
#
# A well-classified example ($p_t \to 1$) contributes almost nothing; $\gamma = 0$ is the plain
# cross-entropy. With `apply_class_balancing=True` each term is also weighted by $\alpha$ for
# $y = 1$ and $1 - \alpha$ for $y = 0$. With `from_logits=True`, Keras applies `sigmoid` first,
# and the shortcut above makes the cross-entropy factor exact. The documented example:

# %%
show_source(losses.binary_focal_crossentropy)

# %%
focal = losses.BinaryFocalCrossentropy(gamma=2, from_logits=True)
value = focal([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])
keras_value = cases["docs/focal_logits"].array("output")
print(f"nbkeras: {float(value):.8g}")
print(f"Keras:   {float(keras_value):.8g}")
print(f"float32 spacings apart: {(value.numpy() - keras_value) / np.spacing(keras_value):+.0f}")
assert_matches_keras(value, keras_value, rtol=1e-6)

# %% [markdown]
# Keras documents $0.6912122$ and computes exactly that; nbkeras lands two float32 spacings
# lower, a relative difference of $2 \cdot 10^{-7}$. The value passes through `sigmoid`, a
# logarithm and a power, each evaluated by TensorFlow's Eigen polynomials on one side and the C
# library on the other: the last-digit effect the [preface](00_preface) describes.
#
# The loss as a function of $p_t$ for several $\gamma$:

# %%
p_t = np.linspace(0.01, 1.0, 400).astype(np.float32)
fig, ax = plt.subplots(figsize=(6, 3.5))
for gamma in [0.0, 0.5, 1.0, 2.0, 5.0]:
    values = losses.binary_focal_crossentropy(np.ones((400, 1), np.float32), p_t[:, None],
                                              gamma=gamma)
    _ = ax.plot(p_t, values.numpy(), label=f"gamma = {gamma:g}")
ax.set_xlabel("probability of the true class $p_t$")
ax.set_ylabel("loss")
ax.set_ylim(0, 5)
ax.legend()
ax.set_title("focal loss: well-classified examples count less as gamma grows")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Categorical cross-entropy
#
# For $C$ classes with predicted probabilities $p_1, \dots, p_C$ and a one-hot (or soft) target
# $y$, the negative log-likelihood is
#
# $$
# \ell(y, p) = -\sum_j y_j \log p_j .
# $$
#
# From probabilities, Keras first renormalises them to sum to 1 along the class axis, then clips
# to $[\varepsilon, 1 - \varepsilon]$. From logits $x$, $\log p_j = x_j - \log\sum_k e^{x_k}$,
# and the loss is $\sum_j y_j \bigl(\log \sum_k e^{x_k} - x_j\bigr)$. Its derivative is
#
# $$
# \frac{\partial \ell}{\partial x_i} = \Bigl(\sum_j y_j\Bigr)\,\mathrm{softmax}(x)_i - y_i,
# $$
#
# which is $\mathrm{softmax}(x) - y$ for labels that sum to 1. The fused kernels keep the row
# maximum $m$ and $\log \sum_k e^{x_k - m}$ from the forward pass, so the backward needs no
# second pass over the exponentials:

# %%
show_source(keras.kernels.losses.softmax_cross_entropy_3d,
            keras.kernels.losses.softmax_cross_entropy_grad_3d)

# %% [markdown]
# TensorFlow's own fused kernel (`softmax_cross_entropy_with_logits`) returns
# $\mathrm{softmax}(x) - y$ as the gradient even when the labels do not sum to 1; with op
# determinism enabled, as when the reference data were recorded, TensorFlow computes
# $-\sum_j y_j \log\mathrm{softmax}(x)_j$ with ordinary ops instead, whose gradient is the exact
# one above. The two agree for every proper label distribution (one-hot or smoothed); nbkeras
# returns the exact derivative, and the reference case `soft_labels_logits` (random labels that
# do not sum to 1) pins it down. The documented examples:

# %%
cce = losses.CategoricalCrossentropy()
for case_id, documented in [("docs/cce_1", 0.39925388), ("docs/cce_2", 0.105360545)]:
    case = cases[case_id]
    value = cce(case.array("y_true"), case.array("y_pred"))
    print(f"{np.array2string(case.array('y_pred'), separator=', ')}: {float(value):.9g} "
          f"(docs {documented})")
    assert_matches_keras(value, case.array("output"), rtol=1e-6)
value = losses.categorical_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
print("function form:", np.array2string(value.numpy(), precision=8),
      "(docs [0.05129331 2.3025851])")

# %% [markdown]
# ### Sparse labels
#
# `SparseCategoricalCrossentropy` takes the class index instead of a one-hot row: $\ell = -\log
# p_y$. From probabilities, TensorFlow clips first and uses $\log p$ as logits, so the
# renormalisation comes after the clipping: $\ell = -\log \mathrm{clip}(p_y) + \log \sum_j
# \mathrm{clip}(p_j)$. A zero probability elsewhere in the row, clipped to $10^{-7}$, therefore
# shifts the sparse loss in the seventh digit away from the categorical one:

# %%
p = np.array([[0.05, 0.95, 0.0]], np.float32)
print(f"categorical: {losses.categorical_crossentropy([[0, 1, 0]], p).numpy()[0]:.8g}")
print(f"sparse:      {losses.sparse_categorical_crossentropy([1], p).numpy()[0]:.8g}")
case = cases["docs/scce_function"]
value = losses.sparse_categorical_crossentropy(case.array("y_true"), case.array("y_pred"))
print("labels [1, 2, 3] on four classes:", np.array2string(value.numpy(), precision=8))
print("                          the seed: [0.10536067 2.9957323  1.3862944 ]")
assert_matches_keras(value, case.array("output"), rtol=1e-6)

# %% [markdown]
# The first value differs from the printed one in the eighth digit. The loss is $\log \sum_j
# e^{x_j - m} - (x_y - m)$ with $x = \log\mathrm{clip}(p)$, and the sum, about $1.11$, is
# rounded once in nbkeras (its kernels accumulate in float64) but after every addition in
# TensorFlow; one float32 spacing of that sum is $1.2 \cdot 10^{-7}$, and half of it is the
# difference seen here.
#
# `ignore_class` drops the entries with that label: their loss is set to 0 and marked invalid
# by a mask that travels with the per-sample values, and the class form averages over the valid
# entries only (for the mean reductions each valid entry weighs $N/\text{valid}$):

# %%
show_source(losses.sparse_categorical_crossentropy)

# %%
labels = np.array([0, -1, 4, -1], np.int32)
p = cases["SparseCategoricalCrossentropy/ignore_class"].array("y_pred")
per_entry = losses.sparse_categorical_crossentropy(labels, p, ignore_class=-1)
print("per entry:", per_entry.numpy())
class_form = losses.SparseCategoricalCrossentropy(ignore_class=-1)(labels, p)
print(f"class form: {float(class_form):.7f} = mean of the two valid entries: "
      f"{float(np.mean(per_entry.numpy()[[0, 2]])):.7f}")

# %% [markdown]
# `CategoricalFocalCrossentropy` applies the focal factor per class,
# $-\sum_j \alpha (1 - p_j)^\gamma y_j \log p_j$ ($\alpha$ may be one number per class), to the
# renormalised, clipped probabilities; `CategoricalGeneralizedCrossEntropy` takes integer labels
# and computes $(1 - p_y^q)/q$, which tends to the cross-entropy as $q \to 0$ and is the mean
# absolute error at $q = 1$, a compromise that tolerates some wrong labels.
#
# ## Regression losses
#
# With the error $e = \hat y - y$, averaged over the last axis:
#
# | loss | per element | derivative in $\hat y$ |
# |---|---|---|
# | `mean_squared_error` | $e^2$ | $2e$ |
# | `mean_absolute_error` | $\lvert e \rvert$ | $\mathrm{sign}(e)$ |
# | `mean_absolute_percentage_error` | $100\,\lvert e \rvert / s$ | $100\,\mathrm{sign}(e) / s$ |
# | `mean_squared_logarithmic_error` | $d^2$ | $2 d / (1 + \hat y)$ |
# | `huber` | $e^2/2$ or $\delta\lvert e\rvert - \delta^2/2$ | $e$ or $\delta\,\mathrm{sign}(e)$ |
# | `log_cosh` | $\log\cosh e$ | $\tanh e$ |
#
# with $s = \max(\lvert y \rvert, \varepsilon)$, $d = \log(1 + \max(\hat y, \varepsilon)) -
# \log(1 + \max(y, \varepsilon))$ (the derivative holds for $\hat y > \varepsilon$), and Huber's
# first branch for $\lvert e \rvert \le \delta$. Huber is quadratic near zero and linear beyond
# $\delta$, with matching value and slope at $\lvert e \rvert = \delta$, so large errors (outliers)
# pull with constant force. `log_cosh` behaves like $e^2/2$ near zero and like
# $\lvert e \rvert - \log 2$ far away; since $\cosh e$ overflows float32 beyond $e \approx 89$,
# Keras computes it as
#
# $$
# \log \cosh e = \log\frac{e^{e}(1 + e^{-2e})}{2} = e + \mathrm{softplus}(-2e) - \log 2 .
# $$
#
# `mean_absolute_percentage_error` divides by $\max(\lvert y \rvert, 10^{-7})$: a target of 0
# gives errors of order $10^9$. The documented values:

# %%
for case_id, documented in [("docs/mae", "1.0"), ("docs/mse", "0.5"), ("docs/huber", "0.18")]:
    case = cases[case_id]
    loss = getattr(losses, case["name"])()
    value = loss(case.array("y_true"), case.array("y_pred"))
    print(f"{case['name']:>17}: {float(value):.7g} (docs {documented})")
    assert_matches_keras(value, case.array("output"), rtol=1e-6)
y_true, y_pred = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
for name, case_id in [("mean_squared_error", "docs/mse_function"),
                      ("mean_absolute_error", "docs/mae_function")]:
    value = getattr(losses, name)(y_true, y_pred)
    case = cases[case_id]
    print(f"{name:>20}: {np.array2string(value.numpy(), precision=8)}   "
          f"Keras: {np.array2string(case.array('output'), precision=8)}")
    assert_matches_keras(value, case.array("output"), rtol=1e-6)

# %% [markdown]
# `mean_absolute_error` prints $0.59999996$ rather than $0.6$: the float32 sum
# $0.1 + 0.8 + 0.9$ divided by 3 rounds there, in Keras and in nbkeras alike.
#
# A seed also calls the loss on its own, on a batch of two rows of ones against zeros, as a
# function (one value per row) and as a class with each reduction. Its
# `MeanSquaredError(resuction=...)` is a typo that Keras 3 rejects, as nbkeras does:

# %%
seed_mse = next(c for c in load_reference("seeds") if c.id == "mse/standalone")
ones, zeros = ops.ones((2, 2)), ops.zeros((2, 2))
standalone = {"function": losses.mean_squared_error(ones, zeros),
              "default": losses.MeanSquaredError()(ones, zeros)}
for reduction in ["sum_over_batch_size", "sum", "none"]:
    standalone[reduction] = losses.MeanSquaredError(reduction=reduction)(ones, zeros)
for label, value in standalone.items():
    print(f"{label:>19}: {value.numpy()}   Keras 3.15: {seed_mse.array(label)}")
    assert_matches_keras(value, seed_mse.array(label), rtol=0)
try:
    losses.MeanSquaredError(resuction="sum_over_batch_size")
except TypeError as error:
    print("TypeError:", error)
    assert str(error) == seed_mse["misspelt"]["message"]

# %% [markdown]
# ## Distributions, margins and overlaps
#
# - `kl_divergence` $= \sum_j y_j \log(y_j / p_j)$ with both clipped to $[\varepsilon, 1]$:
#   the cross-entropy minus the entropy of $y$, zero when $p = y$. It is a sum over the last
#   axis, not a mean.
# - `poisson` $= \hat y - y \log(\hat y + \varepsilon)$: the negative log-likelihood of counts
#   $y$ under a Poisson rate $\hat y$, up to $\log y!$, which does not depend on the model.
# - `cosine_similarity` $= -\sum_j \hat u_j \hat v_j$ for the unit vectors along `axis`: $-1$
#   for vectors pointing the same way. The scale is capped at $1/\varepsilon$, so a zero vector
#   gives 0 instead of NaN.
# - `hinge` $= \max(1 - y \hat y, 0)$ and `squared_hinge` its square, for labels $\pm 1$ (labels
#   in $\{0, 1\}$ are converted, but only when every label in the batch is 0 or 1);
#   `categorical_hinge` $= \max(\max_{j} (1 - y_j)\hat y_j - \sum_j y_j \hat y_j + 1, 0)$ asks
#   the best wrong class to score at least 1 below the right one.
# - `dice` $= 1 - 2\lvert y \hat y \rvert / (\lvert y \rvert + \lvert \hat y \rvert +
#   \varepsilon)$ and `tversky` $= 1 - TP/(TP + \alpha FP + \beta FN + \varepsilon)$, with soft
#   counts summed over `axis`, measure the overlap of predicted and true masks in segmentation.
#
# ## Each loss against the prediction
#
# For a single output with target $y = 0$ or $y = 1$, each loss as a function of the prediction
# $q$. The losses over classes see two classes, the prediction $[1 - q, q]$ (or the logits
# $[0, q]$) and the target class $y$; the percentage error is shown for $y = 1$ only, since for
# $y = 0$ it divides by $10^{-7}$:

# %%
def one_output(name, **options):
    function = getattr(losses, name)
    return lambda y, q: function(np.full((q.size, 1), y, np.float32), q[:, None], **options)


def two_classes(name, logits=False, **options):
    function = getattr(losses, name)

    def curve(y, q):
        prediction = np.stack([np.zeros_like(q) if logits else 1 - q, q], axis=1)
        if name.startswith(("sparse", "categorical_generalized")):
            return function(np.full(q.size, y), prediction, **options)
        return function(np.tile(np.eye(2, dtype=np.float32)[y], (q.size, 1)), prediction,
                        **options)

    return curve


probability = np.linspace(0.001, 0.999, 500).astype(np.float32)
wide = np.linspace(-3, 3, 500).astype(np.float32)
panels = [
    ("binary_crossentropy", one_output("binary_crossentropy"), probability),
    ("binary_crossentropy, from_logits", one_output("binary_crossentropy", from_logits=True),
     wide),
    ("binary_crossentropy, label_smoothing=0.2",
     one_output("binary_crossentropy", label_smoothing=0.2), probability),
    ("binary_focal_crossentropy", one_output("binary_focal_crossentropy"), probability),
    ("categorical_crossentropy", two_classes("categorical_crossentropy"), probability),
    ("categorical_crossentropy, from_logits",
     two_classes("categorical_crossentropy", logits=True, from_logits=True), wide),
    ("sparse_categorical_crossentropy", two_classes("sparse_categorical_crossentropy"),
     probability),
    ("categorical_focal_crossentropy", two_classes("categorical_focal_crossentropy"),
     probability),
    ("categorical_generalized_cross_entropy",
     two_classes("categorical_generalized_cross_entropy", q=0.5), probability),
    ("kl_divergence", two_classes("kl_divergence"), probability),
    ("mean_squared_error", one_output("mean_squared_error"), wide),
    ("mean_absolute_error", one_output("mean_absolute_error"), wide),
    ("mean_absolute_percentage_error", one_output("mean_absolute_percentage_error"), wide),
    ("mean_squared_logarithmic_error", one_output("mean_squared_logarithmic_error"), wide),
    ("huber", one_output("huber"), wide),
    ("log_cosh", one_output("log_cosh"), wide),
    ("poisson", one_output("poisson"), probability * 3),
    ("hinge", one_output("hinge"), wide),
    ("squared_hinge", one_output("squared_hinge"), wide),
    ("categorical_hinge", two_classes("categorical_hinge", logits=True), wide),
    ("cosine_similarity", two_classes("cosine_similarity"), probability),
    ("dice", lambda y, q: losses.dice(np.full((q.size, 1), y, np.float32), q[:, None], axis=1),
     probability),
    ("tversky, alpha=0.3, beta=0.7",
     lambda y, q: losses.tversky(np.full((q.size, 1), y, np.float32), q[:, None], alpha=0.3,
                                 beta=0.7, axis=1), probability),
]
fig, axes = plt.subplots(6, 4, figsize=(12, 14))
for ax, (title, curve, prediction) in zip(axes.flat, panels, strict=False):
    labels = [1] if title.startswith("mean_absolute_percentage") else [0, 1]
    for label in labels:
        _ = ax.plot(prediction, curve(label, prediction).numpy(), color=f"C{label}",
                    label=f"y = {label}")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("logit" if prediction is wide and "logits" in title else "prediction",
                  fontsize=8)
    ax.tick_params(labelsize=7)
axes.flat[0].legend(fontsize=8)
for ax in axes.flat[len(panels):]:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# The hinge losses treat $y = 0$ as the label $-1$; the logits panels show the cross-entropy
# growing linearly for confidently wrong logits instead of saturating at 16.1; the smoothed
# labels move the minimum of the cross-entropy away from 0 and 1.
#
# ## Custom losses
#
# A custom loss subclasses `keras.losses.Loss` and implements `call(y_true, y_pred)`, returning
# one value per sample; the base class does the rest. Here is a binary focal loss written as a
# Keras user would write it, as a class and as a closure, the form `compile` accepts for a loss
# with parameters. The same code, with `import keras`, was run on TensorFlow to make the
# reference cases `seed/...`:

# %%
class FocalLoss(keras.losses.Loss):
    """Binary focal loss as a Loss subclass (Lin et al. 2017)."""

    def __init__(self, gamma=2.0, alpha=0.25, **kwargs):
        super().__init__(**kwargs)
        self.gamma = gamma
        self.alpha = alpha

    def call(self, y_true, y_pred):
        eps = keras.backend.epsilon()
        y_pred = keras.ops.clip(y_pred, eps, 1.0 - eps)
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
        alpha_t = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
        return keras.ops.mean(-alpha_t * (1 - p_t) ** self.gamma * keras.ops.log(p_t), axis=-1)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "alpha": self.alpha}


def focal_loss(gamma=2.0, alpha=0.25):
    """The same loss as a closure: a function of (y_true, y_pred) that remembers gamma, alpha."""

    def loss(y_true, y_pred):
        eps = keras.backend.epsilon()
        y_pred = keras.ops.clip(y_pred, eps, 1.0 - eps)
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
        alpha_t = y_true * alpha + (1 - y_true) * (1 - alpha)
        return keras.ops.mean(-alpha_t * (1 - p_t) ** gamma * keras.ops.log(p_t), axis=-1)

    return loss


def run_seed(case):
    y_true = ops.convert_to_tensor(case.array("y_true"))
    y_pred = ops.convert_to_tensor(case.array("y_pred"))
    weight = case.array("sample_weight") if case["sample_weight"] else None
    with keras.GradientTape() as tape:
        tape.watch(y_pred)
        if case["name"] == "FocalLoss":
            value = FocalLoss(**case["kwargs"])(y_true, y_pred, sample_weight=weight)
        else:
            value = focal_loss(**case["kwargs"])(y_true, y_pred)
    grad = tape.gradient(value, y_pred, output_gradients=case.array("cotangent"))
    assert_matches_keras(value, case.array("output"), 1e-5, case.id)
    assert_matches_keras(grad, case.array("grad/y_pred"), 1e-5, case.id)
    return value


for case_id in ["seed/FocalLoss", "seed/FocalLoss_weighted", "seed/focal_loss"]:
    value = run_seed(cases[case_id])
    print(f"{case_id:>24}: {np.array2string(value.numpy(), precision=6)}  (agrees with Keras)")

# %% [markdown]
# Both forms agree with TensorFlow in value and gradient. `model.compile`
# ([chapter 12](12_training.ipynb)) will need two things from them, and both are here already. A
# plain function becomes a `Loss` by wrapping, which is what `compile` does with it; a `Loss`
# object can be turned into a config and rebuilt, with `custom_objects` naming the classes Keras
# does not know:

# %%
wrapped = losses.LossFunctionWrapper(focal_loss(gamma=2.0), reduction="sum_over_batch_size")
case = cases["seed/FocalLoss"]
print(f"wrapped closure: {float(wrapped(case.array('y_true'), case.array('y_pred'))):.7f}")
print(f"FocalLoss():     {float(FocalLoss()(case.array('y_true'), case.array('y_pred'))):.7f}")

config = losses.serialize(FocalLoss(gamma=3.0, reduction="sum"))
print(config)
rebuilt = losses.deserialize(config, custom_objects={"FocalLoss": FocalLoss})
print(type(rebuilt).__name__, rebuilt.gamma, rebuilt.reduction)

# %% [markdown]
# Built-in losses serialize the same way and need no `custom_objects`; a function serializes to
# its name:

# %%
print(losses.serialize(losses.BinaryCrossentropy(from_logits=True)))
print(losses.serialize(losses.binary_crossentropy))

# %% [markdown]
# ## Losses by name
#
# `compile(loss="mse")` resolves names with `losses.get`: a function name gives the function, a
# class name an instance with default options, and the short names `mse`, `mae`, `mape`,
# `msle` (and upper-case), `kld` and `bce` are accepted. A misspelt name lists the closest ones:

# %%
print(losses.get("mse").__name__, type(losses.get("Huber")).__name__, losses.get("BCE").__name__)
try:
    losses.get("binary_crosentropy")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Every loss against Keras
#
# The reference cases cover every loss in both forms, each option (`from_logits`,
# `label_smoothing`, `axis`, `gamma`, `alpha`, class balancing, `ignore_class`, `delta`, ...),
# every reduction with several shapes of sample weights, the logits shortcut, float64 inputs,
# and the extremes: probabilities exactly 0 and 1, logits of $\pm 100$ and $\pm 10^4$. Each
# records TensorFlow's gradient with respect to the prediction (and the target, where it is a
# float) against a random cotangent. One function calls what a case called; another runs it
# under a tape and asserts the value's dtype and values, the gradients (or their absence) and the
# loss object's config. The test suite calls it for every case, and so does this chapter:

# %%
show_source(run_loss_case, check_loss_case)

# %%
checked = [c for c in cases.values() if c["kind"] != "seed"]
for case in checked:
    check_loss_case(case, rtol=1e-5)
names = {c["name"] for c in checked if c["kind"] == "class"}
print(f"{len(checked)} Keras reference cases over {len(names)} loss classes, their functions "
      "and the cross-entropy ops agree to 1e-5")

# %% [markdown]
# Finite differences check every loss function's derivative independently of Keras, here on
# interior points (away from the clipping bounds and the kinks of the absolute value, Huber and
# the hinges), in float64:

# %%
rng = np.random.default_rng(5)
p = rng.uniform(0.05, 0.95, (4, 3))
y = rng.integers(0, 2, (4, 3)).astype(float)
rows = rng.uniform(0.1, 1, (4, 5))
rows /= rows.sum(axis=1, keepdims=True)
one_hot = np.eye(5)[rng.integers(0, 5, 4)]
x = rng.normal(0, 2, (4, 3))
checks = {
    "binary_crossentropy": (losses.binary_crossentropy, [y, p]),
    "binary_crossentropy(from_logits)": (
        lambda t, q: losses.binary_crossentropy(t, q, from_logits=True), [y, x]),
    "binary_focal_crossentropy": (losses.binary_focal_crossentropy, [y, p]),
    "categorical_crossentropy": (losses.categorical_crossentropy, [one_hot, rows]),
    "categorical_crossentropy(from_logits)": (
        lambda t, q: losses.categorical_crossentropy(t, q, from_logits=True),
        [rows, rng.normal(0, 2, (4, 5))]),
    "categorical_focal_crossentropy": (losses.categorical_focal_crossentropy, [one_hot, rows]),
    "sparse_categorical_crossentropy": (
        lambda q: losses.sparse_categorical_crossentropy([0, 4, 2, 1], q), [rows]),
    "mean_squared_error": (losses.mean_squared_error, [x, p]),
    "huber": (losses.huber, [p, p + 0.3 * np.sign(x)]),
    "log_cosh": (losses.log_cosh, [x, p]),
    "kl_divergence": (losses.kl_divergence, [rows, rows[::-1]]),
    "poisson": (losses.poisson, [y, p]),
    "cosine_similarity": (losses.cosine_similarity, [x, p]),
}
worst = max(check_gradients(f, inputs) for f, inputs in checks.values())
print(f"{len(checks)} checks, largest disagreement {'below 1e-8' if worst < 1e-8 else worst}")

# %% [markdown]
# The test suite runs such a check for every loss function, and also checks that the
# cross-entropies give finite values and gradients at the extremes for every reduction.
#
# ## Summary
#
# - A loss function returns one value per sample; the `Loss` class converts to float32, weights
#   by `sample_weight` (zero weights still count in the default mean), and reduces.
# - From probabilities, the cross-entropies clip to $[10^{-7}, 1 - 2^{-23}]$, which caps the
#   loss at 16.118 and stops the gradient; from logits, the fused kernels compute
#   $\max(x, 0) - xy + \log(1 + e^{-|x|})$ and $\log\sum e^{x} - \sum y x$ exactly, with
#   derivatives $\sigma(x) - y$ and $\mathrm{softmax}(x)\sum y - y$.
# - As in Keras' TensorFlow backend, sigmoid and softmax outputs remember their logits, and the
#   cross-entropies use them.
# - Custom losses subclass `Loss` (or are plain functions, wrapped); losses serialize to configs
#   and resolve by name, with the closest names suggested for a typo.
