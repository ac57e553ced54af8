"""Reference cases for the numeric preprocessing layers (Normalization, Rescaling,
Discretization, CategoryEncoding, Hashing, IntegerLookup) and keras.utils' to_categorical,
normalize and pad_sequences.

A layer case builds ``keras.layers.<layer>(**kwargs)``, optionally adapts it (to one array, a
tensor, or a list of batches), calls it on ``x`` and records the output and its dtype, the
config after adapt, the weights (Normalization's learned mean and variance), and what the layer
learned (IntegerLookup's vocabulary, Discretization's boundaries). A case with ``error``
records the message of the ValueError Keras raised instead. Utility cases record the function's
output for the given arguments.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder


def preprocessing_case(rec, case_id, layer, kwargs, x, adapt=None, adapt_as="array",
                       call_arrays=None, weights=None):
    instance = getattr(keras.layers, layer)(**kwargs)
    meta = {"layer": layer, "kwargs": kwargs, "adapt_as": adapt_as if adapt is not None
            else None, "call_arrays": sorted(call_arrays or {})}
    if adapt is not None:
        if adapt_as == "batches":
            for i, batch in enumerate(adapt):
                rec.array(case_id, f"adapt/{i}", batch)
            meta["n_adapt_batches"] = len(adapt)
            instance.adapt(list(adapt))
        else:
            rec.array(case_id, "adapt", adapt)
            instance.adapt(tf.constant(adapt) if adapt_as == "tensor" else adapt)
    if weights is not None:
        instance.build(x.shape)
        instance.set_weights(weights)
        for i, w in enumerate(weights):
            rec.array(case_id, f"set/w{i}", w)
        meta["n_set_weights"] = len(weights)
    rec.array(case_id, "x", x)
    call = {}
    for name, value in (call_arrays or {}).items():
        rec.array(case_id, f"call/{name}", value)
        call[name] = value
    try:
        out = instance(x, **call)
    except (ValueError, tf.errors.InvalidArgumentError) as error:
        meta["error"] = str(error)
        rec.add(case_id, **meta)
        return
    out = keras.ops.convert_to_numpy(out)
    rec.array(case_id, "output", out)
    meta["output_dtype"] = out.dtype.name
    meta["config"] = instance.get_config()
    for i, w in enumerate(instance.get_weights()):
        rec.array(case_id, f"w{i}", w)
    meta["n_weights"] = len(instance.get_weights())
    if hasattr(instance, "get_vocabulary"):
        meta["vocabulary"] = [int(v) for v in instance.get_vocabulary()]
        meta["vocabulary_size"] = int(instance.vocabulary_size())
    if layer == "Discretization":
        meta["bin_boundaries"] = [float(b) for b in instance.bin_boundaries]
    rec.add(case_id, **meta)


def utility_case(rec, case_id, function, args, kwargs=None):
    kwargs = kwargs or {}
    spec = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            rec.array(case_id, f"arg{i}", a)
            spec.append({"array": f"arg{i}"})
        else:
            spec.append({"value": a})
    out = np.asarray(getattr(keras.utils, function)(*args, **kwargs))
    rec.array(case_id, "output", out)
    rec.add(case_id, function=function, args=spec, kwargs=kwargs, output_dtype=out.dtype.name)


def build():
    rec = Recorder("preprocessing", seed=20261211)
    r = rec.rng

    def f32(*shape, scale=1.0, shift=0.0):
        return (r.standard_normal(shape) * scale + shift).astype(np.float32)

    # -- Normalization: given statistics, adapt on arrays, tensors and batches, invert
    data = f32(50, 3, scale=[1.0, 10.0, 0.1], shift=[0.0, 5.0, -3.0])
    preprocessing_case(rec, "Normalization/given_mean_variance", "Normalization",
                       {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 0.25]}, f32(4, 3))
    preprocessing_case(rec, "Normalization/given_scalars", "Normalization",
                       {"mean": 3.0, "variance": 2.0}, np.array([[1.0], [2.0], [3.0]],
                                                                np.float32))
    preprocessing_case(rec, "Normalization/adapt_array", "Normalization", {}, f32(4, 3),
                       adapt=data)
    preprocessing_case(rec, "Normalization/adapt_tensor", "Normalization", {}, f32(4, 3),
                       adapt=data, adapt_as="tensor")
    preprocessing_case(rec, "Normalization/adapt_batches", "Normalization", {}, f32(4, 3),
                       adapt=[data[:20], data[20:27], data[27:]], adapt_as="batches")
    preprocessing_case(rec, "Normalization/adapt_axis_none", "Normalization", {"axis": None},
                       f32(5), adapt=np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32))
    images = f32(8, 4, 4, 2, scale=3.0, shift=1.0)
    preprocessing_case(rec, "Normalization/adapt_two_axes", "Normalization", {"axis": (1, 3)},
                       images[:2], adapt=images)
    preprocessing_case(rec, "Normalization/invert", "Normalization", {"invert": True},
                       f32(4, 3), adapt=data)
    preprocessing_case(rec, "Normalization/doc_example", "Normalization", {"axis": -1},
                       np.array([[0.0, 7.0, 4.0]], np.float32),
                       adapt=np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0],
                                       [2.0, 9.0, 6.0]], np.float32))
    preprocessing_case(rec, "Normalization/set_weights", "Normalization", {}, f32(4, 3),
                       weights=[np.array([1.0, 2.0, 3.0], np.float32),
                                np.array([4.0, 1.0, 0.25], np.float32), np.array(5, np.int64)])

    # -- Rescaling
    pixels = r.integers(0, 256, (2, 3, 3, 3)).astype(np.uint8)
    preprocessing_case(rec, "Rescaling/unit_interval", "Rescaling", {"scale": 1 / 255},
                       pixels)
    preprocessing_case(rec, "Rescaling/minus_one_to_one", "Rescaling",
                       {"scale": 1 / 127.5, "offset": -1.0}, pixels.astype(np.float32))
    preprocessing_case(rec, "Rescaling/per_channel", "Rescaling",
                       {"scale": [0.5, 2.0, -1.0], "offset": [1.0, 0.0, 0.5]}, f32(2, 2, 3))

    # -- Discretization
    values = np.array([[-1.5, 0.0, 0.2, 1.0], [2.0, 2.5, 0.99, -0.01]], np.float32)
    bounds = [0.0, 1.0, 2.0]
    for mode in ["int", "one_hot", "multi_hot", "count"]:
        preprocessing_case(rec, f"Discretization/boundaries_{mode}", "Discretization",
                           {"bin_boundaries": bounds, "output_mode": mode},
                           values[:1, :, None][0] if mode == "one_hot" else values)
    skewed = r.exponential(2.0, 1000).astype(np.float32)
    preprocessing_case(rec, "Discretization/adapt_4_bins", "Discretization", {"num_bins": 4},
                       values, adapt=skewed)
    preprocessing_case(rec, "Discretization/adapt_batches_epsilon", "Discretization",
                       {"num_bins": 5, "epsilon": 0.05}, values,
                       adapt=[skewed[:300], skewed[300:700], skewed[700:]], adapt_as="batches")

    # -- CategoryEncoding
    ids = np.array([[0, 1, 1], [3, 2, 0]], np.int32)
    preprocessing_case(rec, "CategoryEncoding/multi_hot", "CategoryEncoding",
                       {"num_tokens": 4}, ids)
    preprocessing_case(rec, "CategoryEncoding/count", "CategoryEncoding",
                       {"num_tokens": 5, "output_mode": "count"}, ids)
    preprocessing_case(rec, "CategoryEncoding/count_weights", "CategoryEncoding",
                       {"num_tokens": 4, "output_mode": "count"}, ids,
                       call_arrays={"count_weights": f32(2, 3)})
    preprocessing_case(rec, "CategoryEncoding/one_hot_column", "CategoryEncoding",
                       {"num_tokens": 4, "output_mode": "one_hot"},
                       np.array([[3], [0], [2]], np.int64))
    preprocessing_case(rec, "CategoryEncoding/one_hot_vector", "CategoryEncoding",
                       {"num_tokens": 3, "output_mode": "one_hot"}, np.array([2, 0, 1, 1]))
    preprocessing_case(rec, "CategoryEncoding/multi_hot_one_sample", "CategoryEncoding",
                       {"num_tokens": 6, "output_mode": "multi_hot"}, np.array([5, 1, 1]))
    preprocessing_case(rec, "CategoryEncoding/id_out_of_range", "CategoryEncoding",
                       {"num_tokens": 3}, np.array([[0, 3]], np.int32))

    # -- Hashing
    words = np.array([["cat", "dog", "bird"], ["", "a much longer token than the others, "
                       "past sixty-four bytes of utf-8 text for farmhash", "émoji 🐈"]])
    preprocessing_case(rec, "Hashing/strings", "Hashing", {"num_bins": 7}, words)
    preprocessing_case(rec, "Hashing/integers", "Hashing", {"num_bins": 5},
                       np.array([[1, 42, -7, 123456789012]], np.int64))
    preprocessing_case(rec, "Hashing/floats_truncate", "Hashing", {"num_bins": 5},
                       np.array([[1.9, -7.2, 42.0]], np.float32))
    preprocessing_case(rec, "Hashing/mask_value", "Hashing", {"num_bins": 4, "mask_value": ""},
                       words)
    preprocessing_case(rec, "Hashing/salt", "Hashing", {"num_bins": 9, "salt": [133, 137]},
                       words)
    preprocessing_case(rec, "Hashing/salt_int", "Hashing", {"num_bins": 9, "salt": 133},
                       np.array([[7, 8, 9]], np.int64))
    preprocessing_case(rec, "Hashing/one_hot", "Hashing", {"num_bins": 3,
                                                           "output_mode": "one_hot"},
                       np.array([["a"], ["b"], ["c"]]))
    preprocessing_case(rec, "Hashing/multi_hot", "Hashing",
                       {"num_bins": 4, "output_mode": "multi_hot"}, words)
    preprocessing_case(rec, "Hashing/count", "Hashing", {"num_bins": 4, "output_mode": "count"},
                       np.array([["a", "a", "b"]]))

    # -- IntegerLookup
    tokens = np.array([[12, 1138, 42], [42, 1000, 36]], np.int64)
    vocab = [12, 36, 1138, 42]
    usage = np.array([42, 7, 42, 12, 7, 42, 99, 12, 0, 5, 5, 5, 99, -1], np.int64)
    preprocessing_case(rec, "IntegerLookup/vocabulary", "IntegerLookup", {"vocabulary": vocab},
                       tokens)
    preprocessing_case(rec, "IntegerLookup/adapt", "IntegerLookup", {}, tokens, adapt=usage)
    preprocessing_case(rec, "IntegerLookup/adapt_batches_max_tokens", "IntegerLookup",
                       {"max_tokens": 4}, tokens,
                       adapt=[usage[:7, None], usage[7:, None]], adapt_as="batches")
    preprocessing_case(rec, "IntegerLookup/mask_token", "IntegerLookup",
                       {"vocabulary": vocab, "mask_token": 0},
                       np.array([[12, 0, 7], [42, 36, 0]], np.int64))
    preprocessing_case(rec, "IntegerLookup/two_oov_indices", "IntegerLookup",
                       {"vocabulary": vocab, "num_oov_indices": 2},
                       np.array([[12, 7, 8, -3]], np.int64))
    preprocessing_case(rec, "IntegerLookup/oov_farmhash", "IntegerLookup",
                       {"vocabulary": vocab, "num_oov_indices": 3, "oov_method": "farmhash"},
                       np.array([[12, 7, 8, 1001]], np.int64))
    preprocessing_case(rec, "IntegerLookup/invert", "IntegerLookup",
                       {"vocabulary": vocab, "invert": True},
                       np.array([[1, 3, 0], [4, 2, 9]], np.int64))
    preprocessing_case(rec, "IntegerLookup/invert_mask", "IntegerLookup",
                       {"vocabulary": vocab, "invert": True, "mask_token": 0},
                       np.array([[1, 3, 0], [4, 2, 5]], np.int64))
    preprocessing_case(rec, "IntegerLookup/special_tokens_in_vocabulary", "IntegerLookup",
                       {"vocabulary": [-1] + vocab}, tokens)
    for mode in ["one_hot", "multi_hot", "count"]:
        x = tokens[:, :1] if mode == "one_hot" else tokens
        preprocessing_case(rec, f"IntegerLookup/{mode}", "IntegerLookup",
                           {"vocabulary": vocab, "output_mode": mode}, x)
    preprocessing_case(rec, "IntegerLookup/multi_hot_mask", "IntegerLookup",
                       {"vocabulary": vocab, "output_mode": "multi_hot", "mask_token": 0},
                       np.array([[12, 0, 42], [0, 0, 7]], np.int64))
    preprocessing_case(rec, "IntegerLookup/count_padded", "IntegerLookup",
                       {"vocabulary": vocab, "output_mode": "count", "max_tokens": 8,
                        "pad_to_max_tokens": True}, tokens)
    documents = np.array([[42, 7, 42], [12, 7, 99], [42, 5, 5]], np.int64)
    preprocessing_case(rec, "IntegerLookup/tf_idf_adapt", "IntegerLookup",
                       {"output_mode": "tf_idf"}, tokens, adapt=documents)
    preprocessing_case(rec, "IntegerLookup/tf_idf_given", "IntegerLookup",
                       {"output_mode": "tf_idf", "vocabulary": vocab,
                        "idf_weights": [0.5, 0.25, 1.0, 2.0]}, tokens)
    preprocessing_case(rec, "IntegerLookup/no_oov_indices_error", "IntegerLookup",
                       {"vocabulary": vocab, "num_oov_indices": 0},
                       np.array([[12, 7]], np.int64))

    # -- keras.utils
    utility_case(rec, "to_categorical/list", "to_categorical", [[0, 1, 2, 3]],
                 {"num_classes": 4})
    utility_case(rec, "to_categorical/column_inferred", "to_categorical",
                 [np.array([[2], [0], [1]])])
    utility_case(rec, "to_categorical/matrix", "to_categorical",
                 [np.array([[1, 0], [2, 2]])], {"num_classes": 3})
    matrix = f32(3, 4)
    matrix[1] = 0.0
    utility_case(rec, "normalize/rows", "normalize", [matrix])
    utility_case(rec, "normalize/rows_order_1", "normalize", [matrix], {"axis": 1, "order": 1})
    sequences = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], []]
    utility_case(rec, "pad_sequences/default", "pad_sequences", [sequences])
    utility_case(rec, "pad_sequences/post_truncate_post", "pad_sequences", [sequences],
                 {"maxlen": 4, "padding": "post", "truncating": "post", "value": -1})
    utility_case(rec, "pad_sequences/pre_truncate_pre_float", "pad_sequences", [sequences],
                 {"maxlen": 2, "dtype": "float32", "value": 0.5})
    return rec
