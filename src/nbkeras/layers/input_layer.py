"""``keras.Input`` and ``InputLayer``: where a graph of layers starts.

``Input(shape=(16,))`` makes an ``InputLayer`` and returns its output, a ``KerasTensor`` of
shape ``(None, 16)``: the batch size is left open (None) unless ``batch_size`` or
``batch_shape`` fixes it.
"""

from nbkeras import dtypes
from nbkeras.keras_tensor import KerasTensor, standardize_shape
from nbkeras.layers.layer import Layer
from nbkeras.ops.node import Node


class InputLayer(Layer):
    """The layer behind ``keras.Input``: no weights, one node with no inputs, one output."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        super().__init__(name=name)
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}")
        if sparse or ragged:
            raise ValueError("InputLayer: sparse and ragged inputs are not supported")
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(
                    "InputLayer: input_tensor must be a KerasTensor, got "
                    f"{type(input_tensor).__name__}"
                )
            batch_shape, dtype = input_tensor.shape, input_tensor.dtype
        else:
            if shape is not None and batch_shape is not None:
                raise ValueError("Input: pass shape or batch_shape, not both")
            if batch_size is not None and batch_shape is not None:
                raise ValueError("Input: pass batch_size or batch_shape, not both")
            if shape is None and batch_shape is None:
                raise ValueError("Input: you must pass a shape argument, e.g. Input(shape=(16,))")
            if shape is not None:
                shape = (shape,) if isinstance(shape, int) else shape
                batch_shape = (batch_size,) + standardize_shape(shape)
        self._batch_shape = standardize_shape(batch_shape)
        self._input_dtype = dtypes.standardize_dtype(dtype)
        self.sparse = False
        self.ragged = False
        self.optional = optional
        if input_tensor is None:
            input_tensor = KerasTensor(self._batch_shape, dtype=self._input_dtype, name=name)
        self._input_tensor = input_tensor
        Node(self, (), {}, outputs=input_tensor)
        self.built = True

    def call(self):
        return None

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def dtype(self):
        return self._input_dtype

    def get_config(self):
        return {
            "batch_shape": self.batch_shape,
            "dtype": self.dtype,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "name": self.name,
            "optional": self.optional,
        }


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,  # noqa: N802
          batch_shape=None, name=None, tensor=None, optional=False):
    """A symbolic tensor of shape ``(batch_size, *shape)`` to call layers on
    (``keras.Input``)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       ragged=ragged, batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional)
    return layer.output
