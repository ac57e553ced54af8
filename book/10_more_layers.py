# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # More layers
#
# Chapters 7 and 9 built the layers a model is made of: dense, convolutional, pooling and the
# two classic normalizations. A Keras program reaches for many more: activations with a learned
# slope, merges other than a sum, layers that crop, pad and resize images, convolutions in one
# and three dimensions, pooling to a fixed size, normalizations over groups of channels or by
# the root mean square, noise that regularises, and layers that turn raw values into features
# (standardised numbers, buckets, one-hot vectors, hashed ids, vocabulary indices). This
# chapter derives what is not obvious about them:
#
# - the gradient of PReLU's learned slope;
# - how the merges combine Keras masks, and the gradient of the normalised `Dot` (a cosine);
# - bilinear upsampling as a linear map, and its transpose as the backward pass;
# - adaptive pooling's windows;
# - the backward passes of group and RMS normalization, and spectral normalization's power
#   iteration;
# - what the preprocessing layers learn in `adapt()`;
#
# and shows each layer once, checked against the numbers Keras 3.15 computed for the same
# inputs and weights (`tests/reference/more_layers.json` and `preprocessing.json`).

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils import check_gradients, load_reference, show_source
from nbkeras.utils.keras_reference import assert_matches_keras, check_layer_case, check_op_case

np.set_printoptions(precision=4, suppress=True)
keras.utils.set_random_seed(0)
cases = {c.id: c for c in load_reference("more_layers")}
rng = np.random.default_rng(0)

# %% [markdown]
# ## Activation layers
#
# `ReLU(max_value, negative_slope, threshold)` is `keras.activations.relu` with its three options
# as a layer: $x$ between the threshold and `max_value`, `max_value` above it, and
# `negative_slope` $\cdot (x - \text{threshold})$ below the threshold. `LeakyReLU` is the
# special case with a slope and no threshold (default slope 0.3 in the layer, where the
# function's default is 0.2), `ELU` is $\alpha (e^x - 1)$ below zero, and `Softmax` normalises
# along an axis (or several). None of them has weights.

# %%
x = np.linspace(-3, 3, 601, dtype=np.float32)[None]
variants = {"ReLU()": layers.ReLU(), "ReLU(max_value=2)": layers.ReLU(max_value=2.0),
            "ReLU(0.2 slope, threshold 1)": layers.ReLU(negative_slope=0.2, threshold=1.0),
            "LeakyReLU()": layers.LeakyReLU(), "ELU()": layers.ELU()}
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, layer in variants.items():
    ax.plot(x[0], layer(x).numpy()[0], label=name)
ax.set_xlabel("x")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# **PReLU** learns the slope. With $\alpha$ a weight,
#
# $$ f(x) = \operatorname{relu}(x) - \alpha \operatorname{relu}(-x) =
#    \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}, $$
#
# $$ \frac{\partial f}{\partial \alpha} = -\operatorname{relu}(-x) = \min(x, 0). $$
#
# $\alpha$ has the shape of one sample, `input_shape[1:]`, except along `shared_axes`, where it
# has length 1: with `shared_axes=[1, 2]` an image gets one slope per channel. A slope shared
# over an axis is broadcast along it, so its gradient is the sum of $\bar y \min(x, 0)$ over
# the batch and every shared axis: the tape's `sum_to_shape` does that sum, and the layer's
# `call` is the formula:

# %%
show_source(layers.PReLU.call)

# %%
prelu = layers.PReLU(shared_axes=[1, 2])
images = rng.standard_normal((2, 4, 5, 3)).astype(np.float32)
prelu.build(images.shape)
prelu.set_weights([np.array([[[0.1, 0.2, 0.3]]], np.float32)])
with keras.GradientTape() as tape:
    y = prelu(images)
g = rng.standard_normal(y.shape).astype(np.float32)
(grad_alpha,) = tape.gradient(y, prelu.trainable_weights, output_gradients=g)
by_hand = np.sum(g * np.minimum(images, 0), axis=(0, 1, 2))
print("alpha shape:", prelu.alpha.shape, " gradient:", grad_alpha.numpy().reshape(-1))
print("sum of g * min(x, 0) over batch, rows, columns:", by_hand)
for name in ["PReLU/default_shape", "PReLU/shared_axes_image", "PReLU/regularized"]:
    check_layer_case(cases[name])
print("the three PReLU cases match Keras (output, input and alpha gradients, the L2 penalty)")

# %% [markdown]
# `Softmax` takes a mask, True where an entry counts, broadcastable to the inputs. The masked
# logits are replaced by $-10^9$ before the softmax, so that their probability underflows to
# exactly 0 and the kept entries share all of it (the masked entries are set to 0 again
# afterwards); attention over padded sequences relies on it.

# %%
case = cases["Softmax/mask"]
print("mask:\n", case.array("call/mask").astype(int))
print("softmax with the mask:\n", layers.Softmax()(case.array("x0"),
                                                   mask=case.array("call/mask")).numpy())
check_layer_case(case)

# %% [markdown]
# ## Core layers: Identity, Masking, Lambda
#
# `Identity` returns its input (with its mask). `Masking(mask_value)` marks the time steps of a
# (batch, steps, features) input whose features *all* equal `mask_value`: its mask is
# `any(x != mask_value, axis=-1)`, and it zeroes the masked steps. The mask then travels as in
# chapter 7: a `GlobalAveragePooling1D` after it averages only the kept steps.

# %%
x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0], [0.0, 0.0]]], np.float32)
masked = layers.Masking()(x)
print("mask:", masked._keras_mask.numpy(),
      " average of the kept steps:", layers.GlobalAveragePooling1D()(masked).numpy())

# %% [markdown]
# `Lambda(function)` makes any function of tensors a layer; `arguments` are passed to it as
# keyword arguments. Saving it is where it differs from every other layer. A named function is
# written by name, and loading needs it in `custom_objects`. A Python lambda has no name, so
# Keras writes its *bytecode*: `marshal.dumps(fn.__code__)` in base64, with its defaults and
# closure. Loading bytecode runs code taken from a file, so `from_config` refuses it unless safe
# mode is off, with `safe_mode=False`, inside `SafeModeScope(False)`, or after
# `keras.config.enable_unsafe_deserialization()`. The config Keras wrote for
# `Lambda(lambda t: t * t + 1.0)` loads in nbkeras (the same Python version wrote it) and
# computes Keras' numbers:

# %%
case = cases["lambda/python_lambda"]
print({k: (v if k != "function" else {"class_name": v["class_name"],
                                      "code": v["config"]["code"][:24] + "..."})
       for k, v in case["config"].items() if k in ("function", "arguments")})
try:
    layers.Lambda.from_config(case["config"])
except ValueError as error:
    print("ValueError:", str(error)[:118], "...")
square_plus_one = layers.Lambda.from_config(case["config"], safe_mode=False)
assert_matches_keras(square_plus_one(case.array("x")), case.array("output"), 1e-6, "lambda")
print("loaded with safe_mode=False: Keras' output")

# %% [markdown]
# Keras infers a Lambda's output shape on a symbolic input by tracing the function. nbkeras does
# not trace; it runs the function on two small probe arrays, with each unknown size filled in
# once as 2 and once as 3, and a size that differs between the two results is unknown. A
# function that cannot run on such data needs `output_shape`, and the layer says so:

# %%
print(layers.Lambda(lambda t: ops.concatenate([t, t[:, :1]], axis=1))(keras.Input((4,))).shape)
try:
    layers.Lambda(lambda t: ops.reshape(t, (5,)))(keras.Input((3, 3)))
except ValueError as error:
    print(type(error).__name__ + ":", str(error)[:60], "...", str(error)[-118:])

# %% [markdown]
# ## Merging layers
#
# `Multiply`, `Average`, `Maximum`, `Minimum` and `Subtract` (two inputs) combine a list of
# tensors elementwise, broadcasting like NumPy over the non-batch axes; inputs of lower rank get
# axes of length 1 after the batch axis. Their gradients are those of the ops: $\bar a = \bar y
# b$ for a product, $\bar y / n$ for each input of an average, everything to the larger input of
# a maximum. Shapes that cannot broadcast are an error naming both:

# %%
try:
    layers.Multiply()([np.ones((2, 3, 4), np.float32), np.ones((2, 3, 5), np.float32)])
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# **Masks.** The output of a merge counts where *any* input counts, and has no mask unless every
# input has one. Inside the arithmetic, Keras keeps the masked entries from mattering:
# `Maximum` and `Minimum` replace a masked entry by the other operand (so padding never wins),
# and `Multiply` replaces it by 1 and zeroes the entries masked in every input. `Add`,
# `Subtract` and `Average` use the masked values as they are. Two padded sequences of
# embeddings, in which step 3 of the first and steps 1 and 2 of the second are padding:

# %%
ids = np.array([[3, 5, 0]], np.int32)
other = np.array([[6, 0, 0]], np.int32)
embed_a, embed_b = layers.Embedding(10, 1, mask_zero=True), layers.Embedding(10, 1, mask_zero=True)
embed_a(ids), embed_b(other)
embed_a.set_weights([np.arange(10, dtype=np.float32)[:, None]])  # id i -> the value i
embed_b.set_weights([-np.arange(10, dtype=np.float32)[:, None]])  # id i -> -i
a, b = embed_a(ids), embed_b(other)
print("a:", a.numpy()[0, :, 0], a._keras_mask.numpy()[0], "  b:", b.numpy()[0, :, 0],
      b._keras_mask.numpy()[0])
for merge in [layers.Add(), layers.Maximum(), layers.Minimum(), layers.Multiply()]:
    out = merge([a, b])
    print(f"{type(merge).__name__:>9}: {out.numpy()[0, :, 0]}  mask {out._keras_mask.numpy()[0]}")

# %% [markdown]
# The Keras reference has these merges on real embeddings, followed by a masked average; every
# step's mask, the output and the gradients of the embeddings match (`tests/test_more_layers.py`
# replays them), as do the merge layer cases:

# %%
merge_cases = [c for c in cases.values() if c.get("layer") in (
    "Multiply", "Average", "Maximum", "Minimum", "Subtract", "Dot")]
for case in merge_cases:
    check_layer_case(case)
print(f"{len(merge_cases)} merge cases match Keras;",
      len([c for c in cases.values() if "steps" in c.meta]), "mask graphs are in the tests")

# %% [markdown]
# **Dot** contracts one axis of each input, sample by sample: for x of shape (batch, n) and y of
# shape (batch, n), `Dot(axes=1)` gives the (batch, 1) column $x_b \cdot y_b$; in general the
# remaining axes of x, then those of y, form the result, computed as one batched matrix
# product. With `normalize=True` both inputs are first scaled to unit L2 norm along the
# contracted axis, so the result is the cosine similarity $c = \hat x \cdot \hat y$ with
# $\hat x = x / \lVert x \rVert$. Its gradient follows from the derivative of the
# normalisation, $\partial \hat x / \partial x = (I - \hat x \hat x^\top) / \lVert x \rVert$:
#
# $$ \frac{\partial c}{\partial x} = \frac{\hat y - c\, \hat x}{\lVert x \rVert}, $$
#
# the part of $\hat y$ orthogonal to $x$, divided by x's length: moving x along itself does not
# change a cosine. The tape, differentiating through `ops.normalize` and the product, agrees:

# %%
x, y = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
xt, yt = ops.convert_to_tensor(x), ops.convert_to_tensor(y)
with keras.GradientTape() as tape:
    tape.watch(xt)
    cosine = layers.Dot(axes=1, normalize=True, dtype="float64")([xt, yt])
grad = tape.gradient(cosine, xt).numpy()
norm_x = np.linalg.norm(x, axis=1, keepdims=True)
x_hat, y_hat = x / norm_x, y / np.linalg.norm(y, axis=1, keepdims=True)
c = np.sum(x_hat * y_hat, axis=1, keepdims=True)
print("cosines:", cosine.numpy()[:, 0])
print("tape = (y_hat - c x_hat) / |x|:", np.allclose(grad, (y_hat - c * x_hat) / norm_x,
                                                     rtol=1e-10))
print("Dot's output shapes:", [tuple(layers.Dot(axes=axes)([keras.Input(s1), keras.Input(s2)])
                                     .shape) for axes, s1, s2 in
                               [(1, (5,), (5,)), ((2, 1), (3, 4), (4, 6)), (1, (3, 4), (3, 2))]])

# %% [markdown]
# Every merge has its function form, `keras.layers.add`, `multiply`, `average`, `maximum`,
# `minimum`, `subtract`, `concatenate` and `dot`: `layers.dot([x, y], axes=1)` builds the layer
# and calls it.
#
# ## Reshaping: permute, repeat, crop, pad, upsample
#
# `Permute(dims)` reorders the non-batch axes (`dims` is a permutation of 1, ..., rank - 1; its
# backward applies the inverse permutation), and `RepeatVector(n)` turns (batch, features) into
# (batch, n, features) (each input receives the sum of its copies' cotangents). The image
# layers come in 1-D, 2-D and 3-D versions: `Cropping` cuts rows off the borders (a slice, whose
# gradient pads zeros back), `ZeroPadding` adds them (whose gradient cuts them off), and
# `UpSampling` repeats them. On a digit from scikit-learn's set:

# %%
digits = load_digits()
digit = (digits.images[0] / 16.0).astype(np.float32)[None, :, :, None]  # (1, 8, 8, 1)
shown = {
    "input": digit,
    "Cropping2D(((1, 2), (2, 0)))": layers.Cropping2D(((1, 2), (2, 0)))(digit),
    "ZeroPadding2D(2)": layers.ZeroPadding2D(2)(digit),
    "UpSampling2D(2) nearest": layers.UpSampling2D(2)(digit),
    "UpSampling2D(2) bilinear": layers.UpSampling2D(2, interpolation="bilinear")(digit),
}
fig, axes = plt.subplots(1, len(shown), figsize=(12, 2.8))
for ax, (name, image) in zip(axes, shown.items(), strict=True):
    image = np.asarray(image)[0, :, :, 0]
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{name}\n{image.shape[0]} × {image.shape[1]}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()

# %% [markdown]
# A crop that would leave nothing is an error that says what was expected, and so is a `dims`
# that is not a permutation:

# %%
for bad in [lambda: layers.Cropping1D((3, 3))(np.ones((1, 6, 2), np.float32)),
            lambda: layers.Permute((1, 3))]:
    try:
        bad()
    except ValueError as error:
        print("ValueError:", error)

