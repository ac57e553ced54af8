"""Recording helpers for layer reference cases: weights set, forward output, and tf.GradientTape
gradients with respect to the input and every trainable weight, against a random cotangent.

A layer case stores the layer's class name and constructor arguments (JSON), the input, the
weights in ``layer.get_weights()`` order (drawn here and loaded with ``set_weights``, never
Keras' random initialisation), the output, the cotangent and the gradients. A shape case stores
only what ``layer.compute_output_shape`` or a symbolic call gives, or the error Keras raises.
"""

import keras
import tensorflow as tf


def _jsonable(value):
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def layer_case(rec, case_id, layer_name, kwargs, x, weight_scale=0.5, fold_batch=0):
    """Build ``keras.layers.<layer_name>(**kwargs)`` on ``x``, load random weights, record it.

    ``fold_batch=k`` calls the layer on ``x`` with its first k + 1 axes folded into one (Keras 3
    refuses extra batch axes, tf.keras 2 accepted them) and stores the output unfolded: the
    numbers an extended-batch call must give.
    """
    layer = getattr(keras.layers, layer_name)(**kwargs)
    call_shape = (-1,) + x.shape[fold_batch + 1:]
    folded = x.reshape(call_shape)
    layer.build(folded.shape)
    weights = [
        (rec.rng.standard_normal(w.shape) * weight_scale).astype(w.dtype)
        for w in layer.get_weights()
    ]
    layer.set_weights(weights)
    rec.array(case_id, "input", x)
    for i, w in enumerate(weights):
        rec.array(case_id, f"weight/{i}", w)
    xt = tf.constant(folded)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xt)
        y = layer(xt)
    out = keras.ops.convert_to_numpy(y)
    cotangent = rec.rng.standard_normal(out.shape).astype(out.dtype)
    rec.array(case_id, "output", out.reshape(x.shape[: fold_batch + 1] + out.shape[1:]))
    rec.array(case_id, "cotangent", cotangent.reshape(x.shape[: fold_batch + 1] + out.shape[1:]))
    g = tape.gradient(y, xt, output_gradients=tf.constant(cotangent))
    rec.array(case_id, "grad/input", g.numpy().reshape(x.shape))
    trainable = [v.path for v in layer.trainable_weights]
    for i, v in enumerate(layer.weights):
        if v.path in trainable:
            gw = tape.gradient(y, v, output_gradients=tf.constant(cotangent))
            rec.array(case_id, f"grad/weight/{i}", tf.convert_to_tensor(gw).numpy())
    rec.add(
        case_id,
        layer=layer_name,
        kwargs=_jsonable(kwargs),
        input_shape=list(x.shape),
        output_shape=list(x.shape[: fold_batch + 1] + out.shape[1:]),
        weight_names=[v.name for v in layer.weights],
        weight_shapes=[list(w.shape) for w in weights],
        folded_batch_axes=fold_batch,
    )


def shape_case(rec, case_id, layer_name, args, kwargs, input_shape, then=None):
    """The output shape of ``keras.layers.<layer_name>(*args, **kwargs)`` called on a symbolic
    ``keras.Input(batch_shape=input_shape)`` (then on ``keras.layers.<then>()`` of that output,
    if given), or the ValueError Keras raises."""
    meta = dict(layer=layer_name, args=_jsonable(args), kwargs=_jsonable(kwargs),
                input_shape=_jsonable(input_shape), then=then)
    try:
        y = getattr(keras.layers, layer_name)(*args, **kwargs)(
            keras.Input(batch_shape=input_shape)
        )
        meta["output_shape"] = list(y.shape)
        if then is not None:
            meta["then_shape"] = list(getattr(keras.layers, then)()(y).shape)
    except ValueError as error:
        meta["error"] = str(error)
    rec.add(case_id, **meta)
