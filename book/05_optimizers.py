# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Optimizers
#
# A gradient says which way is downhill; an optimizer decides how far to go. Every Keras
# optimizer turns the gradient $g_t$ of a variable $w$ into an update, usually with some memory of
# earlier gradients kept in *slots* (a momentum, a running mean of $g^2$, ...). This chapter
# derives the eleven optimizers of `keras.optimizers`, shows the Numba kernel that performs each
# update, and checks every one of them against trajectories recorded from Keras 3.15.
#
# The entry point is the same for all of them: `apply_gradients` takes (gradient, variable)
# pairs and updates each variable **in place**.

# %%
import inspect
import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np

import nbkeras as keras
from nbkeras import ops
from nbkeras.optimizers import schedules
from nbkeras.utils import assert_matches_keras, load_reference, show_source

reference = {c.id: c for c in load_reference("optimizers")}

# %% [markdown]
# ## The documented examples
#
# The Keras docstrings minimise $\frac12 w^2$, whose gradient is $w$ itself, for two steps. With
# `import nbkeras as keras` the same code runs unchanged:

# %%
def two_steps(optimizer, start):
    var = keras.Variable(start)
    values = []
    for _ in range(2):
        with keras.GradientTape() as tape:
            loss = var**2 / 2.0
        optimizer.apply_gradients([(tape.gradient(loss, var), var)])
        values.append(var.numpy())
    return values


seeds = {
    "seed/adam": (keras.optimizers.Adam(learning_rate=0.1), 10.0),
    "seed/rmsprop": (keras.optimizers.RMSprop(learning_rate=0.1), 10.0),
    "seed/sgd": (keras.optimizers.SGD(learning_rate=0.1), 1.0),
    "seed/sgd_momentum": (keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), 1.0),
}
for case_id, (optimizer, start) in seeds.items():
    ours = two_steps(optimizer, start)
    keras_values = reference[case_id].array("x")
    np.testing.assert_array_equal(ours, keras_values)  # identical bits
    ours_shown, keras_shown = (" ".join(f"{str(np.float32(v)):>10}" for v in values)
                               for values in (ours, keras_values))
    print(f"{type(optimizer).__name__:8} from {start:4}: nbkeras {ours_shown}   "
          f"Keras 3 {keras_shown}")

# %% [markdown]
# The printed values are Keras 3's to the last bit. With momentum, the second step is longer
# than the first: the velocity remembers the first gradient.

# %%
sgd_momentum = reference["seed/sgd_momentum"].array("x")
steps = -np.diff(np.concatenate([[np.float32(1.0)], sgd_momentum]))
print("steps with momentum 0.9:", steps)

# %% [markdown]
# The first step is 0.100000024 rather than 0.1 because $1 - 0.9$ in float32 is not 0.1: the
# variable went from 1 to `float32(0.9)` = 0.89999998, and the difference is what it is. The
# second step is $0.9 \cdot 0.1 + 0.1 \cdot 0.9 = 0.18$.
#
# ### Why Keras 2 printed 9.9 where Keras 3 prints 9.900001
#
# The TensorFlow 2 documentation shows `9.9` after the first Adam step, and `9.800028` after
# the second; Keras 3 gives `9.900001` and `9.800029`. Both compute the same formula (derived
# below); they differ in one constant. Keras 3 writes `1 - self.beta_1` with Python floats,
# so it computes $1 - 0.9$ in double precision and rounds once to float32: $0.1$ becomes
# 0.100000001. Keras 2 (before TF 2.11) called TensorFlow's fused `ApplyAdam` kernel, which
# receives $\beta_1$ as a float32 and subtracts in float32: $1 - 0.89999998 = 0.100000024$.
# Likewise $1 - \beta_2$ is 0.0010000000 in one and 0.0009999871 in the other.
#
# nbkeras' Adam kernel takes $1 - \beta$ as an argument, so the same kernel can be fed Keras 2's
# constants:

# %%
adam_kernel = keras.kernels.optimizers.adam
f32 = np.float32


def adam_run(one_minus_beta_1, one_minus_beta_2):
    w, m, v = (np.array([x], np.float32) for x in (10.0, 0.0, 0.0))
    out = []
    for t in (1, 2):
        g = w.copy()  # the gradient of w^2 / 2
        adam_kernel(w, g, m, v, np.empty(0, np.float32), f32(0.1), f32(0.9), f32(0.999),
                    one_minus_beta_1, one_minus_beta_2, f32(1e-7), f32(t))
        out.append(w[0])
    return out


keras_3_betas = (f32(1 - 0.9), f32(1 - 0.999))
keras_2_betas = (f32(1) - f32(0.9), f32(1) - f32(0.999))
print("1 - beta in double, then float32 (Keras 3):", *adam_run(*keras_3_betas))
print("1 - beta in float32          (Keras 2):", *adam_run(*keras_2_betas))

# %% [markdown]
# That is the whole story of the last digit. (Nadam is the exception inside Keras 3: it casts
# $\beta$ to float32 first, so its $1 - \beta$ is the float32 one; the Nadam kernel below does the
# same.)
#
# ## The seed problem: $f(x) = x^2 - 2x + 1$
#
# Chapter 1 minimised $f(x) = (x - 1)^2$ by hand. With an optimizer the loop shrinks to a tape
# and one `apply_gradients` call; Keras 2's `minimize(loss, var_list)` hides the tape as well.
# Keras 3 dropped `minimize`; nbkeras keeps it, because so much Keras 2 code calls it.

# %%
x = keras.Variable(0.0)
sgd = keras.optimizers.SGD(learning_rate=0.1)
with_apply = []
for _ in range(40):
    with keras.GradientTape() as tape:
        y = x**2 - 2 * x + 1
    sgd.apply_gradients([(tape.gradient(y, x), x)])
    with_apply.append(x.numpy())

x = keras.Variable(0.0)
sgd = keras.optimizers.SGD(learning_rate=0.1)
with_minimize = []
for _ in range(40):
    sgd.minimize(lambda: x**2 - 2 * x + 1, [x])
    with_minimize.append(x.numpy())

keras_sgd = reference["seed/polynomial_sgd"].array("x")
np.testing.assert_array_equal(with_apply, keras_sgd)
np.testing.assert_array_equal(with_minimize, keras_sgd)
print("x after 1, 2, 3, 10, 40 steps:", [str(with_apply[i]) for i in (0, 1, 2, 9, 39)])
print("iterations:", int(sgd.iterations))

# %% [markdown]
# Each step multiplies the distance to the minimum by $1 - 2\eta = 0.8$: gradient descent on a
# quadratic is a linear recurrence, and the learning rate sets its rate. Adam on the same
# function overshoots and oscillates, because its step size does not shrink with the gradient:

# %%
x = keras.Variable(0.0)
adam = keras.optimizers.Adam(learning_rate=0.1)
adam_path = []
for _ in range(60):
    adam.minimize(lambda: x**2 - 2 * x + 1, [x])
    adam_path.append(x.numpy())
np.testing.assert_array_equal(adam_path, reference["seed/polynomial_adam"].array("x"))

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(range(1, 41), with_apply, "o-", ms=3, label="SGD(0.1)")
ax.plot(range(1, 61), adam_path, "s-", ms=3, label="Adam(0.1)")
ax.axhline(1.0, color="grey", lw=0.8)
ax.set_xlabel("step")
ax.set_ylabel("x")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What every optimizer shares
#
# `apply_gradients` runs the same pipeline for every optimizer, in Keras 3's order: build the
# slots on the first call, drop `None` gradients, clip, apply decoupled weight decay, run the
# optimizer's own `update_step` for each variable, apply each variable's `constraint`, and add one
# to `iterations`:

# %%
show_source(keras.optimizers.Optimizer.apply)

# %% [markdown]
# Two details matter for the numbers. The learning rate is read **once per step**; a
# `LearningRateSchedule` is called with the iteration count *before* the increment, so the first
# update uses `schedule(0)`. And the optimizers that correct a bias use $t = $ `iterations` $+ 1$,
# so $t = 1$ on the first update.
#
# The gradient reaches `update_step` as a read-only array of the variable's shape and dtype (it
# is never copied when it already is one), and the update happens in a kernel that walks the
# variable, the gradient and the slots once, in place.
#
# ## Gradient descent and momentum
#
# Plain gradient descent moves against the gradient: $w_{t} = w_{t-1} - \eta\, g_t$.
#
# **Momentum** keeps a velocity $m$, an exponentially weighted sum of past steps:
#
# $$ m_t = \mu\, m_{t-1} - \eta\, g_t, \qquad w_t = w_{t-1} + m_t . $$
#
# Unrolled, $m_t = -\eta \sum_{k \le t} \mu^{t-k} g_k$: with a constant gradient the step grows
# towards $\eta g / (1 - \mu)$, ten times the plain step for $\mu = 0.9$. Along a direction where
# the gradient keeps its sign the steps add up; where it alternates they cancel. This is why
# momentum crosses long, shallow valleys quickly and damps the zig-zag across narrow ones.
#
# **Nesterov momentum** evaluates the gradient at the look-ahead point $w + \mu m$. Writing
# the variable in look-ahead coordinates $\tilde w = w + \mu m$ turns this into an update that
# needs only the gradient at the current point, which is what Keras applies:
#
# $$ m_t = \mu\, m_{t-1} - \eta\, g_t, \qquad w_t = w_{t-1} + \mu\, m_t - \eta\, g_t . $$
#
# Both live in one kernel:

# %%
show_source(keras.kernels.optimizers.sgd, keras.kernels.optimizers.sgd_momentum)

# %% [markdown]
# ## Adagrad and RMSprop: a diagonal preconditioner
#
# Gradient descent uses one learning rate for every coordinate, but the curvature differs from
# coordinate to coordinate. Newton's method would multiply the gradient by the inverse Hessian;
# a cheap stand-in divides each coordinate by an estimate of its gradient's scale. **Adagrad**
# accumulates squared gradients from an initial value $a_0 = 0.1$:
#
# $$ a_t = a_{t-1} + g_t^2, \qquad w_t = w_{t-1} - \eta\, \frac{g_t}{\sqrt{a_t + \epsilon}} . $$
#
# The accumulator only grows, so Adagrad's steps shrink for ever. **RMSprop** forgets: it keeps
# an exponential moving average $v_t = \rho v_{t-1} + (1-\rho) g_t^2$, from $v_0 = 0$. Keras puts
# $\epsilon$ *inside* the root: $\Delta_t = \eta\, g_t / \sqrt{v_t + \epsilon}$. Because $v$ starts
# at zero, the first step is $\eta\, g / \sqrt{0.1\, g^2} = \sqrt{10}\,\eta$ in size whatever the
# gradient: the seed's $10 \to 9.683772$. `centered=True` divides by an estimate of the
# *variance*, $v_t - \bar g_t^2$ with $\bar g_t$ the moving average of $g$; `momentum` feeds
# $\Delta_t$ through a velocity.

# %%
show_source(keras.kernels.optimizers.adagrad, keras.kernels.optimizers.rmsprop)

# %% [markdown]
# ## Adadelta: a step with the right units
#
# If $w$ is measured in metres and the loss in joules, $g$ has units J/m, and $\eta g$ is not a
# length unless $\eta$ carries units m²/J. RMSprop's $g/\sqrt{v}$ is unit-free, so its $\eta$
# must be a length. Zeiler's Adadelta multiplies by a second moving average, of the past squared
# *steps*, so that the step has the units of $w$:
#
# $$ \Delta_t = -\frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t,
# \qquad w_t = w_{t-1} + \eta\, \Delta_t , $$
#
# $$ E[\Delta^2]_t = \rho E[\Delta^2]_{t-1} + (1-\rho) \Delta_t^2 . $$
#
# The paper needs no learning rate ($\eta = 1$). Keras multiplies by `learning_rate` anyway and
# defaults it to 0.001 (standalone Keras up to 2.3 used 1.0). On the first step $E[\Delta^2] = 0$
# and $E[g^2] = (1-\rho) g^2$, so the step is $\eta \sqrt{\epsilon / (1-\rho)} \approx 10^{-3}
# \sqrt{10^{-7} / 0.05} \approx 1.4 \cdot 10^{-6}$ whatever the size of the gradient (once
# $g^2 \gg \epsilon$): slow, and a frequent surprise.

# %%
show_source(keras.kernels.optimizers.adadelta)

# %%
for g in (1.0, 100.0):
    w = keras.Variable(np.float32(0.0))
    keras.optimizers.Adadelta().apply_gradients([(np.float32(g), w)])
    print(f"first Adadelta step with g = {g:5}: {-float(w):.4g}")
print(f"eta * sqrt(epsilon / (1 - rho)):     {1e-3 * np.sqrt(1e-7 / 0.05):.4g}")

# %% [markdown]
# ## Adam: momentum and RMSprop, with bias correction
#
# Adam keeps both averages, $m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$ and
# $v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2$, from zero. Starting at zero biases them towards
# zero: with a constant gradient, $m_t = (1 - \beta_1^t)\, g$. Dividing by $1 - \beta^t$ removes
# the bias, giving $\hat m_t = m_t / (1 - \beta_1^t)$ and $\hat v_t = v_t / (1 - \beta_2^t)$, and
# the paper's update is $w_t = w_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$.
#
# Keras applies both corrections to the step size instead (the "$\hat\epsilon$" form in Kingma and
# Ba's paper):
#
# $$ \alpha_t = \eta\, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
# w_t = w_{t-1} - \alpha_t\, \frac{m_t}{\sqrt{v_t} + \epsilon} . $$
#
# The two agree except for $\epsilon$, which here is not bias-corrected: it acts like
# $\epsilon / \sqrt{1 - \beta_2^t}$ in the paper's form, about $3 \cdot 10^{-6}$ on the first
# step for $\epsilon = 10^{-7}$. Keras also updates the averages as
# $m \mathrel{+}= (g - m)(1 - \beta_1)$, which is the same average rounded differently.
# `amsgrad=True` divides by the running maximum of $v$, so the effective step size never grows.
#
# The kernel forms $\beta^t$ with the C library's `powf` (through Numba's `math.pow` on float32
# numbers), the routine TensorFlow uses for a scalar `pow`: NumPy's float32 `power` differs from
# it in the last bit about one time in five.

