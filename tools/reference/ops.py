"""Reference cases for keras.ops: outputs, dtypes and tf.GradientTape gradients.

Each case calls ``keras.ops.<fn>(*args, **kwargs)``; array arguments are watched by a
tf.GradientTape and differentiated against a random cotangent (a constant cotangent would hide a
wrong softmax gradient, which is zero against ones). Inputs include the edge cases where the
derivative is a convention: ties in maximum and max, |x| and relu at 0, sqrt at 0, a zero in prod.
"""

import functools

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder


def _is_array(a):
    return isinstance(a, np.ndarray)


def op(rec, case_id, fn, args, kwargs=None, wrt=None):
    """Run keras.ops.<fn> on ``args`` (arrays, lists of arrays or literals) and record it;
    ``fn`` may name a submodule's op ("image.resize")."""
    kwargs = kwargs or {}
    spec, call_args, watched = [], [], []

    def tensor(name, value):
        rec.array(case_id, name, value)
        t = tf.constant(value)
        if value.dtype.kind == "f" and (wrt is None or name in wrt):
            watched.append((name, t))
        return t

    for i, a in enumerate(args):
        if _is_array(a):
            name = f"x{i}"
            spec.append({"array": name})
            call_args.append(tensor(name, a))
        elif isinstance(a, list) and a and all(_is_array(v) for v in a):
            names = [f"x{i}_{j}" for j in range(len(a))]
            spec.append({"arrays": names})
            call_args.append([tensor(n, v) for n, v in zip(names, a, strict=True)])
        else:
            spec.append({"value": a})
            call_args.append(a)
    with tf.GradientTape(persistent=True) as tape:
        for _, t in watched:
            tape.watch(t)
        out = functools.reduce(getattr, fn.split("."), keras.ops)(*call_args, **kwargs)
    out_np = keras.ops.convert_to_numpy(out)
    rec.array(case_id, "output", out_np)
    grads = {}
    if out_np.dtype.kind == "f" and watched:
        cotangent = rec.rng.standard_normal(out_np.shape).astype(out_np.dtype)
        rec.array(case_id, "cotangent", cotangent)
        for name, t in watched:
            g = tape.gradient(out, t, output_gradients=tf.constant(cotangent))
            if g is not None:  # a gather's gradient comes as IndexedSlices: densify it
                g = rec.array(case_id, f"grad/{name}", tf.convert_to_tensor(g).numpy())
            grads[name] = g
    rec.add(
        case_id,
        fn=fn,
        args=spec,
        kwargs=kwargs,
        output_dtype=out_np.dtype.name,
        grads={k: v is not None for k, v in grads.items()},
    )


def build():
    rec = Recorder("ops", seed=20261122)
    r = rec.rng

    def f32(*shape):
        return r.standard_normal(shape).astype(np.float32)

    def pos(*shape):
        return r.uniform(0.5, 2.0, shape).astype(np.float32)

    # -- arithmetic with broadcasting and weak Python scalars
    op(rec, "add/same_shape", "add", [f32(3, 4), f32(3, 4)])
    op(rec, "add/broadcast_row", "add", [f32(3, 4), f32(4)])
    op(rec, "add/broadcast_both", "add", [f32(2, 1, 3), f32(4, 1)])
    op(rec, "add/python_float", "add", [f32(2, 3), 2.5])
    op(rec, "add/float64_array", "add", [f32(2, 3), r.standard_normal((2, 3))])
    op(rec, "add/int32_and_float", "add", [np.array([1, 2, 3], np.int32), 1.5])
    op(rec, "subtract/broadcast", "subtract", [f32(4, 1), f32(3)])
    op(rec, "subtract/python_first", "subtract", [1.0, f32(2, 2)])
    op(rec, "multiply/broadcast", "multiply", [f32(2, 3, 4), f32(3, 1)])
    op(rec, "multiply/python_int", "multiply", [f32(5), 3])
    op(rec, "divide/broadcast", "divide", [f32(3, 4), pos(4)])
    op(rec, "divide/int32", "divide",
       [np.array([1, 2, 7], np.int32), np.array([2, 2, 2], np.int32)])
    op(rec, "power/float_exponent", "power", [pos(3, 4), f32(3, 4)])
    op(rec, "power/square", "power", [f32(2, 3), 2])
    op(rec, "power/zero_base", "power", [np.array([0.0, 1.5, 2.0], np.float32),
                                         np.array([3.0, 2.0, 0.5], np.float32)])
    op(rec, "power/negative_base", "power", [np.array([-2.0, -1.5, 3.0], np.float32),
                                             np.array([3.0, 2.0, 2.0], np.float32)])
    op(rec, "maximum/ties", "maximum", [np.array([1.0, 2.0, 3.0, -1.0], np.float32),
                                        np.array([1.0, 1.0, 4.0, -1.0], np.float32)])
    op(rec, "maximum/broadcast", "maximum", [f32(3, 4), f32(4)])
    op(rec, "minimum/ties", "minimum", [np.array([1.0, 2.0, 3.0, -1.0], np.float32),
                                        np.array([1.0, 1.0, 4.0, -1.0], np.float32)])
    op(rec, "minimum/python_float", "minimum", [f32(2, 3), 0.25])

    # -- unary
    with_zero = np.array([-2.0, -0.5, 0.0, 0.5, 2.0], np.float32)
    op(rec, "negative/basic", "negative", [f32(2, 3)])
    op(rec, "abs/with_zero", "abs", [with_zero])
    op(rec, "sign/with_zero", "sign", [with_zero])
    op(rec, "square/basic", "square", [f32(2, 3)])
    op(rec, "sqrt/positive", "sqrt", [pos(2, 3)])
    op(rec, "sqrt/at_zero", "sqrt", [np.array([0.0, 1.0, 4.0], np.float32)])
    op(rec, "sqrt/int32", "sqrt", [np.array([1, 4, 9], np.int32)])
    op(rec, "exp/basic", "exp", [f32(3, 3)])
    op(rec, "exp/large", "exp", [np.array([-100.0, 0.0, 80.0, 100.0], np.float32)])
    op(rec, "log/positive", "log", [pos(3, 3)])
    op(rec, "log1p/basic", "log1p", [r.uniform(-0.5, 3.0, (3, 3)).astype(np.float32)])
    op(rec, "clip/with_bounds", "clip",
       [np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0], np.float32), -1.0, 1.0])
    op(rec, "where/broadcast", "where",
       [np.array([[True, False, True], [False, False, True]]), f32(2, 3), f32(3)])

    # -- reductions
    x345 = f32(3, 4, 5)
    op(rec, "sum/all", "sum", [x345])
    op(rec, "sum/axis0", "sum", [x345], {"axis": 0})
    op(rec, "sum/axes_0_2_keepdims", "sum", [x345], {"axis": (0, 2), "keepdims": True})
    op(rec, "sum/last_keepdims", "sum", [x345], {"axis": -1, "keepdims": True})
    op(rec, "sum/int32", "sum", [np.array([[1, 2], [3, 4]], np.int32)], {"axis": 1})
    op(rec, "mean/all", "mean", [x345])
    op(rec, "mean/axis1", "mean", [x345], {"axis": 1})
    op(rec, "mean/axes_0_2", "mean", [x345], {"axis": (0, 2)})
    op(rec, "mean/int32", "mean", [np.array([1, 2, 4], np.int32)])
    ties = np.array([[1.0, 3.0, 3.0, 2.0], [0.5, -1.0, 0.5, 0.5], [4.0, 1.0, 2.0, 3.0]], np.float32)
    op(rec, "max/ties_axis1", "max", [ties], {"axis": 1})
    op(rec, "max/all", "max", [x345])
    op(rec, "max/axis0_keepdims", "max", [x345], {"axis": 0, "keepdims": True})
    op(rec, "min/ties_axis1", "min", [ties], {"axis": 1})
    op(rec, "min/axis2", "min", [x345], {"axis": 2})
    op(rec, "argmax/ties_axis1", "argmax", [ties], {"axis": 1})
    op(rec, "argmax/all", "argmax", [x345])
    op(rec, "argmin/axis0", "argmin", [ties], {"axis": 0})
    with_zero_row = np.array([[1.5, -2.0, 0.5], [2.0, 0.0, 3.0]], np.float32)
    op(rec, "prod/axis1_with_zero", "prod", [with_zero_row], {"axis": 1})
    op(rec, "prod/all", "prod", [pos(2, 3)])
    op(rec, "prod/int32", "prod", [np.array([[1, 2, 3], [4, 5, 6]], np.int32)], {"axis": 1})
    op(rec, "prod/int8", "prod", [np.array([2, 3, 4], np.int8)])
    op(rec, "prod/uint8", "prod", [np.array([2, 3, 4], np.uint8)])
    op(rec, "prod/bool", "prod", [np.array([True, True, False])])
    op(rec, "logsumexp/all", "logsumexp", [f32(3, 4)])
    op(rec, "logsumexp/axis1_keepdims", "logsumexp", [f32(3, 4)], {"axis": 1, "keepdims": True})
    op(rec, "logsumexp/large", "logsumexp", [np.array([[1000.0, 999.0], [-1000.0, -1e4]],
                                                      np.float32)], {"axis": 1})

    # -- matmul
    op(rec, "matmul/2d", "matmul", [f32(3, 4), f32(4, 5)])
    op(rec, "matmul/batched", "matmul", [f32(2, 3, 4), f32(2, 4, 5)])
    op(rec, "matmul/rank3_by_2d", "matmul", [f32(2, 3, 4), f32(4, 5)])
    op(rec, "matmul/broadcast_batch", "matmul", [f32(2, 1, 3, 4), f32(3, 4, 2)])
    op(rec, "matmul/vector_left", "matmul", [f32(4), f32(4, 3)])
    op(rec, "matmul/vector_right", "matmul", [f32(3, 4), f32(4)])

    # -- shapes
    op(rec, "reshape/minus_one", "reshape", [x345], {"newshape": (4, -1)})
    op(rec, "transpose/default", "transpose", [x345])
    op(rec, "transpose/axes", "transpose", [x345], {"axes": (1, 2, 0)})
    op(rec, "expand_dims/axis1", "expand_dims", [f32(2, 3)], {"axis": 1})
    op(rec, "expand_dims/last", "expand_dims", [f32(2, 3)], {"axis": -1})
    op(rec, "squeeze/all", "squeeze", [f32(1, 3, 1, 2)])
    op(rec, "squeeze/axis", "squeeze", [f32(1, 3, 1, 2)], {"axis": 2})
    op(rec, "concatenate/axis0", "concatenate", [[f32(2, 3), f32(1, 3)]])
    op(rec, "concatenate/axis1_three", "concatenate", [[f32(2, 1), f32(2, 3), f32(2, 2)]],
       {"axis": 1})
    op(rec, "stack/axis0", "stack", [[f32(2, 3), f32(2, 3)]])
    op(rec, "stack/last", "stack", [[f32(2, 3), f32(2, 3), f32(2, 3)]], {"axis": -1})
    op(rec, "take/flat", "take", [f32(3, 4), np.array([0, 5, 11, 5], np.int32)])
    op(rec, "take/axis1_repeats", "take", [f32(3, 4), np.array([3, 0, 3], np.int32)],
       {"axis": 1})
    op(rec, "take/axis0_2d_indices", "take", [f32(4, 2), np.array([[0, 1], [3, 3]], np.int32)],
       {"axis": 0})
    op(rec, "take/negative_index", "take", [f32(5), np.array([-1, 0, -2], np.int32)])
    op(rec, "take_along_axis/axis1", "take_along_axis",
       [f32(3, 4), np.array([[0, 0], [3, 1], [2, 2]], np.int32)], {"axis": 1})
    op(rec, "take_along_axis/axis0", "take_along_axis",
       [f32(3, 2), np.array([[2, 0], [2, 2]], np.int32)], {"axis": 0})
    op(rec, "one_hot/basic", "one_hot", [np.array([0, 2, 1, 3], np.int32), 4])
    op(rec, "one_hot/out_of_range", "one_hot", [np.array([[0, 5], [-1, 1]], np.int32), 3])
    op(rec, "one_hot/float_labels", "one_hot", [np.array([0.0, 2.0, 1.0], np.float32), 3], wrt=[])
    op(rec, "full/python_int", "full", [(2, 3), 1])
    op(rec, "full/python_bool", "full", [(2,), True])
    op(rec, "full/dtype", "full", [(2,), 1.5], {"dtype": "float64"})
    op(rec, "cast/to_float64", "cast", [f32(2, 3), "float64"])
    op(rec, "cast/to_int32", "cast", [np.array([-1.7, 0.2, 2.9], np.float32), "int32"])
    op(rec, "cast/from_int32", "cast", [np.array([1, 2], np.int32), "float32"])
    op(rec, "convert_to_tensor/python_floats", "convert_to_tensor", [[1.0, 2.0]])
    op(rec, "convert_to_tensor/python_ints", "convert_to_tensor", [[1, 2]])
    op(rec, "convert_to_tensor/float64", "convert_to_tensor", [np.array([1.0, 2.0])])

    # -- nn
    extremes = np.array([-100.0, -20.0, -5.0, -1.0, 0.0, 1.0, 5.0, 20.0, 100.0], np.float32)
    op(rec, "sigmoid/extremes", "sigmoid", [extremes])
    op(rec, "sigmoid/basic", "sigmoid", [f32(3, 4)])
    op(rec, "tanh/extremes", "tanh", [extremes])
    op(rec, "softplus/extremes", "softplus", [extremes])
    op(rec, "softplus/basic", "softplus", [f32(3, 4)])
    op(rec, "relu/with_zero", "relu", [with_zero])
    op(rec, "softmax/last", "softmax", [f32(3, 4)])
    op(rec, "softmax/axis0", "softmax", [f32(3, 4)], {"axis": 0})
    op(rec, "softmax/large_logits", "softmax",
       [np.array([[1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]], np.float32)])
    op(rec, "log_softmax/last", "log_softmax", [f32(3, 4)])
    op(rec, "log_softmax/axis1_rank3", "log_softmax", [f32(2, 3, 4)], {"axis": 1})
    op(rec, "log_softmax/large_logits", "log_softmax",
       [np.array([[1000.0, 0.0, -1000.0]], np.float32)])
    return rec
