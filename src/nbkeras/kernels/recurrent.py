"""Recurrent kernels: the time loops of SimpleRNN, LSTM and GRU, forward and backward.

The input projection of every step, ``x_t W`` (plus the input bias), does not depend on the
state, so the wrappers compute it for all steps at once, as one matrix product, before the loop
(``xw``, shape (batch, steps, gates · units)). What is left is inherently sequential: at each
step one small product ``h_{t-1} U`` (``np.dot``, BLAS) and the gate arithmetic, written here as
plain loops. The backward kernels run the same loop in reverse (backpropagation through time):
they leave the cotangent of every step's gate pre-activations in ``dz``, from which the wrappers
get the input, kernel and recurrent-kernel gradients with three more large products.

Conventions shared by every kernel here:

- arrays are batch-major, as Keras stores sequences: ``xw[b, t]`` is step ``t`` of sample ``b``;
- ``reverse`` processes the steps from last to first (``go_backwards``); step ``s`` of the loop
  reads input ``t = T - 1 - s`` and writes output ``s``, as Keras does;
- ``mask[b, t]`` False means "skip this step": the state is carried through unchanged, and the
  output is the previous output (or zero with ``zero_masked``);
- ``packed`` holds the outputs and then the final states along axis 1: with ``all_outputs`` the
  T outputs, else only the last one, then one slot per state (h, and c for the LSTM);
- activations are codes (``LINEAR`` ... ``HARD_SIGMOID``); each one's derivative is written in
  terms of its output y, which is what the forward pass keeps.
"""

import numpy as np

from nbkeras.kernels._jit import kernel

LINEAR, TANH, SIGMOID, RELU, HARD_SIGMOID = 0, 1, 2, 3, 4
ACTIVATION_CODES = {"linear": LINEAR, "tanh": TANH, "sigmoid": SIGMOID, "relu": RELU,
                    "hard_sigmoid": HARD_SIGMOID}
"""The activations the fused kernels know, by Keras name."""


@kernel
def activate(code, one, v):
    """Activation ``code`` of the scalar ``v``, with the formulas of ``kernels/elementwise.py``
    (``one`` is 1 in v's type: a bare literal would turn float32 arithmetic into float64)."""
    zero = one - one
    if code == TANH:
        return np.tanh(v)
    if code == SIGMOID:
        if v >= zero:
            return one / (one + np.exp(-v))
        e = np.exp(v)
        return e / (one + e)
    if code == RELU:
        return v if (v > zero or v != v) else zero
    if code == HARD_SIGMOID:
        three = one + one + one
        six = three + three
        u = v + three
        return (zero if u < zero else (six if u > six else u)) / six
    return v


# f'(x) from y = f(x): tanh 1 - y^2, sigmoid y (1 - y), relu 1 where y > 0, hard_sigmoid 1/6
# strictly between its two flat parts (0 at the kinks, as TensorFlow), linear 1.
@kernel
def slope(code, one, y):
    """The derivative of activation ``code`` at the point where it output ``y``."""
    zero = one - one
    if code == TANH:
        return one - y * y
    if code == SIGMOID:
        return y * (one - y)
    if code == RELU:
        return one if y > zero else zero
    if code == HARD_SIGMOID:
        six = one + one + one + one + one + one
        return one / six if (y > zero and y < one) else zero
    return one


# -- fast float32 exp, tanh and sigmoid over rows -----------------------------------------------
# pip's Numba has no vectorised (SVML) exp: np.exp and np.tanh of a float32 are scalar libm
# calls, and they made up four fifths of an LSTM's forward pass. ``fast_exp`` is Cephes' expf
# (e^x = 2^n e^r with |r| <= ln 2 / 2, e^r a degree-7 polynomial, relative error below 2e-7,
# about one float32 spacing) in plain arithmetic that LLVM vectorises; 2^n is built from its
# bits. Other dtypes (the float64 gradient checks) use np.exp.

@kernel
def fast_exp(x, bits):
    """x[i] <- e^x[i] in place for a 1-D float array; ``bits`` is int32 scratch of x's size.
    -inf and anything below -87.34 give 0, anything above 88.38 inf, NaN stays NaN."""
    if x.itemsize != 4:
        for i in range(x.size):
            x[i] = np.exp(x[i])
        return
    t = x.dtype.type
    one, half, log2e = t(1), t(0.5), t(1.44269504088896341)
    ln2_hi, ln2_lo = t(0.693359375), t(-2.12194440e-4)
    lowest, highest = t(-87.33654), t(88.37626)
    p0, p1, p2 = t(1.9875691500e-4), t(1.3981999507e-3), t(8.3334519073e-3)
    p3, p4, p5 = t(4.1665795894e-2), t(1.6666665459e-1), t(5.0000001201e-1)
    for i in range(x.size):
        v = x[i]
        w = highest if v > highest else (lowest if v < lowest else v)
        n = np.floor(w * log2e + half)
        r = w - n * ln2_hi - n * ln2_lo
        p = ((((p0 * r + p1) * r + p2) * r + p3) * r + p4) * r + p5
        x[i] = p * r * r + r + one
        if v != v:
            bits[i] = 0x7FC00000  # NaN
        elif v > highest:
            bits[i] = 0x7F800000  # inf
        elif v < lowest:
            bits[i] = 0  # +0.0
        else:
            bits[i] = (np.int32(n) + 127) << 23  # 2^n
    scale = bits.view(np.float32)
    for i in range(x.size):
        x[i] = x[i] * scale[i]


@kernel
def activate_block(code, one, a, lo, hi, scratch, bits):
    """Apply activation ``code`` in place to the columns [lo, hi) of every row of ``a``
    (batch, width); float32 tanh and sigmoid go through ``fast_exp``. ``scratch`` (float) and
    ``bits`` (int32) are buffers of at least hi - lo elements."""
    fast = a.itemsize == 4 and (code == TANH or code == SIGMOID)
    t = a.dtype.type
    zero, two, small = one - one, one + one, t(0.125)
    c3, c5, c7 = t(-1.0 / 3.0), t(2.0 / 15.0), t(-17.0 / 315.0)
    n = hi - lo
    e = scratch[:n]
    for b in range(a.shape[0]):
        row = a[b, lo:hi]
        if not fast:
            for j in range(n):
                row[j] = activate(code, one, row[j])
        elif code == SIGMOID:  # 1 / (1 + e^-x)
            for j in range(n):
                e[j] = -row[j]
            fast_exp(e, bits)
            for j in range(n):
                row[j] = one / (one + e[j])
        else:  # tanh x = sign(x) (1 - e^-2|x|) / (1 + e^-2|x|); its series near 0
            for j in range(n):
                e[j] = -two * abs(row[j])
            fast_exp(e, bits)
            for j in range(n):
                v = row[j]
                if abs(v) < small:
                    v2 = v * v
                    row[j] = v + v * v2 * (c3 + v2 * (c5 + v2 * c7))
                else:
                    y = (one - e[j]) / (one + e[j])
                    row[j] = y if v > zero else (-y if v < zero else v)


# -- what every scan writes ---------------------------------------------------------------------

@kernel
def emit_output(packed, out, b, s, kept, zero_masked, all_outputs):
    """After loop step ``s`` of sample ``b``: a masked step's output is zero with
    ``zero_masked`` (else the previous output stays); with ``all_outputs`` it is stored."""
    if not kept and zero_masked:
        out[b, :] = out.dtype.type(0)
    if all_outputs:
        packed[b, s, :] = out[b, :]


@kernel
def emit_final(packed, out, all_outputs, slot, state):
    """After the loop: the last output (when only it is returned) and ``state`` into ``slot``."""
    for b in range(out.shape[0]):
        if not all_outputs:
            packed[b, 0, :] = out[b, :]
        packed[b, slot, :] = state[b, :]


@kernel
def start_backward(g, all_outputs, slot, dh, carry):
    """The cotangents a backward loop starts from: that of the final state (``slot`` of the
    packed cotangent ``g``) and, when only the last output was returned, that output's."""
    for b in range(dh.shape[0]):
        dh[b, :] = g[b, slot, :]
        if not all_outputs:
            carry[b, :] = g[b, 0, :]


# -- SimpleRNN: h_t = f(x_t W + b + h_{t-1} U) ----------------------------------------------------

@kernel
def simple_rnn_forward(xw, h0, rk, mask, reverse, zero_masked, all_outputs, act,
                       packed, h_prev, y):
    """Run the SimpleRNN recurrence. Keeps ``h_prev[b, t]`` (the state step t started from) and
    ``y[b, t]`` (the activation's output) for the backward pass."""
    batch, steps, units = xw.shape
    dtype = xw.dtype.type
    one = dtype(1)
    h = h0.copy()
    out = np.zeros((batch, units), xw.dtype)
    a = np.empty((batch, units), xw.dtype)
    scratch, bits = np.empty(units, xw.dtype), np.empty(units, np.int32)
    for s in range(steps):
        t = steps - 1 - s if reverse else s
        np.dot(h, rk, a)
        for b in range(batch):
            for j in range(units):
                a[b, j] = xw[b, t, j] + a[b, j]
        activate_block(act, one, a, 0, units, scratch, bits)
        for b in range(batch):
            for j in range(units):
                h_prev[b, t, j] = h[b, j]
            if mask[b, t]:
                for j in range(units):
                    v = a[b, j]
                    y[b, t, j] = v
                    h[b, j] = v
                    out[b, j] = v
            emit_output(packed, out, b, s, mask[b, t], zero_masked, all_outputs)
    emit_final(packed, out, all_outputs, steps if all_outputs else 1, h)


# With a = x_t W + b + h_{t-1} U and h_t = f(a): ā = h̄_t f'(a), h̄_{t-1} = ā U^T. h̄_t collects
# the cotangent of output t and what step t + 1 sent back; a masked step passes h̄ through.
@kernel
def simple_rnn_backward(g, rk_t, mask, reverse, zero_masked, all_outputs, act, y, dz, dh0):
    """BPTT for ``simple_rnn_forward``: ``g`` is the cotangent of ``packed``; fills ``dz`` (the
    cotangent of ``xw``) and ``dh0``."""
    batch, steps, units = y.shape
    dtype = y.dtype.type
    one = dtype(1)
    last = steps if all_outputs else 1
    dh = np.empty((batch, units), y.dtype)
    carry = np.zeros((batch, units), y.dtype)  # cotangent of the previous output
    da = np.empty((batch, units), y.dtype)
    back = np.empty((batch, units), y.dtype)
    start_backward(g, all_outputs, last, dh, carry)
    for s in range(steps - 1, -1, -1):
        t = steps - 1 - s if reverse else s
        for b in range(batch):
            for j in range(units):
                go = carry[b, j] + (g[b, s, j] if all_outputs else dtype(0))
                if mask[b, t]:
                    v = (dh[b, j] + go) * slope(act, one, y[b, t, j])
                    da[b, j] = v
                    dz[b, t, j] = v
                    carry[b, j] = dtype(0)
                else:
                    da[b, j] = dtype(0)
                    dz[b, t, j] = dtype(0)
                    carry[b, j] = dtype(0) if zero_masked else go
        np.dot(da, rk_t, back)
        for b in range(batch):
            if mask[b, t]:
                for j in range(units):
                    dh[b, j] = back[b, j]
    dh0[:, :] = dh


# -- LSTM ---------------------------------------------------------------------------------------
# z = x_t W + h_{t-1} U + b, split into four: i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
# (σ the recurrent activation, tanh the activation); c_t = f c_{t-1} + i g, h_t = o tanh(c_t).

@kernel
def lstm_forward(xw, h0, c0, rk, bias, mask, reverse, zero_masked, all_outputs, act, rec_act,
                 packed, h_prev, c_prev, gates, c_act):
    """Run the LSTM recurrence; ``xw`` = x W without the bias (Keras adds it last). Keeps the
    states each step started from, the four gate values and act(c_t) for the backward pass."""
    batch, steps, four_units = xw.shape
    units = four_units // 4
    dtype = xw.dtype.type
    one = dtype(1)
    h = h0.copy()
    c = c0.copy()
    out = np.zeros((batch, units), xw.dtype)
    z = np.empty((batch, four_units), xw.dtype)
    cn = np.empty((batch, units), xw.dtype)
    ca = np.empty((batch, units), xw.dtype)
    scratch, bits = np.empty(four_units, xw.dtype), np.empty(four_units, np.int32)
    for s in range(steps):
        t = steps - 1 - s if reverse else s
        np.dot(h, rk, z)
        for b in range(batch):
            for k in range(four_units):
                z[b, k] = (xw[b, t, k] + z[b, k]) + bias[k]
        activate_block(rec_act, one, z, 0, 2 * units, scratch, bits)  # i, f
        activate_block(act, one, z, 2 * units, 3 * units, scratch, bits)  # g
        activate_block(rec_act, one, z, 3 * units, four_units, scratch, bits)  # o
        for b in range(batch):
            for j in range(units):
                cn[b, j] = z[b, units + j] * c[b, j] + z[b, j] * z[b, 2 * units + j]
                ca[b, j] = cn[b, j]
        activate_block(act, one, ca, 0, units, scratch, bits)
        for b in range(batch):
            for j in range(units):
                h_prev[b, t, j] = h[b, j]
                c_prev[b, t, j] = c[b, j]
            if mask[b, t]:
                for k in range(four_units):
                    gates[b, t, k] = z[b, k]
                for j in range(units):
                    hn = z[b, 3 * units + j] * ca[b, j]
                    c_act[b, t, j] = ca[b, j]
                    c[b, j] = cn[b, j]
                    h[b, j] = hn
                    out[b, j] = hn
            emit_output(packed, out, b, s, mask[b, t], zero_masked, all_outputs)
    last = steps if all_outputs else 1
    emit_final(packed, out, all_outputs, last, h)
    packed[:, last + 1, :] = c


# With h̄ (this step's h_t cotangent) and c̄ (from step t + 1): ō = h̄ tanh(c_t),
# c̄_t = c̄ + h̄ o tanh'(c_t), then ī = c̄_t g, ḡ = c̄_t i, f̄ = c̄_t c_{t-1}, c̄_{t-1} = c̄_t f;
# each gate's z̄ is its cotangent times its activation's slope, and h̄_{t-1} = z̄ U^T.
@kernel
def lstm_backward(g, rk_t, mask, reverse, zero_masked, all_outputs, act, rec_act, c_prev,
                  gates, c_act, dz, dh0, dc0):
    """BPTT for ``lstm_forward``: ``g`` is the cotangent of ``packed``; fills ``dz`` (the
    cotangent of the gate pre-activations, hence of ``xw`` and of the bias), ``dh0`` and
    ``dc0``."""
    batch, steps, four_units = gates.shape
    units = four_units // 4
    dtype = gates.dtype.type
    one = dtype(1)
    last = steps if all_outputs else 1
    dh = np.empty((batch, units), gates.dtype)
    dc = np.empty((batch, units), gates.dtype)
    carry = np.zeros((batch, units), gates.dtype)
    dzt = np.empty((batch, four_units), gates.dtype)
    back = np.empty((batch, units), gates.dtype)
    start_backward(g, all_outputs, last, dh, carry)
    dc[:, :] = g[:, last + 1, :]
    for s in range(steps - 1, -1, -1):
        t = steps - 1 - s if reverse else s
        for b in range(batch):
            if mask[b, t]:
                for j in range(units):
                    go = carry[b, j] + (g[b, s, j] if all_outputs else dtype(0))
                    carry[b, j] = dtype(0)
                    dht = dh[b, j] + go
                    i = gates[b, t, j]
                    f = gates[b, t, units + j]
                    gg = gates[b, t, 2 * units + j]
                    o = gates[b, t, 3 * units + j]
                    ca = c_act[b, t, j]
                    dct = dc[b, j] + dht * o * slope(act, one, ca)
                    dc[b, j] = dct * f
                    dzt[b, j] = dct * gg * slope(rec_act, one, i)
                    dzt[b, units + j] = dct * c_prev[b, t, j] * slope(rec_act, one, f)
                    dzt[b, 2 * units + j] = dct * i * slope(act, one, gg)
                    dzt[b, 3 * units + j] = dht * ca * slope(rec_act, one, o)
            else:
                for j in range(units):
                    go = carry[b, j] + (g[b, s, j] if all_outputs else dtype(0))
                    carry[b, j] = dtype(0) if zero_masked else go
                for k in range(four_units):
                    dzt[b, k] = dtype(0)
            for k in range(four_units):
                dz[b, t, k] = dzt[b, k]
        np.dot(dzt, rk_t, back)
        for b in range(batch):
            if mask[b, t]:
                for j in range(units):
                    dh[b, j] = back[b, j]
    dh0[:, :] = dh
    dc0[:, :] = dc


# -- GRU ---------------------------------------------------------------------------------------
# reset_after=True (Keras' default, cuDNN's form): with x_z, x_r, x_h the three thirds of
# x_t W + b_in and u_z, u_r, u_h those of h_{t-1} U + b_rec,
#   z = σ(x_z + u_z), r = σ(x_r + u_r), ĥ = tanh(x_h + r u_h), h_t = z h_{t-1} + (1 - z) ĥ.

@kernel
def gru_forward(xw, h0, rk, rec_bias, mask, reverse, zero_masked, all_outputs, act, rec_act,
                packed, h_prev, gates, u_h):
    """Run the GRU recurrence (reset gate after the product); ``xw`` includes the input bias.
    Keeps the states, the gate values z, r, ĥ and u_h for the backward pass."""
    batch, steps, three_units = xw.shape
    units = three_units // 3
    dtype = xw.dtype.type
    one = dtype(1)
    h = h0.copy()
    out = np.zeros((batch, units), xw.dtype)
    u = np.empty((batch, three_units), xw.dtype)
    hh = np.empty((batch, units), xw.dtype)
    scratch, bits = np.empty(three_units, xw.dtype), np.empty(three_units, np.int32)
    for s in range(steps):
        t = steps - 1 - s if reverse else s
        np.dot(h, rk, u)
        for b in range(batch):
            for k in range(three_units):
                u[b, k] = u[b, k] + rec_bias[k]
            for k in range(2 * units):
                u[b, k] = xw[b, t, k] + u[b, k]
        activate_block(rec_act, one, u, 0, 2 * units, scratch, bits)  # z, r
        for b in range(batch):
            for j in range(units):
                hh[b, j] = xw[b, t, 2 * units + j] + u[b, units + j] * u[b, 2 * units + j]
        activate_block(act, one, hh, 0, units, scratch, bits)
        for b in range(batch):
            for j in range(units):
                h_prev[b, t, j] = h[b, j]
            if mask[b, t]:
                for j in range(units):
                    z = u[b, j]
                    hn = z * h[b, j] + (one - z) * hh[b, j]
                    gates[b, t, j] = z
                    gates[b, t, units + j] = u[b, units + j]
                    gates[b, t, 2 * units + j] = hh[b, j]
                    u_h[b, t, j] = u[b, 2 * units + j]
                    h[b, j] = hn
                    out[b, j] = hn
            emit_output(packed, out, b, s, mask[b, t], zero_masked, all_outputs)
    emit_final(packed, out, all_outputs, steps if all_outputs else 1, h)


# With h̄ = h̄_t: z̄ = h̄ (h_{t-1} - ĥ), ĥ̄ = h̄ (1 - z), and a_h = x_h + r u_h gives
# ā_h = ĥ̄ tanh'(a_h), r̄ = ā_h u_h, ū_h = ā_h r; then z̄, r̄ times σ's slope are the other two
# pre-activation cotangents, and h̄_{t-1} = h̄ z + [z̄_z, z̄_r, ū_h] U^T.
@kernel
def gru_backward(g, rk_t, mask, reverse, zero_masked, all_outputs, act, rec_act, h_prev, gates,
                 u_h, dz, du, dh0):
    """BPTT for ``gru_forward``: fills ``dz`` (the cotangent of ``xw``), ``du`` (that of
    h_{t-1} U + b_rec, for the recurrent kernel and bias) and ``dh0``."""
    batch, steps, three_units = gates.shape
    units = three_units // 3
    dtype = gates.dtype.type
    one = dtype(1)
    last = steps if all_outputs else 1
    dh = np.empty((batch, units), gates.dtype)
    direct = np.empty((batch, units), gates.dtype)
    carry = np.zeros((batch, units), gates.dtype)
    dut = np.empty((batch, three_units), gates.dtype)
    back = np.empty((batch, units), gates.dtype)
    start_backward(g, all_outputs, last, dh, carry)
    for s in range(steps - 1, -1, -1):
        t = steps - 1 - s if reverse else s
        for b in range(batch):
            if mask[b, t]:
                for j in range(units):
                    go = carry[b, j] + (g[b, s, j] if all_outputs else dtype(0))
                    carry[b, j] = dtype(0)
                    dht = dh[b, j] + go
                    z = gates[b, t, j]
                    r = gates[b, t, units + j]
                    hh = gates[b, t, 2 * units + j]
                    dah = dht * (one - z) * slope(act, one, hh)
                    dpz = dht * (h_prev[b, t, j] - hh) * slope(rec_act, one, z)
                    dpr = dah * u_h[b, t, j] * slope(rec_act, one, r)
                    direct[b, j] = dht * z
                    dz[b, t, j] = dpz
                    dz[b, t, units + j] = dpr
                    dz[b, t, 2 * units + j] = dah
                    dut[b, j] = dpz
                    dut[b, units + j] = dpr
                    dut[b, 2 * units + j] = dah * r
            else:
                for j in range(units):
                    go = carry[b, j] + (g[b, s, j] if all_outputs else dtype(0))
                    carry[b, j] = dtype(0) if zero_masked else go
                for k in range(three_units):
                    dut[b, k] = dtype(0)
                    dz[b, t, k] = dtype(0)
            for k in range(three_units):
                du[b, t, k] = dut[b, k]
        np.dot(dut, rk_t, back)
        for b in range(batch):
            if mask[b, t]:
                for j in range(units):
                    dh[b, j] = direct[b, j] + back[b, j]
    dh0[:, :] = dh


# reset_after=False (the original GRU): the reset gate scales h_{t-1} before its product,
#   ĥ = tanh(x_h + (r h_{t-1}) U_h), with z and r from h_{t-1} [U_z U_r] and no recurrent bias.

@kernel
def gru_reset_before_forward(xw, h0, rk_zr, rk_h, mask, reverse, zero_masked, all_outputs, act,
                             rec_act, packed, h_prev, gates, rh):
    """Run the GRU recurrence with the reset gate before the product. Keeps the states, the
    gate values z, r, ĥ and r h_{t-1} for the backward pass."""
    batch, steps, three_units = xw.shape
    units = three_units // 3
    dtype = xw.dtype.type
    one = dtype(1)
    h = h0.copy()
    out = np.zeros((batch, units), xw.dtype)
    u = np.empty((batch, 2 * units), xw.dtype)
    reset_h = np.empty((batch, units), xw.dtype)
    hh = np.empty((batch, units), xw.dtype)
    scratch, bits = np.empty(2 * units, xw.dtype), np.empty(2 * units, np.int32)
    for s in range(steps):
        t = steps - 1 - s if reverse else s
        np.dot(h, rk_zr, u)
        for b in range(batch):
            for k in range(2 * units):
                u[b, k] = xw[b, t, k] + u[b, k]
        activate_block(rec_act, one, u, 0, 2 * units, scratch, bits)  # z, r
        for b in range(batch):
            for j in range(units):
                reset_h[b, j] = u[b, units + j] * h[b, j]
        np.dot(reset_h, rk_h, hh)
        for b in range(batch):
            for j in range(units):
                hh[b, j] = xw[b, t, 2 * units + j] + hh[b, j]
        activate_block(act, one, hh, 0, units, scratch, bits)
        for b in range(batch):
            for j in range(units):
                h_prev[b, t, j] = h[b, j]
                rh[b, t, j] = reset_h[b, j]
                gates[b, t, units + j] = u[b, units + j]
            if mask[b, t]:
                for j in range(units):
                    z = u[b, j]
                    hn = z * h[b, j] + (one - z) * hh[b, j]
                    gates[b, t, j] = z
                    gates[b, t, 2 * units + j] = hh[b, j]
                    h[b, j] = hn
                    out[b, j] = hn
            emit_output(packed, out, b, s, mask[b, t], zero_masked, all_outputs)
    emit_final(packed, out, all_outputs, steps if all_outputs else 1, h)


