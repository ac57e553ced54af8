"""Reference cases for keras.regularizers and keras.constraints.

Regularizers: the penalty of a weight array and its tf.GradientTape gradient, for each class and
for the string names (including Keras 3's quirks: "l1l2" means no penalty, "l1_l2" is an error).
Constraints: the projected weight for each class and axis, on a Dense-shaped and on a
convolution-shaped kernel, with some slices above and some below the norm limits.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder


def build():
    rec = Recorder("regularizers", seed=20261125)
    r = rec.rng
    w = (r.standard_normal((5, 4)) * 1.5).astype(np.float32)
    conv = r.standard_normal((3, 3, 2, 4)).astype(np.float32)

    regularizers = [
        ("l1_default", keras.regularizers.L1()),
        ("l2_default", keras.regularizers.L2()),
        ("l1_custom", keras.regularizers.L1(0.3)),
        ("l2_custom", keras.regularizers.L2(0.05)),
        ("l1_l2", keras.regularizers.L1L2(l1=0.01, l2=0.02)),
        ("l1_l2_function", keras.regularizers.l1_l2(l1=0.01, l2=0.01)),
        ("l1_l2_default", keras.regularizers.L1L2()),
        ("orthogonal_rows", keras.regularizers.OrthogonalRegularizer(0.1, mode="rows")),
        ("orthogonal_columns", keras.regularizers.OrthogonalRegularizer(0.2, mode="columns")),
    ]
    for case_id, regularizer in regularizers:
        x = tf.constant(w)
        with tf.GradientTape() as tape:
            tape.watch(x)
            penalty = regularizer(x)
        grad = tape.gradient(penalty, x)
        case = f"regularizer/{case_id}"
        rec.array(case, "x", w)
        rec.array(case, "penalty", np.asarray(keras.ops.convert_to_numpy(penalty), np.float32))
        if grad is not None:
            rec.array(case, "grad", grad.numpy())
        rec.add(case, config=keras.regularizers.serialize(regularizer),
                has_grad=grad is not None)

    names = {}
    for name in ["l1", "l2", "l1l2", "L1L2", "L1", "L2", "orthogonal_regularizer",
                 "OrthogonalRegularizer"]:
        regularizer = keras.regularizers.get(name)
        names[name] = {"class_name": type(regularizer).__name__,
                       "config": regularizer.get_config(),
                       "penalty": float(regularizer(tf.constant(w)))}
    errors = {}
    for name in ["l1_l2", "L1_L2", "l3"]:
        try:
            keras.regularizers.get(name)
        except ValueError as error:
            errors[name] = str(error)
    rec.array("regularizer/names", "x", w)
    rec.add("regularizer/names", names=names, errors=errors)

    constraints = [
        ("max_norm_axis0", keras.constraints.MaxNorm(2, axis=0), w),
        ("max_norm_axis1", keras.constraints.MaxNorm(1.5, axis=1), w),
        ("max_norm_conv", keras.constraints.MaxNorm(2.5, axis=[0, 1, 2]), conv),
        ("non_neg", keras.constraints.NonNeg(), w),
        ("unit_norm_axis0", keras.constraints.UnitNorm(axis=0), w),
        ("unit_norm_axis1", keras.constraints.UnitNorm(axis=1), w),
        ("min_max_norm", keras.constraints.MinMaxNorm(0.5, 2.0, rate=1.0, axis=0), w * 0.2),
        ("min_max_norm_rate", keras.constraints.MinMaxNorm(1.0, 2.0, rate=0.7, axis=0), w),
        ("min_max_norm_conv", keras.constraints.MinMaxNorm(1.0, 3.0, axis=[0, 1, 2]), conv),
    ]
    for case_id, constraint, x in constraints:
        case = f"constraint/{case_id}"
        rec.array(case, "x", x)
        rec.array(case, "output", keras.ops.convert_to_numpy(constraint(tf.constant(x))))
        rec.add(case, config=keras.constraints.serialize(constraint))
    rec.add("constraint/names", classes={
        name: type(keras.constraints.get(name)).__name__
        for name in ["max_norm", "MaxNorm", "non_neg", "NonNeg", "unit_norm", "UnitNorm",
                     "min_max_norm", "MinMaxNorm"]})
    return rec