# %% [markdown]
# ### Bilinear upsampling as a linear map
#
# TensorFlow resizes with *half-pixel centres*: output index $i$ of a resize from $n$ to $m$
# samples reads the input at position $s_i = (i + \frac12)\frac{n}{m} - \frac12$, between the
# neighbours $\ell_i = \max(\lfloor s_i \rfloor, 0)$ and $h_i = \min(\lceil s_i \rceil, n - 1)$,
# with weight $\lambda_i = s_i - \lfloor s_i \rfloor$:
#
# $$ y_i = x_{\ell_i} + (x_{h_i} - x_{\ell_i})\, \lambda_i = (1 - \lambda_i)\, x_{\ell_i} +
#    \lambda_i\, x_{h_i}. $$
#
# Along one axis this is $y = A x$ for a matrix $A$ ($m \times n$) with two non-zeros per row.
# An image is resized along its columns and then its rows, $Y = A_h X A_w^\top$ per channel, and
# since the map is linear its vector-Jacobian product is the transposed map:
#
# $$ \bar X = A_h^\top\, \bar Y\, A_w. $$
#
# Each input pixel collects the cotangents of the outputs it was blended into, weighted by the
# same $\lambda$'s. For upsampling by 2 the positions fall at quarter pixels, so every output is
# $\frac34$ of its nearest input and $\frac14$ of the next one (at the borders, the clamping
# repeats the edge):

# %%
from nbkeras.ops import image as image_ops

lo, hi, lam = image_ops.bilinear_weights(4, 8)
A = np.zeros((8, 4))
np.add.at(A, (np.arange(8), lo), 1 - lam)
np.add.at(A, (np.arange(8), hi), lam)
print("A for 4 -> 8 samples:\n", A)

# %% [markdown]
# nbkeras composes the resize from `take` (which gathers the rows $\ell$ and $h$) and
# arithmetic, in TensorFlow's order (columns first), so the forward values are TensorFlow's bit
# for bit, and the tape's backward through `take`, a scatter-add, is exactly $A^\top$:

# %%
show_source(image_ops.bilinear_weights, image_ops._along)

# %%
x = rng.standard_normal((1, 4, 5, 1))
xt = ops.convert_to_tensor(x)
with keras.GradientTape() as tape:
    tape.watch(xt)
    y = layers.UpSampling2D((2, 3), interpolation="bilinear", dtype="float64")(xt)
g = rng.standard_normal(y.shape)
lo, hi, lam = image_ops.bilinear_weights(5, 15)
A_w = np.zeros((15, 5))
np.add.at(A_w, (np.arange(15), lo), 1 - lam)
np.add.at(A_w, (np.arange(15), hi), lam)
A_h = np.zeros((8, 4))
lo, hi, lam = image_ops.bilinear_weights(4, 8)
np.add.at(A_h, (np.arange(8), lo), 1 - lam)
np.add.at(A_h, (np.arange(8), hi), lam)
print("forward = A_h X A_w^T:", np.allclose(y.numpy()[0, :, :, 0], A_h @ x[0, :, :, 0] @ A_w.T,
                                            rtol=1e-6))
print("backward = A_h^T G A_w:", np.allclose(tape.gradient(y, xt, output_gradients=g).numpy()
                                             [0, :, :, 0], A_h.T @ g[0, :, :, 0] @ A_w,
                                             rtol=1e-6))
reshaping = [c for c in cases.values() if c.get("layer") in (
    "Permute", "RepeatVector", "Cropping1D", "Cropping2D", "Cropping3D", "ZeroPadding1D",
    "ZeroPadding3D", "UpSampling1D", "UpSampling2D", "UpSampling3D")]
for case in reshaping:
    check_layer_case(case)
resize_cases = [c for c in cases.values() if c.get("fn") == "image.resize"]
for case in resize_cases:
    check_op_case(case, rtol=1e-5)
print(f"{len(reshaping)} reshaping layer cases and {len(resize_cases)} ops.image.resize cases "
      "(up, down, nearest) match Keras")

# %% [markdown]
# ## Convolutions in one and three dimensions
#
# Chapter 9's convolution ops work on one to three spatial axes, so the remaining layers differ
# from their 2-D versions only in rank: `Conv1DTranspose` and `Conv3DTranspose` (upsampling a
# sequence or a volume by its strides), `DepthwiseConv1D` (each channel of a sequence filtered
# on its own) and `SeparableConv1D` (depthwise, then pointwise). Keras' second names are the
# same classes: `Convolution1DTranspose`, `Convolution3DTranspose`, `SeparableConvolution1D`.

# %%
for layer in [layers.Conv1DTranspose(4, 3, strides=2, padding="same"),
              layers.DepthwiseConv1D(3, depth_multiplier=2),
              layers.SeparableConv1D(8, 3)]:
    out = layer(keras.Input((20, 6)))
    print(f"{type(layer).__name__:>16}: (None, 20, 6) -> {out.shape}, weights "
          f"{[tuple(w.shape) for w in layer.weights]}")
print(f"{'Conv3DTranspose':>16}: (None, 4, 4, 4, 2) ->",
      layers.Conv3DTranspose(3, 2, strides=2)(keras.Input((4, 4, 4, 2))).shape)
conv_cases = [c for c in cases.values() if c.get("layer", "").startswith(
    ("Conv1DT", "Conv3DT", "Depthwise", "Separable"))]
for case in conv_cases:
    check_layer_case(case)
print(f"{len(conv_cases)} convolution cases match Keras")

