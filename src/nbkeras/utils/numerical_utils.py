"""``keras.utils.to_categorical`` and ``keras.utils.normalize``, and the categorical encodings
the preprocessing layers share (one-hot, multi-hot, counts)."""

import numpy as np


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis``. A NumPy array gives a NumPy array
    (a zero norm is replaced by 1, as Keras does); a tensor gives a tensor
    (``ops.normalize``). For arrays Keras 3.15 divides along the last axis whatever ``axis``
    says when it is 0 (``axis or -1``), which fails or normalises the wrong axis; nbkeras uses
    the axis asked for."""
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / (np.expand_dims(norm, axis) if axis is not None else norm)
    from nbkeras import ops

    return ops.normalize(x, axis=axis, order=order)


def to_categorical(x, num_classes=None):
    """One-hot rows for integer class labels: labels of shape (n,) or (n, 1) give (n,
    num_classes), in float64 for NumPy or list input (as Keras), as a float32 one-hot tensor
    for a tensor. ``num_classes`` defaults to ``max(x) + 1``; a label outside
    [0, num_classes) is an error."""
    from nbkeras.tensor import Tensor

    if isinstance(x, Tensor):
        from nbkeras import ops

        if x.ndim > 1 and x.shape[-1] == 1:
            x = ops.reshape(x, x.shape[:-1])
        if num_classes is None:
            raise ValueError("to_categorical: pass num_classes for a tensor input")
        return ops.one_hot(x, num_classes)
    labels = np.array(x, dtype="int64")
    shape = labels.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(labels)) + 1 if labels.size else 0
    bad = (labels < 0) | (labels >= num_classes)
    if bad.any():
        raise ValueError(
            f"to_categorical: every label must be in [0, num_classes) = [0, {num_classes}); "
            f"got {int(labels[bad][0])}"
        )
    categorical = np.zeros((labels.shape[0], num_classes))
    categorical[np.arange(labels.shape[0]), labels] = 1
    return categorical.reshape(shape + (num_classes,))


def encode_categorical_inputs(inputs, output_mode, depth, dtype, count_weights=None,
                              out_of_range="raise"):
    """Integer ids as Keras' preprocessing layers encode them, with ``depth`` classes:

    - ``"int"``: the ids cast to ``dtype``;
    - ``"one_hot"``: one row per id (a trailing axis of 1 is dropped first);
    - ``"multi_hot"``: per sample (the last axis), 1 for every id present;
    - ``"count"``: per sample, how often each id occurs (times ``count_weights``, if given).

    Inputs of rank 0 are one id, rank 1 one sample; multi_hot and count take at most rank 2.
    An id outside [0, depth) is an error, or with ``out_of_range="drop"`` adds nothing (what
    TensorFlow does with it, and what IntegerLookup relies on for its masked tokens).
    """
    from nbkeras import ops

    if output_mode == "int":
        return ops.cast(inputs, dtype)
    ids = np.asarray(inputs._value if hasattr(inputs, "_value") else inputs)
    if ids.ndim == 0:
        ids = ids.reshape(1)
    if output_mode == "one_hot" and ids.ndim > 1 and ids.shape[-1] == 1:
        ids = ids[..., 0]
    if output_mode in ("multi_hot", "count") and ids.ndim > 2:
        raise ValueError(
            f"When output_mode is not `'int'`, maximum supported output rank is 2. Received "
            f"output_mode {output_mode} and input shape {ids.shape}, which would result in "
            f"output rank {ids.ndim + 1}."
        )
    bad = (ids < 0) | (ids >= depth)
    if bad.any() and out_of_range == "raise":
        raise ValueError(
            f"{output_mode} encoding: every id must be in [0, {depth}) (the number of "
            f"tokens); got {ids[bad].reshape(-1)[0].item()!r}"
        )
    one_hot = ops.one_hot(ids, depth, dtype=dtype)
    if output_mode == "one_hot":
        return one_hot
    if output_mode == "multi_hot":
        return ops.max(one_hot, axis=-2)
    if count_weights is not None:
        count_weights = ops.convert_to_tensor(count_weights)
        one_hot = ops.multiply(ops.cast(one_hot, count_weights.dtype),
                               ops.expand_dims(count_weights, -1))
    return ops.sum(one_hot, axis=-2)
