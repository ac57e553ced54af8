"""Reference cases for keras.activations (and the keras.ops they call): outputs, dtypes and
tf.GradientTape gradients against a random cotangent.

Every activation is evaluated on the same grid, -6 to 6 in steps of 0.25, which contains each
kink (0, +-0.5, +-1, +-3, 6) exactly, so the cases also pin TensorFlow's derivative conventions at
the kinks; on extremes (+-20, +-100, +-1e4) that must stay finite; on a float64 input (the dtype
must be kept); and on NaN (no gradient recorded). Options get their own cases, and the Keras
documentation examples are recorded as ``docs/...`` cases.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder

GRID = np.linspace(-6.0, 6.0, 49).astype(np.float32)
EXTREMES = np.array([-1e4, -100.0, -20.0, -1.5, 1.5, 20.0, 100.0, 1e4], np.float32)
WITH_NAN = np.array([np.nan, -1.5, 0.0, 1.5], np.float32)

# activations that map each element on its own, with their keyword options (None: defaults only)
ELEMENTWISE = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "celu", "silu", "swish", "sigmoid",
    "tanh", "softplus", "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "mish",
    "exponential", "linear", "log_sigmoid", "sparse_plus", "sparse_sigmoid", "squareplus",
    "soft_shrink", "hard_shrink", "hard_tanh", "tanh_shrink",
]


def activation(rec, case_id, fn, x, kwargs=None, module="activations", grad=True):
    """Run keras.<module>.<fn>(x, **kwargs) under a tape and record output and gradient."""
    kwargs = kwargs or {}
    rec.array(case_id, "x", x)
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        out = getattr(getattr(keras, module), fn)(t, **kwargs)
    out_np = keras.ops.convert_to_numpy(out)
    rec.array(case_id, "output", out_np)
    if grad:
        cotangent = rec.rng.standard_normal(out_np.shape).astype(out_np.dtype)
        rec.array(case_id, "cotangent", cotangent)
        g = tape.gradient(out, t, output_gradients=tf.constant(cotangent))
        # linear returns its input: the gradient is the cotangent itself
        rec.array(case_id, "grad/x", tf.convert_to_tensor(g).numpy())
    rec.add(case_id, module=module, fn=fn, kwargs=kwargs, output_dtype=out_np.dtype.name,
            grad=grad)


def build():
    rec = Recorder("activations", seed=20261123)
    r = rec.rng

    for fn in ELEMENTWISE:
        activation(rec, f"{fn}/grid", fn, GRID)
        activation(rec, f"{fn}/extremes", fn, EXTREMES)
        activation(rec, f"{fn}/nan", fn, WITH_NAN, grad=False)
        activation(rec, f"{fn}/float64", fn, r.standard_normal((2, 3)) * 2)

    # -- options
    activation(rec, "relu/negative_slope", "relu", GRID, {"negative_slope": 0.1})
    activation(rec, "relu/max_value", "relu", GRID, {"max_value": 4.0})
    activation(rec, "relu/max_value_6", "relu", GRID, {"max_value": 6.0})
    activation(rec, "relu/threshold", "relu", GRID, {"threshold": 1.0})
    activation(rec, "relu/negative_threshold", "relu", GRID, {"threshold": -2.0})
    activation(rec, "relu/negative_threshold_max", "relu", GRID,
               {"threshold": -2.0, "max_value": 3.0})
    activation(rec, "relu/all_options", "relu", GRID,
               {"negative_slope": 0.5, "max_value": 5.0, "threshold": 1.0})
    activation(rec, "relu/slope_and_max", "relu", GRID, {"negative_slope": 0.3, "max_value": 2.0})
    activation(rec, "leaky_relu/slope_0.01", "leaky_relu", GRID, {"negative_slope": 0.01})
    activation(rec, "leaky_relu/slope_2", "leaky_relu", GRID, {"negative_slope": 2.0})
    activation(rec, "elu/alpha_0.5", "elu", GRID, {"alpha": 0.5})
    activation(rec, "celu/alpha_2", "celu", GRID, {"alpha": 2.0})
    activation(rec, "gelu/approximate", "gelu", GRID, {"approximate": True})
    activation(rec, "gelu/approximate_extremes", "gelu", EXTREMES, {"approximate": True})
    activation(rec, "squareplus/b_1", "squareplus", GRID, {"b": 1})
    activation(rec, "soft_shrink/threshold_1", "soft_shrink", GRID, {"threshold": 1.0})
    activation(rec, "hard_shrink/threshold_1", "hard_shrink", GRID, {"threshold": 1.0})
    activation(rec, "threshold/grid", "threshold", GRID, {"threshold": 0.5, "default_value": -1.0})
    activation(rec, "threshold/extremes", "threshold", EXTREMES,
               {"threshold": 0.0, "default_value": 0.0})

    # -- along an axis
    logits = r.standard_normal((3, 4)).astype(np.float32) * 2
    rank3 = r.standard_normal((2, 3, 4)).astype(np.float32) * 2
    large = np.array([[1e4, 0.0, -1e4, 3.0], [-100.0, 100.0, 20.0, 20.0]], np.float32)
    for fn in ["softmax", "log_softmax", "sparsemax"]:
        activation(rec, f"{fn}/last", fn, logits)
        activation(rec, f"{fn}/axis0", fn, logits, {"axis": 0})
        activation(rec, f"{fn}/axis1_rank3", fn, rank3, {"axis": 1})
        activation(rec, f"{fn}/large", fn, large)
        activation(rec, f"{fn}/float64", fn, r.standard_normal((2, 5)) * 2)
    activation(rec, "softmax/axis_none", "softmax", logits, {"axis": None})
    activation(rec, "log_softmax/axis_none", "log_softmax", logits, {"axis": None})
    activation(rec, "softmax/vector", "softmax", r.standard_normal(5).astype(np.float32))
    # sparsemax with ties in the sorted logits and a single-element support
    activation(rec, "sparsemax/ties", "sparsemax",
               np.array([[1.0, 1.0, 0.0, -2.0], [5.0, 0.0, 0.5, 0.25]], np.float32))
    activation(rec, "glu/last", "glu", r.standard_normal((3, 4)).astype(np.float32))
    activation(rec, "glu/axis0", "glu", r.standard_normal((4, 3)).astype(np.float32),
               {"axis": 0})
    activation(rec, "glu/extremes", "glu",
               np.array([[1e4, -1e4, 100.0, -100.0], [2.0, 3.0, -1e4, 1e4]], np.float32))

    # -- keras.ops defaults differ from the activations' in places (gelu: approximate=True)
    activation(rec, "ops.gelu/default", "gelu", GRID, module="ops")
    activation(rec, "ops.leaky_relu/default", "leaky_relu", GRID, module="ops")
    activation(rec, "ops.threshold/grid", "threshold", GRID, {"threshold": -1.0,
                                                             "default_value": 2.0}, module="ops")
    activation(rec, "ops.relu6/grid", "relu6", GRID, module="ops")

    # -- the examples printed in the Keras documentation
    activation(rec, "docs/sigmoid", "sigmoid", np.array([-20, -5, -1, 0, 1, 5, 20], np.float32))
    activation(rec, "docs/tanh", "tanh", np.array([-3, -1, 0, 1, 3], np.float32))
    activation(rec, "docs/softmax", "softmax",
               np.array([[-3, 2], [-1, 2], [0, 2], [1, 2], [3, 2]], np.float32))
    activation(rec, "docs/relu", "relu", np.array([-10, -5, 0, 4, 10], np.float32),
               {"negative_slope": 0.5, "threshold": 5.0, "max_value": 8.0})
    activation(rec, "docs/relu_plain", "relu", np.array([-10, -5, 0, 5, 10], np.float32))
    activation(rec, "docs/relu_slope", "relu", np.array([-10, -5, 0, 5, 10], np.float32),
               {"negative_slope": 0.5})
    activation(rec, "docs/relu_max", "relu", np.array([-10, -5, 0, 5, 10], np.float32),
               {"max_value": 5.0})
    activation(rec, "docs/relu_threshold", "relu", np.array([-10, -5, 0, 5, 10], np.float32),
               {"threshold": 5.0})
    return rec
