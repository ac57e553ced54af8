"""``AdditiveAttention``: Bahdanau-style attention, scores_ij = Σ_d s_d tanh(Q_id + K_jd).

The same layer as ``Attention`` (masks, softmax, weights times value) with a different score:
a sum over the features of tanh(query + key), weighted by a trainable vector ``scale``
(shape (dim,), Glorot-initialised) with ``use_scale`` (the default), by ones without.
"""

from nbkeras import ops
from nbkeras.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention layer (``keras.layers.AdditiveAttention``), called on
    ``[query, value]`` or ``[query, value, key]``."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=[input_shape[0][-1]],
                                         initializer="glorot_uniform")

    def _calculate_scores(self, query, key):
        q = ops.expand_dims(query, -2)  # (batch, Tq, 1, dim)
        k = ops.expand_dims(key, -3)  # (batch, 1, Tv, dim)
        terms = ops.tanh(q + k)
        if self.use_scale:
            terms = self.scale * terms
        return ops.sum(terms, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
