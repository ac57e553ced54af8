"""``EinsumDense``: a dense layer whose product is any einsum, ``einsum(equation, x, kernel)``.

``EinsumDense("abc,cd->abd", output_shape=(None, 64))`` is ``Dense(64)`` on a sequence;
``"abc,cde->abde"`` with output shape (None, 8, 16) projects each step's features to 8 heads of
16 values, which is how MultiHeadAttention builds its query, key and value projections. The
equation is ``input,kernel->output`` (letters, with optional ``...`` for the leading or
trailing input axes); the kernel's shape is read off it: each kernel letter takes its size from
the output shape if the output has it, else from the input. ``bias_axes`` (letters of the
output) adds a bias along those axes. The gradients are einsums too (``ops.einsum``).
"""

import re

from nbkeras import activations, constraints, initializers, ops, regularizers
from nbkeras.initializers.random_initializers import VarianceScaling
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


def analyze_einsum_string(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape, kernel input axes, kernel output
    axes) for ``equation`` on ``input_shape``, ``output_shape`` giving the output's axes after
    the first (None entries stay unknown in the full output shape, as in Keras)."""
    replaced = equation.replace("...", "0")
    patterns = [("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
                ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
                ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False)]
    for pattern, left_elided in patterns:
        match = re.fullmatch(pattern, replaced)
        if match:
            return _analyze_split(*match.groups(), bias_axes, tuple(input_shape),
                                  output_shape, left_elided)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], "
        "...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def _analyze_split(input_spec, weight_spec, output_spec, bias_axes, input_shape, output_shape,
                   left_elided):
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        output_shape.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        input_dims = {dim: i + elided - len(input_shape) for i, dim in enumerate(input_spec)}
        output_dims = {dim: i + elided for i, dim in enumerate(output_spec)}
    else:
        input_dims = {dim: i for i, dim in enumerate(input_spec)}
        output_dims = {dim: i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        size = input_shape[input_dims[dim]]
        if dim in output_dims:
            out = output_shape[output_dims[dim]]
            if out is not None and out != size:
                raise ValueError(
                    f"Input shape and output shape do not match at shared dimension '{dim}'. "
                    f"Input shape is {size}, and output shape is {out}."
                )
            # a None of output_shape stays None (Keras' full output shape does not fill it in)
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(
                f"Dimension '{dim}' was specified in the output '{output_spec}' but has no "
                f"corresponding dim in the input spec '{input_spec}' or weight spec "
                f"'{weight_spec}'"
            )
    weight_shape, input_axes, output_axes = [], [], []
    for i, dim in enumerate(weight_spec):
        if dim in output_dims:
            weight_shape.append(output_shape[output_dims[dim]])
            output_axes.append(i)
        elif dim in input_dims:
            weight_shape.append(input_shape[input_dims[dim]])
            input_axes.append(i)
        else:
            raise ValueError(
                f"Weight dimension '{dim}' did not have a match in either the input spec "
                f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the "
                "weight must be fully specified."
            )
    bias_shape = None
    if bias_axes is not None:
        offset = elided if left_elided else 0
        sizes = {c: output_shape[i + offset] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(
                    f"Bias dimension '{c}' was requested, but is not part of the output spec "
                    f"'{output_spec}'"
                )
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * elided)
    return weight_shape, bias_shape, output_shape, input_axes, output_axes


class EinsumDense(Layer):
    """A layer computing ``activation(einsum(equation, inputs, kernel) + bias)``
    (``keras.layers.EinsumDense``)."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        if lora_rank is not None or quantization_config is not None:
            raise ValueError("EinsumDense: LoRA and quantization are not supported by nbkeras")
        super().__init__(**kwargs)
        if not isinstance(equation, str):
            raise ValueError(f"EinsumDense: equation must be a string, got {equation!r}")
        self.equation = equation
        self.partial_output_shape = ((output_shape,) if isinstance(output_shape, int)
                                     else tuple(output_shape))
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = None
        self.lora_alpha = None
        self.quantization_config = None

    def _kernel_initializer_for(self, input_axes, output_axes):
        """A variance-scaling initializer counts its fans along the einsum's axes (a kernel
        (features, heads, head_dim) has fan_in = features, fan_out = heads · head_dim)."""
        init = self.kernel_initializer
        if not isinstance(init, VarianceScaling) or (
                init.input_axes is not None and init.output_axes is not None):
            return init
        config = {**init.get_config(), "seed": init.seed, "input_axes": input_axes,
                  "output_axes": output_axes}
        return type(init).from_config(config) if hasattr(type(init), "from_config") else \
            type(init)(**config)

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.kernel = self.add_weight(
            name="kernel", shape=tuple(kernel_shape),
            initializer=self._kernel_initializer_for(input_axes, output_axes),
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(
                name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None

    def compute_output_shape(self, input_shape):
        return tuple(analyze_einsum_string(self.equation, self.bias_axes, input_shape,
                                           self.partial_output_shape)[2])

    def call(self, inputs, training=None):
        x = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = ops.add(x, self.bias)
        if self.activation is not None:
            x = self.activation(x)
        return x

    def get_config(self):
        def serialize(obj):
            return serialization_lib.serialize_keras_object(obj)

        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "activity_regularizer": serialize(self.activity_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
            "quantization_config": None,
        }
