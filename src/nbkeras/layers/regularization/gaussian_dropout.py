"""``GaussianDropout``: multiply the inputs by N(1, rate / (1 - rate)) noise while training.

Dropout multiplies each input by a Bernoulli variable scaled to mean 1, whose variance is
``rate / (1 - rate)``; Gaussian dropout uses a Gaussian with the same mean and variance. The
gradient of each input is its noise factor times the cotangent.
"""

import math

from nbkeras import random
from nbkeras.layers.layer import Layer
from nbkeras.layers.regularization.gaussian_noise import check_rate
from nbkeras.random.seed_generator import SeedGenerator


class GaussianDropout(Layer):
    """Multiplicative 1-centred Gaussian noise (``keras.layers.GaussianDropout``); seedable."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate, "rate", "GaussianDropout")
        self.seed = seed
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * random.normal(inputs.shape, mean=1.0, stddev=stddev,
                                          dtype=self.compute_dtype, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