# %% [markdown]
# ## Pooling: 3-D global pooling and adaptive pooling
#
# `GlobalAveragePooling3D` and `GlobalMaxPooling3D` reduce the three spatial axes of a volume to
# one value per channel. *Adaptive* pooling fixes the number of windows instead of their size:
# `AdaptiveAveragePooling2D(7)` turns an image of any size into 7 × 7 (what lets a
# classification head accept any input size). Along an axis of $n$ inputs and $m$ outputs,
# window $i$ covers
#
# $$ \left[\left\lfloor \frac{i n}{m} \right\rfloor,\ \left\lceil \frac{(i + 1) n}{m}
#    \right\rceil\right), $$
#
# so the windows tile the axis, neighbours sharing an element where $m$ does not divide $n$,
# and every window has $\lceil n/m \rceil$ or $\lceil n/m \rceil + 1$ elements (Keras' TensorFlow
# backend computes it as two fixed poolings of those sizes and a gather). The gradients are
# pooling's: the average spreads the cotangent over its window, the maximum sends it to the
# arg-max. The windows for 7 → 3 and 4 → 6:

# %%
from nbkeras.kernels import pooling as pooling_kernels

show_source(pooling_kernels.adaptive_windows)

# %%
for n, m in [(7, 3), (4, 6)]:
    starts, ends = pooling_kernels.adaptive_windows(n, m)
    print(f"{n} -> {m}:", [list(range(s, e)) for s, e in zip(starts, ends, strict=True)])
pooled = layers.AdaptiveAveragePooling2D((2, 3))(np.arange(35, dtype=np.float32).reshape(
    1, 7, 5, 1))
print("AdaptiveAveragePooling2D((2, 3)) of 0..34 as 7 × 5:\n", pooled.numpy()[0, :, :, 0])
pool_cases = [c for c in cases.values() if "Pooling" in c.get("layer", "")]
for case in pool_cases:
    check_layer_case(case)
print(f"{len(pool_cases)} pooling cases match Keras")

# %% [markdown]
# ## Group, unit, RMS and spectral normalization
#
# **Group normalization** splits the $C$ channels into $G$ groups and normalises each sample's
# group, over its channels and every spatial position, to mean 0 and variance 1, then scales
# and shifts per channel: with $S$ the set of the group's $N$ entries,
#
# $$ \hat x_j = \frac{x_j - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y_j = \gamma_c \hat x_j +
#    \beta_c, $$
#
# $$ \mu = \frac1N \sum_{k \in S} x_k, \qquad
#    \sigma^2 = \frac1N \sum_{k \in S} (x_k - \mu)^2. $$
#
# It needs no batch statistics (it works the same for a batch of one, in training and at
# inference); $G = 1$ is layer normalization over all features and $G = C$ (`groups=-1`) is
# instance normalization. **The backward pass.** With $r = (\sigma^2 + \epsilon)^{-1/2}$ and
# $\bar{\hat x}_j = \bar y_j \gamma_c$, the mean and the variance depend on every entry of the
# group: $\partial \mu / \partial x_k = 1/N$ and $\partial \sigma^2 / \partial x_k = 2(x_k -
# \mu)/N$ (the term through $\mu$ vanishes because the deviations sum to zero). Hence
#
# $$ \bar x_k = r \left( \bar{\hat x}_k - \frac1N \sum_{j \in S} \bar{\hat x}_j - \hat x_k
#    \frac1N \sum_{j \in S} \bar{\hat x}_j \hat x_j \right), \qquad
#    \bar\gamma_c = \sum \bar y_j \hat x_j, \quad \bar\beta_c = \sum \bar y_j, $$
#
# layer normalization's backward (chapter 7) applied to each group, the two parameter gradients
# summed over the batch, the positions and the channel's entries. nbkeras computes the group
# statistics with `ops.moments` and the normalisation in Keras' own order,
# $x \cdot \mathrm{inv} + (\beta - \mu \cdot \mathrm{inv})$ with $\mathrm{inv} = \gamma r$, and
# the tape differentiates through both; the formula above agrees with it:

# %%
show_source(layers.GroupNormalization.call)

# %%
x = rng.standard_normal((2, 3, 3, 4)) * 2 + 1  # 2 images, 3 × 3, 4 channels in 2 groups
gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
gn = layers.GroupNormalization(groups=2, dtype="float64")
gn.build(x.shape)
gn.set_weights([gamma, beta])
xt = ops.convert_to_tensor(x)
with keras.GradientTape() as tape:
    tape.watch(xt)
    y = gn(xt)
g = rng.standard_normal(y.shape)
grad_x, grad_gamma, grad_beta = tape.gradient(y, [xt, gn.gamma, gn.beta], output_gradients=g)

groups = x.reshape(2, 9, 2, 2)  # (batch, positions, group, channel in group)
mu = groups.mean(axis=(1, 3), keepdims=True)
r = 1 / np.sqrt(groups.var(axis=(1, 3), keepdims=True) + 1e-3)
x_hat = (groups - mu) * r
dx_hat = g.reshape(2, 9, 2, 2) * gamma.reshape(2, 2)
dx = r * (dx_hat - dx_hat.mean(axis=(1, 3), keepdims=True)
          - x_hat * (dx_hat * x_hat).mean(axis=(1, 3), keepdims=True))
