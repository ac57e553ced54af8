"""``RNN``: run a cell over the steps of a sequence (``keras.layers.RNN``).

A *cell* is anything with a ``state_size`` and a ``call(inputs, states) -> (output, new_states)``
that computes one step. ``RNN`` gives it the steps of a (batch, timesteps, features) sequence in
order (or backwards), threads the states from step to step, and returns the last output or all
of them (``return_sequences``), and the final states (``return_state``).

Masks follow Keras: where ``mask[b, t]`` is False, sample b skips step t; its states are carried
through unchanged, and its output is the previous step's output (or zeros with
``zero_output_for_mask``, what ``Bidirectional`` uses).

The built-in cells (SimpleRNNCell, LSTMCell, GRUCell) also offer ``_scan``: the whole recurrence
as one fused kernel with its backpropagation through time (``ops/recurrent.py``). ``RNN`` uses it
whenever the cell can (its activations are ones the kernel knows, and no recurrent dropout is
active); otherwise, and for any other cell, the loop below calls the cell step by step.
"""

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.core.wrapper import deserialize_layer
from nbkeras.layers.layer import Layer, keras_mask
from nbkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from nbkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from nbkeras.ops.node import flatten
from nbkeras.saving import serialization_lib
from nbkeras.tensor import Tensor, Variable


def _is_nested(x):
    return isinstance(x, (list, tuple))


def _pack_like(structure, flat):
    """``flat`` (a list of leaves) rebuilt in the nesting of ``structure``."""
    flat = list(flat)

    def build(s):
        if _is_nested(s):
            return [build(x) for x in s]
        return flat.pop(0)

    return build(structure)


