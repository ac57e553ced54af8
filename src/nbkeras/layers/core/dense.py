"""``Dense``: ``activation(inputs @ kernel + bias)``.

The kernel has shape ``(input_dim, units)`` and contracts the *last* axis of the input only, so
a rank-3 input ``(batch, steps, input_dim)`` gives ``(batch, steps, units)`` with one kernel
shared by every step. The backward pass comes from the ops: with ``Y = X W + b`` and upstream
cotangent ``G``, ``dX = G W^T``, ``dW = X^T G`` (summed over every leading axis) and
``db = sum of G`` over every axis but the last (chapter 7 derives it).
"""

from nbkeras import activations, constraints, initializers, ops, regularizers
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


class Dense(Layer):
    """A densely connected layer (``keras.layers.Dense``)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Dense: received an invalid value for units, expected a positive integer; "
                f"got units={units!r}"
            )
        if lora_rank is not None or quantization_config is not None:
            raise ValueError("Dense: LoRA and quantization are not supported by nbkeras")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense '{self.name}': the last dimension of the inputs must be known, got "
                f"input shape {tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs, training=None):
        if self.bias is not None:  # matmul then add, recorded as one step (see matmul_add)
            x = ops.linalg.matmul_add(inputs, self.kernel, self.bias)
        else:
            x = ops.matmul(inputs, self.kernel)
        if self.activation is not None:
            x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialization_lib.serialize_keras_object(
                self.kernel_initializer),
            "bias_initializer": serialization_lib.serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialization_lib.serialize_keras_object(
                self.kernel_regularizer),
            "bias_regularizer": serialization_lib.serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialization_lib.serialize_keras_object(
                self.kernel_constraint),
            "bias_constraint": serialization_lib.serialize_keras_object(self.bias_constraint),
            "quantization_config": None,
        }