print("x̄ by the formula:", np.allclose(grad_x.numpy(), dx.reshape(x.shape), rtol=1e-10))
print("γ̄ = Σ ȳ x̂:", np.allclose(grad_gamma.numpy(), (g.reshape(2, 9, 2, 2) * x_hat).sum(
    axis=(0, 1)).reshape(4), rtol=1e-10), " β̄ = Σ ȳ:",
      np.allclose(grad_beta.numpy(), g.sum(axis=(0, 1, 2)), rtol=1e-10))

# %% [markdown]
# **Unit normalization** scales each sample to unit L2 norm along an axis, computed as Keras
# computes it, $x \cdot \min(\operatorname{rsqrt}(\sum x^2), 10^{12})$, so an all-zero vector
# stays zero. (The gradient of `rsqrt` at 0 is infinite, but the `min` sends it no cotangent;
# like TensorFlow's, nbkeras' `rsqrt` backward then returns 0 instead of $0 \cdot \infty$.)
#
# **RMS normalization** divides by the root mean square and scales: layer normalization
# without the mean,
#
# $$ y_j = s_j x_j r, \qquad r = \Big(\frac1n \sum_k x_k^2 + \epsilon\Big)^{-1/2}. $$
#
# Since $\partial r / \partial x_k = -r^3 x_k / n$,
#
# $$ \bar x_k = r\, \bar y_k s_k - x_k\, \frac{r^3}{n} \sum_j \bar y_j s_j x_j, \qquad
#    \bar s_j = \sum_{\text{rows}} \bar y_j x_j r. $$
#
# It runs as one fused primitive, a Numba kernel pair like layer normalization's, which
# accumulates the sums in float64:

# %%
from nbkeras.kernels import normalization as normalization_kernels

show_source(normalization_kernels.rms_normalization_3d,
            normalization_kernels.rms_normalization_grad_3d)

# %%
error = check_gradients(lambda t, s: ops.rms_normalization(t, s, axis=-1, epsilon=1e-3),
                        [rng.standard_normal((3, 6)), rng.standard_normal(6)])
print(f"RMS normalization, float64 central differences: {'agree' if error < 1e-8 else 'DIFFER'}")

# %% [markdown]
# **Spectral normalization** wraps a layer and divides its kernel by its spectral norm
# $\sigma(W)$, the largest singular value: the most the layer can stretch any input, so the
# wrapped layer is 1-Lipschitz (GAN discriminators use it). Computing $\sigma$ exactly needs an
# SVD; *power iteration* approximates it with two matrix-vector products. With $W$ the kernel
# as a matrix (rows: every axis but the last) and a unit row vector $u$,
#
# $$ v \leftarrow \frac{u W^\top}{\lVert u W^\top \rVert}, \qquad
#    u \leftarrow \frac{v W}{\lVert v W \rVert}, \qquad \sigma \approx v W u^\top. $$
#
# Each step multiplies $u$ by $W^\top W$ and renormalises, so the component of $u$ along the
# top right-singular vector $v_1$ grows by $\sigma_1^2$ per step against $\sigma_2^2$ for the
# next one: $u$'s angle to $v_1$ shrinks like $(\sigma_2/\sigma_1)^{2k}$, and the estimate of
# $\sigma_1$, being stationary at $v_1$, converges faster still. On a random 8 × 5 matrix, whose
# two largest singular values are close, that takes a few dozen steps:

# %%
W = rng.standard_normal((8, 5))
_, true_sigma, right_vectors = np.linalg.svd(W)
u = rng.standard_normal((1, 5))
sigma_errors, vector_errors = [], []
for _ in range(30):
    v = u @ W.T / np.linalg.norm(u @ W.T)
    u = v @ W / np.linalg.norm(v @ W)
    sigma_errors.append(abs((v @ W @ u.T).item() - true_sigma[0]) / true_sigma[0])
    vector_errors.append(np.sqrt(max(1 - (u @ right_vectors[0]).item() ** 2, 0.0)))
steps = np.arange(1, 31)
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.semilogy(steps, vector_errors, "o-", markersize=3, label="sin(angle between u and v₁)")
ax.semilogy(steps, sigma_errors, "s-", markersize=3, label="relative error of σ₁'s estimate")
ax.semilogy(steps, (true_sigma[1] / true_sigma[0]) ** (2 * steps), "--",
            label=r"$(\sigma_2 / \sigma_1)^{2k}$")
ax.set_xlabel("power iteration steps k")
ax.legend()
plt.show()
print(f"singular values {np.round(true_sigma, 3)}; after 30 steps the estimate of σ₁ is "
      f"within 1e-6: {sigma_errors[-1] < 1e-6}")

# %% [markdown]
# The layer keeps $u$ as a weight (`vector_u`) between calls and makes `power_iterations` steps
# (default 1) per training call, so the estimate improves as training goes on while $W$ changes
# slowly. In training it assigns $W / \sigma$ to the wrapped kernel and the new $u$ to
# `vector_u`, then calls the layer; the gradient reaches the kernel through that call, not
# through the division (as in Keras):

# %%
show_source(layers.SpectralNormalization.normalized_weights)

# %% [markdown]
# Wrapped around a `Dense` layer and called in training, the kernel's spectral norm reaches 1
# within a few calls, and the Keras cases (inference, training with one and three iterations, a
# wrapped `Conv2D` and a wrapped `Embedding`) match, including the new kernel and `vector_u`
# after the call:

# %%
dense = layers.Dense(6)
wrapped = layers.SpectralNormalization(dense)
x = rng.standard_normal((4, 8)).astype(np.float32)
wrapped(x)
norms = []
for _ in range(5):
    wrapped(x, training=True)
    norms.append(np.linalg.svd(dense.kernel.numpy(), compute_uv=False)[0])
print("spectral norm of the kernel after each training call:", np.round(norms, 4))
norm_cases = [c for c in cases.values() if "Normalization" in c.get("layer", "")]
for case in norm_cases:
    check_layer_case(case)
print(f"{len(norm_cases)} normalization cases match Keras (group, unit, RMS, spectral)")

# %% [markdown]
# ## Regularization layers
#
# All of these are the identity at inference and random only when called with
# `training=True`, drawing from a `SeedGenerator` (seeded, the draws repeat run after run):
#
# - `ActivityRegularization(l1, l2)` passes its input and adds
#   $(\ell_1 \sum |y| + \ell_2 \sum y^2) / \text{batch}$ to `layer.losses`;
# - `SpatialDropout1D/2D/3D(rate)` drop whole channels: one keep/drop decision per sample and
#   channel for every step or pixel, because neighbouring pixels of a feature map are so
#   correlated that dropping single ones barely regularises;
# - `GaussianNoise(stddev)` adds $\mathcal N(0, \text{stddev}^2)$ noise;
#   `GaussianDropout(rate)` multiplies by $\mathcal N(1, p/(1-p))$, the mean and variance of
#   dropout's scaled Bernoulli factor;
# - `AlphaDropout(rate)` keeps self-normalising (SELU) networks at mean 0 and variance 1. It
#   sets dropped entries to SELU's saturation value $\alpha' = -\lambda\alpha \approx -1.758$
#   instead of 0, then applies $a x + b$. With keep probability $q = 1 - p$ and inputs of mean
#   0 and variance 1, the mixture has mean $p\alpha'$ and second moment $q + p\alpha'^2$, so
#   variance $q + p\alpha'^2 - p^2\alpha'^2 = q(1 + p\alpha'^2)$; $a = (q(1 +
#   p\alpha'^2))^{-1/2}$ and $b = -a p \alpha'$ bring them back to 0 and 1.

# %%
x = rng.standard_normal((2000, 500)).astype(np.float32)
for layer in [layers.GaussianNoise(0.5, seed=1), layers.GaussianDropout(0.3, seed=1),
              layers.AlphaDropout(0.3, seed=1)]:
    out = layer(x, training=True).numpy()
    same = np.array_equal(layer(x).numpy(), x)
    print(f"{type(layer).__name__:>15}: inference is the identity: {same}; training: mean "
          f"{out.mean():+.2f}, variance {out.var():.2f}")
channels = layers.SpatialDropout2D(0.5, seed=2)(np.ones((1, 4, 4, 6), np.float32),
                                                training=True).numpy()
print("SpatialDropout2D, value of each channel (all its 4 × 4 pixels alike):",
      channels[0].reshape(16, 6).max(axis=0), channels[0].reshape(16, 6).min(axis=0))
regularization = [c for c in cases.values() if c.get("layer", "").startswith((
    "Activity", "Spatial", "Gaussian", "Alpha"))]
for case in regularization:
    check_layer_case(case)
print(f"{len(regularization)} regularization cases match Keras (at inference, with rate 0, "
      "and the activity penalty); TensorFlow's random streams differ from NumPy's, so the "
      "training draws are checked by their statistics")

# %% [markdown]
# ## Numeric preprocessing
#
# These layers turn raw values into features. Some learn from data with `adapt()` before
# training, once, not by gradient descent.
#
# **Normalization** standardises each feature with a mean and variance, given or adapted:
# `(x - mean) / max(sqrt(variance), epsilon)`. `adapt` takes an array, a tensor or an iterable
# of batches; for batches it keeps the running mean and variance of everything seen, merging a
# batch of $n_b$ values into $n$ earlier ones with weights $w = n_b / (n + n_b)$ and $1 - w$:
#
# $$ \mu' = (1 - w)\mu + w \mu_b, $$
#
# $$ \sigma'^2 = (1 - w)\left(\sigma^2 + (\mu - \mu')^2 \right)
#    + w \left(\sigma_b^2 + (\mu_b - \mu')^2\right), $$
#
# the exact variance of the union. On the 64 pixel features of the digits, adapted in three
# batches, the statistics are those of the whole set:

# %%
pixels = digits.data.astype(np.float32)
normalizer = layers.Normalization()
normalizer.adapt([pixels[:500], pixels[500:1200], pixels[1200:]])
mean, variance, _ = normalizer.get_weights()
close = np.allclose(mean, pixels.mean(0), atol=1e-4) and np.allclose(variance, pixels.var(0),
                                                                      atol=1e-3)
print("the merged batches give the whole set's mean and variance:", close)
standardised = normalizer(pixels).numpy()
print("after the layer, pixel 20 has mean", f"{standardised[:, 20].mean():.3f}", "and std",
      f"{standardised[:, 20].std():.3f}", "(a constant pixel stays 0: its variance is 0)")
back = layers.Normalization(invert=True)
back.adapt(pixels)
print("invert=True maps back:", np.allclose(back(standardised).numpy(), pixels, atol=1e-4))

# %% [markdown]
# **Rescaling** is `x * scale + offset` (`Rescaling(1 / 255)` for pixel values).
# **Discretization** buckets values by boundaries, $x \mapsto i$ with
# $b_{i-1} \le x < b_i$; with `num_bins`, `adapt` puts the boundaries at approximate quantiles,
# from the same summary sketch as Keras (the sorted values thinned to about $1/\epsilon$
# weighted points, merged batch by batch, and read off the cumulative weights), so that they
# come out as Keras' boundaries. **CategoryEncoding** turns ids into one-hot, multi-hot or count
# vectors. **Hashing** sends strings or integers to `num_bins` buckets by FarmHash's 64-bit
# fingerprint (or, with a `salt`, keyed SipHash-2-4), TensorFlow's hashes bit for bit, Numba
# kernels on integers only. **IntegerLookup** maps integer tokens to indices over a vocabulary,
# given or adapted (tokens by decreasing frequency, ties by decreasing value), reserving index
# 0 for unknown tokens:

# %%
preprocessing = {c.id: c for c in load_reference("preprocessing")}
brightness = pixels.mean(axis=1)
quartiles = layers.Discretization(num_bins=4)
quartiles.adapt(brightness)
print("Discretization: boundaries of the mean brightness quartiles",
      np.round(quartiles.bin_boundaries, 3), "-> bucket counts",
      np.bincount(quartiles(brightness).numpy()))
print("CategoryEncoding multi_hot of [[0, 1, 1], [3, 2, 0]]:\n",
      layers.CategoryEncoding(4)(np.array([[0, 1, 1], [3, 2, 0]])).numpy())
case = preprocessing["Hashing/strings"]
print("Hashing(7) of", case.array("x")[0].tolist(), "->",
      layers.Hashing(7)(case.array("x")).numpy()[0], " Keras:", case.array("output")[0])
lookup = layers.IntegerLookup()
lookup.adapt(digits.target[:60])
print("IntegerLookup adapted to 60 labels: vocabulary", lookup.get_vocabulary(),
      "\n  labels", digits.target[60:70], "-> indices", lookup(digits.target[60:70]).numpy())

# %% [markdown]
# Every preprocessing case (adapted on arrays, tensors and batches, every output mode, masks,
# several OOV buckets, inversion, TF-IDF) is replayed by `tests/test_preprocessing.py`, which
# also checks `keras.utils.to_categorical`, `normalize` and `pad_sequences`:

# %%
print(keras.utils.to_categorical([0, 2, 1], num_classes=3))
print(keras.utils.pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2, padding="post"))
print(f"{len(preprocessing)} preprocessing and utility cases recorded from Keras")

# %% [markdown]
# Two places where nbkeras departs from Keras on purpose: after `set_weights`, Keras'
# `Normalization` keeps normalising with the statistics it had at build time (nbkeras uses the
# weights it was given), and `CategoryEncoding` in Keras silently drops an id outside
# `[0, num_tokens)` where nbkeras raises an error naming it.
#
# ## Summary
#
# - PReLU's slope gradient is $\min(x, 0)$ times the cotangent, summed over the batch and the
#   shared axes.
# - A merge's mask is the "or" of its inputs' masks (none unless every input has one);
#   `Maximum` and `Minimum` keep masked entries out of the comparison and `Multiply` out of the
#   product. The normalised `Dot` is a cosine, whose gradient $(\hat y - c\hat x)/\lVert x
#   \rVert$ is orthogonal to $x$.
# - Bilinear resizing is a linear map per axis, two non-zeros per row at TensorFlow's
#   half-pixel positions; its backward pass is the transposed map, $A_h^\top \bar Y A_w$.
# - Adaptive pooling's window $i$ of $m$ over $n$ is $[\lfloor in/m \rfloor, \lceil (i+1)n/m
#   \rceil)$.
# - Group normalization's backward is layer normalization's within each group; RMS
#   normalization's is $r \bar y s - x r^3 \operatorname{mean}(\bar y s x)$; spectral
#   normalization estimates $\sigma_1$ by power iteration, one step per training call.
# - The preprocessing layers learn in `adapt()`: running means and variances, quantile
#   boundaries, vocabularies; Hashing uses TensorFlow's own hash functions.
