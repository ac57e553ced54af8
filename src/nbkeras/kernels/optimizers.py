"""Optimizer kernels: one in-place pass over a variable and its slots per update step.

Every update kernel walks the flattened variable ``w`` (C-contiguous, updated in place), its
gradient ``g`` (same size, read only) and the optimizer's slot arrays (same size, updated in
place). Hyper-parameters arrive as scalars of the variable's dtype, formed by the caller exactly
as Keras forms them (``1 - beta_1`` in Python double for Adam, in float32 for Nadam), so that the
float32 arithmetic below repeats Keras' operations one for one, in the same order. Nothing is
allocated: a step reads each array once and writes each updated array once.

Powers of scalars (``beta_1 ** t``) use ``math.pow`` on float32 numbers, which Numba compiles to
the C library's ``powf``: the routine TensorFlow's CPU kernels use for a scalar ``pow``.
"""

import math

import numpy as np

from nbkeras.kernels._jit import kernel

# Parameters that are scalars or flags (everything else is an array); the kernel tests use
# this to build float32 example arguments for each kernel.
SCALAR_PARAMETERS = {
    "learning_rate", "momentum", "rho", "one_minus_rho", "epsilon", "beta_1", "beta_2",
    "one_minus_beta_1", "one_minus_beta_2", "step", "u_product", "exponent", "l1",
    "two_l2", "two_l2_shrinkage", "beta_2_t", "epsilon_1", "alpha", "clip_threshold",
    "weight_decay", "numerator", "denominator", "factor", "limit",
}
FLAG_PARAMETERS = {"nesterov", "centered"}


def float32_example_arguments(kernel_function):
    """Arguments to compile ``kernel_function`` for float32: arrays of 4 ones, scalars 0.5."""
    code = kernel_function.py_func.__code__
    names = code.co_varnames[: code.co_argcount]
    three_d = kernel_function.py_func.__name__ == "adafactor_factored_velocity"
    arguments = []
    for name in names:
        if name in FLAG_PARAMETERS:
            arguments.append(False)
        elif name in SCALAR_PARAMETERS:
            arguments.append(np.float32(0.5))
        elif three_d and name in ("g", "v"):
            arguments.append(np.ones((1, 2, 2), np.float32))
        elif three_d and name in ("r", "c"):
            arguments.append(np.ones((1, 2), np.float32))
        else:
            arguments.append(np.ones(4, np.float32))
    return arguments


# -- SGD -------------------------------------------------------------------------------------

@kernel
def sgd(w, g, learning_rate):
    for i in range(w.size):
        w[i] = w[i] - g[i] * learning_rate


@kernel
def sgd_momentum(w, g, m, learning_rate, momentum, nesterov):
    # m <- m*momentum - g*lr; plain: w <- w + m; Nesterov: w <- w + (m*momentum - g*lr)
    for i in range(w.size):
        step = g[i] * learning_rate
        velocity = m[i] * momentum - step
        m[i] = velocity
        if nesterov:
            w[i] = w[i] + (velocity * momentum - step)
        else:
            w[i] = w[i] + velocity


# -- adaptive learning rates: Adagrad, RMSprop, Adadelta --------------------------------------

@kernel
def adagrad(w, g, accumulator, learning_rate, epsilon):
    for i in range(w.size):
        a = accumulator[i] + g[i] * g[i]
        accumulator[i] = a
        w[i] = w[i] - (learning_rate * g[i]) / np.sqrt(a + epsilon)


@kernel
def rmsprop(w, g, velocity, average_gradient, momentum_slot, learning_rate, rho, one_minus_rho,
            momentum, epsilon, centered):
    # momentum_slot is empty when momentum == 0, average_gradient when not centered
    use_momentum = momentum_slot.size > 0
    for i in range(w.size):
        gi = g[i]
        v = rho * velocity[i] + one_minus_rho * (gi * gi)
        velocity[i] = v
        if centered:
            a = rho * average_gradient[i] + one_minus_rho * gi
            average_gradient[i] = a
            denominator = (v - a * a) + epsilon
        else:
            denominator = v + epsilon
        increment = (learning_rate * gi) / np.sqrt(denominator)
        if use_momentum:
            mi = momentum * momentum_slot[i] + increment
            momentum_slot[i] = mi
            w[i] = w[i] - mi
        else:
            w[i] = w[i] - increment


@kernel
def adadelta(w, g, accumulated_grad, accumulated_delta, learning_rate, rho, one_minus_rho,
             epsilon):
    for i in range(w.size):
        gi = g[i]
        e_g = rho * accumulated_grad[i] + one_minus_rho * (gi * gi)
        accumulated_grad[i] = e_g
        delta = -((np.sqrt(accumulated_delta[i] + epsilon) * gi) / np.sqrt(e_g + epsilon))
        accumulated_delta[i] = rho * accumulated_delta[i] + one_minus_rho * (delta * delta)
        w[i] = w[i] + learning_rate * delta


# -- Adam and its relatives ---------------------------------------------------------------

@kernel
def adam(w, g, m, v, v_hat, learning_rate, beta_1, beta_2, one_minus_beta_1, one_minus_beta_2,
         epsilon, step):
    # v_hat is empty unless amsgrad; step = iterations + 1 (t = 1 on the first update)
    one = w.dtype.type(1)
    alpha = learning_rate * np.sqrt(one - math.pow(beta_2, step)) / (one - math.pow(beta_1, step))
    amsgrad = v_hat.size > 0
    for i in range(w.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * one_minus_beta_1
        vi = v[i] + (gi * gi - v[i]) * one_minus_beta_2
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(v_hat[i], vi)
            v_hat[i] = vi
        w[i] = w[i] - (mi * alpha) / (np.sqrt(vi) + epsilon)


@kernel
def adamax(w, g, m, u, learning_rate, beta_1, beta_2, one_minus_beta_1, epsilon, step):
    one = w.dtype.type(1)
    correction = one - math.pow(beta_1, step)
    for i in range(w.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * one_minus_beta_1
        m[i] = mi
        ui = max(beta_2 * u[i], abs(gi))
        u[i] = ui
        w[i] = w[i] - (learning_rate * mi) / (correction * (ui + epsilon))


@kernel
def nadam_momentum_cache(cache, beta_1, step):
    # once per apply, before the variables: u_product <- u_product * beta_1 * (1 - 0.5*0.96^t)
    t = cache.dtype.type
    cache[0] = (cache[0] * beta_1) * (t(1) - t(0.5) * math.pow(t(0.96), step))


@kernel
def nadam(w, g, m, v, learning_rate, beta_1, beta_2, epsilon, step, u_product):
    # beta_1, beta_2 are float32 here and so is every 1 - beta (Keras casts them first);
    # u_product is the momentum cache already updated for this step
    t = w.dtype.type
    one, half, decay = t(1), t(0.5), t(0.96)
    u_t = beta_1 * (one - half * math.pow(decay, step))
    u_t_1 = beta_1 * (one - half * math.pow(decay, step + one))
    u_product_t_1 = u_product * u_t_1
    beta_2_power = math.pow(beta_2, step)
    one_minus_beta_1 = one - beta_1
    one_minus_beta_2 = one - beta_2
    for i in range(w.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * one_minus_beta_1
        vi = v[i] + (gi * gi - v[i]) * one_minus_beta_2
        m[i] = mi
        v[i] = vi
        m_hat = (u_t_1 * mi) / (one - u_product_t_1) + ((one - u_t) * gi) / (one - u_product)
        v_hat = vi / (one - beta_2_power)
        w[i] = w[i] - (m_hat * learning_rate) / (np.sqrt(v_hat) + epsilon)


@kernel
def lion(w, g, m, learning_rate, beta_1, beta_2):
    t = w.dtype.type
    one, zero = t(1), t(0)
    one_minus_beta_1 = one - beta_1
    one_minus_beta_2 = one - beta_2
    for i in range(w.size):
        gi = g[i]
        c = m[i] * beta_1 + gi * one_minus_beta_1
        sign = one if c > zero else (-one if c < zero else c)  # sign(0) = 0, NaN stays NaN
        w[i] = w[i] - learning_rate * sign
        m[i] = m[i] * beta_2 + gi * one_minus_beta_2


# -- FTRL ------------------------------------------------------------------------------------

@kernel
def ftrl(w, g, accumulator, linear, learning_rate, exponent, l1, two_l2, two_l2_shrinkage):
    # exponent = -learning_rate_power; two_l2 = 2 * (l2 + beta / (2 * lr))
    for i in range(w.size):
        wi = w[i]
        gi = g[i]
        grad_to_use = gi + two_l2_shrinkage * wi
        old = accumulator[i]
        new = old + gi * gi
        new_power = math.pow(new, exponent)
        lin = linear[i] + (grad_to_use
                           - ((new_power - math.pow(old, exponent)) / learning_rate) * wi)
        linear[i] = lin
        quadratic = new_power / learning_rate + two_l2
        clipped = min(max(lin, -l1), l1)
        w[i] = (clipped - lin) / quadratic
        accumulator[i] = new


# -- Adafactor -------------------------------------------------------------------------------

@kernel(float64_accumulator=True)
def root_mean_square(x, out):
    # sqrt(mean(x^2)): float32 squares, summed in float64, mean and root in float32
    total = 0.0
    for i in range(x.size):
        total += x[i] * x[i]
    t = x.dtype.type
    out[0] = np.sqrt(t(total) / t(x.size))


@kernel(float64_accumulator=True)
def adafactor_factored_velocity(g, r, c, v, beta_2_t, epsilon_1):
    # g, v: (batch, rows, cols); r: (batch, rows) row moments; c: (batch, cols) column moments.
    # r <- b*r + (1-b)*mean_cols(g^2 + eps1); c <- b*c + (1-b)*mean_rows(g^2 + eps1);
    # v <- (r / mean(r)) outer c
    t = g.dtype.type
    batch, rows, cols = g.shape
    one_minus = t(1) - beta_2_t
    for b in range(batch):
        for i in range(rows):
            total = 0.0
            for j in range(cols):
                total += g[b, i, j] * g[b, i, j] + epsilon_1
            r[b, i] = beta_2_t * r[b, i] + one_minus * (t(total) / t(cols))
        for j in range(cols):
            total = 0.0
            for i in range(rows):
                total += g[b, i, j] * g[b, i, j] + epsilon_1
            c[b, j] = beta_2_t * c[b, j] + one_minus * (t(total) / t(rows))
        total = 0.0
        for i in range(rows):
            total += r[b, i]
        r_mean = t(total) / t(rows)
        for i in range(rows):
            row = r[b, i] / r_mean
            for j in range(cols):
                v[b, i, j] = row * c[b, j]


@kernel
def adafactor_velocity(g, v, beta_2_t, epsilon_1):
    # a variable of rank < 2 keeps a full second moment
    one_minus = g.dtype.type(1) - beta_2_t
    for i in range(g.size):
        v[i] = beta_2_t * v[i] + one_minus * (g[i] * g[i] + epsilon_1)


@kernel(float64_accumulator=True)
def adafactor_update(w, g, v, alpha, clip_threshold):
    # u = g / sqrt(v), scaled down so that rms(u) <= clip_threshold; w <- w - alpha * u
    t = w.dtype.type
    total = 0.0
    for i in range(w.size):
        u = g[i] / np.sqrt(v[i])
        total += u * u
    rms = np.sqrt(t(total) / t(w.size))
    denominator = max(t(1), rms / clip_threshold)
    for i in range(w.size):
        w[i] = w[i] - alpha * ((g[i] / np.sqrt(v[i])) / denominator)


# -- shared by every optimizer: weight decay and gradient clipping ---------------------------

@kernel
def decay_weights(w, weight_decay, learning_rate):
    # decoupled weight decay, before the update: w <- w - w * wd * lr
    for i in range(w.size):
        w[i] = w[i] - (w[i] * weight_decay) * learning_rate


@kernel
def moving_average(average, w, momentum):
    # use_ema, after the update: average <- momentum * average + (1 - momentum) * w
    one_minus_momentum = w.dtype.type(1) - momentum
    for i in range(w.size):
        average[i] = momentum * average[i] + one_minus_momentum * w[i]


@kernel(float64_accumulator=True)
def sum_of_squares(x, out):
    total = 0.0
    for i in range(x.size):
        total += x[i] * x[i]
    out[0] = x.dtype.type(total)


@kernel
def scale_by_ratio(x, numerator, denominator, out):
    # clip by norm: x * clipnorm / max(norm, clipnorm)
    for i in range(x.size):
        out[i] = (x[i] * numerator) / denominator


@kernel
def scale(x, factor, out):
    for i in range(x.size):
        out[i] = x[i] * factor


@kernel
def clip_by_value(x, limit, out):
    for i in range(x.size):
        out[i] = min(max(x[i], -limit), limit)


# -- scalar float32 functions for learning-rate schedules ------------------------------------

@kernel
def power(x, y, out):
    for i in range(out.size):
        out[i] = math.pow(x[i], y[i])


@kernel
def cosine(x, out):
    for i in range(out.size):
        out[i] = math.cos(x[i])


@kernel
def logarithm(x, out):
    for i in range(out.size):
        out[i] = math.log(x[i])


def scalar(kernel_function, *values):
    """Apply an elementwise kernel to float32 scalars; returns a NumPy float32 scalar."""
    arrays = [np.array([v], np.float32) for v in values]
    out = np.empty(1, np.float32)
    kernel_function(*arrays, out)
    return out[0]
