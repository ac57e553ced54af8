# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Sequences and attention
#
# A sentence, a sound, a price series, the rows of an image read top to bottom: a sequence is
# a list of vectors $x_1, \dots, x_T$ whose order matters and whose length may vary. A Dense
# layer sees a fixed number of inputs; a convolution sees a fixed window. This chapter builds
# the two ideas Keras offers for whole sequences:
#
# - **recurrence**: one cell reads the sequence step by step and carries a state $h_t$ from
#   each step to the next (`SimpleRNN`, `LSTM`, `GRU`, the `RNN` layer over any cell,
#   `Bidirectional`, `ConvLSTM`);
# - **attention**: every position looks at every other one at once and takes a weighted
#   average of them, the weights computed from the data (`MultiHeadAttention`,
#   `GroupQueryAttention`, `Attention`, `AdditiveAttention`, and `EinsumDense`, from which
#   multi-head attention is built).
#
# We derive each forward pass and its backward pass, backpropagation through time for the
# recurrences and the softmax-attention gradient for attention, show the Numba kernels that
# compute them, check every number against Keras 3 (57 frozen cases for the recurrent layers,
# 34 for attention), and train both on real tasks.
#
# ## One step, then every step
#
# A simple recurrent network keeps a state $h_t \in \mathbb{R}^{u}$ (``units`` numbers) and
# updates it from the previous state and the current input:
#
# $$ h_t = f(x_t W + h_{t-1} U + b), \qquad h_0 = 0, $$
#
# with the *kernel* $W$ (features × units), the *recurrent kernel* $U$ (units × units), a bias
# and an activation $f$ (tanh by default). The same $W$, $U$ and $b$ serve every step, so the
# layer has the same number of weights whatever the sequence length. Its output is the last
# state $h_T$, or every $h_t$ with `return_sequences=True`. Written out with NumPy, on a batch
# of 2 sequences of 4 steps of 3 features:

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.kernels import attention as attention_kernels
from nbkeras.kernels import recurrent as recurrent_kernels
from nbkeras.utils import load_reference, show_source
from nbkeras.utils.keras_reference import check_call_case

np.set_printoptions(precision=4, suppress=True)
keras.utils.set_random_seed(0)  # unseeded initializers draw their seeds from here

rng = np.random.default_rng(0)
x = rng.standard_normal((2, 4, 3)).astype(np.float32)
rnn = layers.SimpleRNN(5, return_sequences=True)
outputs = rnn(x)
W, U, b = rnn.get_weights()

h = np.zeros((2, 5), np.float32)
by_hand = []
for t in range(4):
    h = np.tanh(x[:, t] @ W + h @ U + b)
    by_hand.append(h)
by_hand = np.stack(by_hand, axis=1)
print("weights:", [w.shape for w in rnn.get_weights()])
print("layer output, sample 0:\n", outputs.numpy()[0])
print("largest difference from the loop above:", float(np.abs(outputs.numpy() - by_hand).max()))

# %% [markdown]
# The loop is what Keras itself runs: its `RNN` layer calls a *cell* once per step (with
# TensorFlow, inside a `tf.while_loop`). A cell is anything with a `state_size` and a
# `call(inputs, states)` returning the step's output and the new states. Here is the cell of
# Keras' `RNN` documentation, written by a user; `RNN` runs it over the sequence:

# %%
class MinimalRNNCell(layers.Layer):
    """h_t = x_t W + h_{t-1} U (no activation), from the Keras documentation of RNN."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        output = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


recurrent_cases = {c.id: c for c in load_reference("recurrent")}
attention_cases = {c.id: c for c in load_reference("attention")}
custom = {"MinimalRNNCell": MinimalRNNCell}
layer, results = check_call_case(recurrent_cases["rnn/custom_cell"], custom_objects=custom)
print(type(layer.cell).__name__, "over", recurrent_cases["rnn/custom_cell"].array("x").shape,
      "->", results[0][0].shape, ": outputs and gradients match Keras")

# %% [markdown]
# `check_call_case` replays one of the frozen cases: the layer as Keras built it, Keras'
# weights loaded with `set_weights`, the same inputs, masks and initial states; then it
# compares every output, and the gradients (for a random cotangent) with respect to the
# inputs, the initial states and every weight, to a relative `1e-4` of each array's scale:

# %%
show_source(check_call_case)

# %% [markdown]
# The `RNN` layer's loop, with Keras' masking (below), is short:

# %%
show_source(layers.RNN._loop, keras.layers.rnn.rnn.step_loop)

# %% [markdown]
# ## The time loop in one kernel
#
# Called step by step, a recurrent layer costs a handful of primitives per step, each a small
# matrix product or an elementwise op, and the per-call overhead dominates: a 50-step LSTM
# through Keras' loop is about 500 operations forward and as many backward. The built-in cells
# do better. The input projection $x_t W (+ b)$ does not depend on the state, so it is
# computed for all steps at once, as one matrix product over batch × steps rows. What remains
# is inherently sequential, one small product $h_{t-1} U$ per step and the gate arithmetic,
# and it runs in one Numba kernel, with `np.dot` calling BLAS for the product:

# %%
show_source(recurrent_kernels.simple_rnn_forward)

# %% [markdown]
# So a SimpleRNN call is three primitives however long the sequence: the projection
# (`matmul`), the scan, and slices of its result, which packs the outputs and the final state
# together so that one backward kernel receives all their cotangents:

# %%
show_source(layers.SimpleRNNCell._scan, keras.ops.recurrent.simple_rnn)
seq = ops.convert_to_tensor(x)
with keras.GradientTape() as tape:
    tape.watch(seq)
    out = rnn(seq)
print("primitives recorded for one call:", [r.prim.name for r in tape._records])

# %% [markdown]
# ## Backpropagation through time
#
# The state $h_t$ depends on $h_{t-1}$, which depends on $h_{t-2}$, and so on back to $h_0$:
# the unrolled network is $T$ layers deep, all sharing $W$ and $U$. The chain rule through it
# is *backpropagation through time*. Write $a_t = x_t W + h_{t-1} U + b$ and $h_t = f(a_t)$,
# and let $\bar h_t$ be the cotangent of $h_t$: what comes from the loss through the output at
# step $t$, plus what step $t + 1$ sends back. Then, walking from $t = T$ down to 1,
#
# $$
# \begin{gathered}
# \bar a_t = \bar h_t \odot f'(a_t), \qquad
# \bar h_{t-1} \mathrel{+}= \bar a_t U^\top, \qquad \bar x_t = \bar a_t W^\top, \\
# \bar W = \sum_t x_t^\top \bar a_t, \quad \bar U = \sum_t h_{t-1}^\top \bar a_t, \quad
# \bar b = \sum_t \bar a_t.
# \end{gathered}
# $$
#
# Only the recursion for $\bar h_{t-1}$ is sequential. The backward kernel runs it and leaves
# every $\bar a_t$ behind; the three sums and $\bar x$ are then one matrix product each over
# all (sample, step) rows. With $f = \tanh$, $f'(a_t) = 1 - h_t^2$ comes from the output the
# forward pass kept, so nothing is recomputed:

# %%
show_source(recurrent_kernels.simple_rnn_backward, keras.ops.recurrent._simple_rnn_backward)

# %% [markdown]
# ### Why the gradient vanishes or explodes
#
# Unrolling the recursion, the state at step $T$ depends on an early state through a product
# of Jacobians, one per step:
#
# $$
# \frac{\partial h_T}{\partial h_t} = \prod_{k=t+1}^{T}
#   \operatorname{diag}\!\big(f'(a_k)\big)\, U^\top .
# $$
#
# With a linear activation this is $(U^\top)^{T-t}$: if $U = g Q$ for an orthogonal $Q$,
# every singular value of the product is $g^{T-t}$, so the influence of step $t$ on $h_T$
# shrinks geometrically for $g < 1$ and grows geometrically for $g > 1$. With tanh, each
# factor $1 - h_k^2 \le 1$ shrinks it further. Keras initialises $U$ orthogonal ($g = 1$)
# for this reason. The tape measures $\lVert \partial \langle c, h_T \rangle / \partial x_t
# \rVert$ for a fixed random $c$, for every step $t$ of a 60-step sequence:

# %%
steps = 60
xs = ops.convert_to_tensor(rng.standard_normal((1, steps, 4)).astype(np.float32))
q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((16, 16)))
probe = np.random.default_rng(2).standard_normal((1, 16)).astype(np.float32)


def influence(layer):
    layer(xs)
    with keras.GradientTape() as tape:
        tape.watch(xs)
        h_last = layer(xs)
    return np.linalg.norm(tape.gradient(h_last, xs, output_gradients=probe).numpy()[0],
                          axis=-1)


curves = {}
for gain in (0.9, 1.0, 1.1):
    linear = layers.SimpleRNN(16, activation="linear")
    linear(xs)
    linear.set_weights([linear.get_weights()[0], (gain * q).astype(np.float32),
                        np.zeros(16, np.float32)])
    curves[f"linear, U = {gain} Q"] = influence(linear)
tanh_rnn = layers.SimpleRNN(16)
tanh_rnn(xs)
tanh_rnn.set_weights([tanh_rnn.get_weights()[0] * 2, q.astype(np.float32),
                      np.zeros(16, np.float32)])
curves["tanh, U = Q"] = influence(tanh_rnn)
curves["LSTM(16)"] = influence(layers.LSTM(16))

fig, ax = plt.subplots(figsize=(7, 3.5))
for name, norms in curves.items():
    ax.semilogy(np.arange(1, steps + 1), norms, label=name)
ax.set_xlabel("input step t")
ax.set_ylabel("|d<c, h_T> / d x_t|")
ax.set_title("How much each input step still moves the last state (T = 60)")
ax.legend(fontsize=8)
plt.show()
for name, norms in curves.items():
    print(f"{name:18s} step 1 / step 60: {norms[0] / norms[-1]:.1e}")

# %% [markdown]
# The linear curves are straight lines on the log scale, with slopes $\log g$: after 59 steps
# $0.9^{59} \approx 2 \cdot 10^{-3}$ and $1.1^{59} \approx 3 \cdot 10^{2}$. The tanh network
# forgets far faster than its linear version with the same $U$ (here with inputs scaled up
# so that its units saturate): each saturated unit passes almost nothing back. An LSTM with
# Keras' initialisation, built for exactly this problem, loses about $10^{-6}$ over the 60
# steps, against $10^{-16}$ for the tanh network.
#
# ## LSTM
#
# Hochreiter and Schmidhuber's long short-term memory adds a second state, the *cell* $c_t$,
# updated additively, and three gates in $(0, 1)$ that decide what to forget, what to write
# and what to show. With $z = x_t W + h_{t-1} U + b$ (4 × units columns, in Keras' order
# i, f, c, o), $\sigma$ the recurrent activation (sigmoid) and tanh the activation:
#
# $$
# \begin{gathered}
# i = \sigma(z_i), \quad f = \sigma(z_f), \quad g = \tanh(z_c), \quad o = \sigma(z_o), \\
# c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t).
# \end{gathered}
# $$
#
# Along the cell, $\partial c_t / \partial c_{t-1} = \operatorname{diag}(f)$: no matrix
# product, no squashing, and with $f$ near 1 the gradient travels far. `unit_forget_bias=True`
# starts the forget gate's bias at 1 (Jozefowicz et al.), so that $f \approx 0.73$ at first.
# The forward kernel computes all four gates from one product per step:

# %%
show_source(recurrent_kernels.lstm_forward)

# %% [markdown]
# Backward, with $\bar h$ the cotangent of $h_t$ and $\bar c$ what step $t + 1$ sent to
# $c_t$:
#
# $$
# \begin{gathered}
# \bar o = \bar h \odot \tanh(c_t), \quad
# \bar c_t = \bar c + \bar h \odot o \odot (1 - \tanh^2 c_t), \\
# \bar i = \bar c_t \odot g, \quad \bar g = \bar c_t \odot i, \quad
# \bar f = \bar c_t \odot c_{t-1}, \quad \bar c_{t-1} = \bar c_t \odot f,
# \end{gathered}
# $$
#
# then each gate's pre-activation cotangent is its cotangent times its activation's slope
# ($\sigma' = \sigma(1 - \sigma)$, $\tanh' = 1 - \tanh^2$, both from the kept outputs), and
# $\bar h_{t-1} = \bar z U^\top$:

# %%
show_source(recurrent_kernels.lstm_backward)

# %% [markdown]
# Every frozen LSTM case: the last output, sequences and states, `go_backwards`, other
# activations, no bias, regularizers (their losses too), masks, initial states, a stateful
# layer over two calls and a 30-step sequence:

# %%
for name, case in recurrent_cases.items():
    if name.startswith("lstm/"):
        check_call_case(case)
        print(f"{name:26s} {case['n_outputs'][-1]} output(s), {len(case['weight_paths'])} "
              "weights: match Keras")

# %% [markdown]
# ## GRU
#
# Cho et al.'s gated recurrent unit merges the LSTM's two states into one and its forget and
# input gates into one *update* gate $z$; a *reset* gate $r$ decides how much of the old state
# the candidate sees. With $x_z, x_r, x_h$ the three blocks of $x_t W + b_\text{in}$:
#
# $$
# \begin{gathered}
# z = \sigma(x_z + h_{t-1} U_z + b_z), \quad r = \sigma(x_r + h_{t-1} U_r + b_r), \\
# h_t = z \odot h_{t-1} + (1 - z) \odot \hat h,
# \end{gathered}
# $$
#
# and two variants of the candidate $\hat h$:
#
# - `reset_after=True` (Keras' default, cuDNN's form):
#   $\hat h = \tanh\big(x_h + r \odot (h_{t-1} U_h + b_h)\big)$, with a bias of shape
#   (2, 3 × units): one row for the inputs, one for the recurrent products;
# - `reset_after=False` (the 2014 paper): $\hat h = \tanh\big(x_h + (r \odot h_{t-1}) U_h\big)$,
#   one bias row, and a second matrix product per step, after the reset gate.
#
# The backward pass of the first form: $\bar z = \bar h \odot (h_{t-1} - \hat h)$,
# $\bar a_h = \bar h \odot (1 - z) \odot (1 - \hat h^2)$, $\bar r = \bar a_h \odot u_h$ (with
# $u_h = h_{t-1} U_h + b_h$), and the recurrent product receives
# $[\bar z_z, \bar z_r, \bar a_h \odot r]$, so that
# $\bar h_{t-1} = \bar h \odot z + [\bar z_z, \bar z_r, \bar a_h \odot r]\, U^\top$:

# %%
show_source(recurrent_kernels.gru_backward)
for name, case in recurrent_cases.items():
    if name.startswith("gru/"):
        check_call_case(case)
print(sum(n.startswith("gru/") for n in recurrent_cases), "GRU cases (both variants) match Keras")

# %% [markdown]
# ### A fast float32 exp
#
# Each LSTM step applies five sigmoids or tanhs per unit: 512,000 of them for the benchmark
# below (batch 32, 50 steps, 64 units). NumPy's `exp` is vectorised, but Numba, installed from
# pip, calls the C library's scalar `expf` and `tanhf`, and those calls took four fifths of
# the LSTM's forward pass. The kernels therefore compute the gates of a whole step in blocks,
# with Cephes' `expf`: $e^x = 2^n e^r$ with $n$ the nearest integer to $x / \ln 2$ and
# $|r| \le \ln 2 / 2$, $e^r$ a polynomial, and $2^n$ assembled from its bits. It is plain
# arithmetic, which LLVM vectorises, and it made the LSTM's forward pass about 3.5× faster:

# %%
show_source(recurrent_kernels.fast_exp)
grid = np.linspace(-80, 80, 400_001).astype(np.float32)
fast = grid.copy()
recurrent_kernels.fast_exp(fast, np.empty(grid.size, np.int32))
exact = np.exp(grid.astype(np.float64))
spacing = np.spacing(exact.astype(np.float32)).astype(np.float64)
worst = np.max(np.abs(fast - exact) / spacing)
print(f"largest error over [-80, 80]: {np.ceil(worst * 10) / 10:.1f} float32 spacing")

# %% [markdown]
# ## Masks
#
# Sequences in a batch rarely have one length. They are padded to the longest, and a mask
# (batch, timesteps) says which steps are real: `Embedding(mask_zero=True)` makes one from the
# ids (0 is padding) and attaches it to its output, and a recurrent layer reads it from there.
# Keras' rule, at a step where sample $b$ is masked: its states are carried through unchanged,
# and its output is the previous step's output (zeros with `zero_output_for_mask=True`, which
# `Bidirectional` sets). So a padded sequence ends in the state of its last real step:

# %%
ids = np.array([[4, 7, 2, 0, 0], [3, 1, 4, 1, 5]])
embedding = layers.Embedding(10, 3, mask_zero=True)
lstm = layers.LSTM(2, return_sequences=True)
padded = lstm(embedding(ids))
print("mask:\n", padded._keras_mask.numpy())
print("outputs of sample 0 (steps 4 and 5 repeat step 3):\n", padded.numpy()[0])
alone = lstm(embedding(ids[:1, :3]))
print("the unpadded sequence alone ends in the same state:",
      np.allclose(alone.numpy()[0, -1], padded.numpy()[0, -1], rtol=1e-6))

# %% [markdown]
# In the kernels a masked step writes nothing: the state stays, and backward it passes the
# cotangents of $h$ and $c$ through untouched, while the cotangent of a repeated output goes
# to the output it repeats. The frozen mask cases cover right padding, holes, a sequence whose
# first step is masked, `go_backwards` and zero outputs:

# %%
for name in ["lstm/mask_sequences", "lstm/mask_go_backwards", "lstm/mask_zero_output",
             "gru/reset_before_mask_backwards", "rnn/custom_cell_mask", "bidirectional/mask"]:
    check_call_case(recurrent_cases[name], custom_objects=custom)
print("mask used:\n", recurrent_cases["lstm/mask_sequences"].array("mask").astype(int))
print("6 masked cases match Keras, gradients included")

# %% [markdown]
# ## Directions, stacks, states
#
# - `go_backwards=True` reads the sequence from its last step; the returned sequence is in
#   reading order, so its first entry belongs to the last input.
# - `Bidirectional(layer)` runs a copy of the layer forwards and one backwards, flips the
#   backward outputs back into input order, and merges the two: `concat` (the default), `sum`,
#   `mul`, `ave`, or `None` for both.
# - `RNN([cell_a, cell_b])` stacks cells (`StackedRNNCells`): at each step the second cell
#   reads the first's output.
# - `return_state=True` also returns the final states, which `initial_state` can give back
#   to another layer (an encoder's states starting a decoder), and `stateful=True` keeps them
#   from one call to the next: two calls on the halves of a sequence equal one call on all of
#   it.

# %%
x = rng.standard_normal((2, 6, 3)).astype(np.float32)
whole = layers.LSTM(4, return_sequences=True)
halves = layers.LSTM(4, return_sequences=True, stateful=True)
whole(x)
halves(x[:, :3])
halves.set_weights(whole.get_weights())
halves.reset_states()
joined = np.concatenate([halves(x[:, :3]).numpy(), halves(x[:, 3:]).numpy()], axis=1)
print("stateful halves = one call:", np.allclose(joined, whole(x).numpy(), rtol=1e-6,
                                                 atol=1e-7))
bidirectional = layers.Bidirectional(layers.GRU(3, return_sequences=True, name="gru"),
                                     name="bi")
print("Bidirectional(GRU(3)) on", x.shape, "->", bidirectional(x).shape)
print("its kernels:", [w.path for w in bidirectional.weights][::3])

for prefix in ["simple_rnn/", "rnn/", "bidirectional/", "time_distributed/", "conv_lstm"]:
    names = [n for n in recurrent_cases if n.startswith(prefix)]
    for name in names:
        check_call_case(recurrent_cases[name], custom_objects=custom)
    print(f"{prefix:18s} {len(names)} cases match Keras")

# %% [markdown]
# `TimeDistributed(layer)` applies one layer to every step, and `ConvLSTM1D/2D/3D` are LSTMs
# whose two products are convolutions (of the step's image with $W$, and of the state image
# with $U$, "same" padding so the state keeps its size). nbkeras computes each ConvLSTM step
# with two convolutions that produce all four gates' channels at once (Keras computes eight),
# and the input convolution of every step in one call before the loop.
#
# ## Attention
#
# A recurrent layer squeezes everything it has read into a state of fixed size. Attention
# keeps every position and lets each query look at all of them. With queries $Q$
# (T × d), keys $K$ (S × d) and values $V$ (S × d_v):
#
# $$
# \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt d}
#   \right) V ,
# $$
#
# the softmax taken along each row: query $i$ gets weights $P_{ij} \ge 0$ summing to 1 over
# the keys, and returns the weighted average of the values. The $\sqrt d$ keeps the logits'
# variance near 1 when the entries of $Q$ and $K$ have variance 1 (a dot product of $d$ such
# terms has variance $d$), so that the softmax does not start saturated. A mask replaces the
# logits of forbidden pairs by a large negative number (TensorFlow's $-0.7 \cdot 3.4 \cdot
# 10^{38}$), which the softmax turns into weight 0; a causal mask forbids keys after the
# query.
#
# ### The backward pass
#
# With $L = s\, Q K^\top$ ($s = 1/\sqrt d$), $P = \operatorname{softmax}(L)$, $O = P V$ and
# $\bar O$ the cotangent of the output: $\bar V = P^\top \bar O$ and $\bar P = \bar O V^\top$
# (a matrix product's two rules). Through the softmax of one row,
# $\partial P_{ij} / \partial L_{ik} = P_{ij} (\delta_{jk} - P_{ik})$, so
#
# $$
# \bar L_{ik} = \sum_j \bar P_{ij} P_{ij} (\delta_{jk} - P_{ik})
#   = P_{ik} \Big( \bar P_{ik} - \sum_j \bar P_{ij} P_{ij} \Big),
# $$
#
# zero at masked entries (their logits were constants), and finally
# $\bar Q = s\, \bar L K$, $\bar K = s\, \bar L^\top Q$. Four matrix products and one pass
# over the rows; the forward pass keeps $P$. The kernels work on one (batch, head) pair after
# another, the pairs shared by two threads. The forward pass is two kernels around NumPy's
# `exp` (vectorised, unlike the C library's `expf` a Numba kernel calls), which computes the
# exponentials of all the shifted logits at once:

# %%
show_source(attention_kernels.forward, attention_kernels.attention_logits,
            attention_kernels.attention_combine, attention_kernels.attention_backward)

# %% [markdown]
# `ops.dot_product_attention` (Keras' op, query (batch, T, heads, d)) is that primitive. A
# float64 central-difference check of its gradient, with a mask that leaves one query no key
# at all (its weights are then uniform, and no gradient reaches its logits):

# %%
from nbkeras.utils import check_gradients  # noqa: E402

keep = np.random.default_rng(3).random((2, 1, 3, 4)) > 0.3
keep[0, 0, 1] = False
error = check_gradients(lambda q, k, v: ops.dot_product_attention(q, k, v, mask=keep),
                        [rng.standard_normal((2, 3, 2, 4)), rng.standard_normal((2, 4, 2, 4)),
                         rng.standard_normal((2, 4, 2, 4))])
print("the tape's gradient agrees with central differences to 1e-6:", error < 1e-6)

# %% [markdown]
# ### Multi-head attention, from EinsumDense
#
# `MultiHeadAttention(num_heads, key_dim)` projects the query, key and value with their own
# weights into `num_heads` heads of `key_dim` features, attends in every head independently,
# and projects the heads back. Each projection is an `EinsumDense`: for inputs (batch, T, dim),
# `"abc,cde->abde"` with a kernel (dim, heads, key_dim) gives (batch, T, heads, key_dim), and
# the output projection `"abcd,cde->abe"` contracts heads and features at once. Both are plain
# matrix products after a reshape, which is how `ops.einsum` runs them (one GEMM, no
# transposes); its gradient with respect to each operand is an einsum too.

# %%
mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
tokens = rng.standard_normal((2, 4, 5)).astype(np.float32)
out, scores = mha(tokens, tokens, return_attention_scores=True)
for w in mha.weights:
    print(f"{w.path:42s} {w.shape}")
print("output", out.shape, " scores", scores.shape, " rows sum to 1:",
      np.allclose(scores.numpy().sum(-1), 1, rtol=1e-6))
show_source(layers.MultiHeadAttention._compute_attention)

# %% [markdown]
# As in Keras, the scores are computed explicitly (an einsum, a masked softmax, an einsum)
# only when they are returned or dropout is active; otherwise the fused primitive runs. Every
# frozen attention case: projections alone, self- and cross-attention with a different value
# size and output shape, attention and causal masks, gates, sliding windows, several attention
# axes, grouped query attention, and Luong's and Bahdanau's layers (`Attention`,
# `AdditiveAttention`) with their query and value masks:

# %%
for prefix in ["einsum_dense/", "mha/", "gqa/", "attention/", "additive_attention/"]:
    names = [n for n in attention_cases if n.startswith(prefix)]
    for name in names:
        check_call_case(attention_cases[name])
    print(f"{prefix:20s} {len(names)} cases match Keras")

# %% [markdown]
# ## Bad input
#
# Each of these is a ValueError that names the layer and the shapes; the first two are Keras'
# own checks (its messages, frozen from Keras, are printed first):

# %%
print("Keras:", recurrent_cases["error/lstm_2d_input"]["error"])
print("Keras:", attention_cases["error/mha_key_value_mismatch"]["error"][:100], "...")
attempts = {
    "2-D input to an LSTM": lambda: layers.LSTM(4, name="encoder")(np.zeros((3, 5), "float32")),
    "a cell without state_size": lambda: layers.RNN(layers.Dense(3, name="dense")),
    "a mask of the wrong shape": lambda: layers.GRU(2, name="gru")(
        np.zeros((2, 5, 3), "float32"), mask=np.ones((2, 4), bool)),
    "key and value that do not match": lambda: layers.MultiHeadAttention(2, 3, name="mha")(
        np.zeros((2, 4, 5), "float32"), np.zeros((2, 6, 3), "float32"),
        key=np.zeros((2, 5, 4), "float32")),
    "an attention mask of the wrong shape": lambda: layers.MultiHeadAttention(
        2, 3, name="mha")(np.zeros((2, 4, 5), "float32"), np.zeros((2, 4, 5), "float32"),
                          attention_mask=np.ones((2, 4, 3), bool)),
}
for what, attempt in attempts.items():
    try:
        attempt()
    except ValueError as error:
        print(f"{what}:\n    {error}")

# %% [markdown]
# ## Digits, read row by row
#
# scikit-learn's 1,797 handwritten digits are 8 × 8 images. Read as sequences of 8 rows of 8
# pixels, an LSTM sees one row per step and must remember the earlier rows to classify the
# digit at the end. Three quarters of the digits train the model with `fit`, the rest test it:

# %%
keras.utils.set_random_seed(0)
digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)  # (1797, 8 rows, 8 pixels)
x_train, x_test, y_train, y_test = train_test_split(images, digits.target, test_size=0.25,
                                                    random_state=0, stratify=digits.target)
reader = keras.Sequential([keras.Input((8, 8)), layers.LSTM(32), layers.Dense(10)])
reader.compile(optimizer=keras.optimizers.Adam(0.01),
               loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
               metrics=["accuracy"])
history = reader.fit(x_train, y_train, batch_size=64, epochs=20,
                     validation_data=(x_test, y_test), verbose=0)
test_loss, accuracy = reader.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy after 20 epochs: {accuracy:.0%} of {len(y_test)} digits")
assert accuracy > 0.9

# %% [markdown]
# What the LSTM has read after each row, for one digit of each class: the probability it
# would give the right class if the image ended there (the same weights in an LSTM that
# returns every step's state). Most digits become recognisable only in the lower half.

# %%
lstm, dense = reader.layers
every_row = layers.LSTM(32, return_sequences=True)
every_row(x_test[:1])
every_row.set_weights(lstm.get_weights())
examples = [int(np.flatnonzero(y_test == d)[0]) for d in range(10)]
states = every_row(x_test[examples])  # (10 digits, 8 rows, 32)
probabilities = ops.softmax(dense(states), axis=-1).numpy()
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [1, 1.4]})
epochs = np.arange(1, 21)
axes[0].plot(epochs, history.history["loss"], label="training")
axes[0].plot(epochs, history.history["val_loss"], label="test")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("loss")
axes[0].legend()
right = probabilities[np.arange(10), :, np.arange(10)]  # (digit, row)
image = axes[1].imshow(right, cmap="viridis", vmin=0, vmax=1)
axes[1].set_xlabel("rows read")
axes[1].set_xticks(range(8), range(1, 9))
axes[1].set_ylabel("digit")
axes[1].set_yticks(range(10))
fig.colorbar(image, ax=axes[1], label="P(right class)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Attention that reverses a sequence
#
# A task where the right attention is known: given 8 random digits (1 to 9), output them in
# reverse order. Each output position $i$ must copy input position $7 - i$, so the ideal
# attention matrix is the anti-diagonal. The model is one layer, written here: token
# embeddings plus learned position embeddings for the keys and values, the position
# embeddings alone as queries, one attention head, and a Dense layer reading out the digit.

# %%
class Reverser(layers.Layer):
    """Position queries attend over token + position keys; a Dense layer reads the digit."""

    def __init__(self, vocabulary, length, width, **kwargs):
        super().__init__(**kwargs)
        self.length = length
        self.tokens = layers.Embedding(vocabulary, width)
        self.positions = layers.Embedding(length, width)
        self.attention = layers.MultiHeadAttention(num_heads=1, key_dim=width)
        self.readout = layers.Dense(vocabulary)

    def call(self, sequences, return_scores=False):
        where = self.positions(ops.zeros_like(sequences) + ops.arange(self.length))
        out, scores = self.attention(where, self.tokens(sequences) + where,
                                     return_attention_scores=True)
        return (self.readout(out), scores) if return_scores else self.readout(out)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.readout.units)


keras.utils.set_random_seed(1)
task_rng = np.random.default_rng(0)
sequences = task_rng.integers(1, 10, (4000, 8))
reverser = Reverser(vocabulary=10, length=8, width=32)
model = keras.Sequential([keras.Input((8,), dtype="int32"), reverser])
model.compile(optimizer=keras.optimizers.Adam(0.01),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(sequences, sequences[:, ::-1], batch_size=64, epochs=2, verbose=0)

new = task_rng.integers(1, 10, (1000, 8))
predictions, scores = reverser(new, return_scores=True)
exact = np.mean(np.all(np.argmax(predictions.numpy(), -1) == new[:, ::-1], axis=1))
print(f"after 2 epochs: {exact:.0%} of 1000 new sequences reversed exactly")
print("input:   ", new[0], "\nreversed:", np.argmax(predictions.numpy()[0], -1))
assert exact > 0.95

fig, ax = plt.subplots(figsize=(3.8, 3.4))
ax.imshow(scores.numpy()[0, 0], cmap="magma", vmin=0, vmax=1)
ax.set_xlabel("input position (key)")
ax.set_ylabel("output position (query)")
ax.set_title("attention weights")
plt.show()

# %% [markdown]
# The weights are the anti-diagonal: output position $i$ puts almost all its weight on input
# position $7 - i$. The queries know only positions, so the model had to learn position
# embeddings whose query and key projections match $i$ with $7 - i$.
#
# ## Speed
#
# `benchmarks/bench_recurrent.py` (`make bench`) times one forward and backward pass
# (gradients with respect to the input and every weight) for the three layers, with
# nbkeras, Keras 3 on TensorFlow 2.21 (eager, `tf.GradientTape`) and PyTorch 2.13 in the same
# process, after checking that nbkeras computes Keras' gradients. On the project's 2-core
# machine (medians; the machine is shared, so read them to ±30%):
#
# | layer | nbkeras | TensorFlow | PyTorch | nbkeras / TF | nbkeras / PyTorch |
# |---|---|---|---|---|---|
# | LSTM(64), 32 × 50 × 32 | 7.6 ms | 145 ms | 4.4 ms | 0.05× | 1.75× |
# | GRU(64), 32 × 50 × 32 | 8.0 ms | 267 ms | 10.5 ms | 0.03× | 0.76× |
# | MultiHeadAttention(4, 16), 32 × 64 × 64 | 10.6 ms | 26.3 ms | 5.6 ms | 0.40× | 1.89× |
#
# Keras on a CPU runs its generic loop (cuDNN's fused kernels are GPU-only): about ten small
# TensorFlow ops per step, forward and backward, through `tf.while_loop`. PyTorch has fused CPU
# kernels for its LSTM and GRU and for attention, with vectorised transcendental functions.
# What is left of nbkeras' LSTM time is the 50 small products per direction (32 × 64 by
# 64 × 256, too small for BLAS to run at speed) and the gate arithmetic around them; of the
# attention, the transposes between Keras' (batch, T, heads, d) layout and the kernels'
# (batch, heads, T, d), the row loops of the softmax and its gradient, and four projections
# whose forward and backward passes are one and two GEMMs each.
#
# ## Summary
#
# - A recurrent layer applies one cell at every step and carries its states; Keras' masks
#   carry them through padded steps and repeat the last output.
# - Backpropagation through time is the chain rule through the unrolled steps; the Jacobian
#   product $\prod \operatorname{diag}(f') U^\top$ makes gradients vanish or explode
#   geometrically, and the LSTM's additive cell and gates keep them alive.
# - nbkeras runs each built-in recurrence as one kernel per direction, forward and backward,
#   with the input projections and the weight gradients as single matrix products over all
#   steps; any other cell runs step by step through the same masking rules.
# - Attention is $\operatorname{softmax}(QK^\top/\sqrt d)V$; its backward pass is four matrix
#   products and $\bar L = P \odot (\bar P - \operatorname{rowsum}(\bar P \odot P))$.
#   Multi-head attention is four EinsumDense projections around it.
# - 57 recurrent and 34 attention cases frozen from Keras 3.15 agree to 1e-4, gradients
#   included; every new primitive passes a float64 finite-difference check.