# %%
show_source(keras.kernels.optimizers.adam, keras.optimizers.Adam.update_step)

# %% [markdown]
# **AdamW** is Adam with *decoupled* weight decay: before the update, $w \leftarrow w - w \cdot
# \lambda \cdot \eta$ (Loshchilov and Hutter). Adding $\lambda w$ to the gradient instead would
# let Adam's per-coordinate scaling shrink the decay where gradients are large. In Keras 3 the
# decay lives in the base class, so `weight_decay=` works with every optimizer; AdamW only makes
# it mandatory (default 0.004).

# %%
show_source(keras.kernels.optimizers.decay_weights)

# %% [markdown]
# **Adamax** replaces the root mean square by an infinity norm, $u_t = \max(\beta_2 u_{t-1},
# |g_t|)$, which needs no bias correction: $w_t = w_{t-1} - \eta\, m_t / ((1 - \beta_1^t)(u_t +
# \epsilon))$.
#
# **Nadam** adds Nesterov's look-ahead to Adam, in Dozat's form with a warming-up momentum
# $\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{t})$ whose running product $\Pi_t = \prod_{k \le t}
# \mu_k$ replaces $\beta_1^t$:
#
# $$ \hat m_t = \frac{\mu_{t+1}\, m_t}{1 - \Pi_{t}\,\mu_{t+1}}
# + \frac{(1 - \mu_t)\, g_t}{1 - \Pi_t}, \qquad
# w_t = w_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon} . $$
#
# The product is one scalar variable, updated once per step before the variables:

# %%
show_source(keras.kernels.optimizers.nadam_momentum_cache, keras.kernels.optimizers.nadam)

# %% [markdown]
# **Lion** (found by program search) keeps only a momentum and steps by the *sign* of an
# interpolation between it and the gradient: every coordinate moves by exactly $\eta$. Its
# learning rates are therefore 3 to 10 times smaller than Adam's.
#
# **Ftrl** ("follow the regularized leader", used for huge sparse linear models) keeps the sum
# of squared gradients $n$ and a "linear" term $z$; each coordinate's learning rate is
# $\eta / n^{p}$ and the weight is the closed-form minimiser of the L1/L2-regularised model,
# $w = (\operatorname{clip}(z, -\lambda_1, \lambda_1) - z) / (n^{p}/\eta + 2\lambda_2)$, which is
# exactly zero while $|z| \le \lambda_1$.
#
# **Adafactor** saves memory on matrices: instead of one second moment per weight it keeps a
# row average and a column average and rebuilds $v$ as their (normalised) outer product. Its
# step is *relative*: $\max(\epsilon_2, \operatorname{rms}(w)) \cdot \min(\eta, 1/\sqrt t)$, and
# the update is scaled down whenever its root mean square exceeds `clip_threshold`.

# %%
show_source(keras.kernels.optimizers.lion, keras.kernels.optimizers.ftrl)

# %% [markdown]
# ## Every optimizer and option against Keras
#
# The reference data hold, for every optimizer and every option (momentum, Nesterov, centered,
# AMSGrad, the three clipping modes, weight decay, a schedule or a callable as the learning rate,
# a constraint, an exclusion from weight decay, a moving average of the weights, gradient
# accumulation, loss scaling), eight steps of Keras 3 on two random variables of shapes (5,) and
# (3, 4) with given random gradients. Replaying them:

# %%
def replay(case):
    kwargs = dict(case["kwargs"])
    lr = kwargs.get("learning_rate")
    if isinstance(lr, dict) and "schedule" in lr:
        kwargs["learning_rate"] = getattr(schedules, lr["schedule"])(**lr["config"])
    elif isinstance(lr, dict):
        kwargs["learning_rate"] = lambda value=lr["callable"]: value
    optimizer = getattr(keras.optimizers, case["class_name"])(**kwargs)
    if case["exclude_from_weight_decay"]:
        optimizer.exclude_from_weight_decay(var_names=case["exclude_from_weight_decay"])
    variables = [keras.Variable(case.array(f"{n}/initial"), name=n) for n in ("bias", "kernel")]
    if case["constraint"] == "non_neg":
        for v in variables:
            v.constraint = lambda w: ops.maximum(w, 0.0)
    worst, identical = 0.0, True
    for step in range(case["steps"]):
        optimizer.apply_gradients(
            [(case.array(f"{v.name}/grads")[step], v) for v in variables])
        for v in variables:
            expected = case.array(f"{v.name}/values")[step]
            assert_matches_keras(v, expected, rtol=2e-5, what=f"{case.id} step {step}")
            identical &= bool(np.array_equal(v.numpy(), expected))
            scale = max(float(np.max(np.abs(expected))), 1e-30)
            worst = max(worst, float(np.max(np.abs(v.numpy() - expected))) / scale)
    return worst, identical


