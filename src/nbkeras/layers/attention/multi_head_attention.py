"""``MultiHeadAttention``: Vaswani et al.'s attention, with ``num_heads`` heads in parallel.

Each head projects the query, key and value to ``key_dim`` (``value_dim``) features with its own
weights, attends, softmax(Q K^T / sqrt(key_dim)) V, and an output projection mixes the heads
back to the query's features (or ``output_shape``). The four projections are ``EinsumDense``
layers named ``query``, ``key``, ``value`` and ``attention_output`` (Keras' weights, in Keras'
order). The attention itself runs on the fused ``dot_product_attention`` primitive; when the
scores are asked for (``return_attention_scores``), when dropout is active, or over several
``attention_axes``, it is written out as Keras does: an einsum, a masked softmax, an einsum.

Masks: ``attention_mask`` (batch, T, S) keeps the True pairs; the Keras masks of query, value and
key (``Embedding(mask_zero=True)``) and ``use_causal_mask`` (no key after the query) are combined
with it.
"""

import math
import string

import numpy as np

from nbkeras import constraints, initializers, ops, random, regularizers
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.activations.softmax import Softmax
from nbkeras.layers.core.einsum_dense import EinsumDense
from nbkeras.layers.layer import Layer, keras_mask
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.random.seed_generator import SeedGenerator
from nbkeras.saving import serialization_lib
from nbkeras.tensor import Tensor

SOFTMAX_MASK_VALUE = -1e9
"""What Keras' Softmax layer puts in place of masked scores (float32)."""


def _letters(i):
    return string.ascii_lowercase[i]


def build_projection_equation(free_dims, bound_dims, output_dims):
    """(equation, bias axes, output rank) of a projection that keeps ``free_dims`` input axes,
    contracts ``bound_dims`` and adds ``output_dims``: (2, 1, 2) gives "abc,cde->abde"."""
    free = "".join(_letters(i) for i in range(free_dims))
    bound = "".join(_letters(free_dims + i) for i in range(bound_dims))
    out = "".join(_letters(free_dims + bound_dims + i) for i in range(output_dims))
    return f"{free}{bound},{bound}{out}->{free}{out}", out, len(free) + len(out)


