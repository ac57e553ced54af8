"""keras.losses and the cross-entropy ops: against real Keras, central differences, extreme
inputs, and the name lookup."""

import numpy as np

from nbkeras import ops

rng = np.random.default_rng(13)


def simplex(*shape):
    """Label rows that sum to 1 along the last axis (TensorFlow's softmax cross-entropy
    gradient is the exact derivative only there)."""
    p = rng.uniform(0.1, 1.0, shape)
    return p / p.sum(axis=-1, keepdims=True)


GRADIENT_CASES = {
    "sigmoid_cross_entropy": [
        (lambda y, x: ops.binary_crossentropy(y, x, from_logits=True),
         [rng.uniform(0, 1, (3, 4)), rng.normal(0, 4, (3, 4))]),
    ],
    "softmax_cross_entropy": [
        (lambda y, x: ops.categorical_crossentropy(y, x, from_logits=True),
         [simplex(3, 4), rng.normal(0, 2, (3, 4))]),
        (lambda y, x: ops.categorical_crossentropy(y, x, from_logits=True, axis=0),
         [np.ascontiguousarray(np.moveaxis(simplex(4, 2, 3), -1, 0)), rng.normal(0, 2, (3, 4, 2))]),
    ],
}