trajectories = [c for c in reference.values() if c["kind"] == "trajectory"]
not_identical = []
for case in trajectories:
    worst, identical = replay(case)
    if not identical:
        not_identical.append((case.id, worst))
print(f"{len(trajectories)} trajectories of 8 steps agree with Keras within rtol 2e-5;")
print(f"{len(trajectories) - len(not_identical)} of them bit for bit. The others, with their "
      "largest difference relative to the largest weight:")
for case_id, worst in not_identical:
    print(f"  {case_id:32} {worst:.1e}")

# %% [markdown]
# Every update built from $+ - \times \div \sqrt{}$ and scalar `powf`, computed in Keras' order
# with Keras' float32 constants, gives Keras' bits: SGD, momentum, Nesterov, RMSprop in all its
# forms, Adagrad, Adadelta, Adam, AMSGrad, Adamax, Nadam, AdamW, Lion, clipping by value, weight
# decay, schedules and callables, moving averages, gradient accumulation and loss scaling, even
# Adafactor on these shapes. The exceptions sum many terms or raise a whole tensor to a power.
# Clipping by norm needs $\lVert g \rVert$: TensorFlow sums the squares in its own tree order in
# float32, nbkeras in float64, so the norm can differ in the last bit. Ftrl raises the
# accumulator to the power $-p$ elementwise, where TensorFlow's vectorised `pow` is not `powf`.
# Adafactor's means are sums too. All of them stay within a few parts in $10^7$ of the largest
# weight.
#
# ## Clipping an exploding gradient
#
# A single huge gradient (a spike in the loss, a bad batch) can throw the weights far away.
# Keras offers three guards, of which at most one may be set:
#
# - `clipnorm=c`: each gradient tensor is rescaled to norm at most $c$,
#   $g \cdot c / \max(\lVert g \rVert, c)$; the direction is kept.
# - `global_clipnorm=c`: all gradients together are rescaled so that the norm of their
#   concatenation is at most $c$; the relative sizes between tensors are kept too.
# - `clipvalue=c`: each component is clipped to $[-c, c]$; the direction can change.

# %%
show_source(keras.optimizers.Optimizer._clip_by_norm,
            keras.optimizers.base_optimizer.clip_by_global_norm)

# %%
calm = np.array([0.3, -0.2], np.float32)
spike = np.array([40.0, 3.0], np.float32)
start = np.array([1.0, 1.0], np.float32)
guards = {"no clipping": {}, "clipnorm=1": {"clipnorm": 1.0}, "clipvalue=0.5": {"clipvalue": 0.5}}
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for label, guard in guards.items():
    w = keras.Variable(start)
    opt = keras.optimizers.SGD(learning_rate=0.5, **guard)
    path = [w.numpy()]
    for g in (calm, spike, calm):
        opt.apply_gradients([(g, w)])
        path.append(w.numpy())
    path = np.array(path)
    ax.plot(path[:, 0], path[:, 1], "o-", label=label)
    print(f"{label:>13}: step on the spike {path[2] - path[1]}")
ax.set_xlabel("$w_1$")
ax.set_ylabel("$w_2$")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Without a guard the spike moves the weights by 20. `clipnorm` keeps the spike's direction but
# limits the step to $\eta c = 0.5$; `clipvalue` limits each component, so the step turns towards
# the diagonal.
#
# ## Trajectories on two test functions
#
# An ill-conditioned quadratic, $f(x, y) = \tfrac12 (x^2 + 20 y^2)$, has curvatures 1 and 20:
# a learning rate small enough for $y$ is far too small for $x$. The Rosenbrock function
# $f(x, y) = (1 - x)^2 + 100 (y - x^2)^2$ has its minimum at $(1, 1)$ at the bottom of a curved,
# flat valley. Each optimizer runs on the same start with a learning rate tuned by hand for
# the picture (the defaults differ by orders of magnitude between optimizers).

# %%
def quadratic(w):
    return 0.5 * (w[0] ** 2 + 20.0 * w[1] ** 2)


def rosenbrock(w):
    return (1.0 - w[0]) ** 2 + 100.0 * (w[1] - w[0] ** 2) ** 2


def path_of(optimizer, f, start, steps):
    w = keras.Variable(np.array(start, np.float32))
    path = [w.numpy()]
    for _ in range(steps):
        optimizer.minimize(lambda: f(w), [w])
        path.append(w.numpy())
    return np.array(path)


