"""SGD: ``w <- w - lr * g``; with momentum a velocity slot, optionally Nesterov's look-ahead."""

from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.base_optimizer import BaseOptimizer, base_arguments, flat


class SGD(BaseOptimizer):
    """Gradient descent with optional (Nesterov) momentum (``keras.optimizers.SGD``).

    ``momentum`` must be a float in [0, 1]. Slot: ``momentum`` (zeros), only when momentum > 0.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **base_arguments(locals()))
        if not isinstance(momentum, float) or not 0 <= momentum <= 1:
            raise ValueError(f"SGD: `momentum` must be a float between [0, 1]; "
                             f"received momentum={momentum!r}")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        w, g = flat(variable), gradient.reshape(-1)
        if self.momentum == 0:
            kernels.sgd(w, g, learning_rate)
            return
        m = self.momentums[self._get_variable_index(variable)]
        kernels.sgd_momentum(w, g, flat(m), learning_rate, w.dtype.type(self.momentum),
                             bool(self.nesterov))

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
