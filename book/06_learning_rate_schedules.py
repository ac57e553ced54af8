# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Learning-rate schedules
#
# Large steps early, small steps late: a fixed learning rate has to compromise between making
# progress and settling into a minimum. A `LearningRateSchedule` makes the learning rate a
# function of the optimizer's step count. `keras.optimizers.schedules` has six of them; this
# chapter gives the formula of each, draws it, and checks its values against Keras 3.15.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nbkeras as keras
from nbkeras import ops
from nbkeras.optimizers import schedules
from nbkeras.utils import load_reference, show_source

reference = {c.id: c for c in load_reference("schedules")}

# %% [markdown]
# ## How an optimizer calls a schedule
#
# Passed as `learning_rate`, a schedule is called once per `apply_gradients`, with the iteration
# counter **before** it is incremented: the first update uses `schedule(0)`. With
# $\eta_s = 0.1 \cdot 0.5^{s}$ and a constant gradient of 1, the steps are 0.1, 0.05, 0.025:

# %%
halving = schedules.ExponentialDecay(initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5)
w = keras.Variable(1.0)
optimizer = keras.optimizers.SGD(learning_rate=halving)
for _ in range(3):
    rate = float(optimizer.learning_rate)  # what the next step will use
    optimizer.apply_gradients([(ops.ones(()), w)])
    print(f"step used lr = {rate:.3f}, w = {float(w):.3f}, "
          f"iterations = {int(optimizer.iterations)}")

# %% [markdown]
# Keras evaluates every schedule on float32 scalars: the step is cast to float32, Python numbers
# meet it as float32, and `pow`, `cos` and `log` are the C library's float32 functions. nbkeras
# does the same with NumPy float32 scalars and three one-element Numba kernels, in Keras' order
# of operations, so its values are Keras' values bit for bit. For each case in the reference data
# (every schedule and option, steps 0 to 30):

# %%
for case in reference.values():
    schedule = getattr(schedules, case["class_name"])(**case["config"])
    ours = np.array([schedule(step).numpy() for step in range(case["steps"] + 1)])
    np.testing.assert_array_equal(ours, case.array("values"))
    assert schedule.get_config() == case["get_config"]
print(f"{len(reference)} schedules x 31 steps: identical to Keras, configs equal")

# %% [markdown]
# ## Exponential and inverse-time decay
#
# `ExponentialDecay(lr0, decay_steps, decay_rate)` multiplies the rate by `decay_rate` every
# `decay_steps` steps, smoothly:
#
# $$ \eta_s = \eta_0 \, r^{\,s / d}, $$
#
# or in stairs with `staircase=True` (the exponent is floored). `InverseTimeDecay` decays like
# $1/s$, the rate that stochastic-approximation theory asks for (the steps sum to infinity, their
# squares do not):
#
# $$ \eta_s = \frac{\eta_0}{1 + r\, s / d} \qquad (s / d \text{ floored with staircase}). $$
#
# Keras 2's `decay=` argument was exactly `InverseTimeDecay(lr, 1, decay)`.
#
# The seeds' schedule, $0.01 \cdot 0.9^{s / 10000}$, handed to `SGD`: it loses 10% every 10,000
# steps, and the optimizer reads it at its iteration count.

# %%
seed_case = next(c for c in load_reference("seeds") if c.id == "exponential_decay/seed")
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate=1e-2, decay_steps=10000, decay_rate=0.9)
optimizer = keras.optimizers.SGD(learning_rate=lr_schedule)
ours = np.array([lr_schedule(int(step)).numpy() for step in seed_case.array("steps")])
for step, value, keras_value in zip(seed_case.array("steps"), ours, seed_case.array("output"),
                                    strict=True):
    print(f"step {step:6d}: {value:.7g}   Keras 3.15 {keras_value:.7g}")
np.testing.assert_array_equal(ours, seed_case.array("output"))
print(f"SGD's learning rate at iteration 0: {float(optimizer.learning_rate):.7g}")

# %%
show_source(schedules.ExponentialDecay.__call__, schedules.InverseTimeDecay.__call__)

# %%
def curve(case_id):
    """nbkeras' values of a reference schedule (identical to Keras', as checked above)."""
    case = reference[case_id]
    schedule = getattr(schedules, case["class_name"])(**case["config"])
    steps = np.arange(case["steps"] + 1)
    return steps, [float(schedule(int(step))) for step in steps]


def plot(ax, case_ids, title):
    for case_id in case_ids:
        steps, values = curve(case_id)
        ax.plot(steps, values, ".-", ms=4, label=case_id.split("/")[1])
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("step")
    ax.legend(fontsize=8)


fig, axes = plt.subplots(1, 2, figsize=(10, 3.3))
plot(axes[0], ["exponential/smooth", "exponential/staircase", "exponential/slow"],
     "ExponentialDecay")
