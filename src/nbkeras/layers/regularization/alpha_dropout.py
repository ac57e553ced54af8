"""``AlphaDropout``: dropout that keeps SELU activations at mean 0 and variance 1.

Plain dropout sets entries to 0, which for SELU networks is not the resting value: SELU's
saturation value is ``alpha' = -scale * alpha`` (about -1.758). Alpha dropout sets dropped
entries to alpha' and then applies the affine map ``a x + b`` chosen so that, for inputs of mean
0 and variance 1, the output again has mean 0 and variance 1 (keep probability q = 1 - rate):

    a = (q (1 + rate alpha'^2))^(-1/2),    b = -a alpha' rate.

The gradient of a kept input is ``a``, of a dropped one 0.
"""

from nbkeras import ops, random
from nbkeras.layers.layer import Layer
from nbkeras.layers.regularization.gaussian_noise import check_rate
from nbkeras.random.seed_generator import SeedGenerator

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout for self-normalising networks (``keras.layers.AlphaDropout``); seedable."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate, "rate", "AlphaDropout")
        self.seed = seed
        self.noise_shape = noise_shape
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def _concrete_noise_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        if len(self.noise_shape) != inputs.ndim:
            raise ValueError(
                f"AlphaDropout '{self.name}': noise_shape {tuple(self.noise_shape)} must have "
                f"one entry per dimension of the input shape {inputs.shape}"
            )
        return tuple(n if d is None else d for n, d in zip(inputs.shape, self.noise_shape,
                                                            strict=True))

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            alpha_p = -SELU_ALPHA * SELU_SCALE
            draws = random.uniform(self._concrete_noise_shape(inputs), seed=self.seed_generator)
            kept = ops.cast(ops.greater_equal(draws, self.rate), inputs.dtype)
            a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
            b = -a * alpha_p * self.rate
            x = inputs * kept + alpha_p * (1 - kept)
            return a * x + b
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
