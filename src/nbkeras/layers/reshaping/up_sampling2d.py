"""``UpSampling2D``: enlarge each image ``size[0]`` times vertically and ``size[1]`` times
horizontally.

``interpolation="nearest"`` repeats every row and column (``ops.repeat``; each input pixel's
gradient is the sum over its copies). ``"bilinear"`` blends the two nearest input rows, then
columns, at TensorFlow's half-pixel positions (``ops.image.resize``, chapter 10): a linear map
whose backward pass is its transpose.
"""

from nbkeras import ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.utils.argument_validation import standardize_tuple


class UpSampling2D(Layer):
    """Upsampling of 2-D inputs (``keras.layers.UpSampling2D``); ``interpolation`` is
    "nearest" or "bilinear" (Keras' "bicubic", "lanczos3", "lanczos5" and "area" are not
    supported by nbkeras)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size", where)
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(
                f"{where}: interpolation={interpolation!r} is not supported by nbkeras; "
                "expected 'nearest' or 'bilinear'"
            )
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        first = 2 if self.data_format == "channels_first" else 1
        if self.interpolation == "bilinear":
            size = (inputs.shape[first] * self.size[0], inputs.shape[first + 1] * self.size[1])
            return ops.image.resize(inputs, size, interpolation="bilinear",
                                    data_format=self.data_format)
        rows = ops.repeat(inputs, self.size[0], axis=first)
        return ops.repeat(rows, self.size[1], axis=first + 1)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        first = 2 if self.data_format == "channels_first" else 1
        for axis, factor in zip((first, first + 1), self.size, strict=True):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
