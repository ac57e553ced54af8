"""``IndexLookup``: the vocabulary machinery of IntegerLookup (and Keras' StringLookup).

A vocabulary maps each known token to an index. The first indices are reserved: index 0 for
the ``mask_token`` (when there is one and the output is "int"), then ``num_oov_indices``
indices for out-of-vocabulary tokens; the vocabulary's tokens follow, from
``token_start = oov_start + num_oov_indices``. An unknown token goes to the single OOV index,
or with several to ``oov_start + (token mod num_oov_indices)`` (or a hash of the token). A
vocabulary is given (``vocabulary=``, ``set_vocabulary``) or learned by ``adapt(data)``: tokens
by decreasing frequency, ties by decreasing value (Keras' order), at most ``max_tokens`` in all.
``invert=True`` maps indices back to tokens.

Beyond "int", the indices can be encoded as "one_hot", "multi_hot", "count" or "tf_idf" vectors
over the vocabulary (TF-IDF: counts times ``log(1 + documents / (1 + documents containing the
token))``).
"""

import collections

import numpy as np

from nbkeras import config, ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.layer import Layer
from nbkeras.layers.preprocessing.adapt_data import adapt_batches
from nbkeras.layers.preprocessing.hashing import as_values, hash_to_bins
from nbkeras.tensor import Tensor
from nbkeras.utils.numerical_utils import encode_categorical_inputs

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
INT64_MAX = np.iinfo(np.int64).max


class _LookupState:
    """The table and the adapt counts of a lookup layer (plain containers: a layer would track
    a dict attribute as layer state)."""

    def __init__(self):
        self.table = {}  # token -> index (index -> token when inverted)
        self.token_counts = collections.Counter()
        self.document_counts = collections.Counter()
        self.num_documents = 0


def _listify(x):
    if isinstance(x, Tensor):
        x = x.numpy()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    return x


