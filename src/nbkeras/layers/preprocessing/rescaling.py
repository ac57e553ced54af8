"""``Rescaling``: ``inputs * scale + offset`` (``Rescaling(1 / 255)`` maps pixel values into
[0, 1], ``Rescaling(1 / 127.5, offset=-1)`` into [-1, 1]). ``scale`` and ``offset`` may be
per-channel lists."""

from nbkeras import config, ops
from nbkeras.layers.layer import Layer


class Rescaling(Layer):
    """Scale and shift the inputs (``keras.layers.Rescaling``); integer inputs become float."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = ops.convert_to_tensor(self.scale, dtype)
        offset = ops.convert_to_tensor(self.offset, dtype)
        if scale.ndim > 0 and config.image_data_format() == "channels_first":
            scale = ops.reshape(scale, scale.shape + (1,) * (3 - scale.ndim))
        return ops.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