plot(axes[1], ["inverse_time/smooth", "inverse_time/staircase"], "InverseTimeDecay")
axes[0].set_ylabel("learning rate")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Piecewise constant
#
# `PiecewiseConstantDecay(boundaries, values)` holds `values[0]` while $s \le b_0$,
# `values[i]` while $b_{i-1} < s \le b_i$, and the last value after the last boundary. The
# boundary step itself still belongs to the earlier piece. Keras compares in the step's integer
# type, so a boundary of 2.5 acts as 2.

# %%
show_source(schedules.PiecewiseConstantDecay.__call__)

# %%
piecewise = schedules.PiecewiseConstantDecay(boundaries=[4, 10], values=[1.0, 0.5, 0.1])
print({step: float(piecewise(step)) for step in [0, 4, 5, 10, 11]})

# %% [markdown]
# ## Polynomial decay
#
# `PolynomialDecay` goes from $\eta_0$ to $\eta_\text{end}$ in $d$ steps along a power curve and
# stays there:
#
# $$ \eta_s = (\eta_0 - \eta_\text{end}) \left(1 - \frac{\min(s, d)}{d}\right)^{p}
# + \eta_\text{end}. $$
#
# With `cycle=True` the horizon grows instead to the next multiple of $d$,
# $d \lceil s/d \rceil$, so the rate jumps up at each multiple and decays again, more slowly
# each time.

# %%
show_source(schedules.PolynomialDecay.__call__)

# %%
fig, ax = plt.subplots(figsize=(6, 3.3))
plot(ax, ["polynomial/linear", "polynomial/power", "polynomial/cycle"], "PolynomialDecay")
ax.set_ylabel("learning rate")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Cosine decay, with warm-up
#
# `CosineDecay` follows half a cosine from $\eta_0$ down to $\alpha \eta_0$ over $d$ steps
# (Loshchilov and Hutter's SGDR without the restarts):
#
# $$ \eta_s = \eta_0 \left[ (1 - \alpha)\, \tfrac12 \bigl(1 + \cos(\pi \min(s, d) / d)\bigr)
# + \alpha \right]. $$
#
# It starts flat, so the first steps keep nearly the full rate, and it ends flat, so the last
# steps change little. With `warmup_target` and `warmup_steps = w` it first rises linearly from
# `initial_learning_rate` to the target in $w$ steps and then decays from the target: a warm-up
# keeps the first, badly informed updates of Adam-type optimizers small.

# %%
show_source(schedules.CosineDecay.__call__)

# %% [markdown]
# `CosineDecayRestarts` starts the cosine again after each period (a *warm restart*). The
# periods grow by `t_mul` and the peaks shrink by `m_mul`; the $i$-th restart begins after
# $d\,(1 + t + \dots + t^{i-1}) = d\,(t^i - 1)/(t - 1)$ steps, so the index of the current
# period is
#
# $$ i = \left\lfloor \frac{\log\bigl(1 - (s/d)(1 - t)\bigr)}{\log t} \right\rfloor
# \quad (t \ne 1), \qquad i = \lfloor s/d \rfloor \quad (t = 1). $$

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.3))
plot(axes[0], ["cosine/plain", "cosine/alpha", "cosine/warmup", "cosine/warmup_alpha"],
     "CosineDecay")
plot(axes[1], ["cosine_restarts/default", "cosine_restarts/t_mul_one",
               "cosine_restarts/all_options"], "CosineDecayRestarts")
axes[0].set_ylabel("learning rate")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## A schedule of your own
#
# Subclass `LearningRateSchedule`, define `__call__(step)` (with `nbkeras.ops` on the step, as
# one would with `keras.ops`) and `get_config()`. Here is a linear warm-up followed by an
# inverse square root, the schedule of the original Transformer:

# %%
class WarmupInverseSqrt(schedules.LearningRateSchedule):
    def __init__(self, peak, warmup_steps):
        self.peak = peak
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        s = ops.cast(step, "float32") + 1.0
        warm = float(self.warmup_steps)
        return self.peak * ops.minimum(s / warm, (warm / s) ** 0.5)

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}


custom = WarmupInverseSqrt(peak=0.01, warmup_steps=4)
w = keras.Variable(np.ones(3, np.float32))
optimizer = keras.optimizers.Adam(learning_rate=custom)
rates = []
for _ in range(12):
    rates.append(float(optimizer.learning_rate))
    optimizer.apply_gradients([(np.ones(3, np.float32), w)])
print("learning rates used:", np.round(rates, 5))
print("config:", optimizer.get_config()["learning_rate"])

# %% [markdown]
# A schedule fixes the rate in advance. The `LearningRateScheduler` and `ReduceLROnPlateau`
# callbacks ([chapter 13](13_callbacks.ipynb), after the training loop of
# [chapter 12](12_training.ipynb)) instead set a float learning rate once per *epoch*, the
# second one from the validation loss.