class RNN(Layer):
    """Base class for recurrent layers: ``RNN(cell)`` runs ``cell`` over every timestep.

    ``cell`` is a cell (or a list of cells, stacked with ``StackedRNNCells``). Arguments:
    ``return_sequences`` (all outputs, (batch, timesteps, units), or the last one),
    ``return_state`` (also return the final states), ``go_backwards`` (process the sequence
    from its last step; the returned sequence is in processing order), ``stateful`` (each call
    starts from the previous call's final states; needs a fixed batch size),
    ``unroll`` (accepted; the loop is a kernel either way) and ``zero_output_for_mask``.

    Called on ``sequences`` (batch, timesteps, features), with optional ``initial_state`` (a
    tensor or list of tensors, one per state), ``mask`` (batch, timesteps) and ``training``.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(
                f"RNN: argument `cell` should have a `call` method. Received: cell={cell}"
            )
        if "state_size" not in dir(cell):
            raise ValueError(
                "RNN: the cell should have a `state_size` attribute (single integer or list of "
                f"integers, one integer per RNN state). Received: cell={cell}"
            )
        state_size = getattr(cell, "state_size", None)
        if state_size is None:
            raise ValueError(
                f"RNN: state_size must be specified as property on the RNN cell {cell}"
            )
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(
                "RNN: the cell's state_size must be an integer, or a list/tuple of integers "
                f"(one for each state tensor); got state_size={state_size!r}"
            )
        super().__init__(**kwargs)
        self.zero_output_for_mask = zero_output_for_mask
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.input_spec = None
        object.__setattr__(self, "states", None)  # not weights: Keras does not track them
        self._expected_batch_size = None
        if isinstance(state_size, int):
            self.state_size = [state_size]
            self.single_state = True
        else:
            self.state_size = list(state_size)
            self.single_state = False

    # -- shapes ---------------------------------------------------------------------------------
    def _check_sequences_shape(self, shape):
        if shape is None or len(shape) < 3:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects sequences of shape "
                f"(batch, timesteps, features), with at least 3 dimensions; got inputs of "
                f"shape {None if shape is None else tuple(shape)}"
            )

    def _output_size(self):
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = flatten(self.state_size)[0]
        if not isinstance(output_size, int):
            raise ValueError(
                f"Layer '{self.name}': the cell's output_size must be an integer, got "
                f"{output_size!r}"
            )
        return output_size

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        self._check_sequences_shape(sequences_shape)
        batch_size, length = sequences_shape[0], sequences_shape[1]
        states_shape = []
        for size in self.state_size:
            if isinstance(size, int):
                states_shape.append((batch_size, size))
            else:
                states_shape.append([(batch_size, s) for s in size])
        output_size = self._output_size()
        if self.return_sequences:
            output_shape = (batch_size, length, output_size)
        else:
            output_shape = (batch_size, output_size)
        if self.return_state:
            return (output_shape, *states_shape)
        return output_shape

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        shape = self.compute_output_shape(tuple(sequences.shape))
        if not self.return_state:
            return KerasTensor(shape, dtype=self.compute_dtype)
        output, *states = shape
        return (KerasTensor(output, dtype=self.compute_dtype),
                *[KerasTensor(s, dtype=self.compute_dtype) for s in flatten_shapes(states)])

    def compute_mask(self, _, mask):
        mask = flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in flatten_shapes(self.state_size)]
        return output_mask

    # -- building and states ----------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        self._check_sequences_shape(sequences_shape)
        step_input_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_input_shape)
            self.cell.built = True
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            else:
                if sequences_shape[0] is None:
                    raise ValueError(
                        f"Layer '{self.name}': when using `stateful=True` in a RNN, the batch "
                        f"size must be static. Found dynamic batch size: "
                        f"sequence.shape={tuple(sequences_shape)}"
                    )
                self._create_state_variables(sequences_shape[0])
                self._expected_batch_size = sequences_shape[0]

    def _create_state_variables(self, batch_size):
        initial = self.get_initial_state(batch_size)
        flat = [Variable(s.numpy(), trainable=False, dtype=self.variable_dtype,
                         name="rnn_state") for s in flatten(initial)]
        object.__setattr__(self, "states", _pack_like(initial, flat))

    def get_initial_state(self, batch_size):
        """The states a call starts from without ``initial_state``: the cell's
        ``get_initial_state`` or zeros (batch_size, size) per state."""
        get_initial_state_fn = getattr(self.cell, "get_initial_state", None)
        if get_initial_state_fn:
            init_state = get_initial_state_fn(batch_size=batch_size)
        else:
            return [ops.zeros((batch_size, d), dtype=self.cell.compute_dtype)
                    for d in self.state_size]
        return list(init_state) if _is_nested(init_state) else [init_state]

    def reset_states(self):
        """Keras 2's name of ``reset_state``."""
        self.reset_state()

    def reset_state(self):
        """Set the states of a stateful layer back to zeros."""
        if self.states is not None:
            for v in flatten(self.states):
                v.assign(ops.zeros_like(v.value))

    # -- calling --------------------------------------------------------------------------------
    def _standardize_mask(self, mask, sequences):
        mask = flatten(mask)[0] if _is_nested(mask) else mask
        if mask is None:
            return None
        mask = ops.convert_to_tensor(mask)
        expected = tuple(sequences.shape[:2])
        if tuple(mask.shape) != expected:
            raise ValueError(
                f"Layer '{self.name}': the mask must have shape (batch, timesteps) = "
                f"{expected} for inputs of shape {tuple(sequences.shape)}; got a mask of shape "
                f"{tuple(mask.shape)}"
            )
        return mask if mask.dtype == "bool" else ops.cast(mask, "bool")

    def _standardize_initial_state(self, initial_state, batch_size):
        if initial_state is None:
            if self.stateful:
                return _pack_like(self.states, [s.value for s in flatten(self.states)])
            return self.get_initial_state(batch_size)
        states = list(initial_state) if _is_nested(initial_state) else [initial_state]
        expected = flatten_shapes(self.state_size)
        flat = [ops.cast(ops.convert_to_tensor(s), self.cell.compute_dtype)
                if not (isinstance(s, Tensor) and s.dtype == self.cell.compute_dtype) else s
                for s in flatten(states)]
        if len(flat) != len(expected):
            raise ValueError(
                f"Layer '{self.name}': expected {len(expected)} initial state tensor(s) (state "
                f"sizes {self.state_size}), got {len(flat)}"
            )
        for s, size in zip(flat, expected, strict=True):
            if tuple(s.shape) != (batch_size, size):
                raise ValueError(
                    f"Layer '{self.name}': an initial state must have shape (batch, state_size) "
                    f"= {(batch_size, size)}; got shape {tuple(s.shape)}"
                )
        return _pack_like(states, flat)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        self._check_sequences_shape(tuple(sequences.shape))
        if mask is None:
            mask = keras_mask(sequences)
        mask = self._standardize_mask(mask, sequences)
        batch_size = sequences.shape[0]
        if self.stateful and self._expected_batch_size is not None and \
                batch_size != self._expected_batch_size:
            raise ValueError(
                f"Layer '{self.name}': if an RNN is stateful, the batch size of the input "
                f"sequences must be the same as the batch size of the initial state.\n"
                f"- Expected batch size: {self._expected_batch_size}\n"
                f"- Received batch size: {batch_size}"
            )
        initial_state = self._standardize_initial_state(initial_state, batch_size)
        if training:
            self._maybe_config_dropout_masks(self.cell, sequences[:, 0], initial_state)
        try:
            output, states = self.inner_loop(sequences, initial_state, mask, training)
        finally:
            self._maybe_reset_dropout_masks(self.cell)
        if self.stateful:
            for variable, state in zip(flatten(self.states), flatten(states), strict=True):
                variable.assign(state.numpy())
        if self.return_state:
            return (output, *flatten(states))
        return output

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """(output, final states): the fused scan when the cell offers one, else the loop."""
        scan = getattr(self.cell, "_scan", None)
        if scan is not None:
            result = scan(sequences, initial_state, mask, training, go_backwards=self.go_backwards,
                          zero_output_for_mask=self.zero_output_for_mask,
                          return_sequences=self.return_sequences)
            if result is not None:
                return result
        return self._loop(sequences, initial_state, mask, training)

    def _loop(self, sequences, initial_state, mask, training):
        """Keras' ``backend.rnn``: call the cell once per step."""
        cell_kwargs = {}
        if isinstance(self.cell, Layer) and self.cell._call_has_training_arg:
            cell_kwargs["training"] = training

        def step(t, states):
            return self.cell(sequences[:, t], states, **cell_kwargs)

        return step_loop(step, sequences.shape[1], initial_state, mask,
                         go_backwards=self.go_backwards,
                         zero_output_for_mask=self.zero_output_for_mask,
                         return_sequences=self.return_sequences)

    def _maybe_config_dropout_masks(self, cell, step_input, states):
        state = flatten(states)[0]
        if isinstance(cell, DropoutRNNCell):
            cell.get_dropout_mask(step_input)
            cell.get_recurrent_dropout_mask(state)
        if isinstance(cell, StackedRNNCells):
            for c, s in zip(cell.cells, states, strict=False):
                self._maybe_config_dropout_masks(c, step_input, s if _is_nested(s) else [s])
                # the next cell's masks have the shape of this cell's output
                step_input = ops.zeros((step_input.shape[0], c.output_size
                                        if getattr(c, "output_size", None) is not None
                                        else flatten([c.state_size])[0]), step_input.dtype)

    def _maybe_reset_dropout_masks(self, cell):
        if isinstance(cell, DropoutRNNCell):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
        if isinstance(cell, StackedRNNCells):
            for c in cell.cells:
                self._maybe_reset_dropout_masks(c)

    # -- config ---------------------------------------------------------------------------------
    def get_config(self):
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        config["cell"] = serialization_lib.serialize_keras_object(self.cell)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _where_kept(mask_t, new, old):
    """``new`` where the step is kept, else ``old``: the (batch,) mask broadcast over the rest
    of the tensor's axes."""
    keep = ops.reshape(mask_t, (-1,) + (1,) * (new.ndim - 1))
    return ops.where(keep, new, old)


