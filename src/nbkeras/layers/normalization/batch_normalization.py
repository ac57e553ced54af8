"""``BatchNormalization``: normalise each channel with statistics of the batch.

In training (``training=True`` *and* ``layer.trainable``) each channel is normalised with the
mean and biased variance of the current batch, taken over every axis but ``axis``; gradients flow
through those statistics too. The moving averages are updated after each training call:
``moving = moving * momentum + batch_statistic * (1 - momentum)``. At inference, and whenever the
layer is frozen (``trainable = False``, even inside ``fit``), the moving statistics are used, and
the layer is a fixed affine map per channel (KERAS_NOTES 7.6).
"""

from nbkeras import config, constraints, initializers, ops, regularizers
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


class BatchNormalization(Layer):
    """``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` per channel of ``axis``.

    Weights, in this order: gamma, beta (trainable; absent when ``scale``/``center`` is False),
    moving_mean, moving_variance (non-trainable): ``4 * channels`` parameters in all.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if renorm or synchronized:
            raise ValueError(
                "BatchNormalization: renorm and synchronized are not supported by nbkeras"
            )
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"BatchNormalization '{self.name}': axis {self.axis} is out of bounds for "
                f"input shape {tuple(input_shape)}"
            )
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(
                f"BatchNormalization '{self.name}': the channel axis {self.axis} must have a "
                f"known size, got input shape {tuple(input_shape)}"
            )
        shape = (channels,)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: channels})
        self._reduction_axes = [a for a in range(rank) if a != self.axis % rank]

    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                f"BatchNormalization '{self.name}': the mask must have one axis less than the "
                f"inputs; received mask.shape={mask.shape}, inputs.shape={inputs.shape}"
            )
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            self._update_moving_statistics(mean, variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return ops.batch_normalization(inputs, mean, variance, axis=self.axis,
                                       offset=self.beta, scale=self.gamma,
                                       epsilon=self.epsilon)

    def _moments(self, inputs, mask):
        """Mean and biased variance over the reduction axes; with a mask (one boolean per
        position, spread over the features), over the positions that count only, each sum
        divided by (count + epsilon) as in Keras."""
        if mask is None:
            return ops.moments(inputs, axes=self._reduction_axes)
        kept = ops.logical_or(ops.expand_dims(ops.cast(mask, "bool"), -1),
                              ops.zeros_like(inputs, dtype="bool"))  # spread over features
        count = ops.sum(ops.cast(kept, inputs.dtype), self._reduction_axes, keepdims=True)
        denominator = count + config.epsilon()
        mean = ops.sum(ops.where(kept, inputs, 0), self._reduction_axes, keepdims=True)
        mean = mean / denominator
        squares = ops.square(ops.where(kept, inputs - mean, 0))
        variance = ops.sum(squares, self._reduction_axes, keepdims=True) / denominator
        shape = self.moving_mean.shape
        return ops.reshape(mean, shape), ops.reshape(variance, shape)

    def _update_moving_statistics(self, mean, variance):
        # Keras computes (1.0 - momentum) in double, then rounds it to float32 (0.01f).
        keep, blend = self.momentum, 1.0 - self.momentum
        self.moving_mean.assign(self.moving_mean.value * keep + ops.stop_gradient(mean) * blend)
        self.moving_variance.assign(
            self.moving_variance.value * keep + ops.stop_gradient(variance) * blend)

    def compute_output_shape(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape):
            raise ValueError(
                f"BatchNormalization '{self.name}': axis {self.axis} is out of bounds for "
                f"input shape {tuple(input_shape)}"
            )
        return tuple(input_shape)

    def get_config(self):
        serialize = serialization_lib.serialize_keras_object
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "moving_mean_initializer": serialize(self.moving_mean_initializer),
            "moving_variance_initializer": serialize(self.moving_variance_initializer),
            "beta_regularizer": serialize(self.beta_regularizer),
            "gamma_regularizer": serialize(self.gamma_regularizer),
            "beta_constraint": serialize(self.beta_constraint),
            "gamma_constraint": serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }
