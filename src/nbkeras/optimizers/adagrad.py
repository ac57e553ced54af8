"""Adagrad: ``a <- a + g^2`` (from ``initial_accumulator_value``) and
``w <- w - lr g / sqrt(a + epsilon)``."""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat


class Adagrad(BaseOptimizer):
    """``keras.optimizers.Adagrad``. Slot: ``accumulator``, filled with
    ``initial_accumulator_value`` (0.1)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator", initializer=self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate):
        accumulator = self._accumulators[self._get_variable_index(variable)]
        t = variable._value.dtype.type
        kernels.adagrad(flat(variable), gradient.reshape(-1), flat(accumulator), learning_rate,
                        t(self.epsilon))

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
