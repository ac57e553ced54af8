"""Lion: step by the sign of an interpolation of momentum and gradient,
``w <- w - lr sign(beta_1 m + (1 - beta_1) g)``, then ``m <- beta_2 m + (1 - beta_2) g``."""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat


class Lion(BaseOptimizer):
    """``keras.optimizers.Lion``. Slot: ``momentum`` (zeros). ``beta_1`` must be in (0, 1]."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Lion: argument `beta_1` must be in the [0, 1] range. Otherwise, "
                             f"the optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        m = self._momentums[self._get_variable_index(variable)]
        t = variable._value.dtype.type
        kernels.lion(flat(variable), gradient.reshape(-1), flat(m), learning_rate,
                     t(self.beta_1), t(self.beta_2))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
