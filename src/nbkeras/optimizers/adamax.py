"""Adamax: Adam with the infinity norm, ``u <- max(beta_2 u, |g|)``, and
``w <- w - lr m / ((1 - beta_1^t)(u + epsilon))``."""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat


class Adamax(BaseOptimizer):
    """``keras.optimizers.Adamax``. Slots: ``momentum`` and ``norm`` (zeros, interleaved)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        dtype = variable._value.dtype
        t = dtype.type
        kernels.adamax(flat(variable), gradient.reshape(-1), flat(self._m[i]), flat(self._u[i]),
                       learning_rate, t(self.beta_1), t(self.beta_2), t(1 - self.beta_1),
                       t(self.epsilon), self._step_number(dtype))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
