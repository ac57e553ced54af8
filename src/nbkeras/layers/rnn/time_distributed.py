"""``TimeDistributed``: apply one layer to every timestep of a sequence.

``TimeDistributed(Dense(8))`` on (batch, timesteps, features) applies the same Dense, with the
same weights, to each of the timesteps: (batch, timesteps, 8). As in Keras, the wrapped layer's
``call`` runs once per step on (batch, ...) slices, and the results are stacked back along
axis 1; a layer whose output depends on the whole batch (BatchNormalization in training) thus
sees each step's batch separately.
"""

from nbkeras import ops
from nbkeras.layers.core.wrapper import Wrapper
from nbkeras.layers.layer import Layer


class TimeDistributed(Wrapper):
    """Apply ``layer`` to every temporal slice of an input (``keras.layers.TimeDistributed``).
    The input has at least 3 dimensions; axis 1 is time."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _get_child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                f"`TimeDistributed` Layer '{self.name}' should be passed an `input_shape` with "
                f"at least 3 dimensions, received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def compute_output_shape(self, input_shape):
        child_output_shape = self.layer.compute_output_shape(
            self._get_child_input_shape(input_shape))
        return (child_output_shape[0], input_shape[1], *child_output_shape[1:])

    def build(self, input_shape):
        super().build(self._get_child_input_shape(input_shape))

    def _check_mask(self, inputs, mask):
        if mask.ndim < 2:
            raise ValueError(
                f"The `mask` passed to the `TimeDistributed` layer '{self.name}' must be at "
                f"least 2D (e.g., `(batch_size, timesteps)`), but it has {mask.ndim} "
                f"dimension(s) with shape {tuple(mask.shape)}."
            )
        if tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError(
                f"The `mask` passed to the `TimeDistributed` layer '{self.name}' has a shape "
                f"{tuple(mask.shape)} that is incompatible with the input shape "
                f"{tuple(inputs.shape)}. The first two dimensions of the mask (batch size and "
                "timesteps) must match the input's first two dimensions. Expected mask shape "
                f"prefix: {tuple(inputs.shape[:2])}."
            )

    def call(self, inputs, training=None, mask=None):
        if mask is not None:
            mask = ops.convert_to_tensor(mask)
            self._check_mask(inputs, mask)
        parameters = self.layer._call_parameters
        outputs = []
        for t in range(inputs.shape[1]):
            kwargs = {}
            if "mask" in parameters and mask is not None:
                kwargs["mask"] = mask[:, t]
            if "training" in parameters:
                kwargs["training"] = training
            outputs.append(self.layer.call(inputs[:, t], **kwargs))
        return ops.stack(outputs, axis=1)
