"""Learning-rate schedules (``keras.optimizers.schedules``).

A schedule maps the optimizer's iteration counter to a learning rate. The optimizer calls it
with the counter *before* the update, so the first step uses ``schedule(0)``.

Keras evaluates every schedule in float32 scalar tensors: the step is cast to float32, Python
numbers meet it as float32, and ``pow``, ``cos`` and ``log`` are the C library's float32
routines. The helpers below do the same with NumPy float32 scalars and the scalar kernels of
``nbkeras.kernels.optimizers`` (``powf``, ``cosf``, ``logf``), in Keras' order of operations.
"""

import math

import numpy as np

from nbkeras.kernels import optimizers as kernels
from nbkeras.tensor import Tensor

f32 = np.float32
PI = f32(math.pi)


def _pow(x, y):
    return kernels.scalar(kernels.power, x, y)


def _cos(x):
    return kernels.scalar(kernels.cosine, x)


def _log(x):
    return kernels.scalar(kernels.logarithm, x)


def _step_value(step):
    """The step as a Python int (an iteration counter) or a float32 (a fractional step)."""
    if isinstance(step, Tensor):
        step = step._value
    value = np.asarray(step)
    if value.shape != ():
        raise ValueError(f"a learning-rate schedule needs a scalar step, got shape {value.shape}")
    if value.dtype.kind in "iu":
        return int(value)
    if value.dtype.kind == "f":
        return f32(value)
    raise ValueError(f"a learning-rate schedule needs a number as its step, got {step!r}")


def _float32_step(step):
    return f32(_step_value(step))


def _result(value):
    return Tensor(np.asarray(value, np.float32))


def _positive_steps(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule:
    """Base class of the schedules: subclasses define ``__call__(step)`` and ``get_config()``.

    ``step`` is the optimizer's iteration counter (an int64 Variable) or a number. A custom
    schedule may use ``nbkeras.ops`` on it and return a float32 scalar tensor or a Python float.
    """

    _keras_module = "keras.optimizers.schedules"  # where Keras' configs say the class lives

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``lr0 * decay_rate ** (step / decay_steps)``; with ``staircase`` the exponent is floored."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _positive_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _float32_step(step) / f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _result(f32(self.initial_learning_rate) * _pow(f32(self.decay_rate), p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = _step_value(step)
        if isinstance(step, int):
            # Keras casts the boundaries to the step's integer dtype: 2.5 becomes 2
            boundaries = [int(b) for b in self.boundaries]
        else:
            boundaries = [f32(b) for b in self.boundaries]
        index = next((i for i, b in enumerate(boundaries) if step <= b), len(boundaries))
        return _result(f32(self.values[index]))

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(lr0 - end) * (1 - step / decay_steps) ** power + end``, the step capped at
    ``decay_steps``; with ``cycle`` the horizon grows to the next multiple of ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        _positive_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = _float32_step(step)
        decay_steps = f32(self.decay_steps)
        if self.cycle:
            multiplier = f32(1) if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        end = f32(self.end_learning_rate)
        decayed = (f32(self.initial_learning_rate) - end) * _pow(f32(1) - p, f32(self.power))
        return _result(decayed + end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``lr0 / (1 + decay_rate * step / decay_steps)``; ``staircase`` floors the fraction."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _positive_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _float32_step(step) / f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _result(f32(self.initial_learning_rate) / (f32(1) + f32(self.decay_rate) * p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


def _cosine_decay(step, decay_steps, decay_from, alpha):
    """``decay_from * ((1 - alpha) * (1 + cos(pi * step / decay_steps)) / 2 + alpha)``."""
    cosine_decayed = f32(0.5) * (f32(1) + _cos(PI * (step / decay_steps)))
    # (1 - alpha) is a Python float subtraction in Keras, rounded to float32 afterwards
    decayed = f32(1 - alpha) * cosine_decayed + f32(alpha)
    return decay_from * decayed


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` (or, after a linear warm-up of
    ``warmup_steps`` towards ``warmup_target``, from the target) down to ``alpha`` times it."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _positive_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def __call__(self, step):
        lr0 = f32(self.initial_learning_rate)
        decay_steps = f32(self.decay_steps)
        step = _float32_step(step)
        if self.warmup_target is None:
            return _result(_cosine_decay(min(step, decay_steps), decay_steps, lr0, self.alpha))
        target = f32(self.warmup_target)
        warmup_steps = f32(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return _result((target - lr0) * (step / warmup_steps) + lr0)
        return _result(_cosine_decay(step - warmup_steps, decay_steps, target, self.alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of ``first_decay_steps * t_mul**i``
    steps, the i-th starting from ``initial_learning_rate * m_mul**i``."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        _positive_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        one = f32(1)
        t_mul, m_mul, alpha = f32(self._t_mul), f32(self._m_mul), f32(self.alpha)
        fraction = _float32_step(step) / f32(self.first_decay_steps)
        if t_mul == one:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            # the number of whole periods before this step: sum_{k<i} t_mul^k <= fraction
            restart = np.floor(_log(one - fraction * (one - t_mul)) / _log(t_mul))
            completed = (one - _pow(t_mul, restart)) / (one - t_mul)
            fraction = (fraction - completed) / _pow(t_mul, restart)
        cosine_decayed = (f32(0.5) * _pow(m_mul, restart)) * (one + _cos(PI * fraction))
        decayed = (one - alpha) * cosine_decayed + alpha
        return _result(f32(self.initial_learning_rate) * decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


def serialize(learning_rate_schedule):
    """``{"module", "class_name", "config", "registered_name"}``, as Keras writes it: a user's
    schedule names its own module (None when defined in ``__main__``) and its class."""
    cls = type(learning_rate_schedule)
    if SCHEDULES.get(cls.__name__) is cls:
        module, registered_name = "keras.optimizers.schedules", None
    else:
        module = None if cls.__module__ == "__main__" else cls.__module__
        registered_name = cls.__name__
    return {"module": module, "class_name": cls.__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": registered_name}


SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
    CosineDecayRestarts)}


def deserialize(config, custom_objects=None):
    """The schedule described by ``serialize``'s dict (``custom_objects`` adds classes)."""
    known = {**SCHEDULES, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in known:
        raise ValueError(
            f"Could not interpret learning-rate schedule {config!r}; expected a dict with "
            f"'class_name' one of {sorted(known)} (or a class passed in custom_objects)"
        )
    return known[name].from_config(dict(config.get("config", {})))
