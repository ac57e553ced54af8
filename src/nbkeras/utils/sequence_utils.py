"""``keras.utils.pad_sequences``: a list of sequences as one rectangular NumPy array."""

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (or cut) every sequence to ``maxlen`` (default: the longest) and stack them into an
    array of shape (len(sequences), maxlen, *item shape).

    ``padding="pre"`` puts the ``value`` entries before each sequence, ``"post"`` after it;
    ``truncating="pre"`` drops the first entries of a longer sequence, ``"post"`` the last.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be iterable (a list of sequences)")
    for name, option in (("padding", padding), ("truncating", truncating)):
        if option not in ("pre", "post"):
            raise ValueError(
                f'pad_sequences: {name} {option!r} not understood; expected "pre" or "post"'
            )
    lengths, item_shape, first = [], (), True
    for x in sequences:
        if not hasattr(x, "__len__"):
            raise ValueError(
                f"pad_sequences: `sequences` must be a list of iterables; found a "
                f"non-iterable: {x!r}"
            )
        lengths.append(len(x))
        if first and len(x):
            item_shape = np.asarray(x).shape[1:]
            first = False
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(
            f"pad_sequences: `dtype` {dtype} is not compatible with `value`'s type "
            f"{type(value)}; use dtype=object for string padding"
        )
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for i, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(
                f"pad_sequences: shape of sample {kept.shape[1:]} of sequence at position {i} "
                f"is different from the expected shape {item_shape}"
            )
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, out.shape[1] - len(kept):] = kept
    return out
