"""Scaled dot-product attention (``keras.ops.dot_product_attention``), one fused primitive.

    softmax(scale · Q K^T + masking) V,   scale = 1 / sqrt(head_dim) by default,

for query (batch, T, heads, head_dim) and key, value (batch, S, heads, head_dim), Keras'
layout. Masked logits are replaced by a large negative number (TensorFlow's -0.7 · 3.38953e38),
so they get probability 0 (a row with every key masked gets the uniform distribution, as in
TensorFlow). The forward and backward kernels are in ``kernels/attention.py``; the forward keeps
the probabilities P for the backward pass.
"""

import numpy as np

from nbkeras.autodiff import Primitive
from nbkeras.kernels import attention as K
from nbkeras.ops import _args
from nbkeras.ops.operation import any_symbolic, symbolic_call
from nbkeras.tensor import Tensor


def _heads_first(x):
    return np.ascontiguousarray(x.transpose(0, 2, 1, 3))


def _attention_forward(q, k, v, *, mask, causal, scale):
    q4, k4, v4 = _heads_first(q), _heads_first(k), _heads_first(v)
    probs, out = K.forward(q4, k4, v4, mask, causal, scale)
    return out.transpose(0, 2, 1, 3), (q4, k4, v4, probs, mask, causal, scale)


def _attention_backward(saved, g, needs):
    q4, k4, v4, probs, mask, causal, scale = saved
    grads = K.backward(q4, k4, v4, probs, mask, causal, scale, _heads_first(g))
    return tuple(d.transpose(0, 2, 1, 3) if need else None
                 for d, need in zip(grads, needs, strict=True))


dot_product_attention_p = Primitive("dot_product_attention", _attention_forward,
                                    _attention_backward)


def attention_mask_array(mask, batch, heads, queries, keys, where="ops.dot_product_attention"):
    """``mask`` as the kernels want it: bool (1 or batch, 1 or heads, queries, keys); a mask
    that does not broadcast to (batch, heads, queries, keys) raises, naming both shapes."""
    target = (batch, heads, queries, keys)
    if mask is None:
        return np.ones((1, 1, queries, keys), np.bool_)
    array = np.asarray(mask._value if isinstance(mask, Tensor) else mask)
    shape = array.shape
    if array.ndim > 4 or any(m not in (1, t) for m, t in zip(shape[::-1], target[::-1],
                                                             strict=False)):
        raise ValueError(
            f"{where}: the mask of shape {shape} does not broadcast to the attention logits' "
            f"shape (batch, num_heads, query_length, key_length) = {target}"
        )
    array = array.reshape((1,) * (4 - array.ndim) + shape).astype(np.bool_, copy=False)
    lead = tuple(array.shape[:2])
    return np.ascontiguousarray(np.broadcast_to(array, lead + (queries, keys)))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention, as ``keras.ops.dot_product_attention``: query (B, T, N, H),
    key (B, S, N or fewer heads, H) and value (B, S, same heads, Hv) -> (B, T, N, Hv).
    ``mask`` (bool, broadcast to (B, N, T, S)) keeps the True entries; ``is_causal`` hides
    the keys after each query; ``bias`` is added to the logits."""
    if any_symbolic(query, key, value, bias, mask, scale):
        return symbolic_call("dot_product_attention", locals())
    from nbkeras.ops import add, einsum, multiply, repeat, softmax, where

    if flash_attention:
        raise ValueError("Flash attention is not supported by nbkeras (nor by Keras' "
                         "TensorFlow backend)")
    if attn_logits_soft_cap is not None:
        raise ValueError("ops.dot_product_attention: attn_logits_soft_cap is not supported")
    q, k, v = _args.operands((query, key, value), ("query", "key", "value"),
                             "dot_product_attention")
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(
            "`dot_product_attention` only supports 4D inputs. Received: "
            f"query.shape={q.shape}, key.shape={k.shape}, value.shape={v.shape}."
        )
    if k.shape[:3] != v.shape[:3] or q.shape[0] != k.shape[0] or q.shape[3] != k.shape[3]:
        raise ValueError(
            "ops.dot_product_attention: key and value must agree in batch, length and heads, "
            "and query and key in batch and head_dim; received "
            f"query.shape={q.shape}, key.shape={k.shape}, value.shape={v.shape}"
        )
    heads, kv_heads = q.shape[2], k.shape[2]
    if heads != kv_heads:
        if kv_heads == 0 or heads % kv_heads:
            raise ValueError(
                f"ops.dot_product_attention: the query's {heads} heads must be a multiple of "
                f"the key's {kv_heads} heads"
            )
        k, v = repeat(k, heads // kv_heads, axis=2), repeat(v, heads // kv_heads, axis=2)
    scale = 1.0 / np.sqrt(q.shape[3]) if scale is None else float(scale)
    batch, queries, keys = q.shape[0], q.shape[1], k.shape[1]
    mask_array = attention_mask_array(mask, batch, heads, queries, keys)
    if bias is None:
        return dot_product_attention_p(q, k, v, mask=mask_array, causal=bool(is_causal),
                                       scale=scale)
    # with a bias: the same formula on ops (logits, bias, masking, softmax, product)
    logits = add(multiply(einsum("btnh,bsnh->bnts", q, k), scale), bias)
    keep = np.broadcast_to(mask_array, (batch, heads, queries, keys))
    if is_causal:
        keep = keep & np.tril(np.ones((queries, keys), np.bool_))
    logits = where(keep, logits, np.asarray(-0.7 * 3.38953e38, q.dtype))
    return einsum("bnts,bsnh->btnh", softmax(logits, axis=-1), v)
