"""Adafactor: Adam-like steps whose second moment of an (..., rows, cols) variable is stored as
a row vector and a column vector (their outer product, normalised, estimates it), with a
relative step size ``max(epsilon_2, rms(w)) * min(lr, 1/sqrt(t))`` and update clipping."""

import numpy as np

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat


class Adafactor(BaseOptimizer):
    """``keras.optimizers.Adafactor``. Per variable of rank >= 2: row and column moments (named
    after the variable, zeros) and a ``velocity``; of rank < 2: two int32 placeholders (as in
    Keras) and a full ``velocity``."""

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for variable in variables:
            if variable.ndim < 2:
                self._r.append(self.add_variable((), dtype="int32", name=variable.name))
                self._c.append(self.add_variable((), dtype="int32", name=variable.name))
            else:
                shape = variable.shape
                self._r.append(self.add_variable(shape[:-1], dtype=variable.dtype,
                                                 name=variable.name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=variable.dtype,
                                                 name=variable.name))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        t = variable._value.dtype.type
        step = self._step_number(variable._value.dtype)
        step_cap = t(1) / np.sqrt(step)
        if not callable(self._learning_rate) and self.relative_step:
            learning_rate = min(learning_rate, step_cap)
        rho_t = min(learning_rate, step_cap)
        rms = np.empty(1, variable._value.dtype)
        kernels.root_mean_square(flat(variable), rms)
        alpha_t = max(t(self.epsilon_2), rms[0]) * rho_t
        beta_2_t = t(1) - kernels.scalar(kernels.power, step, t(self.beta_2_decay))
        epsilon_1 = t(self.epsilon_1)
        v = self._v[i]
        if variable.ndim >= 2:
            rows, cols = variable.shape[-2:]
            kernels.adafactor_factored_velocity(
                gradient.reshape(-1, rows, cols), self._r[i]._value.reshape(-1, rows),
                self._c[i]._value.reshape(-1, cols), v._value.reshape(-1, rows, cols),
                beta_2_t, epsilon_1)
        else:
            kernels.adafactor_velocity(gradient.reshape(-1), flat(v), beta_2_t, epsilon_1)
        kernels.adafactor_update(flat(variable), gradient.reshape(-1), flat(v), alpha_t,
                                 t(self.clip_threshold))

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}
