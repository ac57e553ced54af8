"""``Dropout``: zero a random fraction ``rate`` of the inputs while training.

The kept entries are divided by ``1 - rate`` ("inverted" dropout), so each output's expected
value equals its input and nothing needs rescaling at inference, where the layer is the
identity. ``training`` comes from the call (``fit`` passes True; ``predict`` and a plain call
leave it False). Each training call draws a new mask from the layer's ``SeedGenerator``: with a
``seed`` the sequence of masks repeats run after run.
"""

from nbkeras import random
from nbkeras.layers.layer import Layer
from nbkeras.random.seed_generator import SeedGenerator


class Dropout(Layer):
    """Randomly set inputs to 0 with probability ``rate`` during training (``noise_shape``
    shares one mask entry along the axes where it is 1)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(
                "Dropout: invalid value received for argument rate; expected a float between "
                f"0 and 1, got rate={rate!r}"
            )
        self.rate = rate
        self.seed = seed
        self.noise_shape = self._validate_noise_shape(noise_shape)
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    @staticmethod
    def _validate_noise_shape(noise_shape):
        if noise_shape is None:
            return None
        if isinstance(noise_shape, str) or not hasattr(noise_shape, "__iter__"):
            raise ValueError(
                f"Dropout: noise_shape must be a tuple of ints or None, got {noise_shape!r}"
            )
        noise_shape = tuple(noise_shape)
        for i, d in enumerate(noise_shape):
            if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d <= 0):
                raise ValueError(
                    f"Dropout: noise_shape entries must be positive ints or None; entry {i} is "
                    f"{d!r}"
                )
        return noise_shape

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                                  seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
