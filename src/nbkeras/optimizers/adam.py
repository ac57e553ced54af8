"""Adam: moving averages ``m`` of g and ``v`` of g^2, bias-corrected through the step size.

With ``t = iterations + 1``: ``alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)`` and
``w <- w - alpha m / (sqrt(v) + epsilon)`` (epsilon is not bias-corrected). ``amsgrad`` divides
by the running maximum of ``v`` instead.
"""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, empty_slot, flat


class Adam(BaseOptimizer):
    """``keras.optimizers.Adam``. Slots: ``momentum`` and ``velocity`` (zeros, interleaved per
    variable), then ``velocity_hat`` if amsgrad."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        dtype = variable._value.dtype
        t = dtype.type
        kernels.adam(
            flat(variable), gradient.reshape(-1), flat(self._momentums[i]),
            flat(self._velocities[i]),
            flat(self._velocity_hats[i]) if self.amsgrad else empty_slot(dtype),
            learning_rate, t(self.beta_1), t(self.beta_2),
            t(1 - self.beta_1), t(1 - self.beta_2),  # Python double, then rounded, as Keras
            t(self.epsilon), self._step_number(dtype))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