def build_attention_equation(rank, attention_axes):
    """(dot-product equation, combine equation, scores rank) for projected tensors of ``rank``
    whose ``attention_axes`` are attended over (the last axis holds the features; the others,
    heads included, are batch axes)."""
    target = "".join(_letters(i) for i in range(rank))
    batch_dims = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _letters(offset)
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attention_axes]
                      + [source[i] for i in attention_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _output_shape(output_rank, known_last_dims):
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


def _shape_of(x):
    return None if x is None else tuple(x.shape)


def causal_mask(query_length, key_length):
    """(1, T, S) bool: query i sees keys 0..i."""
    return np.tril(np.ones((query_length, key_length), np.bool_))[None]


def sliding_window_mask(query_length, key_length, window):
    rows = np.arange(query_length)[:, None]
    cols = np.arange(key_length)[None, :]
    return (np.abs(rows - cols) < window)[None]


def combine_attention_masks(query, value, query_mask=None, value_mask=None, key_mask=None,
                            attention_mask=None, use_causal_mask=False, sliding_window=None):
    """Keras' ``_compute_attention_mask``: the padding masks of the query (B, T, 1), value and
    key (B, 1, S), the causal and sliding-window masks (1, T, S) and ``attention_mask``
    (B, T, S), and-ed together; None when there is none."""
    def as_bool(m):
        return np.asarray(m._value if hasattr(m, "_value") else m).astype(np.bool_)

    auto = None

    def both(a, b):
        return b if a is None else a & b

    if query_mask is not None:
        auto = as_bool(query_mask)[:, :, None]
    if value_mask is not None:
        auto = both(auto, as_bool(value_mask)[:, None, :])
    if key_mask is not None:
        auto = both(auto, as_bool(key_mask)[:, None, :])
    t, s = query.shape[1], value.shape[1]
    if use_causal_mask:
        auto = both(auto, causal_mask(t, s))
    if sliding_window is not None:
        auto = both(auto, sliding_window_mask(t, s, sliding_window))
    if attention_mask is not None:
        attention_mask = as_bool(attention_mask)
    if auto is not None:
        attention_mask = auto if attention_mask is None else attention_mask & auto
    return attention_mask


def masked_softmax(scores, mask, axes):
    """Keras' Softmax layer with a mask: masked scores become -1e9, then softmax over ``axes``
    (several axes: exp(x - logsumexp(x)))."""
    if mask is not None:
        scores = ops.where(mask, scores, np.asarray(SOFTMAX_MASK_VALUE, scores.dtype))
    if len(axes) > 1:
        return ops.exp(ops.subtract(scores, ops.logsumexp(scores, axis=axes, keepdims=True)))
    return ops.softmax(scores, axis=axes[0])


def without_mask(x):
    """``x`` as a tensor without its Keras mask (the same tensor for the tape): the attention
    layers consume the masks themselves, as Keras does, so the projections do not see them."""
    if keras_mask(x) is None:
        return x
    return Tensor(x._value, _id=x._id)


def check_attention_mask(layer, mask, expected):
    """Raise a ValueError naming the layer unless ``mask`` broadcasts to ``expected``
    (batch, query_length, key_length)."""
    shape = np.shape(mask)
    if len(shape) > len(expected) or any(
            m not in (1, e) for m, e in zip(shape[::-1], expected[::-1], strict=False)):
        raise ValueError(
            f"Layer '{layer.name}': the attention mask of shape {shape} does not match the "
            f"attention scores: expected a shape that broadcasts to (batch_size, "
            f"query_length, key_length) = {tuple(expected)}"
        )


class AttentionProjections:
    """What MultiHeadAttention and GroupedQueryAttention share: the sublayers' common options,
    building on query, value and key shapes, and the config of the weight options."""

    def _common_sublayer_kwargs(self):
        """Options of every projection; each gets its own copy of the initializers, so that two
        projections do not draw the same weights."""
        def fresh(init):
            return type(init).from_config(init.get_config()) if hasattr(
                type(init), "from_config") else init

        return {
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype,
            "kernel_initializer": fresh(self._kernel_initializer),
            "bias_initializer": fresh(self._bias_initializer),
        }

    def _store_weight_options(self, kernel_initializer, bias_initializer, kernel_regularizer,
                              bias_regularizer, activity_regularizer, kernel_constraint,
                              bias_constraint):
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)

    def _weight_options_config(self):
        def serialize(obj):
            return serialization_lib.serialize_keras_object(obj)

        return {
            "kernel_initializer": serialize(self._kernel_initializer),
            "bias_initializer": serialize(self._bias_initializer),
            "kernel_regularizer": serialize(self._kernel_regularizer),
            "bias_regularizer": serialize(self._bias_regularizer),
            "activity_regularizer": serialize(self._activity_regularizer),
            "kernel_constraint": serialize(self._kernel_constraint),
            "bias_constraint": serialize(self._bias_constraint),
        }

    def __call__(self, query, value, key=None, **kwargs):
        # build needs the shapes of value and key too (Layer.__call__ passes the first input's)
        if not self.built:
            self._build_shapes = (_shape_of(value), _shape_of(key))
        if key is not None:
            kwargs["key"] = key
        return super().__call__(query, value, **kwargs)

    def _maybe_build(self, inputs):
        if not self.built:
            value_shape, key_shape = getattr(self, "_build_shapes", (None, None))
            if value_shape is None:
                raise ValueError(f"Layer '{self.name}' needs a value to be built")
            self.build(tuple(inputs.shape), value_shape, key_shape)

    def _check_key_value(self, value_shape, key_shape):
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"Layer '{self.name}': all dimensions of `value` and `key`, except the last "
                f"one, must be equal. Received: value_shape={tuple(value_shape)} and "
                f"key_shape={tuple(key_shape)}"
            )

    def _dropout_scores(self, scores, training):
        if training and self._dropout_rate() > 0:
            return random.dropout(scores, self._dropout_rate(), seed=self._seed_generator)
        return scores


