"""RMSprop: divide the step by a running root mean square of the gradient.

``v <- rho v + (1 - rho) g^2`` (from zero), ``centered`` subtracts the squared running mean of
``g``; the step is ``lr g / sqrt(v + epsilon)`` (epsilon inside the root), optionally through a
momentum slot.
"""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, empty_slot, flat


class RMSprop(BaseOptimizer):
    """``keras.optimizers.RMSprop``. Slots: ``velocity``; ``momentum`` if momentum > 0;
    ``average_gradient`` if centered (all zeros)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        t = variable._value.dtype.type
        unused = empty_slot(variable._value.dtype)
        kernels.rmsprop(
            flat(variable), gradient.reshape(-1), flat(self._velocities[i]),
            flat(self._average_gradients[i]) if self.centered else unused,
            flat(self._momentums[i]) if self.momentum > 0 else unused,
            learning_rate, t(self.rho), t(1 - self.rho),  # 1 - rho in Python double, as Keras
            t(self.momentum), t(self.epsilon), bool(self.centered))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
