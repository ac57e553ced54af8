"""``PReLU``: a leaky ReLU whose negative slope is a learned weight.

``f(x) = relu(x) - alpha * relu(-x)``: x above zero, ``alpha * x`` below. ``alpha`` has the
shape of one sample, ``input_shape[1:]``, with a 1 on every axis of ``shared_axes`` (one slope
per channel of an image with ``shared_axes=[1, 2]``). Its gradient is
``d f / d alpha = -relu(-x) = min(x, 0)``, summed over the batch and the shared axes (chapter 10).
"""

from nbkeras import activations, constraints, initializers, regularizers
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


class PReLU(Layer):
    """Parametric ReLU (``keras.layers.PReLU``); one weight, ``alpha``."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        rank = len(input_shape)
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if isinstance(axis, bool) or not isinstance(axis, int) or not 1 <= axis < rank:
                raise ValueError(
                    f"PReLU '{self.name}': every shared axis must be an int in [1, {rank - 1}] "
                    f"(the batch axis 0 is always shared); received shared_axes="
                    f"{self.shared_axes} for inputs of shape {tuple(input_shape)}"
                )
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(
                f"PReLU '{self.name}': the axes that are not shared must have known sizes; "
                f"received input shape {tuple(input_shape)} with shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(shape=shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            axes = {i: input_shape[i] for i in range(1, rank) if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=rank, axes=axes)

    def call(self, inputs):
        positive = activations.relu(inputs)
        negative = -self.alpha * activations.relu(-inputs)
        return positive + negative

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        serialize = serialization_lib.serialize_keras_object
        return {**super().get_config(),
                "alpha_initializer": serialize(self.alpha_initializer),
                "alpha_regularizer": serialize(self.alpha_regularizer),
                "alpha_constraint": serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