# As above, but a_h = x_h + (r h_{t-1}) U_h: (r h)̄ = ā_h U_h^T, so r̄ = (r h)̄ h_{t-1} and
# h_{t-1} also receives (r h)̄ r; the recurrent kernel's gradient is h_{t-1}^T [z̄_z, z̄_r] for
# U_z, U_r and (r h_{t-1})^T ā_h for U_h.
@kernel
def gru_reset_before_backward(g, rk_zr_t, rk_h_t, mask, reverse, zero_masked, all_outputs, act,
                              rec_act, h_prev, gates, dz, dh0):
    """BPTT for ``gru_reset_before_forward``: fills ``dz`` (the cotangent of ``xw``; its first
    two thirds also that of h_{t-1} [U_z U_r], its last that of (r h_{t-1}) U_h) and ``dh0``."""
    batch, steps, three_units = gates.shape
    units = three_units // 3
    dtype = gates.dtype.type
    one = dtype(1)
    last = steps if all_outputs else 1
    dh = np.empty((batch, units), gates.dtype)
    direct = np.empty((batch, units), gates.dtype)
    carry = np.zeros((batch, units), gates.dtype)
    dah = np.zeros((batch, units), gates.dtype)
    drh = np.empty((batch, units), gates.dtype)
    dzr = np.empty((batch, 2 * units), gates.dtype)
    back = np.empty((batch, units), gates.dtype)
    start_backward(g, all_outputs, last, dh, carry)
    for s in range(steps - 1, -1, -1):
        t = steps - 1 - s if reverse else s
        for b in range(batch):
            for j in range(units):
                go = carry[b, j] + (g[b, s, j] if all_outputs else dtype(0))
                if mask[b, t]:
                    carry[b, j] = dtype(0)
                    dht = dh[b, j] + go
                    z = gates[b, t, j]
                    hh = gates[b, t, 2 * units + j]
                    dah[b, j] = dht * (one - z) * slope(act, one, hh)
                    dzr[b, j] = dht * (h_prev[b, t, j] - hh) * slope(rec_act, one, z)
                    direct[b, j] = dht * z
                else:
                    carry[b, j] = dtype(0) if zero_masked else go
                    dah[b, j] = dtype(0)
                    dzr[b, j] = dtype(0)
        np.dot(dah, rk_h_t, drh)
        for b in range(batch):
            for j in range(units):
                if mask[b, t]:
                    r = gates[b, t, units + j]
                    dzr[b, units + j] = drh[b, j] * h_prev[b, t, j] * slope(rec_act, one, r)
                    direct[b, j] += drh[b, j] * r
                else:
                    dzr[b, units + j] = dtype(0)
                dz[b, t, j] = dzr[b, j]
                dz[b, t, units + j] = dzr[b, units + j]
                dz[b, t, 2 * units + j] = dah[b, j]
        np.dot(dzr, rk_zr_t, back)
        for b in range(batch):
            if mask[b, t]:
                for j in range(units):
                    dh[b, j] = direct[b, j] + back[b, j]
    dh0[:, :] = dh


def float32_example_arguments(kernel_function):
    """Arguments that compile each kernel for float32 (the kernel IR test calls this)."""
    f = np.float32
    name = kernel_function.py_func.__name__
    if name in ("activate", "slope"):
        return (np.int64(TANH), f(1), f(0.5))
    if name == "emit_output":
        return (np.full((2, 4, 3), 0.5, f), np.full((2, 3), 0.5, f), 1, 2, False, True, True)
    if name in ("emit_final", "start_backward"):
        packed, out = np.full((2, 4, 3), 0.5, f), np.full((2, 3), 0.5, f)
        if name == "emit_final":
            return (packed, out, False, 3, out.copy())
        return (packed, False, 3, out, out.copy())
    if name == "fast_exp":
        return (np.full(5, 0.5, f), np.empty(5, np.int32))
    if name == "activate_block":
        return (np.int64(TANH), f(1), np.full((2, 6), 0.5, f), 1, 5, np.empty(6, f),
                np.empty(6, np.int32))
    b, t, u = 2, 3, 2
    mask = np.ones((b, t), np.bool_)
    flags = (False, False, True)

    def arrays(*shapes):
        return [np.full(shape, 0.5, f) for shape in shapes]

    if name == "simple_rnn_forward":
        xw, h0, rk, packed, h_prev, y = arrays((b, t, u), (b, u), (u, u), (b, t + 1, u),
                                               (b, t, u), (b, t, u))
        return (xw, h0, rk, mask, *flags, TANH, packed, h_prev, y)
    if name == "simple_rnn_backward":
        g, rk_t, y, dz, dh0 = arrays((b, t + 1, u), (u, u), (b, t, u), (b, t, u), (b, u))
        return (g, rk_t, mask, *flags, TANH, y, dz, dh0)
    if name == "lstm_forward":
        xw, h0, c0, rk, bias, packed, h_prev, c_prev, gates, c_act = arrays(
            (b, t, 4 * u), (b, u), (b, u), (u, 4 * u), (4 * u,), (b, t + 2, u), (b, t, u),
            (b, t, u), (b, t, 4 * u), (b, t, u))
        return (xw, h0, c0, rk, bias, mask, *flags, TANH, SIGMOID, packed, h_prev, c_prev,
                gates, c_act)
    if name == "lstm_backward":
        g, rk_t, c_prev, gates, c_act, dz, dh0, dc0 = arrays(
            (b, t + 2, u), (4 * u, u), (b, t, u), (b, t, 4 * u), (b, t, u), (b, t, 4 * u),
            (b, u), (b, u))
        return (g, rk_t, mask, *flags, TANH, SIGMOID, c_prev, gates, c_act, dz, dh0, dc0)
    if name == "gru_forward":
        xw, h0, rk, rec_bias, packed, h_prev, gates, u_h = arrays(
            (b, t, 3 * u), (b, u), (u, 3 * u), (3 * u,), (b, t + 1, u), (b, t, u),
            (b, t, 3 * u), (b, t, u))
        return (xw, h0, rk, rec_bias, mask, *flags, TANH, SIGMOID, packed, h_prev, gates, u_h)
    if name == "gru_backward":
        g, rk_t, h_prev, gates, u_h, dz, du, dh0 = arrays(
            (b, t + 1, u), (3 * u, u), (b, t, u), (b, t, 3 * u), (b, t, u), (b, t, 3 * u),
            (b, t, 3 * u), (b, u))
        return (g, rk_t, mask, *flags, TANH, SIGMOID, h_prev, gates, u_h, dz, du, dh0)
    if name == "gru_reset_before_forward":
        xw, h0, rk_zr, rk_h, packed, h_prev, gates, rh = arrays(
            (b, t, 3 * u), (b, u), (u, 2 * u), (u, u), (b, t + 1, u), (b, t, u),
            (b, t, 3 * u), (b, t, u))
        return (xw, h0, rk_zr, rk_h, mask, *flags, TANH, SIGMOID, packed, h_prev, gates, rh)
    if name == "gru_reset_before_backward":
        g, rk_zr_t, rk_h_t, h_prev, gates, dz, dh0 = arrays(
            (b, t + 1, u), (2 * u, u), (u, u), (b, t, u), (b, t, 3 * u), (b, t, 3 * u),
            (b, u))
        return (g, rk_zr_t, rk_h_t, mask, *flags, TANH, SIGMOID, h_prev, gates, dz, dh0)
    return None
