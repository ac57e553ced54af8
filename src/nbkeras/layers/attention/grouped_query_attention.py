"""``GroupedQueryAttention`` (``keras.layers.GroupQueryAttention``): Ainslie et al.'s grouped
query attention.

Like multi-head attention with ``num_query_heads`` query heads, but the keys and values have only
``num_key_value_heads`` heads, each shared by a group of num_query_heads / num_key_value_heads
query heads (the key and value heads are repeated before attending). With one key-value head
this is multi-query attention; with as many as query heads, multi-head attention. Fewer key and
value heads mean smaller key/value projections and caches.
"""

import math

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.activations.softmax import Softmax
from nbkeras.layers.attention.multi_head_attention import (
    AttentionProjections,
    check_attention_mask,
    combine_attention_masks,
    masked_softmax,
    without_mask,
)
from nbkeras.layers.core.einsum_dense import EinsumDense
from nbkeras.layers.layer import Layer
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.random.seed_generator import SeedGenerator


class GroupedQueryAttention(AttentionProjections, Layer):
    """Grouped query attention: called as ``layer(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)`` on query
    (B, T, dim) and value, key (B, S, dim); returns (B, T, dim)."""

    _keras_class_name = "GroupQueryAttention"  # the name Keras exports and saves

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        if flash_attention:
            raise ValueError("GroupedQueryAttention: flash attention is not supported by "
                             "nbkeras")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(
                "`num_query_heads` must be divisible by `num_key_value_heads`; received "
                f"num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}"
            )
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None and (
                not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(
                "`sliding_window` must be `None` or a positive integer. "
                f"Received: sliding_window={sliding_window}"
            )
        self.sliding_window = sliding_window
        self._store_weight_options(kernel_initializer, bias_initializer, kernel_regularizer,
                                   bias_regularizer, activity_regularizer, kernel_constraint,
                                   bias_constraint)
        # Keras sets the layer's own activity regularizer too (and the projections')
        self.activity_regularizer = self._activity_regularizer
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))

    kernel_initializer = property(lambda self: self._kernel_initializer)
    bias_initializer = property(lambda self: self._bias_initializer)
    kernel_regularizer = property(lambda self: self._kernel_regularizer)
    bias_regularizer = property(lambda self: self._bias_regularizer)
    kernel_constraint = property(lambda self: self._kernel_constraint)
    bias_constraint = property(lambda self: self._bias_constraint)

    def _dropout_rate(self):
        return self.dropout

    def _dense(self, equation, output_shape, bias_axes, name, **extra):
        return EinsumDense(equation, output_shape=output_shape,
                           bias_axes=bias_axes if self.use_bias else None, name=name, **extra,
                           **self._common_sublayer_kwargs())

    def build(self, query_shape, value_shape, key_shape=None):
        # b batch, q query length, k key length, m model dim, u query heads, v key/value
        # heads, h head dim
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        self._query_dense = self._dense("bqm,muh->bquh",
                                        (None, self.num_query_heads, self.head_dim), "uh",
                                        "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._dense("bkm,mvh->bkvh",
                                      (None, self.num_key_value_heads, self.head_dim), "vh",
                                      "key")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh",
                                           (None, self.num_query_heads, self.head_dim), "uh",
                                           "gate", activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._dense("bkm,mvh->bkvh",
                                        (None, self.num_key_value_heads, self.head_dim), "vh",
                                        "value")
        self._value_dense.build(value_shape)
        self._seed_generator = SeedGenerator(self.seed) if self.dropout > 0 else None
        # Keras' Softmax and Dropout sub-layers (see MultiHeadAttention.build)
        self._softmax = Softmax(axis=-1, dtype=self.dtype)
        self._dropout_layer = Dropout(rate=self.dropout, dtype=self.dtype, seed=self.seed)
        self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m",
                                         "attention_output")
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
        attention_mask = combine_attention_masks(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask,
            self.sliding_window)
        if attention_mask is not None:
            check_attention_mask(self, attention_mask,
                                 (query.shape[0], query.shape[1], value.shape[1]))
        query, value, key = without_mask(query), without_mask(value), without_mask(key)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        if not return_attention_scores and not (training and self.dropout > 0):
            mask = None if attention_mask is None else attention_mask[:, None]
            output = ops.dot_product_attention(q, k, v, mask=mask,
                                               scale=self._inverse_sqrt_head_dim)
            scores = None
        else:
            q = ops.multiply(q, self._inverse_sqrt_head_dim)
            scores = ops.einsum("bquh,bkuh->buqk", q, k)
            mask = None if attention_mask is None else attention_mask[:, None]
            scores = masked_softmax(scores, mask, (-1,))
            output = ops.einsum("buqk,bkuh->bquh", self._dropout_scores(scores, training), v)
        output = self._output_dense(ops.multiply(output, gate) if gate is not None else output)
        return (output, scores) if return_attention_scores else output

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"Layer '{self.name}': the last dimension of `query_shape` and `value_shape` "
                f"must be equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                f"query_shape={tuple(query_shape)}, value_shape={tuple(value_shape)}"
            )
        self._check_key_value(value_shape, key_shape)
        return tuple(query_shape)

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        shape = self.compute_output_shape(query.shape, value.shape,
                                          None if key is None else key.shape)
        output = KerasTensor(shape, dtype=self.compute_dtype)
        if return_attention_scores:
            kv_length = value.shape[1] if key is None else key.shape[1]
            return output, KerasTensor((query.shape[0], self.num_query_heads, query.shape[1],
                                        kv_length), dtype=self.compute_dtype)
        return output

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {
            **config,
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            **self._weight_options_config(),
            "seed": self.seed,
        }


GroupQueryAttention = GroupedQueryAttention