O = keras.optimizers
quadratic_runs = {
    "SGD": O.SGD(0.09), "SGD momentum": O.SGD(0.03, momentum=0.8),
    "Nesterov": O.SGD(0.03, momentum=0.8, nesterov=True), "Adagrad": O.Adagrad(1.0),
    "RMSprop": O.RMSprop(0.1), "Adadelta": O.Adadelta(60.0), "Adam": O.Adam(0.3),
    "Adamax": O.Adamax(0.5), "Nadam": O.Nadam(0.3), "AdamW": O.AdamW(0.3, weight_decay=0.1),
    "Lion": O.Lion(0.08), "Ftrl": O.Ftrl(2.0),
}
rosenbrock_runs = {
    "SGD": O.SGD(0.002), "SGD momentum": O.SGD(0.0005, momentum=0.9),
    "Nesterov": O.SGD(0.0005, momentum=0.9, nesterov=True), "Adagrad": O.Adagrad(0.5),
    "RMSprop": O.RMSprop(0.02), "Adadelta": O.Adadelta(10.0), "Adam": O.Adam(0.1),
    "Adamax": O.Adamax(0.3), "Nadam": O.Nadam(0.1), "AdamW": O.AdamW(0.1, weight_decay=0.01),
    "Lion": O.Lion(0.01), "Ftrl": O.Ftrl(1.0),
}


def draw(f, runs, start, steps, extent, levels, title):
    xs = np.linspace(*extent[:2], 200)
    ys = np.linspace(*extent[2:], 200)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = f(np.stack([grid_x, grid_y]))
    fig, axes = plt.subplots(3, 4, figsize=(11, 7.5), sharex=True, sharey=True)
    finals = {}
    for ax, (name, optimizer) in zip(axes.flat, runs.items(), strict=True):
        path = path_of(optimizer, f, start, steps)
        finals[name] = path[-1]
        ax.contour(grid_x, grid_y, values, levels=levels, colors="0.75", linewidths=0.6)
        ax.plot(path[:, 0], path[:, 1], ".-", ms=2, lw=0.8, color="tab:red")
        ax.set_title(name, fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()
    return finals


finals = draw(quadratic, quadratic_runs, (-4.0, 1.5), 60, (-4.5, 1.5, -2, 2),
              [0.5, 2, 5, 10, 20, 35], "$f(x, y) = (x^2 + 20 y^2)/2$, 60 steps from (-4, 1.5)")
for name, final in finals.items():
    print(f"{name:>12}: f = {float(quadratic(final)):.2e}")

# %% [markdown]
# SGD is limited by the steep direction: at $\eta = 0.09$ the $y$ coordinate already bounces
# ($|1 - 20\eta| = 0.8$) while $x$ crawls ($1 - \eta = 0.91$ per step). Momentum builds speed along
# $x$. The adaptive methods rescale each coordinate, so they head for the minimum almost
# diagonally, and Lion moves by exactly $\pm\eta$ per coordinate: its path is made of diagonal
# steps and it ends up oscillating at the scale of $\eta$.

# %%
finals = draw(rosenbrock, rosenbrock_runs, (-1.5, 1.5), 400, (-2, 2, -1, 3),
              np.logspace(-1, 3.3, 12), "Rosenbrock, 400 steps from (-1.5, 1.5)")
for name, final in finals.items():
    print(f"{name:>12}: ends at ({final[0]:6.3f}, {final[1]:6.3f})")

# %% [markdown]
# On Rosenbrock the first steps fall into the valley; what differs is the progress along it,
# where the gradient is tiny. Adagrad, whose accumulator only grows, and Adadelta slow down
# early; momentum, RMSprop and the Adam family travel along the valley towards $(1, 1)$, and
# Lion's fixed-size steps carry it furthest in 400 steps.
#
# ## Learning rate: a float, a schedule or a callable
#
# `learning_rate` is a float32 variable of the optimizer, settable between steps; a
# `LearningRateSchedule` (next chapter) or a callable without arguments is evaluated once per
# step instead. The optimizer's `variables` list what it keeps, in Keras' order and names:

# %%
w = keras.Variable(np.zeros((2, 3), np.float32), name="kernel")
opt = keras.optimizers.Adam(learning_rate=0.01, amsgrad=True, name="adam")
opt.apply_gradients([(np.ones((2, 3), np.float32), w)])
for v in opt.variables:
    print(f"{v.path:28} {v.dtype:8} {v.shape}")
opt.learning_rate = 0.005
print("learning rate now", float(opt.learning_rate), "| config:", opt.get_config()["learning_rate"])
scheduled = keras.optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5))
print("a schedule is evaluated at the iteration count:", scheduled.learning_rate)