def step_loop(step, steps, initial_state, mask, go_backwards=False,
              zero_output_for_mask=False, return_sequences=False):
    """Run ``step(t, states) -> (output, new_states)`` over the steps, in order or backwards,
    with Keras' masking: a sample whose ``mask[:, t]`` is False keeps its states, and its output
    is the previous output (zeros before the first) or zeros with ``zero_output_for_mask``.
    Returns (all outputs stacked along axis 1, or the last output; the final states)."""
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    states = initial_state
    outputs, previous = [], None
    for t in order:
        output, new_states = step(t, states)
        if not _is_nested(new_states):
            new_states = [new_states]
        if mask is not None:
            if previous is None:
                previous = ops.zeros_like(output)
            output = _where_kept(mask[:, t], output, ops.zeros_like(output)
                                 if zero_output_for_mask else previous)
            kept = [_where_kept(mask[:, t], new, old) for new, old in
                    zip(flatten(new_states), flatten(states), strict=True)]
            new_states = _pack_like(new_states, kept)
        states, previous = new_states, output
        outputs.append(output)
    if return_sequences:
        return ops.stack(outputs, axis=1), states
    return outputs[-1], states


def flatten_shapes(sizes):
    """The leaves of a (possibly nested) list of state sizes or shapes: an int or a tuple of
    ints is a leaf."""
    leaves = []
    for s in sizes:
        if isinstance(s, list) or (isinstance(s, tuple) and s and isinstance(s[0], tuple)):
            leaves.extend(flatten_shapes(s))
        else:
            leaves.append(s)
    return leaves
