# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Layers
#
# A layer is a function with state. `Dense(32)` computes $y = \mathrm{activation}(xW + b)$, and
# $W$ and $b$ are its state: variables that belong to it, that it creates itself, and that an
# optimizer will change. This chapter builds the `Layer` base class and the layers that need no
# convolution: `Dense`, `Activation`, `Dropout`, `Reshape`, `Flatten`, `Embedding`, the merge
# layers `Concatenate` and `Add`, and the two normalizations, `BatchNormalization` and
# `LayerNormalization`. The next chapter covers the functions that fill, penalise and constrain
# the weights, and the one after it the convolutions and pooling layers.
#
# ## What a layer is made of
#
# Every Keras layer writes three methods:
#
# - `build(input_shape)` creates the weights with `add_weight`, once the input's shape is
#   known (a Dense kernel needs the input's last dimension);
# - `call(inputs, training=None)` computes the output with `keras.ops`;
# - `compute_output_shape(input_shape)` says what shape `call` would return, without computing
#   anything.
#
# Here is a user-written layer, exactly as the Keras guide writes one:

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import nbkeras as keras
from nbkeras import constraints, layers, ops, regularizers
from nbkeras.utils import check_gradients, load_reference, show_source
from nbkeras.utils.keras_reference import assert_matches_keras, check_layer_case

np.set_printoptions(precision=4, suppress=True)
keras.utils.set_random_seed(0)  # unseeded initializers draw their seeds from here


class Linear(layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)


linear = Linear(3)
print(linear, "weights:", linear.weights)
y = linear(np.ones((2, 5), np.float32))
print(linear, "output shape:", y.shape)
print([(w.path, w.shape) for w in linear.weights], "parameters:", linear.count_params())

# %% [markdown]
# The layer had no weights until its first call: `__call__` saw inputs of shape (2, 5), called
# `build((2, 5))`, and only then `call`. Each weight's `path` is the layer's name followed by the
# weight's name, and the default name is the class name in snake case, numbered from the second
# one on, as Keras numbers them:

# %%
print([layers.Dense(2).name for _ in range(3)], layers.BatchNormalization().name,
      layers.Dense(2, name="head").name)

# %% [markdown]
# `__call__` does the bookkeeping around `build` and `call`: it converts NumPy inputs to tensors
# (casting float inputs to the layer's float32), checks them against the layer's `input_spec`,
# builds on first use, decides the `training` flag, runs `call`, and records the penalties of an
# `activity_regularizer`. A built layer called on one plain tensor, the case of every training
# step, takes a direct path (`_eager_call`) that skips the steps with nothing to do there and
# checks the input once per shape. Here they are, from the package:

# %%
show_source(layers.Layer.__call__, layers.Layer._eager_call, layers.Layer._call_in_context)

# %% [markdown]
# ### Weights: get, set, freeze
#
# `get_weights` returns copies of the weights as NumPy arrays, in a fixed order (for each layer,
# the trainable weights in creation order, then the non-trainable ones); `set_weights` assigns a
# list in that order, and refuses a wrong shape with an error that names the weight and both
# shapes. This order is Keras' own, which is how every test in this chapter works: a layer is
# built in Keras, its weights are saved, and the nbkeras layer loads them with `set_weights`.

# %%
dense = layers.Dense(4)
dense.build((None, 3))
print([w.shape for w in dense.get_weights()])
try:
    dense.set_weights([np.zeros((4, 4)), np.zeros(4)])
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# Setting `trainable = False` freezes a layer: its weights leave `trainable_weights` (so an
# optimizer does not touch them) and their own `trainable` flags follow, so a `GradientTape` no
# longer watches them.

# %%
dense.trainable = False
print(len(dense.trainable_weights), len(dense.non_trainable_weights), dense.kernel.trainable)
dense.trainable = True

# %% [markdown]
# ### Input checks
#
# A layer states what it accepts in an `InputSpec`: `Dense` asks for rank 2 or more, and once
# built, for the last dimension it was built with. A wrong rank or a wrong channel count is
# caught before any computation, and the message names the layer, what it expected and what it
# received:

# %%
for bad in [np.zeros(3, np.float32), np.zeros((2, 5), np.float32)]:
    try:
        dense(bad)
    except ValueError as error:
        print("ValueError:", error)

# %% [markdown]
# ## Symbolic calls: shapes without data
#
# `keras.Input(shape=(16,))` is a `KerasTensor`: a shape and a dtype with no values, whose first
# dimension, the batch size, is unknown (None). Calling a layer on it runs no kernel. The layer
# builds its weights from the shape, computes the output shape with `compute_output_shape`, and
# returns another `KerasTensor`. The seed examples of this chapter are two such calls:

# %%
inputs = keras.Input(shape=(16,))
outputs = layers.Dense(32)(inputs)
print(outputs.shape)
print(layers.Reshape((3, 4))(keras.Input(shape=(12,))).shape)

# %% [markdown]
# Each symbolic call is also recorded. The output carries a `_keras_history`: the layer that made
# it, which of that layer's calls (a `Node`), and which of its outputs. A node knows its input
# tensors, so walking back from an output visits every layer between it and the `Input`s. The
# functional `Model` ([chapter 11](11_models.ipynb)) is that walk.

# %%
hidden = layers.Dense(8, name="hidden")(inputs)
head = layers.Dense(3, name="head")(hidden)
node = head._keras_history.operation._inbound_nodes[head._keras_history.node_index]
chain = []
while node is not None:
    chain.append(node.operation.name)
    parents = node.parent_nodes
    node = parents[0] if parents else None
print(" <- ".join(chain))

# %% [markdown]
# ## Dense
#
# `Dense(units)` holds a kernel $W$ of shape (input_dim, units) and a bias $b$ of shape (units,),
# and computes $Y = XW + b$ (then the activation). For an input of rank 3, (batch, steps,
# input_dim), the matrix product contracts the last axis only: every step meets the same kernel,
# and $Y$ has shape (batch, steps, units).
#
# ### The backward pass
#
# Write the forward pass entry by entry, $Y_{ij} = \sum_k X_{ik} W_{kj} + b_j$, and let $G =
# \partial L / \partial Y$ be the upstream cotangent. Each $X_{ik}$ reaches every $Y_{ij}$ of its
# row, with derivative $W_{kj}$; each $W_{kj}$ reaches every $Y_{ij}$ of column $j$, with
# derivative $X_{ik}$; each $b_j$ reaches column $j$ with derivative 1. By the chain rule,
#
# $$
# \begin{gathered}
# \frac{\partial L}{\partial X_{ik}} = \sum_j G_{ij} W_{kj} = (G W^{\top})_{ik}, \qquad
# \frac{\partial L}{\partial W_{kj}} = \sum_i X_{ik} G_{ij} = (X^{\top} G)_{kj}, \\
# \frac{\partial L}{\partial b_j} = \sum_i G_{ij}.
# \end{gathered}
# $$
#
# With more leading axes, the rows $i$ run over all of them: $\bar W$ and $\bar b$ sum over the
# batch *and* the steps, because the same weights served every one. Each formula is one BLAS
# matrix product (or a column sum), and they are exactly the backward rules of the two ops Dense
# is made of, `matmul` and `add`, and the bias's sum over rows is the broadcasting rule of
# chapter 1. Dense records the two as one step, `matmul_add`: its forward is matmul's then add's,
# and its backward is matmul's two products plus the cotangent itself for the bias, which the
# tape sums over the rows as it does for add's broadcast operand. The numbers are the two ops'
# to the bit (a test compares values and all three gradients); a training step pays the tape's
# bookkeeping once per layer instead of twice.

# %%
show_source(layers.Dense.call, ops.linalg.matmul_add, ops.linalg.matmul_add_p,
            ops.linalg.matmul_p)

# %% [markdown]
# The formulas, by hand, against the tape on a rank-3 input:

# %%
rng = np.random.default_rng(1)
x = rng.standard_normal((2, 3, 5)).astype(np.float32)
g = rng.standard_normal((2, 3, 4)).astype(np.float32)
dense = layers.Dense(4)
dense.build(x.shape)
xt = ops.convert_to_tensor(x)
with keras.GradientTape() as tape:
    tape.watch(xt)
    y = dense(xt)
