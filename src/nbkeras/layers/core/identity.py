"""``Identity``: returns its inputs unchanged (a placeholder where a model needs a layer)."""

from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.layer import Layer, _map_leaves


class Identity(Layer):
    """The identity layer (``keras.layers.Identity``): any structure of tensors passes through,
    and so does their mask."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        return _map_leaves(lambda x: KerasTensor(x.shape, dtype=x.dtype), inputs)
