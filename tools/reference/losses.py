"""Reference cases for keras.losses (and the cross-entropy keras.ops): outputs, dtypes, configs
and tf.GradientTape gradients with respect to y_pred (and y_true where it is a float).

A case calls one of
- ``class``: ``keras.losses.<name>(**kwargs)(y_true, y_pred, sample_weight)``;
- ``function``: ``keras.losses.<name>(y_true, y_pred, **kwargs)``;
- ``ops``: ``keras.ops.<name>(y_true, y_pred, **kwargs)``;
- ``seed``: the custom losses written in the losses chapter (``FocalLoss``, ``focal_loss``).
With ``activation`` set, y_pred is ``keras.activations.<activation>(logits)`` computed under the
tape, which shows TensorFlow's logits shortcut; the gradient is then taken for the logits.
Inputs include the extremes: probabilities exactly 0 and 1, logits of +-100.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder

ALL_REDUCTIONS = ["sum_over_batch_size", "mean", "mean_with_sample_weight", "sum", "none", None]


# -- the custom losses of the chapter, written as their authors would for Keras ----------------

class FocalLoss(keras.losses.Loss):
    """Binary focal loss as a Loss subclass (Lin et al. 2017)."""

    def __init__(self, gamma=2.0, alpha=0.25, **kwargs):
        super().__init__(**kwargs)
        self.gamma = gamma
        self.alpha = alpha

    def call(self, y_true, y_pred):
        eps = keras.backend.epsilon()
        y_pred = keras.ops.clip(y_pred, eps, 1.0 - eps)
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
        alpha_t = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
        return keras.ops.mean(-alpha_t * (1 - p_t) ** self.gamma * keras.ops.log(p_t), axis=-1)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "alpha": self.alpha}


def focal_loss(gamma=2.0, alpha=0.25):
    """The same loss as a closure: a function of (y_true, y_pred) that remembers gamma, alpha."""

    def loss(y_true, y_pred):
        eps = keras.backend.epsilon()
        y_pred = keras.ops.clip(y_pred, eps, 1.0 - eps)
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
        alpha_t = y_true * alpha + (1 - y_true) * (1 - alpha)
        return keras.ops.mean(-alpha_t * (1 - p_t) ** gamma * keras.ops.log(p_t), axis=-1)

    return loss


SEEDS = {"FocalLoss": FocalLoss, "focal_loss": focal_loss}


def loss_case(rec, case_id, kind, name, y_true, y_pred, kwargs=None, sample_weight=None,
              activation=None, wrt_true=False):
    kwargs = kwargs or {}
    rec.array(case_id, "y_true", y_true)
    rec.array(case_id, "y_pred", y_pred)
    t_true, t_pred = tf.constant(y_true), tf.constant(y_pred)
    if sample_weight is not None:
        rec.array(case_id, "sample_weight", np.asarray(sample_weight, np.float32))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(t_pred)
        if wrt_true:
            tape.watch(t_true)
        prediction = getattr(keras.activations, activation)(t_pred) if activation else t_pred
        meta = {}
        if kind == "class":
            loss = getattr(keras.losses, name)(**kwargs)
            out = loss(t_true, prediction, sample_weight=sample_weight)
            meta["config"] = loss.get_config()
        elif kind == "seed":
            if name == "FocalLoss":
                loss = FocalLoss(**kwargs)
                out = loss(t_true, prediction, sample_weight=sample_weight)
                meta["config"] = loss.get_config()
            else:
                out = focal_loss(**kwargs)(t_true, prediction)
        else:
            module = keras.losses if kind == "function" else keras.ops
            out = getattr(module, name)(t_true, prediction, **kwargs)
    out_np = keras.ops.convert_to_numpy(out)
    rec.array(case_id, "output", out_np)
    cotangent = rec.rng.standard_normal(out_np.shape).astype(out_np.dtype)
    rec.array(case_id, "cotangent", cotangent)
    grads = {}
    for key, t in [("y_pred", t_pred), ("y_true", t_true if wrt_true else None)]:
        if t is None:
            continue
        g = tape.gradient(out, t, output_gradients=tf.constant(cotangent))
        grads[key] = g is not None
        if g is not None:
            rec.array(case_id, f"grad/{key}", tf.convert_to_tensor(g).numpy())
    rec.add(case_id, kind=kind, name=name, kwargs=kwargs, activation=activation,
            sample_weight=sample_weight is not None, output_dtype=out_np.dtype.name,
            grads=grads, **meta)


def build():
    rec = Recorder("losses", seed=20261124)
    r = rec.rng

    def f32(x):
        return np.asarray(x, np.float32)

    def labels01(*shape):
        return f32(r.integers(0, 2, shape))

    def probabilities(*shape):
        return f32(r.uniform(0.02, 0.98, shape))

    def one_hot(batch, classes):
        return f32(np.eye(classes)[r.integers(0, classes, batch)])

    def rows(batch, classes):
        p = r.uniform(0.05, 1.0, (batch, classes))
        return f32(p / p.sum(axis=-1, keepdims=True))

    y_bin, p_bin, z_bin = labels01(4, 3), probabilities(4, 3), f32(r.normal(0, 3, (4, 3)))
    y_cat, p_cat, z_cat = one_hot(4, 5), rows(4, 5), f32(r.normal(0, 2, (4, 5)))
    y_sparse = np.array([0, 3, 4, 1], np.int32)
    y_reg, p_reg = f32(r.normal(0, 1, (4, 3))), f32(r.normal(0, 1, (4, 3)))
    y_ext = f32([[0, 1, 0, 1], [1, 0, 0, 1]])
    p_ext = f32([[0, 1, 1, 0], [1, 0, 0.5, 1e-9]])
    z_ext = f32([[-100, 100, 100, -100], [1e4, -1e4, 0, 30]])

    def both(case_id, name, y_true, y_pred, kwargs=None, function_kwargs=None, **extra):
        """The class form and the function form on the same data."""
        loss_case(rec, f"{name}/{case_id}", "class", name, y_true, y_pred, kwargs, **extra)
        function = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
        function = FUNCTION_NAMES.get(name, function)
        loss_case(rec, f"{function}/{case_id}", "function", function, y_true, y_pred,
                  function_kwargs if function_kwargs is not None else kwargs,
                  wrt_true=extra.get("wrt_true", False))

    # -- cross-entropies
    both("default", "BinaryCrossentropy", y_bin, p_bin, wrt_true=True)
    both("from_logits", "BinaryCrossentropy", y_bin, z_bin, {"from_logits": True}, wrt_true=True)
    both("label_smoothing", "BinaryCrossentropy", y_bin, p_bin, {"label_smoothing": 0.2})
    both("axis0", "BinaryCrossentropy", y_bin, p_bin, {"axis": 0})
    both("extremes", "BinaryCrossentropy", y_ext, p_ext)
    both("extremes_logits", "BinaryCrossentropy", y_ext, z_ext, {"from_logits": True})
    both("rank3", "BinaryCrossentropy", labels01(2, 3, 4), probabilities(2, 3, 4))
    both("default", "BinaryFocalCrossentropy", y_bin, p_bin)
    both("gamma0", "BinaryFocalCrossentropy", y_bin, p_bin, {"gamma": 0.0})
    both("gamma5", "BinaryFocalCrossentropy", y_bin, p_bin, {"gamma": 5.0})
    both("balanced", "BinaryFocalCrossentropy", y_bin, p_bin, {"apply_class_balancing": True})
    both("balanced_alpha", "BinaryFocalCrossentropy", y_bin, p_bin,
         {"apply_class_balancing": True, "alpha": 0.6, "gamma": 1.5})
    both("from_logits", "BinaryFocalCrossentropy", y_bin, z_bin, {"from_logits": True})
    both("label_smoothing", "BinaryFocalCrossentropy", y_bin, p_bin, {"label_smoothing": 0.1})
    both("extremes", "BinaryFocalCrossentropy", y_ext, p_ext)
    both("extremes_logits", "BinaryFocalCrossentropy", y_ext, z_ext, {"from_logits": True})
    both("default", "CategoricalCrossentropy", y_cat, p_cat, wrt_true=True)
    both("from_logits", "CategoricalCrossentropy", y_cat, z_cat, {"from_logits": True},
         wrt_true=True)
    both("label_smoothing", "CategoricalCrossentropy", y_cat, p_cat, {"label_smoothing": 0.2})
    both("logits_smoothing", "CategoricalCrossentropy", y_cat, z_cat,
         {"from_logits": True, "label_smoothing": 0.1})
    both("axis0", "CategoricalCrossentropy", y_cat.T.copy(), p_cat.T.copy(), {"axis": 0})
    both("logits_axis0", "CategoricalCrossentropy", y_cat.T.copy(), z_cat.T.copy(),
         {"axis": 0, "from_logits": True})
    both("unnormalised", "CategoricalCrossentropy", y_cat, f32(r.uniform(0.1, 3.0, (4, 5))))
    # labels that do not sum to 1 pin TensorFlow's logits gradient, softmax - y
    both("soft_labels_logits", "CategoricalCrossentropy", f32(r.uniform(0, 1, (4, 5))), z_cat,
         {"from_logits": True}, wrt_true=True)
    both("extremes", "CategoricalCrossentropy", f32([[0, 1, 0], [0, 0, 1], [1, 0, 0]]),
         f32([[0, 1, 0], [1, 0, 0], [0.5, 0.5, 0]]))
    both("extremes_logits", "CategoricalCrossentropy", f32([[0, 1, 0], [0, 0, 1], [1, 0, 0]]),
         f32([[-100, 100, 0], [1e4, -1e4, 0], [30, 30, -30]]), {"from_logits": True})
    both("default", "CategoricalFocalCrossentropy", y_cat, p_cat)
    both("alpha_per_class", "CategoricalFocalCrossentropy", y_cat, p_cat,
         {"alpha": [0.1, 0.2, 0.3, 0.2, 0.2], "gamma": 3.0})
    both("gamma0", "CategoricalFocalCrossentropy", y_cat, p_cat, {"gamma": 0.0, "alpha": 1.0})
    both("from_logits", "CategoricalFocalCrossentropy", y_cat, z_cat, {"from_logits": True})
    both("label_smoothing", "CategoricalFocalCrossentropy", y_cat, p_cat,
         {"label_smoothing": 0.1})
    both("default", "SparseCategoricalCrossentropy", y_sparse, p_cat)
    both("labels_column", "SparseCategoricalCrossentropy", y_sparse[:, None], p_cat)
    both("from_logits", "SparseCategoricalCrossentropy", y_sparse, z_cat, {"from_logits": True})
    both("ignore_class", "SparseCategoricalCrossentropy", np.array([0, -1, 4, -1], np.int32),
         p_cat, {"ignore_class": -1})
    both("ignore_class_logits", "SparseCategoricalCrossentropy",
         np.array([[2, 0, 4], [4, 1, 4]], np.int32), f32(r.normal(0, 2, (2, 3, 5))),
         {"ignore_class": 4, "from_logits": True})
    both("rank3", "SparseCategoricalCrossentropy", np.array([[2, 0, 1], [4, 1, 3]], np.int32),
         f32(rows(6, 5).reshape(2, 3, 5)))
    both("extremes", "SparseCategoricalCrossentropy", np.array([1, 0, 2], np.int32),
         f32([[0, 1, 0], [0, 1, 0], [0.5, 0.5, 0]]))
    both("extremes_logits", "SparseCategoricalCrossentropy", np.array([1, 0, 2], np.int32),
         f32([[-100, 100, 0], [-1e4, 1e4, 0], [30, 30, -30]]), {"from_logits": True})

    # -- regression
    for name in ["MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
                 "MeanSquaredLogarithmicError", "LogCosh"]:
        both("default", name, y_reg, p_reg, wrt_true=True)
        both("column", name, y_reg[:, 0].copy(), p_reg[:, :1].copy())
    both("zeros_in_y_true", "MeanAbsolutePercentageError", f32([[0, 1, -2], [3, 0, 0.5]]),
         f32([[0.5, 1.5, -2], [3, 1, 0]]))
    both("large_errors", "LogCosh", f32([[0, 0, 0]]), f32([[-100, 50, 1e4]]))
    both("default", "Huber", y_reg, p_reg, wrt_true=True)
    both("delta_0.5", "Huber", y_reg, p_reg, {"delta": 0.5})
    both("on_the_boundary", "Huber", f32([[0, 0, 0, 0]]), f32([[1, -1, 0.5, 2]]))
    both("default", "CosineSimilarity", y_reg, p_reg, wrt_true=True)
    both("axis0", "CosineSimilarity", y_reg, p_reg, {"axis": 0})
    both("zero_vector", "CosineSimilarity", f32([[0, 0, 0], [1, 2, 3]]),
         f32([[1, 2, 3], [0, 0, 0]]))

    # -- probabilistic, margins and overlaps
    both("default", "KLDivergence", rows(4, 5), rows(4, 5), wrt_true=True)
    both("zeros", "KLDivergence", f32([[0, 1, 0], [0.5, 0.5, 0]]), f32([[0.2, 0.8, 0], [0, 1, 0]]))
    counts = f32(r.poisson(2.0, (4, 3)))
    both("default", "Poisson", counts, f32(r.uniform(0.1, 4, (4, 3))), wrt_true=True)
    both("zero_rate", "Poisson", f32([[0, 1, 2]]), f32([[0, 0, 1]]))
    both("labels01", "Hinge", y_bin, p_reg)
    both("labels_pm1", "Hinge", 2 * y_bin - 1, p_reg)
    both("labels01", "SquaredHinge", y_bin, p_reg)
    both("labels_pm1", "SquaredHinge", 2 * y_bin - 1, p_reg)
    both("default", "CategoricalHinge", y_cat, f32(r.normal(0, 1, (4, 5))))
    both("default", "Dice", labels01(2, 4, 4, 1), probabilities(2, 4, 4, 1))
    both("axis", "Dice", labels01(3, 6), probabilities(3, 6), {"axis": 1})
    both("default", "Tversky", labels01(2, 4, 4, 1), probabilities(2, 4, 4, 1))
    both("alpha_beta", "Tversky", labels01(3, 6), probabilities(3, 6),
         {"alpha": 0.3, "beta": 0.7, "axis": 1})
    both("default", "CategoricalGeneralizedCrossEntropy", y_sparse, p_cat, {"q": 0.5})
    both("q_0.2", "CategoricalGeneralizedCrossEntropy", y_sparse, p_cat, {"q": 0.2})

    # -- reductions and sample weights
    y3, p3 = labels01(2, 3, 4), probabilities(2, 3, 4)
    weights = {"batch": [1.0, 0.0, 2.0, 0.5], "column": [[1.0], [0.0], [2.0], [0.5]],
               "scalar": 2.0, "zeros": [0.0, 0.0, 0.0, 0.0]}
    for reduction in ALL_REDUCTIONS:
        tag = "None" if reduction is None else reduction
        for loss, y, p in [("BinaryCrossentropy", y_bin, p_bin),
                           ("MeanSquaredError", y_reg, p_reg)]:
            loss_case(rec, f"{loss}/reduction_{tag}", "class", loss, y, p, {"reduction": reduction})
            for label, w in weights.items():
                loss_case(rec, f"{loss}/reduction_{tag}/weights_{label}", "class", loss, y, p,
                          {"reduction": reduction}, sample_weight=w)
        loss_case(rec, f"BinaryCrossentropy/reduction_{tag}/timestep_weights", "class",
                  "BinaryCrossentropy", y3, p3, {"reduction": reduction},
                  sample_weight=r.uniform(0, 2, (2, 3)).round(1))
        loss_case(rec, f"SparseCategoricalCrossentropy/reduction_{tag}/ignore_class", "class",
                  "SparseCategoricalCrossentropy", np.array([0, -1, 4, -1], np.int32), p_cat,
                  {"reduction": reduction, "ignore_class": -1},
                  sample_weight=[1.0, 2.0, 0.5, 1.0])

    # -- TensorFlow's logits shortcut: outputs of sigmoid/softmax carry their logits
    saturated = f32([[30.0], [30.0], [-30.0]])
    loss_case(rec, "shortcut/bce_sigmoid", "class", "BinaryCrossentropy", f32([[0], [1], [1]]),
              saturated, activation="sigmoid")
    loss_case(rec, "shortcut/bce_sigmoid_logits_flag", "class", "BinaryCrossentropy", y_bin,
              z_bin, {"from_logits": True}, activation="sigmoid")
    loss_case(rec, "shortcut/focal_sigmoid", "class", "BinaryFocalCrossentropy",
              f32([[0], [1], [1]]), saturated, activation="sigmoid")
    loss_case(rec, "shortcut/cce_softmax", "class", "CategoricalCrossentropy", y_cat,
              f32(r.normal(0, 30, (4, 5))), activation="softmax")
    loss_case(rec, "shortcut/scce_softmax", "class", "SparseCategoricalCrossentropy", y_sparse,
              f32(r.normal(0, 30, (4, 5))), activation="softmax")
    loss_case(rec, "shortcut/bce_function_softmax", "function", "binary_crossentropy", y_cat,
              z_cat, activation="softmax")

    # -- keras.ops
    loss_case(rec, "ops.binary_crossentropy/probabilities", "ops", "binary_crossentropy",
              y_bin, p_bin, wrt_true=True)
    loss_case(rec, "ops.binary_crossentropy/logits", "ops", "binary_crossentropy", y_bin, z_bin,
              {"from_logits": True}, wrt_true=True)
    loss_case(rec, "ops.categorical_crossentropy/probabilities", "ops",
              "categorical_crossentropy", y_cat, p_cat, wrt_true=True)
    loss_case(rec, "ops.categorical_crossentropy/logits_axis0", "ops", "categorical_crossentropy",
              y_cat.T.copy(), z_cat.T.copy(), {"from_logits": True, "axis": 0}, wrt_true=True)
    loss_case(rec, "ops.sparse_categorical_crossentropy/probabilities", "ops",
              "sparse_categorical_crossentropy", y_sparse, p_cat)
    loss_case(rec, "ops.sparse_categorical_crossentropy/logits", "ops",
              "sparse_categorical_crossentropy", y_sparse, z_cat, {"from_logits": True})

    # -- dtypes: the function forms keep float64, the classes compute in float32
    y64, p64 = r.integers(0, 2, (3, 2)).astype(np.float64), r.uniform(0.05, 0.95, (3, 2))
    for name in ["binary_crossentropy", "mean_squared_error", "cosine_similarity", "log_cosh"]:
        loss_case(rec, f"{name}/float64", "function", name, y64, p64)
    loss_case(rec, "BinaryCrossentropy/float64_inputs", "class", "BinaryCrossentropy", y64, p64)
    loss_case(rec, "MeanSquaredError/dtype_float64", "class", "MeanSquaredError", y64, p64,
              {"dtype": "float64"})

    # -- the custom losses of the chapter
    loss_case(rec, "seed/FocalLoss", "seed", "FocalLoss", y_bin, p_bin)
    loss_case(rec, "seed/FocalLoss_weighted", "seed", "FocalLoss", y_bin, p_bin,
              {"gamma": 3.0, "alpha": 0.5, "reduction": "sum"}, sample_weight=[1, 0, 2, 1])
    loss_case(rec, "seed/focal_loss", "seed", "focal_loss", y_bin, p_bin, {"gamma": 2.0})

    # -- the examples printed in the Keras documentation (and the issue)
    docs = [
        ("bce_logits", "class", "BinaryCrossentropy", [0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8],
         {"from_logits": True}),
        ("focal_logits", "class", "BinaryFocalCrossentropy", [0, 1, 0, 0],
         [-18.6, 0.51, 2.94, -12.8], {"gamma": 2.0, "from_logits": True}),
        ("cce_1", "class", "CategoricalCrossentropy", [[0, 1, 0], [0, 0, 1]],
         [[0.05, 0.9, 0.05], [0.3, 0.2, 0.5]], {}),
        ("cce_2", "class", "CategoricalCrossentropy", [[0, 1, 0], [0, 0, 1]],
         [[0.05, 0.9, 0.05], [0.05, 0.05, 0.9]], {}),
        ("bce_1", "class", "BinaryCrossentropy", [[0], [1]], [[0.4], [0.6]], {}),
        ("bce_2", "class", "BinaryCrossentropy", [[0], [1]], [[0.1], [0.9]], {}),
        ("mae", "class", "MeanAbsoluteError", [[0], [1]], [[1], [0]], {}),
        ("mse", "class", "MeanSquaredError", [[0], [1]], [[1], [1]], {}),
        ("huber", "class", "Huber", [[0], [1]], [[0.6], [0.4]], {}),
        ("bce_function", "function", "binary_crossentropy", [[0, 1], [0, 0]],
         [[0.6, 0.4], [0.4, 0.6]], {}),
        ("cce_function", "function", "categorical_crossentropy", [[0, 1, 0], [0, 0, 1]],
         [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], {}),
        ("mse_function", "function", "mean_squared_error", [[0, 1, 0], [0, 0, 1]],
         [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], {}),
        ("mae_function", "function", "mean_absolute_error", [[0, 1, 0], [0, 0, 1]],
         [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], {}),
        ("bce_default", "class", "BinaryCrossentropy", [[0, 1], [0, 0]],
         [[0.6, 0.4], [0.4, 0.6]], {}),
        ("bce_sum", "class", "BinaryCrossentropy", [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]],
         {"reduction": "sum"}),
        ("bce_none", "class", "BinaryCrossentropy", [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]],
         {"reduction": None}),
    ]
    for case_id, kind, name, y, p, kwargs in docs:
        loss_case(rec, f"docs/{case_id}", kind, name, f32(y), f32(p), kwargs)
    loss_case(rec, "docs/bce_weighted", "class", "BinaryCrossentropy", f32([[0, 1], [0, 0]]),
              f32([[0.6, 0.4], [0.4, 0.6]]), sample_weight=[1.0, 0.0])
    loss_case(rec, "docs/scce_function", "function", "sparse_categorical_crossentropy",
              np.array([1, 2, 3], np.int32),
              f32([[0.05, 0.9, 0.05, 0.0], [0.1, 0.8, 0.05, 0.05], [0.25, 0.25, 0.25, 0.25]]))
    return rec


FUNCTION_NAMES = {"KLDivergence": "kl_divergence", "CategoricalGeneralizedCrossEntropy":
                  "categorical_generalized_cross_entropy", "Huber": "huber",
                  "MeanSquaredError": "mean_squared_error",
                  "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
                  "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error"}