class MultiHeadAttention(AttentionProjections, Layer):
    """Multi-head attention (``keras.layers.MultiHeadAttention``).

    Called as ``layer(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)`` on query (B, T, dim)
    and value, key (B, S, dim); returns (B, T, dim) (or ``output_shape``), and the scores
    (B, num_heads, T, S) with ``return_attention_scores``.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        for name, value in [("num_heads", num_heads), ("key_dim", key_dim)]:
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"MultiHeadAttention: received an invalid value for argument `{name}`, "
                    f"expected a positive integer. Received: {name}={value!r}"
                )
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError(
                "MultiHeadAttention: received an invalid value for argument `value_dim`, "
                f"expected a positive integer or `None`. Received: value_dim={value_dim!r}"
            )
        if flash_attention:
            raise ValueError("MultiHeadAttention: flash attention is not supported by nbkeras")
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else \
                tuple(output_shape)
        self._output_shape = output_shape
        self._flash_attention = False
        self._store_weight_options(kernel_initializer, bias_initializer, kernel_regularizer,
                                   bias_regularizer, activity_regularizer, kernel_constraint,
                                   bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                "MultiHeadAttention: `attention_axes` must be an int, list, or tuple. "
                f"Received: attention_axes={attention_axes}"
            )
        self._attention_axes = attention_axes
        if sliding_window is not None and (
                not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(
                "`sliding_window` must be `None` or a positive integer. "
                f"Received: sliding_window={sliding_window}"
            )
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def _dropout_rate(self):
        return self._dropout

    def _projection(self, input_rank, bound, output_dims, name, **extra):
        equation, bias_axes, output_rank = build_projection_equation(input_rank - 1, bound,
                                                                     len(output_dims))
        return EinsumDense(equation, output_shape=_output_shape(output_rank - 1, output_dims),
                           bias_axes=bias_axes if self._use_bias else None, name=name,
                           **extra, **self._common_sublayer_kwargs())

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self._check_key_value(value_shape, key_shape)
        heads = self._num_heads
        self._query_dense = self._projection(len(query_shape), 1, [heads, self._key_dim],
                                             "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._projection(len(key_shape), 1, [heads, self._key_dim], "key")
        self._key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(len(query_shape), 1, [heads, self._value_dim],
                                                "gate", activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._projection(len(value_shape), 1, [heads, self._value_dim],
                                             "value")
        self._value_dense.build(value_shape)
        rank = len(query_shape) + 1  # the projected rank: (batch, *attended, heads, dim)
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a
                                         for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = \
            build_attention_equation(rank, self._attention_axes)
        self._norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._seed_generator = SeedGenerator(self.seed) if self._dropout > 0 else None
        # Keras' Softmax and Dropout sub-layers: no weights, but their (empty) groups are in
        # Keras' weights files and their names count; the computation uses fused kernels.
        self._softmax = Softmax(axis=self._norm_axes, dtype=self.dtype)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype, seed=self.seed)
        output_dims = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        self._output_dense = self._projection(len(query_shape), 2, output_dims,
                                              "attention_output")
        projected = list(self._query_dense.compute_output_shape(query_shape))
        projected[-1] = self._value_dim
        self._output_dense.build(tuple(projected))

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """(output (B, T, heads, value_dim), scores or None) for projected q, k, v."""
        fused = query.ndim == 4 and not return_attention_scores and not (
            training and self._dropout > 0)
        if fused:
            if attention_mask is not None:
                attention_mask = np.asarray(attention_mask)[:, None]  # the heads axis
            return ops.dot_product_attention(query, key, value, mask=attention_mask,
                                             scale=self._inverse_sqrt_key_dim), None
        query = ops.multiply(query, np.asarray(self._inverse_sqrt_key_dim, query.dtype))
        scores = ops.einsum(self._dot_product_equation, key, query)
        if attention_mask is not None:
            attention_mask = np.asarray(attention_mask)
            axis = -len(self._attention_axes) * 2 - 1
            while attention_mask.ndim < scores.ndim:
                attention_mask = np.expand_dims(attention_mask, axis)
        scores = masked_softmax(scores, attention_mask, self._norm_axes)
        output = ops.einsum(self._combine_equation, self._dropout_scores(scores, training),
                            value)
        return output, scores

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
        query_mask = keras_mask(query)  # as Keras: the query's own mask
        attention_mask = combine_attention_masks(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask,
            self._sliding_window)
        if attention_mask is not None:
            check_attention_mask(self, attention_mask, (query.shape[0],) + tuple(
                query.shape[1:-1]) + tuple(value.shape[1:-1]))
        query, value, key = without_mask(query), without_mask(value), without_mask(key)
        gate = self._gate_dense(query) if self._use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        output, scores = self._compute_attention(q, k, v, attention_mask, training,
                                                 return_attention_scores)
        output = self._output_dense(ops.multiply(output, gate) if gate is not None
                                    else output)
        if query_mask is not None:
            output._keras_mask = query_mask
        return (output, scores) if return_attention_scores else output

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_key_value(value_shape, key_shape)
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        shape = self.compute_output_shape(query.shape, value.shape, _shape_of(key))
        output = KerasTensor(shape, dtype=self.compute_dtype)
        if return_attention_scores:
            # (batch, heads, T, S); Keras 3.15's symbolic shape repeats T for S, a slip
            source = (key if key is not None else value).shape[1]
            return output, KerasTensor((query.shape[0], self.num_heads, query.shape[1], source),
                                       dtype=self.compute_dtype)
        return output

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            **self._weight_options_config(),
            "seed": self.seed,
        }