class IndexLookup(Layer):
    """Token <-> index lookups over a vocabulary; subclasses fix the token dtype."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", name=None,
                 salt=None, **kwargs):
        where = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                f"max_tokens={max_tokens}"
            )
        if num_oov_indices < 0:
            raise ValueError(
                "`num_oov_indices` must be greater than or equal to 0. Received: "
                f"num_oov_indices={num_oov_indices}"
            )
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                f"Unknown value for `oov_method`. Allowed values are: ('floormod', 'farmhash'). "
                f"Received: oov_method={oov_method!r}"
            )
        if salt is not None:
            if oov_method != "farmhash":
                raise ValueError(
                    f"`salt` can only be used when `oov_method='farmhash'`. Received: "
                    f"oov_method={oov_method}"
                )
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError(
                    f"The `salt` argument for `{where}` can only be a tuple of 2 integers, or a "
                    f"single integer. Received: salt={salt}."
                )
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(
                f"Unknown value for `output_mode`. Allowed values are: {OUTPUT_MODES}. "
                f"Received: output_mode={output_mode!r}"
            )
        if invert and output_mode != "int":
            raise ValueError(
                "`output_mode` must be `'int'` when `invert` is true. Received: "
                f"output_mode={output_mode}"
            )
        if sparse:
            raise ValueError(f"{where}: sparse=True is not supported by nbkeras")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                f"idf_weights={idf_weights} and output_mode={output_mode}"
            )
        super().__init__(name=name)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        self._state = _LookupState()
        self.idf_weights_const = None
        if self.output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError(
                "When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                "`idf_weights` argument must also be provided."
            )
        if vocabulary is not None:
            if isinstance(vocabulary, str):
                raise ValueError(f"{where}: loading a vocabulary file is not supported by "
                                 "nbkeras; pass the tokens as a list")
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True
        self._build_shapes_dict = {}  # built with no input shape: Keras saves build_config {}

    # -- indices --------------------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """The number of indices: the reserved ones plus the vocabulary's tokens."""
        return len(self._state.table) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The token of every index, in index order (reserved indices first)."""
        if self.invert:
            by_index = dict(self._state.table)
        else:
            by_index = {index: token for token, index in self._state.table.items()}
        vocab = [by_index.get(i, self.oov_token) for i in range(self.vocabulary_size())]
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    # -- vocabulary -----------------------------------------------------------------------------
    def _as_tokens(self, values):
        return np.asarray(values).astype(self.vocabulary_dtype)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use ``vocabulary`` (a list or array of tokens, optionally starting with the mask and
        OOV tokens) and, for "tf_idf", its ``idf_weights``."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        vocabulary = self._as_tokens(_listify(vocabulary))
        if vocabulary.size == 0:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        oov_start, token_start = self._oov_start_index(), self._token_start_index()
        special = [self.mask_token] * oov_start + [self.oov_token] * self.num_oov_indices
        found_special = len(vocabulary) >= token_start and list(vocabulary[:token_start]) == \
            special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, n in collections.Counter(tokens.tolist()).items() if n > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify your "
                f"dataset. The repeated terms are: {repeated}"
            )
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {special}. Received: "
                f"mask_token={self.mask_token}"
            )
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(
                "Found reserved OOV token at unexpected location in `vocabulary`. Either remove "
                "all mask and OOV tokens, or include them only at the start of the vocabulary "
                f"in precisely this order: {special}. Received: oov_token={self.oov_token}"
            )
        size = token_start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Received "
                f"vocabulary size is {size}; `max_tokens` is {self.max_tokens}."
            )
        self._set_table(tokens)
        if self.output_mode == "tf_idf":
            idf_weights = np.asarray(_listify(idf_weights), dtype=np.float64)
            if len(vocabulary) != len(idf_weights):
                raise ValueError(
                    "`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                    f"{len(idf_weights)}; len(vocabulary) is {len(vocabulary)}"
                )
            if idf_weights.ndim != 1:
                raise ValueError("TF-IDF data must be a 1-index array.")
            front = 0 if found_special else token_start
            front_value = 0 if found_special else np.average(idf_weights)
            back = (self.max_tokens - front - len(idf_weights)
                    if self.pad_to_max_tokens and self.max_tokens is not None else 0)
            weights = np.pad(idf_weights, (front, back), constant_values=(front_value, 0))
            self.idf_weights_const = ops.convert_to_tensor(weights, config.floatx())

    def _set_table(self, tokens):
        start = self._token_start_index()
        pairs = ((t, start + i) for i, t in enumerate(tokens.tolist()))
        self._state.table = {i: t for t, i in pairs} if self.invert else dict(pairs)
        self._record_vocabulary_size()

    def _record_vocabulary_size(self):
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is not None and \
                self.vocabulary_size() != self._frozen_vocab_size:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "the vocabulary size cannot be changed after the layer is called. Old vocab "
                f"size is {self._frozen_vocab_size}, new vocab size is {self.vocabulary_size()}"
            )
        self._frozen_vocab_size = self.vocabulary_size()

    # -- adapt ----------------------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Learn the vocabulary from ``data`` (an array, a list, or an iterable of batches, of
        which at most ``steps`` are read): the most frequent tokens, up to ``max_tokens``."""
        self.reset_state()
        whole = (list, tuple, np.ndarray, Tensor)
        for batch in adapt_batches(data, steps, whole):
            if isinstance(batch, whole):  # one array: each value is a document of one token
                batch = as_values(batch)
                batch = batch[:, None] if batch.ndim == 1 else batch
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via "
                "`vocabulary` argument or `set_vocabulary()` method."
            )
        data = self._as_tokens(as_values(data))
        if data.ndim == 0:
            data = data.reshape(1)
        if data.ndim == 1:
            data = data[None]
        self._state.token_counts.update(data.reshape(-1).tolist())
        if self.output_mode == "tf_idf":
            for document in data:
                self._state.document_counts.update(np.unique(document).tolist())
            self._state.num_documents += data.shape[0]

    def finalize_state(self):
        if self._has_input_vocabulary or not self._state.token_counts:
            self._record_vocabulary_size()
            return
        counts = self._state.token_counts
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        tokens = self._as_tokens(list(counts))
        frequencies = np.array([counts[t] for t in counts], np.int64)
        order = np.lexsort((tokens, frequencies))[::-1]  # most frequent, then largest, first
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start_index()]
        tokens = tokens[order]
        self._set_table(tokens)
        if self.output_mode == "tf_idf":
            state = self._state
            documents = np.array([state.document_counts[t] for t in tokens.tolist()],
                                 np.float64)
            idf = np.log(1 + state.num_documents / (1 + documents)).astype(config.floatx())
            idf = np.pad(idf, (self._token_start_index(), 0), constant_values=np.mean(idf))
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights_const = ops.convert_to_tensor(idf, config.floatx())
        self.reset_state()

    def reset_state(self):
        if self._has_input_vocabulary:
            return
        table = self._state.table
        self._state = _LookupState()
        self._state.table = table

    # -- call -----------------------------------------------------------------------------------
    def _convert_input(self, x):
        return x if isinstance(x, Tensor) else as_values(x)

    def _lookup(self, values):
        """The index of every token (or the token of every index, inverted)."""
        flat = values.reshape(-1).tolist()
        if self.invert:
            mask_value = self.mask_token
            out = np.array([self._state.table.get(v, self.oov_token) for v in flat],
                           dtype=self.vocabulary_dtype).reshape(values.shape)
            if self.mask_token is not None:
                out = np.where(values == 0, np.asarray(mask_value, out.dtype), out)
            return out
        default = -1 if self.num_oov_indices != 1 else self._oov_start_index()
        out = np.array([self._state.table.get(v, default) for v in flat],
                       np.int64).reshape(values.shape)
        known = out != default
        if self.mask_token is not None:
            masked = values == self.mask_token
            out = np.where(masked, 0 if self.output_mode == "int" else INT64_MAX, out)
            known |= masked
        if self.num_oov_indices == 0 and not known.all():
            raise ValueError(
                "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                f"{values[~known].tolist()}, consider setting `num_oov_indices=1`."
            )
        if self.num_oov_indices > 1:
            if self.oov_method == "farmhash":
                buckets = hash_to_bins(values, self.num_oov_indices, self.salt)
            else:
                buckets = np.mod(values, self.num_oov_indices)
            out = np.where(known, out, buckets + self._oov_start_index())
        return out

    def call(self, inputs):
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data."
            )
        values = self._as_tokens(as_values(inputs)) if not self.invert else \
            as_values(inputs).astype(np.int64)
        single = values.ndim == 0
        lookups = self._lookup(values.reshape(1) if single else values)
        if self.output_mode == "int":
            return ops.convert_to_tensor(lookups.reshape(values.shape))
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        # a masked token's index (int64 max) is out of range: it adds nothing, as in Keras
        output = encode_categorical_inputs(lookups, mode, depth, "int64", out_of_range="drop")
        if self.output_mode == "tf_idf":
            return ops.multiply(ops.cast(output, self.idf_weights_const.dtype),
                                self.idf_weights_const)
        return output

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        dtype = "int64" if self.output_mode == "int" else config.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }
