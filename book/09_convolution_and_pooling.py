# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Convolution and pooling
#
# A `Dense` layer connects every input to every output. On a 28 × 28 colour image that is
# 2,352 weights per output unit, and a pattern learned in one corner of the image means
# nothing in another. A convolution slides one small kernel over every position instead: the
# same few weights look at every neighbourhood, so a 3 × 3 kernel from 3 to 64 channels has
# 3·3·3·64 + 64 = 1,792 parameters whatever the image size, and whatever it detects, it
# detects everywhere. Pooling then summarises each neighbourhood by its maximum or its mean.
#
# This chapter derives what Keras' `Conv1D`, `Conv2D`, `Conv3D`, `Conv2DTranspose`,
# `DepthwiseConv2D`, `SeparableConv2D` and the pooling layers compute, forward and backward:
# the output sizes and how "same" padding is split, the convolution as one matrix product,
# its two gradients (the input gradient turns out to be a *transposed* convolution, the
# kernel gradient a correlation of the input with the upstream gradient), Winograd's faster
# algorithm for the common 3 × 3 case, and the gradients of max and average pooling.
#
# ## What a convolution computes
#
# Keras stores images *channels last*: a batch of images is an array $x$ of shape
# (batch, height, width, channels), and a `Conv2D` kernel $w$ has shape
# (kernel height, kernel width, input channels, filters). With strides $s$, dilation $d$ and
# the input zero-padded by $p$ rows and columns before the first one ($\tilde x$), output
# pixel $(i, j)$ of filter $f$ is
#
# $$
# y_{n,i,j,f} = b_f + \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} \sum_{c}
#   \tilde x_{n,\; i s_h + a d_h,\; j s_w + b d_w,\; c}\; w_{a,b,c,f}.
# $$
#
# Every output pixel is a dot product of the kernel with the patch of input under it. This is
# a *cross-correlation*: the mathematician's convolution flips the kernel first, but a learned
# kernel can learn the flipped weights just as well, so TensorFlow (and every deep learning
# library) skips the flip. `ops.conv` computes it; on a 4 × 4 image and a 3 × 3 kernel the
# definition can be spelled out by hand:

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils import assert_matches_keras, check_gradients, load_reference, show_source
from nbkeras.utils.keras_reference import check_layer_case, check_op_case

np.set_printoptions(precision=4, suppress=True)

image = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)  # one 4x4 image, one channel
kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32).reshape(3, 3, 1, 1)
by_hand = np.array([[np.sum(image[0, i:i + 3, j:j + 3, 0] * kernel[:, :, 0, 0])
                     for j in range(2)] for i in range(2)])
print(image[0, :, :, 0])
print("by the definition:\n", by_hand)
print("ops.conv:\n", ops.conv(image, kernel).numpy()[0, :, :, 0])

# %% [markdown]
# The kernel is a Sobel filter: it subtracts the column on the right from the column on the
# left, and since every row of the image grows by 1 per column, each output is
# $-(1 + 2 + 1) \cdot 2 = -8$.
#
# ## Output sizes and how "same" splits its padding
#
# Along one axis of length $n$, a kernel of size $k$ with dilation $d$ spans
# $k_\text{eff} = d(k - 1) + 1$ inputs. The window of output $i$ starts at $i s$ and ends at
# $i s + k_\text{eff} - 1$.
#
# - **"valid"** uses no padding, so the last window must end inside the input,
#   $(m - 1) s + k_\text{eff} - 1 \le n - 1$, and the number of outputs is
#   $m = \lfloor (n - k_\text{eff}) / s \rfloor + 1$.
# - **"same"** pads just enough for $m = \lceil n / s \rceil$ outputs (the same length as the
#   input when $s = 1$). The last window then ends at $(m - 1) s + k_\text{eff} - 1$, so the
#   total padding is $P = \max((m - 1) s + k_\text{eff} - n, 0)$. TensorFlow puts
#   $\lfloor P / 2 \rfloor$ before the first element and the rest after the last: when $P$ is
#   odd, the extra row goes to the bottom and the extra column to the right.
# - **"causal"** (`Conv1D` only) pads all of $k_\text{eff} - 1$ before the sequence, so output
#   $t$ sees inputs up to $t$ and nothing later; the length is that of "same".
#
# These two functions are all of it:

# %%
show_source(ops.convolution.conv_output_length, ops.convolution.same_padding)

# %%
length = ops.convolution.conv_output_length
print(" n  k  s  d | valid  same  same padding (before, after)")
for n, k, s, d in [(28, 3, 1, 1), (28, 3, 1, 2), (28, 3, 2, 1), (5, 2, 1, 1), (4, 2, 2, 1),
                   (7, 4, 3, 1)]:
    print(f"{n:2d} {k:2d} {s:2d} {d:2d} | {length(n, k, s, 'valid', d):5d} "
          f"{length(n, k, s, 'same', d):5d}  {ops.convolution.same_padding(n, k, s, d)}")

# %% [markdown]
# The examples from the Keras documentation, run through Keras 3.15 when the reference data
# were made (symbolic calls on `keras.Input`) and through nbkeras now:

# %%
shape_cases = {c.id: c for c in load_reference("convolution") if c.id.startswith("shape/")}
for case in shape_cases.values():
    arguments = [str(a) for a in case["args"]] + [f"{k}={v!r}" for k, v in case["kwargs"].items()]
    call = f"{case['layer']}({', '.join(arguments)})"
    ours = getattr(layers, case["layer"])(*case["args"], **case["kwargs"])(
        keras.Input(batch_shape=tuple(case["input_shape"])))
    keras_shape = tuple(case["output_shape"]) if "output_shape" in case.meta else "ValueError"
    print(f"{call}\n  input {str(tuple(case['input_shape'])):<19} Keras {str(keras_shape):<19}"
          f" nbkeras {ours.shape}")
    if "output_shape" in case.meta:
        assert ours.shape == keras_shape

# %% [markdown]
# Two rows need a word.
#
# **Extra batch axes.** The TensorFlow 2 documentation shows `Conv2D(2, 3)` on a batch of
# shape (4, 7, 28, 28, 3), seven images for each of four samples, giving (4, 7, 26, 26, 2),
# `Conv1D(32, 3)` on (4, 7, 10, 128) giving (4, 7, 8, 32), and `Conv3D(2, 3)` on a batch of 4
# videos of 7 frames, (4, 7, 28, 28, 28, 1), giving (4, 7, 26, 26, 26, 2). tf.keras 2 accepted
# leading batch axes; Keras 3 does not, and raises:

# %%
print(shape_cases["shape/conv2d_2_3_extended_batch"]["error"])
conv3d_case = next(c for c in load_reference("seeds") if c.id == "conv3d/extended_batch")
print(conv3d_case["error"]["message"])
videos = layers.Conv3D(2, 3, activation="relu")(keras.Input(batch_shape=(4, 7, 28, 28, 28, 1)))
print("nbkeras, Conv3D(2, 3) on (4, 7, 28, 28, 28, 1):", videos.shape)

# %% [markdown]
# nbkeras keeps the tf.keras 2 behaviour: the batch axes are folded into one before the
# convolution and unfolded after it, which is why its shapes above have the extra axis. The
# numbers must be those of the folded call, and the test suite checks exactly that against
# Keras 3 on the folded batch (`Conv1D/extended_batch` and `Conv2D/extended_batch`).
#
# **`Conv2D(64, 3, 3)` on (3, 32, 32).** This line comes from Keras 1, where
# `Convolution2D(nb_filter, nb_row, nb_col)` meant 64 filters of 3 × 3, and where images were
# stored channels first, (channels, rows, columns), so (3, 32, 32) was a 32 × 32 RGB image.
# Keras 2 and 3 read the same positional arguments as `filters=64, kernel_size=3, strides=3`,
# and with channels last they see an image of height 3, width 32 and 32 channels. A 3 × 3
# window with stride 3 fits once vertically and $\lfloor (32 - 3) / 3 \rfloor + 1 = 10$ times
# horizontally: (None, 1, 10, 64), which `Flatten` turns into 640 features. What the Keras 1
# author meant is a 3 × 3 kernel over a channels-first image:

# %%
seed = shape_cases["shape/seed_conv2d_64_3_3"]
literal = layers.Conv2D(64, 3, 3)
print("strides:", literal.strides, " kernel_size:", literal.kernel_size)
inputs = keras.Input(shape=(3, 32, 32))
as_written = layers.Conv2D(64, 3, 3)(inputs)
print("as written:", as_written.shape, "->", layers.Flatten()(as_written).shape,
      " Keras:", tuple(seed["output_shape"]), "->", tuple(seed["then_shape"]))
meant = layers.Conv2D(64, (3, 3), data_format="channels_first")(inputs)
print("as meant:  ", meant.shape, "->",
      layers.Flatten(data_format="channels_first")(meant).shape)

# %% [markdown]
# ## A convolution is one matrix product
#
# Copy the patch under every output pixel into one row of a matrix, the *column matrix*
# ("im2col"): for a batch of $N$ images with $H' \times W'$ outputs it has $N H' W'$ rows and
# $k_h k_w C$ columns. Reshape the kernel into a $(k_h k_w C) \times F$ matrix and the
# convolution is
#
# $$ Y = \operatorname{im2col}(X)\, W, $$
#
# a single matrix product, which BLAS computes at close to the processor's peak. For the
# 4 × 4 image above with a 2 × 2 kernel, each of the 9 rows holds one 2 × 2 patch:

# %%
from nbkeras.kernels import conv as conv_kernels

cols = np.empty((9, 4), np.float32)
volume = image.reshape(1, 1, 4, 4, 1)  # the kernels see every input as (N, D, H, W, C)
conv_kernels.im2col(volume, cols, 0, (1, 3, 3), (1, 2, 2), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1)
print(cols)

# %% [markdown]
# The gather is a Numba kernel. It works on five-dimensional arrays (batch, depth, height,
# width, channels): an image is a volume of depth 1 and a sequence one of depth and height 1,
# so one kernel serves `Conv1D`, `Conv2D` and `Conv3D`. Positions where the kernel hangs over
# the border read zeros: that is the padding, which is never materialised.

# %%
show_source(conv_kernels.im2col)

# %% [markdown]
# The forward pass builds the column matrix for a few images at a time, so that it stays in
# the processor's cache between the gather and the product, and calls BLAS once per chunk
# (and per group, for grouped convolutions, below). When there are several chunks, two threads
# share them, each gathering and multiplying its own chunks with single-threaded BLAS, so that
# both cores work on the gathers too. Each chunk writes only its own output rows, so the
# threads cannot change a bit of the result:

# %%
show_source(conv_kernels.conv)

# %% [markdown]
# ## The backward pass
#
# With $C = \operatorname{im2col}(X)$ the forward pass is the matrix product $Y = C W$, and
# chapter 1 gave its two vector-Jacobian products: $\bar W = C^\top \bar Y$ and
# $\bar C = \bar Y W^\top$. The map $X \mapsto C$ is linear (it copies entries), so $\bar X$
# is its adjoint applied to $\bar C$: every input pixel receives the sum of the entries of
# $\bar C$ that were copies of it. That adjoint is "col2im":

# %%
show_source(conv_kernels.col2im)

# %% [markdown]
# Written out with indices, the two gradients of the formula at the top of the chapter are
#
# $$
# \bar x_{n,p,c} = \sum_{\substack{i, a:\\ i s + a d - p_0 = p}} \sum_f
#   \bar y_{n,i,f}\, w_{a,c,f},
# \qquad
# \bar w_{a,c,f} = \sum_{n} \sum_{i} \tilde x_{n,\, i s + a d,\, c}\; \bar y_{n,i,f}
# $$
#
# (one spatial axis shown; $p_0$ is the padding before). Each output pixel sends
# $\bar y_{n,i,:} w^\top$ back to the inputs under its window. With stride 1 the condition
# $i + a d - p_0 = p$ gives $i = p + p_0 - a d$, and the sum over $a$ becomes a correlation of
# $\bar y$ with the kernel *flipped* ($a \to k - 1 - a$) and with its two channel axes swapped,
# over $\bar y$ padded by $k_\text{eff} - 1 - p_0$ before. The input gradient of a convolution
# is itself a convolution, the **transposed convolution** of $\bar y$ with $w$. The kernel
# gradient is a correlation too: of the input with $\bar y$, the batch axis playing the role
# of the channels that are summed over.
#
# Both claims can be checked with the tape:

# %%
rng = np.random.default_rng(0)
x = ops.convert_to_tensor(rng.standard_normal((2, 7, 6, 3)))
w = ops.convert_to_tensor(rng.standard_normal((3, 3, 3, 4)))
with keras.GradientTape() as tape:
    tape.watch([x, w])
    y = ops.conv(x, w, padding="same")
g = rng.standard_normal(y.shape)
grad_x, grad_w = tape.gradient(y, [x, w], output_gradients=g)

# x̄: the "same" padding here is (1, 1), so ȳ is padded by k - 1 - 1 = 1 on each side
flipped = np.flip(w.numpy(), axis=(0, 1)).transpose(0, 1, 3, 2)  # (3, 3, filters, channels)
as_correlation = ops.conv(np.pad(g, ((0, 0), (1, 1), (1, 1), (0, 0))), flipped)
print("x̄ = ȳ correlated with the flipped kernel:",
      np.allclose(grad_x.numpy(), as_correlation.numpy(), rtol=1e-12, atol=1e-12))
print("x̄ = conv_transpose(ȳ, w):",
      np.allclose(grad_x.numpy(), ops.conv_transpose(g, w, padding="same").numpy(),
                  rtol=1e-12, atol=1e-12))

# w̄: the padded input, with channels as the batch and the batch as the channels, correlated
# with ȳ (batch as input channels, filters as output channels)
padded = np.pad(x.numpy(), ((0, 0), (1, 1), (1, 1), (0, 0)))
correlation = ops.conv(padded.transpose(3, 1, 2, 0), g.transpose(1, 2, 0, 3))
print("w̄ = x correlated with ȳ:",
      np.allclose(grad_w.numpy(), correlation.numpy().transpose(1, 2, 0, 3), rtol=1e-12,
                  atol=1e-12))

# %% [markdown]
# nbkeras computes both gradients the way it computes the forward pass, as products of the
# same factors: $\bar W = C^\top \bar Y$ summed chunk by chunk in batch order (a fixed order,
# so the result is the same on every run), and $\bar X = \operatorname{col2im}(\bar Y
# W^\top)$. The `needs` flags skip what the tape does not want, such as the input gradient of
# a network's first layer:

# %%
show_source(ops.convolution.conv_p, conv_kernels.conv_input_grad,
            conv_kernels.conv_kernel_grad)

# %% [markdown]
# The same two kernels give `conv_transpose` its forward pass and both of its gradients
# (it is linear in each argument, and its adjoint with respect to the input is the
# convolution itself). Central differences in float64 agree with all of them:

# %%
checks = {
    "conv 1-D, stride 2, same": (lambda t, k: ops.conv(t, k, 2, "same"),
                                 [rng.standard_normal((2, 9, 3)), rng.standard_normal((4, 3, 2))]),
    "conv 2-D, dilation 2, grouped": (lambda t, k: ops.conv(t, k, dilation_rate=2),
                                      [rng.standard_normal((1, 8, 7, 4)),
                                       rng.standard_normal((3, 3, 2, 4))]),
    "conv 3-D, channels first": (lambda t, k: ops.conv(t, k, data_format="channels_first"),
                                 [rng.standard_normal((1, 2, 4, 5, 3)),
                                  rng.standard_normal((2, 2, 2, 2, 3))]),
    "conv_transpose, stride 2": (lambda t, k: ops.conv_transpose(t, k, 2, "same"),
                                 [rng.standard_normal((2, 3, 4, 3)),
                                  rng.standard_normal((3, 3, 2, 3))]),
}
for name, (f, arrays) in checks.items():
    error = check_gradients(f, arrays)
    print(f"{name:>30}: {'agrees' if error < 1e-8 else 'DIFFERS'} (error < 1e-8)")

# %% [markdown]
# ## Fewer multiplications: Winograd's F(2 × 2, 3 × 3)
#
# Most convolutions in image models are 3 × 3 with stride 1, and for those the column matrix
# does more multiplications than it has to. Take one channel and one axis: two neighbouring
# outputs of a 3-tap kernel $g$ over inputs $d_0, \dots, d_3$ are
#
# $$ y_0 = d_0 g_0 + d_1 g_1 + d_2 g_2, \qquad y_1 = d_1 g_0 + d_2 g_1 + d_3 g_2, $$
#
# six multiplications. Winograd's minimal filtering algorithm gets them from four:
#
# $$
# \begin{aligned}
# m_1 &= (d_0 - d_2)\, g_0, & m_2 &= (d_1 + d_2)\, \tfrac{g_0 + g_1 + g_2}{2}, \\
# m_3 &= (d_2 - d_1)\, \tfrac{g_0 - g_1 + g_2}{2}, & m_4 &= (d_1 - d_3)\, g_2,
# \end{aligned}
# $$
#
# $$ y_0 = m_1 + m_2 + m_3, \qquad y_1 = m_2 - m_3 - m_4 $$
#
# (expand $m_2 + m_3$ and $m_2 - m_3$ to check). In matrix form this is
# $y = A^\top \left[ (G g) \odot (B^\top d) \right]$ with
#
# $$
# B^\top = \begin{pmatrix} 1 & 0 & -1 & 0 \\ 0 & 1 & 1 & 0 \\ 0 & -1 & 1 & 0 \\ 0 & 1 & 0 & -1
# \end{pmatrix},\quad
# G = \begin{pmatrix} 1 & 0 & 0 \\ \frac12 & \frac12 & \frac12 \\ \frac12 & -\frac12 &
# \frac12 \\ 0 & 0 & 1 \end{pmatrix},
# $$
#
# $$
# A^\top = \begin{pmatrix} 1 & 1 & 1 & 0 \\ 0 & 1 & -1 & -1 \end{pmatrix}.
# $$
#
# Applying the same algorithm to the rows and then to the columns of a 4 × 4 input patch $d$
# gives a 2 × 2 output tile from 16 products instead of 36:
#
# $$ Y = A^\top \left[ (G g G^\top) \odot (B^\top d B) \right] A. $$
#
# With many channels the element-wise product becomes a sum over input channels, and for each
# of the 16 positions $p$ of the 4 × 4 grid that sum is a matrix product: with
# $V_p$ (tiles × $C$) holding position $p$ of every transformed input patch and $U_p$
# ($C$ × $F$) position $p$ of every transformed kernel, $M_p = V_p U_p$. So F(2 × 2, 3 × 3) is
# 16 BLAS products that together do 2.25 times fewer multiplications than im2col's one, plus
# transforms that only add, subtract and halve. It is not an approximation: in exact
# arithmetic it computes the same sums. Here are the matrices of the package and the 1-D case
# on numbers:

# %%
from nbkeras.kernels import winograd

G = winograd._g(np.float64)
B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], np.float64)
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], np.float64)
d, g3 = np.array([1.0, 2.0, -1.0, 3.0]), np.array([0.5, -2.0, 1.5])
print("direct:  ", np.array([d[0:3] @ g3, d[1:4] @ g3]))
print("Winograd:", A_T @ ((G @ g3) * (B_T @ d)))

# %% [markdown]
# The input transform reads each patch once and writes its 16 transformed rows; the four 1-D
# steps are tiny kernels that Numba inlines:

# %%
show_source(winograd._bt, winograd._transform_patch)

# %% [markdown]
# **The backward pass** is the forward pass read backwards, each linear step replaced by its
# adjoint (chapter 1). Per tile and position:
#
# - $\bar M = A\, \bar Y A^\top$: the 2 × 2 output cotangent spread over the 4 × 4 grid;
# - $\bar U_p = V_p^\top \bar M_p$, summed over all tiles, and then
#   $\bar w = G^\top \bar U G$ for every channel pair;
# - $\bar V_p = \bar M_p U_p^\top$, and then $B \bar V B^\top$ is added onto the 4 × 4 input
#   patch the tile came from. Neighbouring patches overlap by two pixels, so an input pixel
#   collects from up to four tiles, just as col2im collects from every window.
#
# The backward pass makes the cotangent transform once and uses it for both gradients. It
# transforms the input patches again rather than keeping them from the forward pass: that
# costs a read of the input, where keeping them would hold 16 values per input channel and tile
# (about four times the input) in memory between the two passes.

# %%
show_source(winograd.winograd_cotangent, winograd.winograd_conv_grads)

# %% [markdown]
# The convolution primitive takes this path when it applies (a 2-D 3 × 3 kernel, stride 1, no
# dilation, one group, and at least 8 channels each way: with fewer, the 16 products are too
# thin for BLAS) and im2col otherwise. It also leaves very wide layers (more than 96 × 128
# channel pairs) to im2col: measured on this machine, 128 → 128 channels ran 1.3 times slower
# with Winograd, once the 16 transformed kernels no longer fit in a core's cache.
#
# In float64 the two paths agree to rounding, and the float64 gradient check passes on the
# Winograd path too. In float32 they round differently; measured against float64, the Winograd
# error is of the same order as im2col's: smaller for the output (each of its products sums $C$
# terms where im2col's sums $9C$), up to about twice as large for the input gradient (its
# transforms add and subtract values of different sizes, and every such float32 operation
# rounds; only the halvings are exact):

# %%
print("applies:", winograd.applies((8, 14, 14, 32), (3, 3, 32, 64), (1, 1), (1, 1), 1),
      "| with 3 input channels:", winograd.applies((8, 14, 14, 3), (3, 3, 3, 64), (1, 1),
                                                   (1, 1), 1))
x64, w64 = rng.standard_normal((8, 14, 14, 32)), rng.standard_normal((3, 3, 32, 64)) * 0.1
g64 = rng.standard_normal((8, 12, 12, 64))
geometry = ((1, 1), (1, 1), ((0, 0), (0, 0)), 1)
exact = [conv_kernels.conv(x64, w64, *geometry),
         conv_kernels.conv_input_grad(g64, w64, x64.shape, *geometry),
         conv_kernels.conv_kernel_grad(x64, g64, w64.shape, *geometry)]
x32, w32, g32 = (a.astype(np.float32) for a in (x64, w64, g64))
paths = {
    "im2col": [conv_kernels.conv(x32, w32, *geometry),
               conv_kernels.conv_input_grad(g32, w32, x32.shape, *geometry),
               conv_kernels.conv_kernel_grad(x32, g32, w32.shape, *geometry)],
    "Winograd": [winograd.winograd_conv(x32, w32, geometry[2]),
                 *winograd.winograd_conv_grads(x32, w32, g32, geometry[2])],
}
in_float64 = [winograd.winograd_conv(x64, w64, geometry[2]),
              *winograd.winograd_conv_grads(x64, w64, g64, geometry[2])]
agree = [np.allclose(a, b, rtol=1e-12, atol=1e-12)
         for a, b in zip(in_float64, exact, strict=True)]
print("float64, Winograd vs im2col: agree to 1e-12:", all(agree))
print("float32 error / largest value, against float64:")
for name, results in paths.items():
    errors = [np.max(np.abs(r - e)) / np.max(np.abs(e))
              for r, e in zip(results, exact, strict=True)]
    print(f"  {name:>8}: output, x̄, w̄ below 2e-6: {all(err < 2e-6 for err in errors)}")
error = check_gradients(lambda t, k: ops.conv(t, k, padding="same"),
                        [rng.standard_normal((2, 5, 6, 8)), rng.standard_normal((3, 3, 8, 8))])
print(f"gradient check on the Winograd path: {'agrees' if error < 1e-8 else 'DIFFERS'}")

# %% [markdown]
# How much faster the Winograd path is on the benchmark layer of `benchmarks/bench_conv.py`
# (3 × 3, 32 → 64 channels, batch 64, 26 × 26 inputs) is measured by `make bench` and quoted
# in the Speed section below; the timings of the next cell, taken while this chapter runs,
# vary from run to run. The layers also add the bias inside the convolution (`conv_with_bias`,
# one primitive with the same bits as `conv` followed by `add`), which saves a pass over the
# output.

# %%
def best_time(function, repeat=5):
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


xb = rng.standard_normal((64, 26, 26, 32)).astype(np.float32)
wb = (rng.standard_normal((3, 3, 32, 64)) * 0.1).astype(np.float32)
gb = rng.standard_normal((64, 24, 24, 64)).astype(np.float32)
valid = ((0, 0), (0, 0))
geometry = ((1, 1), (1, 1), valid, 1)
im2col_time = best_time(lambda: (conv_kernels.conv(xb, wb, *geometry),
                                 conv_kernels.conv_input_grad(gb, wb, xb.shape, *geometry),
                                 conv_kernels.conv_kernel_grad(xb, gb, wb.shape, *geometry)))
winograd_time = best_time(lambda: (winograd.winograd_conv(xb, wb, valid),
                                   winograd.winograd_conv_grads(xb, wb, gb, valid)))
print(f"im2col {im2col_time * 1e3:.1f} ms, Winograd {winograd_time * 1e3:.1f} ms "
      f"(forward + both gradients)")

# %% [markdown]
# ## Transposed, grouped, depthwise and separable convolutions
#
# **Transposed convolution.** `ops.conv_transpose(x, w, strides)` runs the input gradient as a
# forward operation: every input pixel spreads $x_{n,i,:} w^\top$ over a window of the output,
# so with stride 2 the output is twice as large. That is how decoders and generators upsample
# (`Conv2DTranspose`). Its kernel has shape (k, k, filters, input channels): the kernel of the
# convolution it transposes. Keras' output length is $(n - 1) s + k_\text{eff}$ for "valid"
# (plus `output_padding`, or $\max(k_\text{eff}, s) - k_\text{eff}$ without it) and $n s$ for
# "same".
#
# **Groups.** With `groups=g`, the input channels are split into $g$ groups and each group of
# filters sees only its own group: the kernel has $C / g$ input channels, and the convolution
# is $g$ independent ones side by side (one matrix product per group).
#
# **Depthwise** convolution is the extreme case, one group per channel, with
# `depth_multiplier` filters each; nbkeras reshapes the kernel (k, k, C, m) into the grouped
# kernel (k, k, 1, C·m). **Separable** convolution follows it with a 1 × 1 convolution that
# mixes the channels, at a fraction of the cost:

# %%
show_source(ops.convolution.depthwise_conv)

# %%
for layer in [layers.Conv2D(64, 3), layers.DepthwiseConv2D(3, depth_multiplier=2),
              layers.SeparableConv2D(64, 3, depth_multiplier=2),
              layers.Conv2DTranspose(16, 3, strides=2, padding="same")]:
    out = layer(keras.Input((28, 28, 32)))
    shapes = [tuple(w.shape) for w in layer.weights]
    print(f"{type(layer).__name__:>16}: (None, 28, 28, 32) -> {out.shape}, "
          f"{layer.count_params():6,d} parameters\n{'':18}weights {shapes}")

# %% [markdown]
# Every convolution op was run in Keras 3.15 on TensorFlow 2.21 with random inputs, and its
# output and its `tf.GradientTape` gradients with respect to every argument were recorded.
# nbkeras agrees with all of them (`check_op_case` is chapter 1's runner):

# %%
op_cases = [c for c in load_reference("convolution") if "fn" in c.meta]
for case in op_cases:
    check_op_case(case, rtol=1e-5)
print(f"{len(op_cases)} Keras cases agree to 1e-5:",
      ", ".join(sorted({c['fn'] for c in op_cases})))

# %% [markdown]
# ## The layers
#
# `Conv1D`, `Conv2D` and `Conv3D` share one base class and differ only in `rank`. `build`
# creates the kernel (*kernel_size, input channels / groups, filters) and the bias (filters,),
# in that order, so `get_weights()` is `[kernel, bias]` as in Keras and Keras' weights can be
# loaded with `set_weights`. `call` adds the bias to the convolution and applies the
# activation; the tape does the rest.

# %%
from nbkeras.layers.convolutional.base_conv import BaseConv

show_source(BaseConv.build, BaseConv.call)

# %% [markdown]
# A layer checks what it receives against its `input_spec`: once built for 3 channels, it
# refuses 4, and it refuses an input without a batch axis, naming itself and both shapes:

# %%
edges = layers.Conv2D(2, 3, name="edges")
edges(np.ones((1, 5, 5, 3), np.float32))
for bad in [np.ones((1, 5, 5, 4), np.float32), np.ones((5, 5, 3), np.float32)]:
    try:
        edges(bad)
    except ValueError as error:
        print("ValueError:", error)

# %% [markdown]
# The layer cases were recorded the same way as the op cases: each Keras layer built, given
# random weights with `set_weights`, called under a `tf.GradientTape`, and differentiated with
# respect to its input and each weight. Loading the same weights into nbkeras' layer gives the
# same output and the same gradients (`check_layer_case` is chapter 7's runner):

# %%
layer_cases = [c for c in load_reference("convolution") if "n_inputs" in c.meta]
for case in layer_cases:
    check_layer_case(case)
print(f"{len(layer_cases)} Keras layer cases agree to 1e-4:",
      ", ".join(sorted({c['layer'] for c in layer_cases})))

# %% [markdown]
# ## Pooling
#
# `MaxPooling2D` replaces each window of `pool_size` by its largest element, `AveragePooling2D`
# by its mean; the windows move by `strides`, which default to the pool size (windows side by
# side). Output sizes and the "same" padding split are those of a convolution with kernel size
# `pool_size`, but the padding is never a candidate: a border window's max is the max of its
# real elements, and its average divides by their number. The two grids from the Keras
# documentation:

# %%
grid3 = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
grid4 = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1)
pooled3 = layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="valid")(grid3)
pooled4 = layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="valid")(grid4)
print(grid3[0, :, :, 0], "->\n", pooled3.numpy()[0, :, :, 0])
print(grid4[0, :, :, 0], "->\n", pooled4.numpy()[0, :, :, 0])
pooling_cases = {c.id: c for c in load_reference("pooling")}
assert_matches_keras(pooled3, pooling_cases["max_pool/seed_3x3_pool_2_stride_1"].array("output"),
                     rtol=0)
assert_matches_keras(pooled4, pooling_cases["max_pool/seed_4x4_pool_2"].array("output"), rtol=0)

# %% [markdown]
# With "same" padding, 2 × 2 windows with stride 2 over the 3 × 3 grid need one row and one
# column of padding, both after (bottom and right). The border windows hold two real elements
# and the corner one, and the average divides by those counts: $(3 + 6)/2 = 4.5$ and $9/1$.

# %%
case = pooling_cases["average_pool/seed_3x3_same"]
print("Keras:  ", case.array("output")[0, :, :, 0].tolist())
print("nbkeras:", ops.average_pool(grid3, 2, padding="same").numpy()[0, :, :, 0].tolist())

# %% [markdown]
# The kernels are direct loops over the windows (a comparison or an addition per element
# leaves nothing for a matrix product to do), with the channel axis innermost, where the
# channels-last layout keeps it contiguous:

# %%
from nbkeras.kernels import pooling as pooling_kernels

show_source(pooling_kernels.max_pool, pooling_kernels.average_pool)

# %% [markdown]
# ### Pooling gradients
#
# An average is linear, $y = \frac{1}{m} \sum_{j \in \text{window}} x_j$ over its $m$ real
# elements, so $\partial y / \partial x_j = 1/m$: the gradient **spreads evenly** over the
# window, and an input covered by several windows adds their shares. A maximum is locally the
# identity on the largest element and constant in the others, so its gradient **routes
# everything to the arg-max** and gives the others nothing.
#
# Where two elements tie for the maximum the derivative does not exist, and TensorFlow's
# convention becomes the specification. Its 1-D and 2-D pooling gradient scans each window
# again, starting at the first real element and moving only to a strictly larger one, and gives
# the whole gradient to where it stops: the *first* maximum. Its 3-D pooling compares every
# element with the max and gives the full gradient to *each* tied one. The reference cases
# show both, on windows of ones:

# %%
receives = {}
for case_id in ["max_pool/2d_ties_valid", "max_pool/3d_ties"]:
    case = pooling_cases[case_id]
    x = ops.convert_to_tensor(case.array("x0"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = ops.max_pool(x, 2, 1)
    ours = tape.gradient(y, x, output_gradients=case.array("cotangent")).numpy()
    assert_matches_keras(ours, case.array("grad/x0"), rtol=1e-6)
    receives[case_id] = case.array("grad/x0") != 0
    print(f"{case_id}: {x.shape} -> {y.shape}; inputs that receive a gradient: "
          f"{receives[case_id].mean():.0%}")
print("2-D, first channel, which inputs receive a gradient:")
print(receives["max_pool/2d_ties_valid"][0, :, :, 0].astype(int))

# %% [markdown]
# In 2-D, each window of ones sends its gradient to its top-left element, so the last row and
# column of the 4 × 4 input receive nothing; in 3-D every element of every window receives
# the cotangents of all the windows it belongs to. TensorFlow's 2-D rule has one more
# consequence: a window (NaN, 1) has the maximum 1 in the forward pass (a comparison with NaN
# is false), but the gradient scan starts at the NaN and never moves, so the gradient goes to
# the NaN. nbkeras' kernel makes the same scan, and the reference case
# `max_pool/1d_minus_infinity_and_nan` checks it:

# %%
show_source(pooling_kernels.max_pool_grad_first)

# %%
pool_op_cases = [c for c in pooling_cases.values() if "fn" in c.meta]
for case in pool_op_cases:
    check_op_case(case, rtol=1e-6)
pool_layer_cases = [c for c in pooling_cases.values() if "n_inputs" in c.meta]
for case in pool_layer_cases:
    check_layer_case(case)
print(f"{len(pool_op_cases)} pooling op cases and {len(pool_layer_cases)} layer cases agree:",
      ", ".join(sorted({c['layer'] for c in pool_layer_cases})))

# %% [markdown]
# The global pooling layers reduce every spatial axis at once, with `ops.mean` or `ops.max`
# (whose gradient, as TensorFlow's, splits evenly between tied maxima): one value per channel.
#
# ## Feature maps
#
# The handwritten digits that ship with scikit-learn are 8 × 8 grey images. A `Conv2D` layer
# with four hand-set 3 × 3 kernels, vertical and horizontal Sobel filters, a diagonal one and
# a blur, produces four *feature maps* per image; ReLU keeps the positive responses and
# `MaxPooling2D` halves the resolution while keeping the strongest one in each 2 × 2 block:

# %%
digits = load_digits()
images = (digits.images[:4] / 16.0).astype(np.float32)[..., None]  # (4, 8, 8, 1)
sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32)
filters = np.stack([sobel, sobel.T, np.array([[2, 1, 0], [1, 0, -1], [0, -1, -2]], np.float32),
                    np.full((3, 3), 1 / 9, np.float32)], axis=-1)[:, :, None, :]  # (3, 3, 1, 4)
conv = layers.Conv2D(4, 3, padding="same", activation="relu")
conv.build(images.shape)
conv.set_weights([filters, np.zeros(4, np.float32)])
feature_maps = conv(images)
pooled = layers.MaxPooling2D()(feature_maps)
print("images", images.shape, "-> feature maps", feature_maps.shape, "-> pooled", pooled.shape)

names = ["vertical edges", "horizontal edges", "diagonal", "blur"]
fig, axes = plt.subplots(3, 5, figsize=(10, 6.4))
for row, index in enumerate(range(3)):
    axes[row, 0].imshow(images[index, :, :, 0], cmap="gray_r")
    axes[row, 0].set_title(f"digit {digits.target[index]}" if row == 0 else "")
    for k in range(4):
        axes[row, k + 1].imshow(feature_maps.numpy()[index, :, :, k], cmap="viridis")
        if row == 0:
            axes[row, k + 1].set_title(names[k])
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("three digits and their four feature maps after Conv2D + ReLU")
fig.tight_layout()
plt.show()

# %%
fig, axes = plt.subplots(1, 5, figsize=(10, 2.3))
axes[0].imshow(images[0, :, :, 0], cmap="gray_r")
axes[0].set_title("input 8 × 8")
for k in range(4):
    axes[k + 1].imshow(pooled.numpy()[0, :, :, k], cmap="viridis")
    axes[k + 1].set_title(f"{names[k]}, 4 × 4")
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Receptive fields
#
# Which inputs can influence one output pixel? The gradient answers it: $\partial y /
# \partial x$ is nonzero exactly on the output's *receptive field*. With all-ones kernels
# (so that no weights cancel), the gradient of the centre pixel after one, two and three
# 3 × 3 convolutions covers 3 × 3, 5 × 5 and 7 × 7 inputs, and counts the paths from each
# input to the output. A dilation of 2 in the middle layer spreads the same nine weights
# further; a 2 × 2 pooling in between doubles the reach of everything after it (here an
# average pooling, which, unlike max pooling, passes the gradient to every element of its
# window).

# %%
def receptive_field(stack, size=17):
    x = ops.convert_to_tensor(np.ones((1, size, size, 1), np.float32))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = x
        for layer in stack:
            y = layer(y)
        centre = y[0, y.shape[1] // 2, y.shape[2] // 2, 0]
    return tape.gradient(centre, x).numpy()[0, :, :, 0]


def ones_conv(**kwargs):
    layer = layers.Conv2D(1, 3, padding="same", use_bias=False, **kwargs)
    layer.build((None, None, None, 1))
    layer.set_weights([np.ones((3, 3, 1, 1), np.float32)])
    return layer


stacks = {
    "1 conv": [ones_conv()],
    "2 convs": [ones_conv(), ones_conv()],
    "3 convs": [ones_conv(), ones_conv(), ones_conv()],
    "conv, dilated conv, conv": [ones_conv(), ones_conv(dilation_rate=2), ones_conv()],
    "conv, average pool, conv": [ones_conv(), layers.AveragePooling2D(2, padding="same"),
                                 ones_conv()],
}
fig, axes = plt.subplots(1, len(stacks), figsize=(12, 2.8))
for ax, (name, stack) in zip(axes, stacks.items(), strict=True):
    field = receptive_field(stack)
    rows, columns = np.nonzero(field)
    extent = f"{rows.max() - rows.min() + 1} × {columns.max() - columns.min() + 1}"
    print(f"{name:>26}: receptive field {extent}")
    ax.imshow(field, cmap="magma")
    ax.set_title(f"{name}\n{extent}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()

# %% [markdown]
# Stacking widens the field by $k_\text{eff} - 1$ per layer, multiplied by the product of the
# strides (and pooling sizes) before it: $1 + 2 + 4 + 2 = 9$ for the dilated stack, and
# $1 + 2 + (2 - 1) + 2 \cdot 2 = 8$ for the pooled one. A max pooling layer in the same
# place has the same field, but its gradient reaches only the one arg-max of each window.
#
# ## Speed
#
# The column matrix is built a few images at a time (at most a million elements, 4 MiB in
# float32, so it stays in cache between the gather and the product), and BLAS does the
# arithmetic. A batch is cut into at least eight such chunks when they are not too small, and
# two threads take them in turn: the calling thread and a helper, each gathering and
# multiplying with BLAS held to one thread, so that the gathers, which BLAS cannot help with,
# use both cores too. The chunks are *taken*, not assigned (`conv.deal`): on a loaded machine
# a helper thread may wait milliseconds for a core, and a fixed half of the work would wait
# with it; here a helper that never gets a core is simply not waited for. Each chunk writes
# only its own output rows, input images or partial kernel gradient, and the partials are
# added in batch order; the Winograd path sums its kernel gradient in four lanes whose units
# run in order. So the results are the same bit for bit on every run, with one thread or two,
# whichever thread took which chunk.
#
# A first layer on one-channel images has nine input values per output pixel: its column
# matrix is nine columns wide, copying it costs more than the product, and BLAS is slow on so
# thin a matrix. Up to sixteen values per output (`conv.DIRECT_WIDTH`), the output and the
# kernel gradient are computed in place, the loop over output channels innermost:

# %%
show_source(conv_kernels.direct_conv)

# %% [markdown]
# The benchmark `benchmarks/bench_conv.py` (`make bench`) times a Conv2D training step (3 × 3
# kernel, 32 → 64 channels, batch 64, 26 × 26 inputs) against NumPy's float32 matrix product
# measured in the same run, Keras on TensorFlow and PyTorch; `make bench` writes what it
# measured to `benchmarks/results/latest.json`, read here. GFLOP/s count the direct
# convolution's multiply-adds for every framework (Winograd needs 2.25 times fewer). The
# machine is a shared 2-core VM whose load changes by the minute: the ratios, measured in the
# same run, are the part to read.

# %%
import json
import pathlib

bench = json.loads(pathlib.Path("../benchmarks/results/latest.json").read_text())
conv_rows = bench["sections"]["conv2d"]["rows"]
step, matmul_rates = conv_rows["Conv2D step"], conv_rows["numpy matmul GFLOP/s"]
flops = 3 * 2 * 64 * 24 * 24 * 3 * 3 * 32 * 64  # forward, input and kernel gradients
best = max(matmul_rates.values())
print(f"make bench of {bench['meta']['date']}; NumPy's float32 matmul {best:.0f} GFLOP/s")
for name, seconds in step.items():
    print(f"  {name:15s} {seconds * 1e3:7.1f} ms  {flops / seconds / 1e9:5.0f} GFLOP/s "
          f"({100 * flops / seconds / 1e9 / best:3.0f}% of matmul)  "
          f"nbkeras / this {step['nbkeras'] / seconds:.2f}x")
cnn = bench["sections"]["training_cnn"]["rows"]["(b) CNN train_on_batch, 64x28x28x1"]
print(f"the training benchmark's small CNN, one train_on_batch: nbkeras "
      f"{cnn['nbkeras'] * 1e3:.1f} ms, Keras on TensorFlow {cnn['tensorflow'] * 1e3:.1f} ms")

# %% [markdown]
# ## Summary
#
# - A convolution is a cross-correlation of the input with a small kernel shared by every
#   position. Along each axis, "valid" gives $\lfloor (n - k_\text{eff})/s \rfloor + 1$
#   outputs and "same" $\lceil n/s \rceil$, with the odd padding element after the input.
# - Copying the patches into a column matrix makes it one matrix product, $Y = C W$. Its
#   gradients are $\bar W = C^\top \bar Y$ (a correlation of the input with the upstream
#   gradient) and $\bar X = \operatorname{col2im}(\bar Y W^\top)$, a transposed convolution of
#   the upstream gradient with the kernel, which `conv_transpose` runs as a forward op.
# - Grouped, depthwise and separable convolutions are the same computation on blocks of
#   channels.
# - Max pooling routes the gradient to the arg-max (TensorFlow: the first one in 1-D and 2-D,
#   every tied one in 3-D); average pooling spreads it over the real elements of the window.
