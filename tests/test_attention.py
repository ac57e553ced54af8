"""Attention layers against real Keras (tests/reference/attention.*): EinsumDense,
MultiHeadAttention, GroupQueryAttention, Attention and AdditiveAttention, their outputs, scores
and gradients with respect to query, value, key and every weight; their configs; the errors for
bad input; and the float64 gradient checks of the attention and einsum primitives."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils.keras_reference import (
    check_call_case,
    comparable_config,
    load,
    run_call_case,
)

RTOL = 1e-4
CASES = load("attention")
CALL_CASES = [c for c in CASES if not c.id.startswith("error/")]


@pytest.mark.parametrize("case", CALL_CASES, ids=lambda c: c.id)
def test_matches_keras(case):
    check_call_case(case, RTOL)


@pytest.mark.parametrize("case", CALL_CASES, ids=lambda c: c.id)
def test_config_matches_keras(case):
    layer = run_call_case(case)[0]  # built, as Keras' config was recorded
    assert comparable_config(layer.get_config()) == comparable_config(case["config"])
    rebuilt = type(layer).from_config(case["config"])
    assert comparable_config(rebuilt.get_config()) == comparable_config(case["config"])


# -- float64 gradient checks (tests/test_gradients.py runs these tables) ------------------------

_rng = np.random.default_rng(12)


def _normal(*shape):
    return _rng.standard_normal(shape)


_KEEP = _rng.random((2, 1, 3, 4)) > 0.3
_KEEP[0, 0, 1] = False  # a query that sees no key: uniform weights, no gradient to its logits

GRADIENT_CASES = {
    "dot_product_attention": [
        (lambda q, k, v: ops.dot_product_attention(q, k, v, mask=_KEEP),
         [_normal(2, 3, 2, 3), _normal(2, 4, 2, 3), _normal(2, 4, 2, 2)]),
        (lambda q, k, v: ops.dot_product_attention(q, k, v, is_causal=True, scale=0.7),
         [_normal(1, 4, 3, 2), _normal(1, 4, 3, 2), _normal(1, 4, 3, 2)]),
    ],
    "einsum": [
        (lambda x, w: ops.einsum("abc,cde->abde", x, w), [_normal(2, 3, 4), _normal(4, 2, 3)]),
        (lambda x, w: ops.einsum("...b,bc->...c", x, w), [_normal(2, 3, 4), _normal(4, 5)]),
        (lambda a, b: ops.einsum("ij,k->ik", a, b), [_normal(2, 3), _normal(4)]),
    ],
}


# -- errors for bad input ---------------------------------------------------------------------

def _keras_error(case_id):
    return next(c for c in CASES if c.id == case_id)["error"]


def test_key_and_value_of_different_lengths_are_refused_naming_the_shapes():
    print(_keras_error("error/mha_key_value_mismatch"))
    layer = layers.MultiHeadAttention(2, 3, name="mha")
    q, v = np.zeros((2, 4, 5), np.float32), np.zeros((2, 6, 3), np.float32)
    with pytest.raises(ValueError, match=r"Layer 'mha'.*value_shape=\(2, 6, 3\) and "
                                         r"key_shape=\(2, 5, 4\)"):
        layer(q, v, key=np.zeros((2, 5, 4), np.float32))


def test_an_attention_mask_of_the_wrong_shape_is_refused():
    q = np.zeros((2, 4, 5), np.float32)
    for layer in [layers.MultiHeadAttention(2, 3, name="att"),
                  layers.GroupQueryAttention(3, 2, 1, name="att")]:
        with pytest.raises(ValueError, match=r"Layer 'att'.*\(2, 4, 3\).*\(2, 4, 4\)"):
            layer(q, q, attention_mask=np.ones((2, 4, 3), bool))
    with pytest.raises(ValueError, match=r"Layer 'dot'.*value mask.*\(2, 4\).*\(2, 3\)"):
        layers.Attention(name="dot")([q, q], mask=[None, np.ones((2, 3), bool)])


def test_attention_needs_a_list_of_inputs():
    assert "list of inputs" in _keras_error("error/attention_not_a_list")
    with pytest.raises(ValueError, match=r"must be called on a list of inputs"):
        layers.Attention()(np.zeros((2, 3, 4), np.float32))


def test_dot_product_attention_checks_its_mask():
    q = np.zeros((2, 3, 1, 4), np.float32)
    with pytest.raises(ValueError, match=r"mask of shape \(2, 5\) does not broadcast.*"
                                         r"\(2, 1, 3, 3\)"):
        ops.dot_product_attention(q, q, q, mask=np.ones((2, 5), bool))


# -- behaviour --------------------------------------------------------------------------------

def test_the_fused_kernel_equals_the_explicit_scores_path():
    # return_attention_scores switches MultiHeadAttention to einsum + masked softmax + einsum
    rng = np.random.default_rng(0)
    q = ops.convert_to_tensor(rng.standard_normal((2, 5, 6)).astype(np.float32))
    mask = rng.random((2, 5, 5)) > 0.4
    layer = layers.MultiHeadAttention(3, 4)
    results = []
    for scores in (False, True):
        with keras.GradientTape() as tape:
            tape.watch(q)
            out = layer(q, q, attention_mask=mask, use_causal_mask=True,
                        return_attention_scores=scores)
            out = out[0] if scores else out
            total = ops.sum(out * out)
        results.append([out, *tape.gradient(total, [q, *layer.trainable_weights])])
    for fused, explicit in zip(*results, strict=True):
        np.testing.assert_allclose(fused.numpy(), explicit.numpy(), rtol=1e-5, atol=1e-6)


def test_the_weights_of_a_causal_self_attention_are_lower_triangular():
    q = np.random.default_rng(1).standard_normal((1, 4, 6)).astype(np.float32)
    _, scores = layers.MultiHeadAttention(2, 3)(q, q, use_causal_mask=True,
                                                return_attention_scores=True)
    scores = scores.numpy()
    assert scores.shape == (1, 2, 4, 4)
    np.testing.assert_array_equal(np.triu(scores[0, 0], 1), 0)
    np.testing.assert_allclose(scores.sum(-1), 1, rtol=1e-6)


def test_the_value_mask_of_an_embedding_reaches_multi_head_attention():
    ids = np.array([[3, 1, 4, 0], [2, 7, 0, 0]])
    embedding = layers.Embedding(10, 6, mask_zero=True)
    x = embedding(ids)
    layer = layers.MultiHeadAttention(2, 3)
    auto = layer(x, x)
    mask = (ids != 0)[:, :, None] & (ids != 0)[:, None, :]
    np.testing.assert_allclose(auto.numpy(), layer(x, x, attention_mask=mask).numpy(),
                               rtol=1e-6)
    np.testing.assert_array_equal(auto._keras_mask.numpy(), ids != 0)


def test_attention_dropout_acts_only_in_training_and_repeats_with_a_seed():
    q = np.random.default_rng(2).standard_normal((2, 5, 4)).astype(np.float32)

    def make():
        layer = layers.MultiHeadAttention(2, 2, dropout=0.5, seed=4)
        layer(q, q)
        layer.set_weights([np.full(w.shape, 0.3, np.float32) for w in layer.get_weights()])
        return layer

    a, b = make(), make()
    np.testing.assert_array_equal(a(q, q).numpy(), a(q, q, training=False).numpy())
    trained = a(q, q, training=True).numpy()
    assert not np.allclose(trained, a(q, q).numpy())
    np.testing.assert_array_equal(b(q, q, training=True).numpy(), trained)
