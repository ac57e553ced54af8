"""Reference cases for the normalization ops: keras.ops.moments, batch_normalization and
layer_normalization, with tf.GradientTape gradients (same format as the ops family).

``moments`` returns a pair; the cases record its mean (``moments_mean``) and its variance
(``moments_variance``) as separate one-output functions of the same name.
"""

import keras
import numpy as np

from reference._recorder import Recorder
from reference.ops import op


def build():
    rec = Recorder("ops_normalization", seed=20261126)
    r = rec.rng

    def f32(*shape, scale=1.0, shift=0.0):
        return (r.standard_normal(shape) * scale + shift).astype(np.float32)

    def positive(*shape):
        return r.uniform(0.5, 2.0, shape).astype(np.float32)

    x = f32(4, 3, 5, scale=2.0, shift=3.0)
    keras.ops.moments_mean = lambda *a, **k: keras.ops.moments(*a, **k)[0]
    keras.ops.moments_variance = lambda *a, **k: keras.ops.moments(*a, **k)[1]
    for axes in [(0,), (0, 1), (2,), (0, 2), (1,)]:
        name = "_".join(map(str, axes))
        op(rec, f"moments_mean/axes_{name}", "moments_mean", [x], {"axes": list(axes)})
        op(rec, f"moments_variance/axes_{name}", "moments_variance", [x], {"axes": list(axes)})
    op(rec, "moments_variance/keepdims", "moments_variance", [x],
       {"axes": [0, 1], "keepdims": True})
    # positional: x, mean, variance, axis, offset, scale
    op(rec, "batch_normalization/last_axis", "batch_normalization",
       [f32(6, 4), f32(4), positive(4), -1])
    op(rec, "batch_normalization/all_inputs", "batch_normalization",
       [f32(3, 4, 2), f32(4), positive(4), 1, f32(4), f32(4)], {"epsilon": 0.01})
    op(rec, "layer_normalization/last_axis", "layer_normalization",
       [f32(3, 6, scale=3.0, shift=-2.0), f32(6), f32(6)], {"axis": -1, "epsilon": 1e-3})
    op(rec, "layer_normalization/default_epsilon", "layer_normalization", [f32(2, 5)])
    op(rec, "layer_normalization/two_axes", "layer_normalization",
       [f32(2, 3, 4), f32(3, 4), f32(3, 4)], {"axis": [1, 2], "epsilon": 1e-3})
    del keras.ops.moments_mean, keras.ops.moments_variance
    return rec
