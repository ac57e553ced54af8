"""``GroupNormalization``: normalise each sample over groups of channels.

The channels of ``axis`` are split into ``groups`` groups of ``channels / groups``; each sample's
group (its channels, over every spatial position) is normalised to mean 0 and variance 1, then
each channel is scaled by ``gamma`` and shifted by ``beta``. ``groups=1`` is layer normalization
over all features, ``groups=-1`` (one channel per group) is instance normalization. Like layer
normalization it needs no batch statistics, so it behaves the same in training and inference.

The statistics come from ``ops.moments`` over each group, and the normalisation is Keras' own
arithmetic, ``x * inv + (beta - mean * inv)`` with ``inv = gamma / sqrt(variance + epsilon)``;
the tape differentiates through both (chapter 10 writes the backward pass out).
"""

from nbkeras import constraints, initializers, ops, regularizers
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


class GroupNormalization(Layer):
    """Group normalization (``keras.layers.GroupNormalization``); weights gamma and beta, one
    per channel."""

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and
                                                                        groups != -1):
            raise ValueError(
                "Received an invalid value for argument `groups`, expected a positive integer "
                f"(or `-1` for instance normalization). Received: groups={groups!r}"
            )
        super().__init__(**kwargs)
        self.supports_masking = True
        self.autocast = False
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"GroupNormalization '{self.name}': axis {self.axis} is out of bounds for "
                f"input shape {tuple(input_shape)}"
            )
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension but the "
                f"layer received an input with shape {tuple(input_shape)}."
            )
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) cannot be more than the number of channels "
                f"({channels})."
            )
        if channels % self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) must divide the number of channels "
                f"({channels}) of axis {self.axis}; received input shape {tuple(input_shape)}"
            )
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: channels})
        self.gamma = self.add_weight(
            shape=(channels,), name="gamma", initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
        ) if self.scale else None
        self.beta = self.add_weight(
            shape=(channels,), name="beta", initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
        ) if self.center else None

    def _group_shape(self, shape):
        """``shape`` with the channel axis split into (groups, channels / groups)."""
        axis = self.axis % len(shape)
        return shape[:axis] + (self.groups, shape[axis] // self.groups) + shape[axis + 1:]

    def call(self, inputs):
        shape = tuple(inputs.shape)
        if inputs.dtype != "float64":  # float32 at least, as Keras (nbkeras has no float16)
            inputs = ops.cast(inputs, "float32")
        grouped = ops.reshape(inputs, self._group_shape(shape))
        group_axis = self.axis % len(shape)
        # every axis but the batch axis and the axis of the groups
        axes = [a for a in range(1, grouped.ndim) if a != group_axis]
        mean, variance = ops.moments(grouped, axes=axes, keepdims=True)
        broadcast = [1] * grouped.ndim
        broadcast[group_axis:group_axis + 2] = [self.groups, shape[group_axis] // self.groups]
        inv = ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * ops.cast(ops.reshape(self.gamma, broadcast), grouped.dtype)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + ops.cast(ops.reshape(self.beta, broadcast), grouped.dtype)
        outputs = ops.reshape(grouped * inv + shift, shape)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape):
            raise ValueError(
                f"Axis {self.axis} is out of bounds for input shape {tuple(input_shape)}. "
                f"Received: axis={self.axis}"
            )
        return input_shape

    def get_config(self):
        serialize = serialization_lib.serialize_keras_object
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "beta_regularizer": serialize(self.beta_regularizer),
            "gamma_regularizer": serialize(self.gamma_regularizer),
            "beta_constraint": serialize(self.beta_constraint),
            "gamma_constraint": serialize(self.gamma_constraint),
        }
