"""AdamW: Adam with decoupled weight decay ``w <- w - w * weight_decay * lr`` before each step
(the decay itself lives in the base class, where every optimizer can use it)."""

from nbkeras.optimizers.adam import Adam
from nbkeras.optimizers.base_optimizer import base_arguments


class AdamW(Adam):
    """``keras.optimizers.AdamW``: ``weight_decay`` defaults to 0.004 and may not be None."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, **base_arguments(locals()))
        if self.weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float; "
                             "received weight_decay=None")
