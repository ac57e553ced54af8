"""Reference cases for keras.layers: forward output, tf.GradientTape gradients, losses, updates.

Each case builds ``keras.layers.<layer>(**kwargs)`` for the given input shape(s), optionally sets
random weights (``set_weights``) and the ``trainable`` flag, then calls it on random inputs inside
a persistent tf.GradientTape. It records:

- the weights before the call (``w<i>``; nbkeras loads them with ``set_weights``), and after it
  (``after/w<i>``: BatchNormalization's moving statistics move in training);
- the output and, for a random cotangent, the gradients with respect to every float input and
  every trainable weight;
- ``layer.losses`` (weight and activity regularizers) and the gradients of their sum;
- ``count_params()`` and the output shape of a symbolic call on ``keras.Input``.

A random cotangent (not ones) matters: normalised outputs have gradients that sum to zero
against a constant cotangent whatever the formula.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder


def _serial(kind, obj):
    return getattr(keras, kind).serialize(obj)


def layer_case(rec, case_id, layer, kwargs, inputs, call_kwargs=None, weights=None,
               trainable=None, symbolic=True, call_arrays=None, from_config=False):
    """Build, call and differentiate ``keras.layers.<layer>(**kwargs)`` on ``inputs``;
    ``call_arrays`` are call arguments that are arrays (a mask), recorded as ``call/<name>``;
    ``from_config=True`` makes the layer with ``from_config(kwargs)`` (a wrapper, whose
    ``layer`` argument is a config)."""
    call_kwargs = call_kwargs or {}

    def make():
        cls = getattr(keras.layers, layer)
        return cls.from_config(dict(kwargs)) if from_config else cls(**kwargs)

    array_kwargs = {}
    for name, value in (call_arrays or {}).items():
        rec.array(case_id, f"call/{name}", value)
        array_kwargs[name] = tf.constant(value)
    instance = make()
    shapes = [x.shape for x in inputs]
    instance.build(shapes if len(inputs) > 1 else shapes[0])
    if weights is not None:
        instance.set_weights([w(v.shape) if callable(w) else w
                              for w, v in zip(weights, instance.weights, strict=True)])
    if trainable is not None:
        instance.trainable = trainable
    before = instance.get_weights()
    for i, w in enumerate(before):
        rec.array(case_id, f"w{i}", w)
    tensors = []
    for i, x in enumerate(inputs):
        rec.array(case_id, f"x{i}", x)
        tensors.append(tf.constant(x))
    float_inputs = [i for i, x in enumerate(inputs) if x.dtype.kind == "f"]
    trainable_indices = [i for i, v in enumerate(instance.weights)
                         if any(v is t for t in instance.trainable_weights)]
    with tf.GradientTape(persistent=True) as tape:
        for i in float_inputs:
            tape.watch(tensors[i])
        out = instance(tensors if len(inputs) > 1 else tensors[0], **call_kwargs,
                       **array_kwargs)
        losses = list(instance.losses)
        total_loss = tf.add_n([tf.convert_to_tensor(v) for v in losses]) if losses else None
    out_np = keras.ops.convert_to_numpy(out)
    rec.array(case_id, "output", out_np)
    cotangent = rec.rng.standard_normal(out_np.shape).astype(out_np.dtype)
    rec.array(case_id, "cotangent", cotangent)
    sources = {f"x{i}": tensors[i] for i in float_inputs}
    sources.update({f"w{i}": instance.weights[i] for i in trainable_indices})
    for name, source in sources.items():
        g = tape.gradient(out, source, output_gradients=tf.constant(cotangent))
        if g is not None:
            rec.array(case_id, f"grad/{name}", tf.convert_to_tensor(g).numpy())
        if total_loss is not None:
            g = tape.gradient(total_loss, source)
            if g is not None:
                rec.array(case_id, f"loss_grad/{name}", tf.convert_to_tensor(g).numpy())
    for i, loss in enumerate(losses):
        rec.array(case_id, f"loss/{i}", keras.ops.convert_to_numpy(loss))
    for i, w in enumerate(instance.get_weights()):
        rec.array(case_id, f"after/w{i}", w)
    meta = {
        "layer": layer,
        "kwargs": kwargs,
        "call_kwargs": call_kwargs,
        "call_arrays": sorted(array_kwargs),
        "from_config": from_config,
        "trainable": trainable,
        "n_inputs": len(inputs),
        "n_weights": len(before),
        "weight_paths": [v.path.split("/", 1)[1] for v in instance.weights],
        "trainable_weights": trainable_indices,
        "n_losses": len(losses),
        "count_params": instance.count_params(),
        "output_dtype": out_np.dtype.name,
        "config": instance.get_config(),
    }
    if symbolic:
        fresh = make()
        symbolic_inputs = [keras.Input(batch_shape=(None,) + x.shape[1:], dtype=x.dtype.name)
                           for x in inputs]
        symbolic_out = fresh(symbolic_inputs if len(inputs) > 1 else symbolic_inputs[0])
        meta["symbolic_output_shape"] = list(symbolic_out.shape)
    rec.add(case_id, **meta)


def build():
    rec = Recorder("layers", seed=20261123)
    r = rec.rng

    def f32(*shape, scale=1.0, shift=0.0):
        return (r.standard_normal(shape) * scale + shift).astype(np.float32)

    def uniform_between(low, high):
        return lambda shape: r.uniform(low, high, shape).astype(np.float32)

    def normal_weights(shape):
        return r.standard_normal(shape).astype(np.float32)

    l2 = _serial("regularizers", keras.regularizers.L2(0.01))
    l1 = _serial("regularizers", keras.regularizers.L1(0.01))
    l1_l2 = _serial("regularizers", keras.regularizers.L1L2(l1=0.01, l2=0.01))
    max_norm = _serial("constraints", keras.constraints.MaxNorm(2, axis=0))

    # -- Dense
    layer_case(rec, "dense/basic", "Dense", {"units": 4}, [f32(3, 5)])
    layer_case(rec, "dense/no_bias", "Dense", {"units": 3, "use_bias": False}, [f32(4, 2)])
    layer_case(rec, "dense/rank3", "Dense", {"units": 4}, [f32(2, 3, 5)],
               weights=[normal_weights, normal_weights])
    layer_case(rec, "dense/rank4", "Dense", {"units": 2}, [f32(2, 2, 3, 4)],
               weights=[normal_weights, normal_weights])
    for activation in ["relu", "sigmoid", "tanh", "softmax"]:
        layer_case(rec, f"dense/activation_{activation}", "Dense",
                   {"units": 5, "activation": activation}, [f32(4, 3)],
                   weights=[normal_weights, normal_weights])
    layer_case(rec, "dense/regularized", "Dense",
               {"units": 3, "kernel_regularizer": l2, "bias_regularizer": l1,
                "activity_regularizer": l1_l2},
               [f32(4, 5)], weights=[normal_weights, normal_weights])
    # the seed's regularised model, layer by layer
    layer_case(rec, "dense/seed_model_first", "Dense",
               {"units": 64, "input_dim": 64, "kernel_regularizer": l2,
                "activity_regularizer": l1, "kernel_constraint": max_norm},
               [f32(8, 64)])
    layer_case(rec, "dense/seed_model_second", "Dense",
               {"units": 10, "kernel_regularizer": l1_l2, "activation": "sigmoid"},
               [f32(8, 64)])
    layer_case(rec, "dense/frozen", "Dense", {"units": 3}, [f32(2, 4)], trainable=False)

    # -- Activation
    for activation in ["relu", "sigmoid", "tanh", "softmax", "linear"]:
        layer_case(rec, f"activation/{activation}", "Activation", {"activation": activation},
                   [f32(3, 4, scale=2.0)])

    # -- Dropout: the identity at inference (masks in training cannot match TF's streams)
    layer_case(rec, "dropout/inference", "Dropout", {"rate": 0.5}, [f32(3, 4)])
    layer_case(rec, "dropout/training_rate0", "Dropout", {"rate": 0.0}, [f32(3, 4)],
               call_kwargs={"training": True})
    layer_case(rec, "dropout/training_rate1", "Dropout", {"rate": 1.0}, [f32(3, 4)],
               call_kwargs={"training": True})

    # -- Reshape and Flatten
    layer_case(rec, "reshape/seed_3x4", "Reshape", {"target_shape": (3, 4)}, [f32(2, 12)])
    layer_case(rec, "reshape/minus_one", "Reshape", {"target_shape": (-1, 2)}, [f32(2, 3, 4)])
    layer_case(rec, "flatten/rank4", "Flatten", {}, [f32(2, 3, 4, 2)])
    layer_case(rec, "flatten/channels_first", "Flatten", {"data_format": "channels_first"},
               [f32(2, 3, 2, 2)])
    layer_case(rec, "flatten/rank1", "Flatten", {}, [f32(3)])

    # -- BatchNormalization
    bn_weights = [uniform_between(0.5, 1.5), normal_weights, normal_weights,
                  uniform_between(0.5, 2.0)]
    layer_case(rec, "batch_normalization/training_2d", "BatchNormalization", {},
               [f32(8, 5, scale=2.0, shift=3.0)], call_kwargs={"training": True},
               weights=bn_weights)
    layer_case(rec, "batch_normalization/inference", "BatchNormalization", {},
               [f32(6, 4)], weights=bn_weights)
    layer_case(rec, "batch_normalization/training_4d", "BatchNormalization",
               {"momentum": 0.9, "epsilon": 0.01}, [f32(4, 3, 3, 2, shift=1.0)],
               call_kwargs={"training": True}, weights=bn_weights)
    layer_case(rec, "batch_normalization/channels_first", "BatchNormalization", {"axis": 1},
               [f32(4, 3, 2, 2)], call_kwargs={"training": True}, weights=bn_weights)
    layer_case(rec, "batch_normalization/frozen_training", "BatchNormalization", {},
               [f32(6, 4)], call_kwargs={"training": True}, weights=bn_weights,
               trainable=False)
    layer_case(rec, "batch_normalization/no_center_no_scale", "BatchNormalization",
               {"center": False, "scale": False}, [f32(5, 3)],
               call_kwargs={"training": True},
               weights=[normal_weights, uniform_between(0.5, 2.0)])
    layer_case(rec, "batch_normalization/regularized", "BatchNormalization",
               {"gamma_regularizer": l2, "beta_regularizer": l1}, [f32(6, 3)],
               call_kwargs={"training": True}, weights=bn_weights)

    # -- LayerNormalization
    ln_weights = [normal_weights, normal_weights]
    layer_case(rec, "layer_normalization/basic", "LayerNormalization", {},
               [f32(4, 6, scale=3.0, shift=2.0)], weights=ln_weights)
    layer_case(rec, "layer_normalization/rank3", "LayerNormalization", {"epsilon": 1e-5},
               [f32(2, 3, 6)], weights=ln_weights)
    layer_case(rec, "layer_normalization/two_axes", "LayerNormalization", {"axis": [1, 2]},
               [f32(2, 3, 4)], weights=ln_weights)
    layer_case(rec, "layer_normalization/middle_axis", "LayerNormalization", {"axis": 1},
               [f32(2, 3, 4)], weights=ln_weights)
    layer_case(rec, "layer_normalization/no_center", "LayerNormalization", {"center": False},
               [f32(3, 5)], weights=[normal_weights])
    layer_case(rec, "layer_normalization/no_scale", "LayerNormalization", {"scale": False},
               [f32(3, 5)], weights=[normal_weights])

    # -- Embedding (repeated ids: the table's gradient adds their rows)
    ids = np.array([[1, 2, 4, 2], [9, 0, 1, 1], [3, 3, 3, 7]], np.int32)
    layer_case(rec, "embedding/basic", "Embedding", {"input_dim": 10, "output_dim": 5}, [ids])
    layer_case(rec, "embedding/int64_ids", "Embedding", {"input_dim": 10, "output_dim": 3},
               [ids.astype(np.int64)[:, :2]])
    layer_case(rec, "embedding/regularized", "Embedding",
               {"input_dim": 10, "output_dim": 2, "embeddings_regularizer": l2}, [ids])

    # -- merging
    layer_case(rec, "concatenate/last_axis", "Concatenate", {}, [f32(2, 3), f32(2, 5)])
    layer_case(rec, "concatenate/axis1_rank3", "Concatenate", {"axis": 1},
               [f32(2, 1, 4), f32(2, 3, 4), f32(2, 2, 4)])
    layer_case(rec, "add/two", "Add", {}, [f32(3, 4), f32(3, 4)])
    layer_case(rec, "add/three", "Add", {}, [f32(2, 3, 2), f32(2, 3, 2), f32(2, 3, 2)])
    layer_case(rec, "add/broadcast", "Add", {}, [f32(3, 4), f32(3, 1)])

    # -- Input: the symbolic tensor and its layer's config
    for case_id, kwargs in [("input/shape", {"shape": (16,)}),
                            ("input/batch_shape", {"batch_shape": (4, 3, 2), "dtype": "int32"}),
                            ("input/batch_size", {"shape": (3, None), "batch_size": 8})]:
        tensor = keras.Input(**kwargs)
        layer = tensor._keras_history.operation
        rec.add(case_id, kwargs=kwargs, shape=list(tensor.shape), dtype=tensor.dtype,
                layer_config=layer.get_config(), layer_class=type(layer).__name__)

    # -- Embedding(mask_zero=True): the mask it attaches
    masking = keras.layers.Embedding(10, 2, mask_zero=True)
    rec.array("embedding/mask_zero", "ids", ids)
    rec.array("embedding/mask_zero", "mask",
              keras.ops.convert_to_numpy(masking.compute_mask(tf.constant(ids))))
    rec.add("embedding/mask_zero", kwargs={"input_dim": 10, "output_dim": 2, "mask_zero": True})
    return rec
