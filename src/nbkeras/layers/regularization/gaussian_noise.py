"""``GaussianNoise``: add N(0, stddev^2) noise to the inputs while training (a regulariser, and a
form of data augmentation for real-valued inputs); the identity at inference."""

from nbkeras import random
from nbkeras.layers.layer import Layer
from nbkeras.random.seed_generator import SeedGenerator


def check_rate(value, name, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(
            f"{where}: invalid value received for argument `{name}`; expected a float value "
            f"between 0 and 1. Received: {name}={value!r}"
        )
    return value


class GaussianNoise(Layer):
    """Additive zero-centred Gaussian noise (``keras.layers.GaussianNoise``); seedable."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = check_rate(stddev, "stddev", "GaussianNoise")
        self.seed = seed
        if stddev > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + random.normal(inputs.shape, mean=0.0, stddev=self.stddev,
                                          dtype=self.compute_dtype, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
