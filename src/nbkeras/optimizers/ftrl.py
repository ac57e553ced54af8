"""FTRL-Proximal ("follow the regularized leader"): a per-coordinate learning rate
``lr / n^p`` from the accumulated squared gradients ``n``, and a closed-form proximal step that
sets a weight to exactly zero while its accumulated ``linear`` term stays within the L1 band."""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat


def _non_negative(name, value):
    if value < 0.0:
        raise ValueError(f"Ftrl: `{name}` needs to be positive or zero. "
                         f"Received: {name}={value}.")


class Ftrl(BaseOptimizer):
    """``keras.optimizers.Ftrl``. Slots: ``accumulator`` (``initial_accumulator_value``) and
    ``linear`` (zeros), interleaved per variable."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        _non_negative("initial_accumulator_value", initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("Ftrl: `learning_rate_power` needs to be negative or zero. "
                             f"Received: learning_rate_power={learning_rate_power}.")
        _non_negative("l1_regularization_strength", l1_regularization_strength)
        _non_negative("l2_regularization_strength", l2_regularization_strength)
        _non_negative("l2_shrinkage_regularization_strength",
                      l2_shrinkage_regularization_strength)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators, self._linears = self.add_optimizer_variables(
            variables, ["accumulator", "linear"],
            initializer=[self.initial_accumulator_value, "zeros"])

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        t = variable._value.dtype.type
        # l2 + beta / (2 lr) in float32, as Keras forms it from the float32 learning rate
        l2 = t(self.l2_regularization_strength) + t(self.beta) / (t(2.0) * learning_rate)
        kernels.ftrl(flat(variable), gradient.reshape(-1), flat(self._accumulators[i]),
                     flat(self._linears[i]), learning_rate, t(-self.learning_rate_power),
                     t(self.l1_regularization_strength), t(2) * l2,
                     t(2 * self.l2_shrinkage_regularization_strength))

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
