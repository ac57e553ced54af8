"""``Attention``: Luong-style (dot-product) attention over [query, value(, key)].

With query Q (batch, Tq, dim) and key K (batch, Tv, dim) (the value V when no key is given):

- ``score_mode="dot"``: scores = Q K^T, times a trainable scalar ``scale`` with ``use_scale``;
- ``score_mode="concat"``: scores_ij = c · Σ_d tanh(Q_id + K_jd) (times ``scale`` inside the
  tanh with ``use_scale``), c a trainable scalar;

then weights = softmax(scores) over the keys and output = weights V. A value mask hides padded
keys (their scores get 1e9 subtracted), a query mask zeroes the outputs of padded queries, and
``use_causal_mask`` hides the keys after each query.
"""

import numpy as np

from nbkeras import ops, random
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.layer import Layer
from nbkeras.random.seed_generator import SeedGenerator

PADDING_PENALTY = 1.0e9
"""What Keras subtracts from the scores of masked keys (float32)."""


class Attention(Layer):
    """Dot-product attention layer (``keras.layers.Attention``), called on
    ``[query, value]`` or ``[query, value, key]`` with optional ``mask=[query_mask,
    value_mask]``; returns (batch, Tq, dim), and the attention weights with
    ``return_attention_scores``."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if self.dropout > 0:
            self.seed_generator = SeedGenerator(seed=seed)
        if self.score_mode not in ["dot", "concat"]:
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )
        self.supports_masking = True

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    def _calculate_scores(self, query, key):
        """(batch, Tq, Tv) scores."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, (0, 2, 1)) if key.ndim == 3 else
                                ops.transpose(key, tuple(range(key.ndim - 2))
                                              + (key.ndim - 1, key.ndim - 2)))
            if self.scale is not None:
                scores = ops.multiply(scores, self.scale)
            return scores
        q = ops.expand_dims(query, -2)  # (batch, Tq, 1, dim)
        k = ops.expand_dims(key, -3)  # (batch, 1, Tv, dim)
        pairs = q + k if self.scale is None else self.scale * (q + k)
        return self.concat_score_weight * ops.sum(ops.tanh(pairs), axis=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        if scores_mask is not None:
            padding = np.logical_not(scores_mask)
            if padding.ndim == 2:
                padding = padding[:, None, :]
            scores = ops.where(padding, scores - np.asarray(PADDING_PENALTY, scores.dtype),
                               scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(weights, value), weights

    def _calculate_score_mask(self, scores, v_mask, use_causal_mask):
        if not use_causal_mask:
            return v_mask
        causal = np.tril(np.ones(scores.shape[-2:], np.bool_))[None]
        if v_mask is not None:
            return np.logical_and(v_mask[:, None, :], causal)
        return causal

    def _check_mask(self, mask, inputs, which):
        expected = (inputs[0].shape[0], inputs[which].shape[1])
        if mask is not None and tuple(np.shape(mask)) != expected:
            name = ["query", "value"][which]
            raise ValueError(
                f"Layer '{self.name}': the {name} mask must have shape (batch_size, "
                f"{name}_length) = {expected}; received a mask of shape {np.shape(mask)}"
            )

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs=inputs, mask=mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = _as_bool(mask[0]) if mask else None
        v_mask = _as_bool(mask[1]) if mask else None
        self._check_mask(q_mask, inputs, 0)
        self._check_mask(v_mask, inputs, 1)
        scores = self._calculate_scores(query=q, key=k)
        scores_mask = self._calculate_score_mask(scores, v_mask, use_causal_mask)
        output, weights = self._apply_scores(scores, v, scores_mask, training)
        if q_mask is not None:
            output = ops.where(q_mask[..., None], output, np.zeros((), output.dtype))
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs=inputs, mask=mask)
        if mask is None or mask[0] is None:
            return None
        if isinstance(mask[0], KerasTensor):  # in a graph: the query's mask, as it is
            return mask[0]
        return ops.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(self.compute_output_shape([query.shape, value.shape]),
                             dtype=self.compute_dtype)
        if return_attention_scores:
            return output, KerasTensor((*query.shape[:-1], key.shape[-2]),
                                       dtype=self.compute_dtype)
        return output

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: inputs={inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                f"[query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                    f"Received: mask={mask}."
                )
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. Received: "
                    f"inputs={inputs}, mask={mask}."
                )

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


def _as_bool(mask):
    if mask is None:
        return None
    return np.asarray(mask._value if hasattr(mask, "_value") else mask).astype(np.bool_)