# %% [markdown]
# ## What Keras 2 did differently
#
# Code written for `tf.keras` before Keras 3 runs here with these differences:
#
# - **`minimize(loss, var_list)`** does not exist in Keras 3 (the training loop uses
#   `apply_gradients`). nbkeras keeps it, as above: it opens a tape, calls `loss()`,
#   differentiates and applies, and returns `iterations` so that `opt.minimize(...).numpy()`
#   still gives the step count.
# - **`lr=`** was accepted by the Keras 2 optimizers up to TF 2.10 as an alias of
#   `learning_rate`. From TF 2.11 the new `tf.keras` optimizers only logged a warning and *ignored*
#   it (the default learning rate was used), and Keras 3 rejects it. nbkeras accepts it with a
#   `DeprecationWarning` and uses it, like the older Keras 2; `optimizer.lr` reads and sets the
#   learning rate.

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old_style = keras.optimizers.SGD(lr=0.5)
print(f"{caught[0].category.__name__}: {caught[0].message}")
print("learning rate:", float(old_style.lr))

# %% [markdown]
# The seeds write every optimizer that way, and name some in `compile` as `"sgdm"` and
# `"nag"`. Keras 3.15 raises on all of the `lr=` calls, and knows neither name: momentum and
# Nesterov are options of `SGD`. nbkeras runs the calls with the rate given, and its error for
# the two names says what to write instead:

# %%
seed_reference = {c.id: c for c in load_reference("seeds")}
print("Keras 3.15, SGD(lr=0.01):", seed_reference["optimizer_lr_alias"]["error"]["message"])
seed_optimizers = [("SGD", {"lr": 0.01}), ("SGD", {"lr": 0.01, "momentum": 0.1}),
                   ("SGD", {"lr": 0.01, "nesterov": True}), ("RMSprop", {"lr": 0.001}),
                   ("Adagrad", {"lr": 0.01}), ("Adadelta", {"lr": 1.0}), ("Adam", {"lr": 0.001}),
                   ("Adamax", {"lr": 0.02}), ("Nadam", {"lr": 0.002})]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    for name, kwargs in seed_optimizers:
        optimizer = getattr(keras.optimizers, name)(**kwargs)
        call = f"{name}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        print(f"  {call:<30} learning_rate = {float(optimizer.learning_rate):.4g}")
known = []
for name, keras_says in seed_reference["optimizer_names"]["names"].items():
    try:
        ours = type(keras.optimizers.get(name)).__name__
    except ValueError as error:
        print(f"{name!r}: Keras 3.15 raises {keras_says['type']}: {keras_says['message']}")
        print(textwrap.fill(f"nbkeras: {str(error).split(' Known optimizers')[0]}", 80,
                            initial_indent="  ", subsequent_indent="    "))
    else:
        assert ours == keras_says
        known.append(f"{name!r} -> {ours}")
print(textwrap.fill("Known to both: " + ", ".join(known), 80))

# %% [markdown]
# The defaults a seed lists for five optimizers are still Keras 3's, except `name`: Keras 2
# defaulted it to the class name, Keras 3 to `None` (an automatic name, `adam`, `adam_1`,
# ...). nbkeras' signatures have the same defaults as Keras 3.15's:

# %%
for name, keras_defaults in seed_reference["optimizer_defaults"]["defaults"].items():
    parameters = inspect.signature(getattr(keras.optimizers, name)).parameters
    ours = {p: parameters[p].default for p in keras_defaults}
    assert ours == keras_defaults, (name, ours, keras_defaults)
    print(f"{name}({', '.join(f'{p}={v!r}' for p, v in ours.items())})")

# %% [markdown]
# - **`decay=`** made Keras 2 optimizers use $\eta_t = \eta / (1 + \text{decay} \cdot t)$. Keras 3
#   warns and ignores it. nbkeras warns too, but applies it as Keras 2 did, so that the seeds'
#   Keras 2 code trains as it trained then; in Keras 3 the same learning rates come from
#   `InverseTimeDecay(η, decay_steps=1, decay_rate=decay)`:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    decayed = keras.optimizers.SGD(learning_rate=0.1, decay=0.01)
print(textwrap.fill(f"{caught[0].category.__name__}: {caught[0].message}", 76))
replacement = schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.01)
print("Keras 2's lr at t = 0, 1, 2:  ", [round(0.1 / (1 + 0.01 * t), 6) for t in (0, 1, 2)])
print("InverseTimeDecay at the same t:", [round(float(replacement(t)), 6) for t in (0, 1, 2)])
w = keras.Variable([0.0])
steps = []
for _ in range(3):  # a gradient of 1: each step is the learning rate used
    before = float(w.numpy()[0])
    decayed.apply([np.ones(1, np.float32)], [w])
    steps.append(round(before - float(w.numpy()[0]), 6))
print("nbkeras' steps with decay=0.01:", steps)

# %% [markdown]
# - **RMSprop** in Keras 2 up to TF 2.10 (now `tf.keras.optimizers.legacy.RMSprop`) put
#   $\epsilon$ *outside* the root when `momentum=0`: $\eta g / (\sqrt v + \epsilon)$ instead of
#   $\eta g / \sqrt{v + \epsilon}$. For ordinary gradients the difference is invisible; for tiny
#   ones it is not. With $g = 10^{-6}$ the first step is:

# %%
g = 1e-6
v = 0.1 * g**2  # v after one step from zero
print(f"Keras 2 legacy, eps outside the root: {0.001 * g / (np.sqrt(v) + 1e-7):.3e}")
w = keras.Variable(np.float32(0.0))
keras.optimizers.RMSprop().apply_gradients([(np.float32(g), w)])
print(f"Keras 3 and nbkeras, eps inside:      {-float(w):.3e}")

# %% [markdown]
# - **Nadam** in Keras up to 2.3 and in `tf.keras` up to TF 2.10 used a much slower momentum
#   warm-up, $\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{0.004\,t})$ (`schedule_decay=0.004`), and
#   standalone Keras defaulted its learning rate to 0.002. Keras 3 uses $0.96^{t}$: its momentum
#   reaches $\beta_1$ within a hundred steps instead of tens of thousands, and the weights differ
#   from the old Nadam's after a few steps.

# %%
t = np.array([1, 10, 100, 1000, 10000])
print("t:                      ", t)
print("mu_t, Keras 3:          ", np.round(0.9 * (1 - 0.5 * 0.96**t), 4))
print("mu_t, Keras 2 (legacy): ", np.round(0.9 * (1 - 0.5 * 0.96 ** (0.004 * t)), 4))

# %% [markdown]
# ## Bad input
#
# nbkeras checks what Keras leaves to a later TensorFlow error, or lets through: a negative
# learning rate (Keras 3 accepts it and climbs the loss), two clipping arguments, and a
# gradient whose shape is not its variable's. Each error names the argument or the variable:

# %%
attempts = {
    "negative learning rate": lambda: keras.optimizers.Adam(learning_rate=-0.001),
    "clipnorm and global_clipnorm": lambda: keras.optimizers.SGD(clipnorm=1.0,
                                                                 global_clipnorm=1.0),
    "wrong gradient shape": lambda: keras.optimizers.Adam().apply_gradients(
        [(np.ones((4, 3), np.float32), keras.Variable(np.ones((3, 4), np.float32),
                                                       name="kernel"))]),
    "unknown name": lambda: keras.optimizers.get("adm"),
}
for what, attempt in attempts.items():
    try:
        attempt()
    except ValueError as error:
        print(f"{what}:\n  ValueError: {error}")

# %% [markdown]
# ## Cost of a step
#
# An Adam step must read $w, g, m, v$ and write $w, m, v$: 28 bytes per float32 parameter. The
# kernel does exactly that, in one pass, and allocates nothing: every array it touches already
# exists. The check below measures a step on a million parameters with `tracemalloc`, which sees
# every NumPy allocation:

# %%
import tracemalloc

million = keras.Variable(np.zeros(1_000_000, np.float32))
gradient = np.full(1_000_000, 0.5, np.float32)
adam = keras.optimizers.Adam()
adam.apply_gradients([(gradient, million)])  # the first call builds the slots
tracemalloc.start()
adam.apply_gradients([(gradient, million)])
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(f"largest allocation during a step: {'under 64 kB' if peak < 64_000 else peak}"
      f" (the parameters take {million.numpy().nbytes:,} bytes)")

# %% [markdown]
# The same update written as NumPy expressions allocates a temporary array for nearly every
# operator, 20 MB per step, and even written with in-place ufuncs and scratch buffers NumPy
# passes over memory once per operation. `benchmarks/bench_optimizers.py` times all of them
# against Keras on TensorFlow and PyTorch, in one run of `make bench`, which writes its figures
# to `benchmarks/results/latest.json`; here they are, read from that file (a shared 2-core VM:
# the ratios, measured in the same run, are the part to read).

# %%
import json
import pathlib

bench = json.loads(pathlib.Path("../benchmarks/results/latest.json").read_text())
adam = bench["sections"]["adam"]["rows"]["Adam step"]
print(f"One Adam step on 1,000,000 parameters (make bench of {bench['meta']['date']}):")
for name, seconds in adam.items():
    print(f"  {name:42s} {seconds * 1e3:7.2f} ms   nbkeras / this: "
          f"{adam['nbkeras'] / seconds:.2f}x")