dx, dw, db = tape.gradient(y, [xt, dense.kernel, dense.bias], output_gradients=g)
W = dense.kernel.numpy()
np.testing.assert_allclose(dx.numpy(), g @ W.T, rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(dw.numpy(), x.reshape(-1, 5).T @ g.reshape(-1, 4), rtol=1e-5,
                           atol=1e-6)
np.testing.assert_allclose(db.numpy(), g.sum(axis=(0, 1)), rtol=1e-5, atol=1e-6)
print("dX = G W^T, dW = X^T G summed over batch and steps, db = column sums of G: all agree")

# %% [markdown]
# And Keras agrees. Every layer case of this chapter was recorded in Keras 3.15 on TensorFlow:
# the layer built, given random weights, called under a `tf.GradientTape` on random inputs, and
# differentiated against a random cotangent. One function replays a case in nbkeras, with
# Keras' weights loaded by `set_weights`, and asserts everything that was recorded; the test
# suite calls it for each case, and so does this chapter:

# %%
cases = {c.id: c for c in load_reference("layers")}
show_source(check_layer_case)

# %%
_, out = check_layer_case(cases["dense/rank3"])
print("dense/rank3: output", out.shape, "and the gradients of x, kernel, bias match Keras")

# %% [markdown]
# ## Activation, Dropout, Reshape, Flatten
#
# `Activation("relu")` is an activation function (`keras.activations.relu`) as a layer of its
# own, with no weights. `Reshape` and `Flatten` move no numbers: their backward passes reshape
# the cotangent back. `Reshape` takes the per-sample target shape, with at most one -1 to
# infer. `Flatten` keeps the batch axis and joins the rest; with
# `data_format="channels_first"` it first moves the channel axis last, so that a
# channels-first model flattens its features in the same order as a channels-last one, and a
# Dense layer after it can share weights between the two:

# %%
image = np.arange(12, dtype=np.float32).reshape(1, 3, 2, 2)  # one image: 3 channels of 2 x 2
print("channels_first:", layers.Flatten(data_format="channels_first")(image).numpy()[0])
print("same image, channels_last:",
      layers.Flatten()(np.transpose(image, (0, 2, 3, 1))).numpy()[0])

# %% [markdown]
# `Dropout(rate)` is active only when the call says `training=True` (the training loop does);
# otherwise it is the identity. In training it keeps each entry with probability $1 - p$ and
# divides the kept entries by $1 - p$, so that every output has the expected value of its
# input, $\mathbb{E}[y] = (1 - p)\cdot x/(1-p) + p \cdot 0 = x$, and nothing needs rescaling at
# inference ("inverted" dropout). The backward pass applies the same mask and scale to the
# cotangent. A seeded layer draws a new mask on every call, and the same sequence of masks in
# every run:

# %%
drop = layers.Dropout(0.25, seed=7)
ones = np.ones((1000, 100), np.float32)
y = drop(ones, training=True).numpy()
print(f"kept: {np.mean(y != 0):.4f} (expected 0.75), kept value: {y[y != 0][0]:.6f} (= 1/0.75)")
print(f"mean output: {y.mean():.4f}; at inference the layer returns its input:",
      np.array_equal(drop(ones).numpy(), ones))

# %% [markdown]
# TensorFlow draws its masks from a different random-number generator, so the masks themselves
# cannot be compared with Keras'; the reference cases compare what is deterministic (the
# identity at inference, rates 0 and 1), and the tests check the statistics above.
#
# ## Embedding
#
# `Embedding(input_dim, output_dim)` is a table of shape (input_dim, output_dim), and its call is
# a gather: ids of shape (batch, steps) pick rows, giving (batch, steps, output_dim). The
# backward of a gather is a scatter-add: each picked row receives the cotangent of every
# position that picked it, so an id used three times receives the sum of three cotangents.

# %%
layer, out = check_layer_case(cases["embedding/basic"])
ids = cases["embedding/basic"].array("x0")
print("ids:\n", ids)
print("output", out.shape, "- the gradient of the table matches Keras (id 3 appears 3 times)")

# %% [markdown]
# ### Masks: padding that does not count
#
# Sequences in a batch have different lengths, so the short ones are padded with id 0.
# `Embedding(..., mask_zero=True)` marks the real steps: its output carries a boolean *mask*
# (`ids != 0`), attached to the tensor itself as `_keras_mask`, as Keras does. The mask then
# travels with the data. A layer whose `call` takes a `mask` argument receives it
# (`GlobalAveragePooling1D` averages the real steps only; `BatchNormalization` in training
# computes its statistics over them). A layer that `supports_masking` attaches a mask to its
# output, its input's mask by default (`Dense`, `Activation`, `Dropout`, the normalisations) or
# one it computes (`Add` keeps a step where any input keeps it, `Concatenate` joins the masks).
# Any other layer (`Flatten`, the convolutions) drops the mask with a warning, as Keras does.
# A loss reads the mask of the prediction and averages over the real entries only (chapter 3).
# Called on symbolic Inputs, the same plumbing runs on KerasTensors: the mask becomes a step of
# the graph (an Embedding's `ids != 0` is a `NotEqual` step, chapter 11) and the next layer's
# recorded call takes its output as `mask`, which is how Keras' saved graphs hold it.
#
# `Layer.__call__` does this plumbing around every call:

# %%
show_source(layers.Layer._pass_masks, layers.Layer._attach_masks)

# %% [markdown]
# Here is a padded batch through `Embedding → Dense → GlobalAveragePooling1D`, with the weights
# of the Keras run in `tests/reference/masking.json`: the mask survives the `Dense` layer, and
# the average leaves the padding out, giving Keras' numbers. Averaging all five steps would
# not.

# %%
masking = {c.id: c for c in load_reference("masking")}
case = masking["dense_dropout_layernorm_average"]
ids = case.array("x0")
embed = layers.Embedding(10, 4, mask_zero=True)
dense = layers.Dense(5, activation="relu")
dense(embed(ids))  # builds both layers
embed.set_weights([case.array("w/0/0")])
dense.set_weights([case.array("w/1/0"), case.array("w/1/1")])
hidden = dense(embed(ids))
print("ids:\n", ids)
print("mask after Dense:\n", hidden._keras_mask.numpy())
small = masking["embedding_average"]
embed_only = layers.Embedding(10, 4, mask_zero=True)
embed_only(ids)
embed_only.set_weights([small.array("w/0/0")])
pooled = layers.GlobalAveragePooling1D()(embed_only(ids))
assert_matches_keras(pooled.numpy(), small.array("output"), 1e-6, "masked average")
everything = ops.mean(embed_only(ids), axis=1)
print("masked average of the embeddings matches Keras; the plain mean differs by up to",
      f"{np.max(np.abs(everything.numpy() - pooled.numpy())):.2f}")

# %% [markdown]
# ## Merging: Concatenate and Add
#
# `Concatenate(axis)` joins a list of tensors that agree on every other axis; its backward splits
# the cotangent back into the pieces. `Add` sums a list of tensors (a residual connection);
# each input receives the whole cotangent, summed over any axis it was broadcast along.

# %%
a, b = keras.Input(shape=(3,)), keras.Input(shape=(5,))
print(layers.Concatenate()([a, b]).shape, layers.Add()([a, keras.Input(shape=(1,))]).shape)
for name in ["concatenate/last_axis", "concatenate/axis1_rank3", "add/three", "add/broadcast"]:
    check_layer_case(cases[name])
print("the merge layers' outputs and input gradients match Keras")

# %% [markdown]
# ## Batch normalization
#
# A deep network trains faster when each layer's inputs have a steady scale. Batch
# normalization standardises every channel with the statistics of the current batch: for a
# channel with values $x_1, \dots, x_N$ in the batch (over all positions, for images),
#
# $$
# \begin{gathered}
# \mu = \frac1N \sum_n x_n, \qquad \sigma^2 = \frac1N \sum_n (x_n - \mu)^2, \\
# \hat x_n = \frac{x_n - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y_n = \gamma \hat x_n + \beta.
# \end{gathered}
# $$
#
# $\gamma$ and $\beta$ are trainable, so the layer can undo the standardisation if that helps.
# The variance is the *biased* one (divided by $N$); Keras 2's fused kernel used $N/(N - 1)$ for
# the moving variance, Keras 3 does not (KERAS_NOTES 7.6).
#
# At inference there may be a single sample, so the layer uses averages collected during
# training instead: after each training call,
# $\mu_{\text{moving}} \leftarrow m\,\mu_{\text{moving}} + (1 - m)\,\mu$ and likewise for the
# variance, with momentum $m = 0.99$. A **frozen** layer (`trainable = False`) uses the moving
# statistics even when called with `training=True`, and does not update them: fine-tuning a
# network that contains batch normalization relies on this.
#
# Keras computes it in two ops, which nbkeras runs on two Numba kernel pairs: `moments` (the
# mean and the variance over every axis but the channel axis) and `batch_normalization` (the
# affine map with given statistics, in TensorFlow's order: $x \cdot \mathrm{inv} +
# (\beta - \mu\,\mathrm{inv})$ with $\mathrm{inv} = \gamma / \sqrt{\sigma^2 + \epsilon}$):

# %%
show_source(layers.BatchNormalization.call, layers.BatchNormalization._update_moving_statistics)

# %% [markdown]
# The digits of scikit-learn are 8 x 8 images, 64 features per image with very different scales
# (the border pixels are almost always 0). A batch of 256 digits before and after the layer:

# %%
digits = load_digits()
batch = digits.data[:256].astype(np.float32)
bn = layers.BatchNormalization()
normalised = bn(batch, training=True).numpy()
fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, data, title in [(axes[0], batch, "pixel values"), (axes[1], normalised, "after BN")]:
    ax.errorbar(np.arange(64), data.mean(0), yerr=data.std(0), fmt=".", capsize=1)
    ax.set_title(title)
    ax.set_xlabel("feature (pixel)")
axes[0].set_ylabel("batch mean +- std")
fig.tight_layout()
plt.show()
print("moving mean of pixel 20 after one step:", f"{bn.moving_mean.numpy()[20]:.4f}",
      f"= 0.01 x batch mean {batch[:, 20].mean():.4f}")

# %% [markdown]
# (Constant features, such as a pixel that is 0 in every image of the batch, have variance 0
# and stay 0: $\epsilon = 10^{-3}$ keeps the division finite.)
#
# ### The backward pass, through the statistics
#
# In training, $\mu$ and $\sigma^2$ depend on every $x_n$ of the channel, so the gradient has
# three paths: directly through $x_n$, through $\mu$ and through $\sigma^2$. Write
# $r = (\sigma^2 + \epsilon)^{-1/2}$ and $g_n = \partial L / \partial y_n$. The
# `batch_normalization` primitive gives the partial derivatives for *given* statistics:
#
# $$
# \frac{\partial L}{\partial x_n}\Big|_{\mu,\sigma} = g_n \gamma r, \qquad
# \frac{\partial L}{\partial \mu} = -\gamma r \sum_n g_n, \qquad
# \frac{\partial L}{\partial \sigma^2} = -\frac{\gamma r^3}{2} \sum_n g_n (x_n - \mu),
# $$
#
# with $\partial L / \partial \beta = \sum_n g_n$ and $\partial L / \partial \gamma = \sum_n g_n
# \hat x_n$. The `moments` primitive sends the statistics' cotangents back to the inputs:
# $\partial \mu / \partial x_n = 1/N$ and $\partial \sigma^2 / \partial x_n = 2 (x_n - \mu)/N$
# (the variance also depends on $x_n$ through $\mu$, but that term is $-\frac2N \sum_m (x_m -
# \mu) = 0$). Adding the three paths and using $x_n - \mu = \hat x_n / r$:
#
# $$
# \begin{aligned}
# \frac{\partial L}{\partial x_n}
# &= \gamma r\, g_n - \frac{\gamma r}{N} \sum_m g_m - \frac{\gamma r}{N}\, \hat x_n \sum_m g_m
#   \hat x_m \\
# &= \frac{\gamma r}{N} \Bigl( N g_n - \sum_m g_m - \hat x_n \sum_m g_m \hat x_m \Bigr).
# \end{aligned}
# $$
#
# The gradient is the cotangent with its mean and its component along $\hat x$ removed: batch
# normalization's output does not change when the whole channel is shifted or scaled, so those
# two directions get no gradient. Each kernel pair keeps its part of the formula next to it:

# %%
show_source(keras.kernels.normalization.batch_normalization_grad_3d,
            keras.kernels.normalization.moments_grad_3d)

# %% [markdown]
# The tape's composition of the two primitives against the closed form, in float64, and against
# central differences:

# %%
x = rng.standard_normal((6, 3))
gamma, beta, cotangent = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal((6, 3))
xt = ops.convert_to_tensor(x)
with keras.GradientTape() as tape:
    tape.watch(xt)
    mean, variance = ops.moments(xt, axes=[0])
    y = ops.batch_normalization(xt, mean, variance, axis=-1, offset=beta, scale=gamma)
grad = tape.gradient(y, xt, output_gradients=cotangent).numpy()
r = 1 / np.sqrt(x.var(0) + 1e-3)
xhat = (x - x.mean(0)) * r
closed_form = gamma * r / 6 * (6 * cotangent - cotangent.sum(0) - xhat * (cotangent * xhat).sum(0))
print("largest difference from the closed form:", f"{np.abs(grad - closed_form).max():.1e}")
print("the gradient sums to zero over the batch:", np.allclose(grad.sum(0), 0))


def train_mode_bn(t, gamma, beta):
    m, v = ops.moments(t, axes=[0])
    return ops.batch_normalization(t, m, v, axis=-1, offset=beta, scale=gamma)


print("central differences agree:", check_gradients(train_mode_bn, [x, gamma, beta]) < 1e-8)

# %% [markdown]
# And against Keras, in training and at inference, for 2-D and 4-D inputs, channels last and
# first, a frozen layer, and without $\gamma$ and $\beta$; each case also compares the moving
# statistics after the call:

# %%
for name in sorted(n for n in cases if n.startswith("batch_normalization/")):
    check_layer_case(cases[name])
    print(f"{name:40s} matches Keras")
print("(output, gradients and moving statistics)")

# %% [markdown]
# ## Layer normalization
#
# Layer normalization standardises each *sample* over its features instead of each feature over
# the batch, so training and inference do the same thing and a batch of one is fine (the
# statistics of a transformer's token vectors, for example). For a sample with features
# $x_1, \dots, x_n$ (the `axis` entries; by default the last axis),
#
# $$
# \mu = \frac1n \sum_j x_j, \qquad \sigma^2 = \frac1n \sum_j (x_j - \mu)^2, \qquad
# y_j = \gamma_j \frac{x_j - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta_j,
# $$
#
# with $\gamma$ and $\beta$ per feature. The derivation of the backward pass is the batch-norm
# one with the roles of samples and features exchanged, except that $\gamma_j$ now varies along
# the normalised axis, so it enters inside the sums: with $\hat x_j = (x_j - \mu) r$ and
# $\bar{\hat x}_j = g_j \gamma_j$,
#
# $$
# \begin{gathered}
# \frac{\partial L}{\partial x_j} = r \Bigl( \bar{\hat x}_j - \frac1n \sum_k \bar{\hat x}_k
#   - \hat x_j\, \frac1n \sum_k \bar{\hat x}_k \hat x_k \Bigr), \\
# \frac{\partial L}{\partial \gamma_j} = \sum_{\text{samples}} g_j \hat x_j, \qquad
# \frac{\partial L}{\partial \beta_j} = \sum_{\text{samples}} g_j.
# \end{gathered}
# $$
#
# nbkeras runs layer normalization as one fused primitive: the forward kernel computes each
# sample's statistics and normalises it in one pass over memory (saving the mean and $r$), and
# the backward kernel applies the formula above, accumulating $\bar\gamma$ and $\bar\beta$ over
# the samples in float64.

# %%
show_source(keras.kernels.normalization.layer_normalization_3d,
            keras.kernels.normalization.layer_normalization_grad_3d)

# %%
x, gamma, beta = rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(5)
print("central differences agree:",
      check_gradients(lambda t, g_, b_: ops.layer_normalization(t, g_, b_, epsilon=1e-3),
                      [x, gamma, beta]) < 1e-8)
for name in sorted(n for n in cases if n.startswith("layer_normalization/")):
    check_layer_case(cases[name])
    print(f"{name:40s} output and gradients match Keras")

# %% [markdown]
# ## A regularised model, layer by layer
#
# The seed example of this chapter is a two-layer classifier for 64 inputs with every kind of
# penalty and constraint of the next chapter:
#
# ```python
# Dense(64, input_dim=64, kernel_regularizer=regularizers.l2(0.01),
#       activity_regularizer=regularizers.l1(0.01),
#       kernel_constraint=constraints.MaxNorm(2, axis=0))
# Dense(10, kernel_regularizer=regularizers.l1_l2(0.01, 0.01), activation="sigmoid")
# ```
#
# `input_dim=64` is Keras 2's way of giving the first layer of a `Sequential` model its input
# size; nbkeras keeps it for the model to read, as Keras does. `Sequential` models come in
# [chapter 11](11_models.ipynb), so here the two layers are called one after the other on an
# `Input`, which builds them, and their parameters are counted per layer:

# %%
with warnings.catch_warnings():  # Keras 3 warns about Keras 2's input_dim (chapter 11)
    warnings.simplefilter("ignore")
    first = layers.Dense(64, input_dim=64, kernel_regularizer=regularizers.l2(0.01),
                         activity_regularizer=regularizers.l1(0.01),
                         kernel_constraint=constraints.MaxNorm(2, axis=0))
second = layers.Dense(10, kernel_regularizer=regularizers.l1_l2(0.01, 0.01),
                      activation="sigmoid")
inputs = keras.Input(shape=(64,))
outputs = second(first(inputs))
counts = [first.count_params(), second.count_params()]
print(f"{first.name}: 64 x 64 + 64 = {counts[0]:,}")
print(f"{second.name}: 64 x 10 + 10 = {counts[1]:,}")
print(f"total: {sum(counts):,} parameters; output shape {outputs.shape}")
assert counts == [cases["dense/seed_model_first"]["count_params"],
                  cases["dense/seed_model_second"]["count_params"]]

# %% [markdown]
# On real inputs, each layer's `losses` lists its penalties from the last call: the activity
# penalty of its outputs (divided by the batch size) and the penalty of each regularised weight.
# A training loop adds their sum to the loss. On a batch of 32 digits:

# %%
x = digits.data[:32].astype(np.float32) / 16.0
probabilities = second(first(x))
for layer in (first, second):
    values = ", ".join(f"{float(v):.4f}" for v in layer.losses)
    print(f"{layer.name} losses: [{values}]")
print("prediction shape:", probabilities.shape)

# %% [markdown]
# The same two layers, with Keras' weights and inputs, give Keras' losses and gradients:

# %%
for name in ["dense/seed_model_first", "dense/seed_model_second", "dense/regularized"]:
    layer, _ = check_layer_case(cases[name])
    print(f"{name:25s} {len(layer.losses)} losses match Keras")

# %% [markdown]
# ## Every case
#
# The test suite runs each Keras reference case of this chapter; so does the next cell. Each
# one builds the layer, loads Keras' weights, and compares the output, the gradients with
# respect to the inputs and every trainable weight, the losses, and the weights after the call.

# %%
for case in cases.values():
    if "layer" in case.meta:
        check_layer_case(case)
kinds = sorted({c["layer"] for c in cases.values() if "layer" in c.meta})
print(f"{sum('layer' in c.meta for c in cases.values())} Keras reference cases over "
      f"{len(kinds)} layers agree to 1e-4:")
print(", ".join(kinds))

# %% [markdown]
# ## Summary
#
# - A layer creates its weights in `build`, on its first call, from the input's shape; its
#   weights have Keras' names, paths and order, so Keras' weights load with `set_weights`.
# - Called on a symbolic `Input`, a layer computes only the output's shape and records a node of
#   the graph that a functional model will be built from.
# - Dense's backward pass is two matrix products and a sum; Embedding's is a scatter-add;
#   Reshape, Flatten and Concatenate move the cotangent back.
# - Batch normalization uses batch statistics in training (and differentiates through them) and
#   moving averages at inference or when frozen; layer normalization uses per-sample statistics,
#   in one fused kernel pair.
