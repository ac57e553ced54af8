"""Functional models with ``keras.ops`` steps (family "functional_ops"): ops and operators called
on KerasTensors, written once for both sides.

Each builder takes the ``keras`` module: tools/reference/functional_ops.py passes real Keras,
tests/test_functional_ops.py passes nbkeras. ``MODELS`` maps a case name to ``(builder, inputs)``
where ``inputs`` lists ``(shape, dtype)`` of the arrays the case is called on (random floats,
integer labels in [0, 6), with some zeros for the masked model).
"""


def arithmetic(keras):
    """Operators on KerasTensors (+, -, *, /, **, unary minus, abs, x[...], !=) around a
    Dense layer; a bool output."""
    keras.backend.clear_session()
    inputs = keras.Input(shape=(4,), name="x")
    h = keras.layers.Dense(3, name="dense")(inputs)
    y = (keras.ops.relu(h) * 2.0 + inputs[:, :3]) / 3.0 - abs(-h) ** 2
    flags = inputs != 0.5
    return keras.Model(inputs, [y, flags], name="arithmetic")


def reductions_and_shapes(keras):
    """Reductions, reshapes, a concatenation, a product with a constant tensor and a
    softmax: options in the configs (axis, keepdims, newshape) and a ``__tensor__``."""
    keras.backend.clear_session()
    ops = keras.ops
    inputs = keras.Input(shape=(4, 3))
    a = inputs * 2.0 + 1.0
    b = ops.sum(a, axis=1)
    c = ops.relu(b) - inputs[:, 0, :]
    d = ops.reshape(c, (-1, 3, 1))
    e = ops.concatenate([d, d], axis=-1)
    f = ops.mean(e, axis=-1, keepdims=True)
    g = ops.expand_dims(ops.squeeze(f, -1), 1)
    h = ops.matmul(g, ops.ones((3, 2)))
    return keras.Model(inputs, [h, ops.softmax(b)])


def selections(keras):
    """Two inputs, one of integer labels: take, one_hot, where, clip, cast, a comparison,
    maximum and logsumexp."""
    keras.backend.clear_session()
    ops = keras.ops
    x = keras.Input(shape=(6,), name="values")
    labels = keras.Input(shape=(2,), dtype="int32", name="labels")
    picked = ops.take_along_axis(x, labels, axis=1)
    hot = ops.sum(ops.one_hot(labels, 6), axis=1)
    kept = ops.where(x > 0, x, 0.1 * x) * hot
    bounded = ops.clip(kept, -0.5, 0.5) + ops.cast(x > 1.0, "float32")
    dense = keras.layers.Dense(2, activation="tanh", name="head")(bounded)
    top = ops.logsumexp(ops.maximum(dense, picked), axis=-1, keepdims=True)
    return keras.Model([x, labels], [top, picked])


def masked_text(keras):
    """Embedding(mask_zero=True) then an LSTM: the mask is computed in the graph, a NotEqual
    step whose output the LSTM takes as ``mask``."""
    keras.backend.clear_session()
    inputs = keras.Input(shape=(None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(6, 4, mask_zero=True, name="embedding")(inputs)
    x = keras.layers.LSTM(3, name="lstm")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="dense")(x))


MODELS = {
    "arithmetic": (arithmetic, [((5, 4), "float32")]),
    "reductions_and_shapes": (reductions_and_shapes, [((5, 4, 3), "float32")]),
    "selections": (selections, [((5, 6), "float32"), ((5, 2), "int32")]),
    "masked_text": (masked_text, [((4, 7), "int32")]),
}

def make_inputs(rng, specs):
    """Arrays for ``(shape, dtype)`` specs: floats N(0, 1), integers in [0, 6) with the last
    two positions of every other row 0 (padding, for the masked model)."""
    import numpy as np

    arrays = []
    for shape, dtype in specs:
        if dtype == "float32":
            arrays.append(rng.standard_normal(shape).astype(np.float32))
        else:
            values = rng.integers(1, 6, shape).astype(np.int32)
            if len(shape) == 2 and shape[1] > 3:
                values[::2, -2:] = 0
            arrays.append(values)
    return arrays
