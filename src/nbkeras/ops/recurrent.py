"""Recurrent scans: SimpleRNN, LSTM and GRU recurrences as primitives (``kernels/recurrent.py``).

Keras' layers call a cell once per step (``backend.rnn``); nbkeras runs the whole recurrence in
one kernel, so a layer's call is three primitives however long the sequence: the input
projection for every step at once (``matmul``, one GEMM), the scan below, and slices of its
result. Each scan takes ``xw`` (batch, steps, gates · units), the initial state(s) and the
recurrent kernel, and returns one array that packs the outputs and the final states along
axis 1 (see the kernels' docstring); ``_split`` slices them apart, so the tape sends the
cotangents of all of them back through one backward kernel.

Backpropagation through time leaves the cotangent of each step's pre-activations in ``dz``;
the recurrent kernel's gradient is then one more GEMM, ``Σ_t h_{t-1}^T dz_t``, over all
(sample, step) rows at once.
"""

import numpy as np

from nbkeras.autodiff import Primitive
from nbkeras.kernels import blas
from nbkeras.kernels import matmul as M
from nbkeras.kernels import recurrent as K
from nbkeras.ops.shape import getitem
from nbkeras.tensor import Tensor

ACTIVATIONS = tuple(K.ACTIVATION_CODES)
"""The activations (by Keras name) the fused scans run; other ones take the cell-by-cell loop."""


def _c(a):
    return np.ascontiguousarray(a)


def _transposed(a):
    return np.ascontiguousarray(a.T)


def _gram(a, b):
    """Σ over (sample, step) rows of a^T b: a (B, T, m), b (B, T, n) -> (m, n), one GEMM."""
    return M.matmul(a.reshape(-1, a.shape[-1]).T, b.reshape(-1, b.shape[-1]))


def _step_threads(rk, batch):
    """BLAS threads for a scan: each step multiplies (batch, units) by the recurrent kernel, a
    product too small to share between cores (OpenBLAS would thread it, and spin: blas.py)."""
    return blas.threads_for(batch * rk.size)


def _flags(mask, reverse, zero_masked, all_outputs):
    return (mask, bool(reverse), bool(zero_masked), bool(all_outputs))


def _packed(xw, units, all_outputs, states):
    batch, steps = xw.shape[:2]
    return np.empty((batch, (steps if all_outputs else 1) + states, units), xw.dtype)


# -- SimpleRNN ----------------------------------------------------------------------------------

def _simple_rnn_forward(xw, h0, rk, *, mask, reverse, zero_masked, all_outputs, activation):
    xw = _c(xw)
    units = rk.shape[0]
    flags = _flags(mask, reverse, zero_masked, all_outputs)
    act = K.ACTIVATION_CODES[activation]
    packed = _packed(xw, units, all_outputs, 1)
    h_prev, y = np.empty_like(xw), np.empty_like(xw)
    with _step_threads(rk, xw.shape[0]):
        K.simple_rnn_forward(xw, _c(h0), _c(rk), *flags, act, packed, h_prev, y)
    return packed, (rk, flags, act, h_prev, y)


def _simple_rnn_backward(saved, g, needs):
    rk, flags, act, h_prev, y = saved
    dz, dh0 = np.empty_like(y), np.empty(h_prev[:, 0].shape, y.dtype)
    with _step_threads(rk, g.shape[0]):
        K.simple_rnn_backward(_c(g), _transposed(rk), *flags, act, y, dz, dh0)
    return dz, dh0, _gram(h_prev, dz) if needs[2] else None


simple_rnn_p = Primitive("simple_rnn", _simple_rnn_forward, _simple_rnn_backward)


# -- LSTM ---------------------------------------------------------------------------------------

def _lstm_forward(xw, h0, c0, rk, bias, *, mask, reverse, zero_masked, all_outputs, activation,
                  recurrent_activation):
    xw = _c(xw)
    units = rk.shape[0]
    flags = _flags(mask, reverse, zero_masked, all_outputs)
    codes = (K.ACTIVATION_CODES[activation], K.ACTIVATION_CODES[recurrent_activation])
    packed = _packed(xw, units, all_outputs, 2)
    state_shape = xw.shape[:2] + (units,)
    h_prev, c_prev, c_act = (np.empty(state_shape, xw.dtype) for _ in range(3))
    gates = np.empty_like(xw)
    with _step_threads(rk, xw.shape[0]):
        K.lstm_forward(xw, _c(h0), _c(c0), _c(rk), _c(bias), *flags, *codes, packed, h_prev, c_prev,
                       gates, c_act)
    return packed, (rk, flags, codes, h_prev, c_prev, gates, c_act)


def _lstm_backward(saved, g, needs):
    rk, flags, codes, h_prev, c_prev, gates, c_act = saved
    dz = np.empty_like(gates)
    dh0, dc0 = np.empty_like(h_prev[:, 0]), np.empty_like(h_prev[:, 0])
    with _step_threads(rk, g.shape[0]):
        K.lstm_backward(_c(g), _transposed(rk), *flags, *codes, c_prev, gates, c_act, dz, dh0, dc0)
    drk = _gram(h_prev, dz) if needs[3] else None
    return dz, dh0, dc0, drk, dz  # the bias's cotangent is dz summed over batch and steps


lstm_p = Primitive("lstm", _lstm_forward, _lstm_backward)


# -- GRU ----------------------------------------------------------------------------------------

def _gru_forward(xw, h0, rk, rec_bias, *, mask, reverse, zero_masked, all_outputs, activation,
                 recurrent_activation):
    xw = _c(xw)
    units = rk.shape[0]
    flags = _flags(mask, reverse, zero_masked, all_outputs)
    codes = (K.ACTIVATION_CODES[activation], K.ACTIVATION_CODES[recurrent_activation])
    packed = _packed(xw, units, all_outputs, 1)
    state_shape = xw.shape[:2] + (units,)
    h_prev, u_h = np.empty(state_shape, xw.dtype), np.empty(state_shape, xw.dtype)
    gates = np.empty_like(xw)
    with _step_threads(rk, xw.shape[0]):
        K.gru_forward(xw, _c(h0), _c(rk), _c(rec_bias), *flags, *codes, packed, h_prev, gates, u_h)
    return packed, (rk, flags, codes, h_prev, gates, u_h)


def _gru_backward(saved, g, needs):
    rk, flags, codes, h_prev, gates, u_h = saved
    dz, du = np.empty_like(gates), np.empty_like(gates)
    dh0 = np.empty_like(h_prev[:, 0])
    with _step_threads(rk, g.shape[0]):
        K.gru_backward(_c(g), _transposed(rk), *flags, *codes, h_prev, gates, u_h, dz, du, dh0)
    return dz, dh0, _gram(h_prev, du) if needs[2] else None, du


gru_p = Primitive("gru", _gru_forward, _gru_backward)


def _gru_reset_before_forward(xw, h0, rk, *, mask, reverse, zero_masked, all_outputs,
                              activation, recurrent_activation):
    xw = _c(xw)
    units = rk.shape[0]
    flags = _flags(mask, reverse, zero_masked, all_outputs)
    codes = (K.ACTIVATION_CODES[activation], K.ACTIVATION_CODES[recurrent_activation])
    packed = _packed(xw, units, all_outputs, 1)
    state_shape = xw.shape[:2] + (units,)
    h_prev, rh = np.empty(state_shape, xw.dtype), np.empty(state_shape, xw.dtype)
    gates = np.empty_like(xw)
    with _step_threads(rk, xw.shape[0]):
        K.gru_reset_before_forward(xw, _c(h0), _c(rk[:, :2 * units]), _c(rk[:, 2 * units:]), *flags,
                                   *codes, packed, h_prev, gates, rh)
    return packed, (rk, flags, codes, h_prev, gates, rh)


def _gru_reset_before_backward(saved, g, needs):
    rk, flags, codes, h_prev, gates, rh = saved
    units = rk.shape[0]
    dz = np.empty_like(gates)
    dh0 = np.empty_like(h_prev[:, 0])
    with _step_threads(rk, g.shape[0]):
        K.gru_reset_before_backward(_c(g), _transposed(rk[:, :2 * units]),
                                    _transposed(rk[:, 2 * units:]), *flags, *codes, h_prev, gates,
                                    dz, dh0)
    drk = None
    if needs[2]:
        drk = np.concatenate([_gram(h_prev, dz[..., :2 * units]), _gram(rh, dz[..., 2 * units:])],
                             axis=1)
    return dz, dh0, drk


gru_reset_before_p = Primitive("gru_reset_before", _gru_reset_before_forward,
                               _gru_reset_before_backward)


# -- the functions the layers call ----------------------------------------------------------------

def _mask_param(mask, xw):
    batch, steps = xw.shape[:2]
    if mask is None:
        return np.ones((batch, steps), np.bool_)
    array = np.asarray(mask._value if isinstance(mask, Tensor) else mask)
    if array.shape != (batch, steps):
        raise ValueError(
            f"the mask must have shape (batch, timesteps) = {(batch, steps)}, "
            f"got shape {array.shape}"
        )
    return np.ascontiguousarray(array.astype(np.bool_, copy=False))


def _options(mask, xw, go_backwards, zero_output_for_mask, return_sequences):
    return {"mask": _mask_param(mask, xw), "reverse": bool(go_backwards),
            "zero_masked": bool(zero_output_for_mask), "all_outputs": bool(return_sequences)}


def simple_rnn(xw, h0, recurrent_kernel, mask=None, go_backwards=False,
               zero_output_for_mask=False, return_sequences=True, activation="tanh"):
    """The SimpleRNN recurrence h_t = activation(xw_t + h_{t-1} U) over every step of ``xw``
    (batch, steps, units) = x W + b. Returns (outputs, [h_T])."""
    options = _options(mask, xw, go_backwards, zero_output_for_mask, return_sequences)
    packed = simple_rnn_p(xw, h0, recurrent_kernel, activation=activation, **options)
    return _split(packed, xw, 1, return_sequences)


def lstm(xw, h0, c0, recurrent_kernel, bias, mask=None, go_backwards=False,
         zero_output_for_mask=False, return_sequences=True, activation="tanh",
         recurrent_activation="sigmoid"):
    """The LSTM recurrence over ``xw`` (batch, steps, 4 units) = x W (the bias is added inside,
    after h_{t-1} U, in Keras' order). Returns (outputs, [h_T, c_T])."""
    options = _options(mask, xw, go_backwards, zero_output_for_mask, return_sequences)
    packed = lstm_p(xw, h0, c0, recurrent_kernel, bias, activation=activation,
                    recurrent_activation=recurrent_activation, **options)
    return _split(packed, xw, 2, return_sequences)


def gru(xw, h0, recurrent_kernel, recurrent_bias=None, mask=None, go_backwards=False,
        zero_output_for_mask=False, return_sequences=True, activation="tanh",
        recurrent_activation="sigmoid", reset_after=True):
    """The GRU recurrence over ``xw`` (batch, steps, 3 units) = x W + b_in; ``recurrent_bias``
    (reset_after only) is added to h_{t-1} U. Returns (outputs, [h_T])."""
    options = _options(mask, xw, go_backwards, zero_output_for_mask, return_sequences)
    codes = {"activation": activation, "recurrent_activation": recurrent_activation}
    if reset_after:
        if recurrent_bias is None:
            recurrent_bias = Tensor(np.zeros(recurrent_kernel.shape[1:], xw.dtype))
        packed = gru_p(xw, h0, recurrent_kernel, recurrent_bias, **codes, **options)
    else:
        packed = gru_reset_before_p(xw, h0, recurrent_kernel, **codes, **options)
    return _split(packed, xw, 1, return_sequences)


def _split(packed, xw, n_states, return_sequences):
    steps = xw.shape[1]
    first_state = steps if return_sequences else 1
    output = getitem(packed, (slice(None), slice(0, steps)) if return_sequences
                     else (slice(None), 0))
    return output, [getitem(packed, (slice(None), first_state + k)) for k in range(n_states)]
