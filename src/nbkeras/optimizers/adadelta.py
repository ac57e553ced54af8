"""Adadelta: the step ``-sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g`` carries the units of
``w``; Keras still multiplies it by ``learning_rate`` (default 0.001, the paper's is 1.0)."""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat


class Adadelta(BaseOptimizer):
    """``keras.optimizers.Adadelta``. Slots: ``accumulated_grad`` and
    ``accumulated_delta_var`` (zeros), interleaved per variable."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        t = variable._value.dtype.type
        kernels.adadelta(flat(variable), gradient.reshape(-1), flat(self._accumulated_grads[i]),
                         flat(self._accumulated_delta_vars[i]), learning_rate, t(self.rho),
                         t(1 - self.rho), t(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
