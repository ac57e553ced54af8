"""``SpatialDropout1D/2D/3D``: dropout of whole feature maps.

Neighbouring steps or pixels of one channel are strongly correlated, so dropping single entries
barely regularises a convolutional network: the neighbours carry the same information. Spatial
dropout draws one keep/drop decision per (sample, channel) and applies it to every step (1-D)
or pixel (2-D, 3-D) of that channel: ``Dropout`` with ``noise_shape`` (batch, 1, ..., channels).
"""

from nbkeras import random
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.regularization.dropout import Dropout


class BaseSpatialDropout(Dropout):
    """Dropout with one mask entry per (sample, channel); subclasses give the noise shape."""

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)

    def _noise_shape(self, inputs):
        raise NotImplementedError

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return random.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs),
                                  seed=self.seed_generator)
        return inputs

    def get_config(self):
        # Keras writes this short config (no "trainable", the dtype as a plain name)
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(BaseSpatialDropout):
    """Drop whole channels of (batch, steps, channels) inputs
    (``keras.layers.SpatialDropout1D``)."""

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        return (inputs.shape[0], 1, inputs.shape[2])


class _SpatialDropoutND(BaseSpatialDropout):
    rank = None

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, inputs):
        ones = (1,) * self.rank
        if self.data_format == "channels_first":
            return (inputs.shape[0], inputs.shape[1]) + ones
        return (inputs.shape[0],) + ones + (inputs.shape[-1],)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout2D(_SpatialDropoutND):
    """Drop whole channels of images (``keras.layers.SpatialDropout2D``)."""

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, data_format=data_format, seed=seed, name=name, dtype=dtype)


class SpatialDropout3D(_SpatialDropoutND):
    """Drop whole channels of volumes (``keras.layers.SpatialDropout3D``)."""

    rank = 3

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, data_format=data_format, seed=seed, name=name, dtype=dtype)
