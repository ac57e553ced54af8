"""Nadam: Adam with Nesterov momentum, in Dozat's momentum-cache form.

``u_t = beta_1 (1 - 0.5 * 0.96^t)`` is a warming-up momentum; their running product ``U_t``
(one scalar variable, updated once per step before the variables) replaces Adam's ``beta_1^t``.
"""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat
from nbkeras.utils import naming


class Nadam(BaseOptimizer):
    """``keras.optimizers.Nadam``. Slots: ``momentum`` and ``velocity`` (zeros, interleaved),
    then the scalar momentum cache (an unnamed ``variable``, starting at 1)."""

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
        dtype = variables[0].dtype if variables else "float32"
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        # unnamed, as in Keras: a global "variable", "variable_1", ...
        self._u_product = self.add_variable((), initializer=1.0, dtype=dtype,
                                            name=naming.unique_name("variable"))

    def _backend_update_step(self, grads, variables, learning_rate):
        cache = self._u_product
        t = cache._value.dtype.type
        kernels.nadam_momentum_cache(flat(cache), t(self.beta_1), self._step_number(t))
        super()._backend_update_step(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        dtype = variable._value.dtype
        t = dtype.type
        # Nadam casts beta_1, beta_2 to float32 first: the kernel forms 1 - beta in float32
        kernels.nadam(flat(variable), gradient.reshape(-1), flat(self._momentums[i]),
                      flat(self._velocities[i]), learning_rate, t(self.beta_1), t(self.beta_2),
                      t(self.epsilon), self._step_number(dtype), t(self._u_product._value))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
