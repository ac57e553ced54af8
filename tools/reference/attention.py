"""Reference cases for the attention layers: EinsumDense, MultiHeadAttention,
GroupQueryAttention, Attention and AdditiveAttention.

Every case runs through ``_call_cases.call_case`` (outputs, the attention scores where asked for,
gradients with respect to query, value, key and every weight), with attention masks (including
a fully masked query row), causal masks, several attention axes, gates and sliding windows.
``error/*`` cases record the errors Keras raises for bad input.
"""

import keras
import numpy as np

from reference._call_cases import call_case, error_case
from reference._recorder import Recorder


def layer(name, **kwargs):
    return {"class": name, "kwargs": kwargs}


def arr(key):
    return {"array": key}


def val(value):
    return {"value": value}


def build():
    rec = Recorder("attention", seed=20261202)
    r = rec.rng

    def f32(*shape):
        return r.standard_normal(shape).astype(np.float32)

    b, t, s, d = 2, 4, 6, 5
    q, v, k = f32(b, t, d), f32(b, s, 3), f32(b, s, 4)
    self_attention = {"q": q}
    mask = r.random((b, t, s)) > 0.35
    mask[1, 2] = False  # a query that may attend to nothing
    mask[:, :, 0] = True
    l2 = keras.regularizers.serialize(keras.regularizers.L2(0.01))

    def case(case_id, spec, args, kwargs=None, arrays=None, **options):
        """One call with positional ``args`` and keyword ``kwargs`` (argument specs)."""
        call_case(rec, case_id, spec, [{"args": args, "kwargs": kwargs or {}}], arrays,
                  **options)

    # -- EinsumDense
    x2, x3 = f32(3, 5), f32(2, 3, 5)
    for case_id, kwargs, x in [
        ("einsum_dense/dense_like", {"equation": "ab,bc->ac", "output_shape": 4,
                                     "bias_axes": "c"}, x2),
        ("einsum_dense/sequence", {"equation": "abc,cd->abd", "output_shape": (None, 4),
                                   "bias_axes": "d"}, x3),
        ("einsum_dense/heads", {"equation": "abc,cde->abde", "output_shape": (None, 2, 3),
                                "bias_axes": "de"}, x3),
        ("einsum_dense/left_ellipsis", {"equation": "...b,bc->...c", "output_shape": 4,
                                        "bias_axes": "c"}, x3),
        ("einsum_dense/relu_no_bias", {"equation": "abc,cd->abd", "output_shape": (None, 4),
                                       "activation": "relu"}, x3),
        ("einsum_dense/output_heads", {"equation": "abcd,cde->abe", "output_shape": (None, 4),
                                       "bias_axes": "e"}, f32(2, 3, 2, 3)),
    ]:
        case(case_id, layer("EinsumDense", **kwargs), [arr("x")], arrays={"x": x})

    # -- MultiHeadAttention
    mha = {"num_heads": 2, "key_dim": 3}
    case("mha/self", layer("MultiHeadAttention", **mha), [arr("q"), arr("q")],
         arrays=self_attention)
    case("mha/cross_key_value", layer("MultiHeadAttention", num_heads=2, key_dim=3,
                                      value_dim=2, output_shape=7),
         [arr("q"), arr("v")], {"key": arr("k")}, {"q": q, "v": v, "k": k})
    case("mha/attention_mask", layer("MultiHeadAttention", **mha), [arr("q"), arr("v")],
         {"attention_mask": arr("mask")}, {"q": q, "v": v, "mask": mask})
    case("mha/causal", layer("MultiHeadAttention", **mha), [arr("q"), arr("q")],
         {"use_causal_mask": val(True)}, self_attention)
    case("mha/scores_mask", layer("MultiHeadAttention", **mha), [arr("q"), arr("v")],
         {"attention_mask": arr("mask"), "return_attention_scores": val(True)},
         {"q": q, "v": v, "mask": mask})
    case("mha/scores_causal", layer("MultiHeadAttention", **mha), [arr("q"), arr("q")],
         {"use_causal_mask": val(True), "return_attention_scores": val(True)},
         self_attention)
    case("mha/no_bias", layer("MultiHeadAttention", use_bias=False, **mha),
         [arr("q"), arr("v")], arrays={"q": q, "v": v})
    case("mha/gate", layer("MultiHeadAttention", use_gate=True, **mha), [arr("q"), arr("q")],
         arrays=self_attention)
    case("mha/sliding_window", layer("MultiHeadAttention", sliding_window=2, **mha),
         [arr("q"), arr("q")], arrays=self_attention)
    case("mha/regularized", layer("MultiHeadAttention", kernel_regularizer=l2,
                                  bias_regularizer=l2, **mha),
         [arr("q"), arr("q")], arrays=self_attention)
    case("mha/dropout_inference", layer("MultiHeadAttention", dropout=0.5, seed=1, **mha),
         [arr("q"), arr("v")], {"attention_mask": arr("mask")}, {"q": q, "v": v, "mask": mask})
    image = f32(2, 3, 4, 5)
    case("mha/attention_axes", layer("MultiHeadAttention", attention_axes=(1, 2), **mha),
         [arr("x"), arr("x")], arrays={"x": image})
    case("mha/attention_axis_2", layer("MultiHeadAttention", attention_axes=2, **mha),
         [arr("x"), arr("x")], arrays={"x": image})

    # -- GroupQueryAttention
    gqa = {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2}
    qg, vg = f32(b, t, 6), f32(b, s, 6)
    case("gqa/cross", layer("GroupQueryAttention", **gqa), [arr("q"), arr("v")],
         arrays={"q": qg, "v": vg})
    case("gqa/mask_scores", layer("GroupQueryAttention", **gqa), [arr("q"), arr("v")],
         {"attention_mask": arr("mask"), "return_attention_scores": val(True)},
         {"q": qg, "v": vg, "mask": mask})
    case("gqa/one_kv_head_causal", layer("GroupQueryAttention", head_dim=3, num_query_heads=2,
                                         num_key_value_heads=1),
         [arr("q"), arr("q")], {"use_causal_mask": val(True)}, {"q": qg})

    # -- Attention and AdditiveAttention
    qa, va, ka = f32(b, t, 3), f32(b, s, 3), f32(b, s, 3)
    q_mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    v_mask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
    attention_arrays = {"q": qa, "v": va, "k": ka, "qm": q_mask, "vm": v_mask}
    lists = {"args": [{"arrays": ["q", "v"]}]}
    for name, prefix, variants in [
        ("Attention", "attention", [{}, {"use_scale": True}, {"score_mode": "concat"},
                                    {"score_mode": "concat", "use_scale": True}]),
        ("AdditiveAttention", "additive_attention", [{}, {"use_scale": False}]),
    ]:
        for kwargs in variants:
            suffix = "_".join(f"{k}_{v}" for k, v in kwargs.items()) or "default"
            case(f"{prefix}/{suffix}", layer(name, **kwargs), **lists,
                 arrays=attention_arrays)
        case(f"{prefix}/key_masks_scores", layer(name), [{"arrays": ["q", "v", "k"]}],
             {"mask": {"arrays": ["qm", "vm"]}, "return_attention_scores": val(True)},
             attention_arrays)
        case(f"{prefix}/causal", layer(name), [{"arrays": ["q", "v"]}],
             {"use_causal_mask": val(True)}, attention_arrays)

    # -- bad input
    error_case(rec, "error/mha_key_value_mismatch", layer("MultiHeadAttention", **mha),
               [{"args": [arr("q"), arr("v")], "kwargs": {"key": arr("k")}}],
               {"q": q, "v": v, "k": f32(b, s - 1, 4)})
    error_case(rec, "error/attention_not_a_list", layer("Attention"), [{"args": [arr("q")]}],
               {"q": qa})
    return rec
