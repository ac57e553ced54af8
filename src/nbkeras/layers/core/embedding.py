"""``Embedding``: integer ids to rows of a trainable table.

The table has shape ``(input_dim, output_dim)``; ids of shape ``(batch, steps)`` give vectors of
shape ``(batch, steps, output_dim)``. The lookup is a gather, so its backward is a scatter-add:
an id that occurs twice receives both rows' cotangents.
"""

from nbkeras import constraints, initializers, ops, regularizers
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Embedding: {name} must be a positive integer, got {name}={value!r} "
            f"(of type {type(value).__name__})"
        )


class Embedding(Layer):
    """Turn ids in ``[0, input_dim)`` into dense vectors of size ``output_dim``."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, quantization_config=None, **kwargs):
        _positive_int(input_dim, "input_dim")
        _positive_int(output_dim, "output_dim")
        kwargs.pop("input_length", None)  # deprecated in Keras 3, ignored
        if lora_rank is not None or quantization_config is not None:
            raise ValueError("Embedding: LoRA and quantization are not supported by nbkeras")
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False  # ids are not cast to float
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            name="embeddings",
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
            trainable=True,
        )

    def call(self, inputs):
        if inputs.dtype not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        return ops.take(self.embeddings, inputs, axis=0)

    def compute_mask(self, inputs, previous_mask=None):
        """``ids != 0`` when ``mask_zero`` (id 0 is padding), else None."""
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": serialization_lib.serialize_keras_object(
                self.embeddings_initializer),
            "embeddings_regularizer": serialization_lib.serialize_keras_object(
                self.embeddings_regularizer),
            "activity_regularizer": serialization_lib.serialize_keras_object(
                self.activity_regularizer),
            "embeddings_constraint": serialization_lib.serialize_keras_object(
                self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
