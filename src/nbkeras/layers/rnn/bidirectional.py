"""``Bidirectional``: one recurrent layer reads the sequence forwards, a copy reads it backwards.

The backward copy runs with ``go_backwards=True``, so its output sequence comes out reversed;
``Bidirectional`` flips it back, so that step t of both outputs belongs to input t, and merges
the two: ``concat`` (the default) along the features, ``sum``, ``mul``, ``ave``, or ``None``
(both, as a pair). With masks, both layers output zeros at masked steps
(``zero_output_for_mask``), so a padded step contributes nothing to the merge.
"""

import copy

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.core.wrapper import deserialize_layer
from nbkeras.layers.layer import Layer
from nbkeras.saving import serialization_lib

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def clone_layer(layer, **overrides):
    """A fresh, unbuilt copy of ``layer`` from its config, some entries replaced (Keras
    recreates the wrapped layer the same way, so that it carries no state over)."""
    return type(layer).from_config({**layer.get_config(), **overrides})


def _without_prefix(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs (``keras.layers.Bidirectional``).

    ``layer`` is a recurrent layer (it is copied, not used itself); ``backward_layer``, if
    given, reads the sequence backwards instead of a copy of ``layer`` (it must have
    ``go_backwards=True`` and the same ``return_sequences``, ``return_state`` and ``stateful``).
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` instance. Received: "
                f"{backward_layer}"
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(**kwargs)
        self.forward_layer = clone_layer(
            layer, name=f"forward_{_without_prefix(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = clone_layer(
                layer, go_backwards=True,
                name=f"backward_{_without_prefix(layer.name, 'backward_')}")
        self.backward_layer = backward_layer
        self._verify_layer_config()
        for rnn in (self.forward_layer, self.backward_layer):
            if getattr(rnn, "zero_output_for_mask", None) is not None:
                rnn.zero_output_for_mask = rnn.return_sequences
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self._initial_weights = (weights[:half], weights[half:])
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self):
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards {self.forward_layer.go_backwards}, "
                f"backward_layer.go_backwards={self.backward_layer.go_backwards}"
            )
        for attribute in ("stateful", "return_sequences", "return_state"):
            forward_value = getattr(self.forward_layer, attribute)
            backward_value = getattr(self.backward_layer, attribute)
            if forward_value != backward_value:
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value "
                    f'for attribute "{attribute}", got "{forward_value}" for forward layer '
                    f'and "{backward_value}" for backward layer'
                )

    # -- shapes ---------------------------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shape = ()
        if self.return_state:
            output_shape, state_shape = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = (*output_shape[:-1], output_shape[-1] * 2)
        elif self.merge_mode is None:
            output_shape = [output_shape, output_shape]
        if self.return_state:
            if self.merge_mode is None:
                return tuple(output_shape) + state_shape + state_shape
            return (output_shape,) + state_shape + state_shape
        return tuple(output_shape)

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        shape = self.compute_output_shape(tuple(sequences.shape))
        if self.merge_mode is not None and not self.return_state:
            return KerasTensor(shape, dtype=self.compute_dtype)
        return tuple(KerasTensor(s, dtype=self.compute_dtype) for s in shape)

    def compute_mask(self, _, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = mask if self.merge_mode else [mask, mask]
        else:
            output_mask = None if self.merge_mode else [None, None]
        if self.return_state and self.states is not None:
            states = [None for _ in self.states]
            return ([output_mask] if self.merge_mode else output_mask) + states
        return output_mask

    # -- building and calling -------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        if not self.forward_layer.built:
            self.forward_layer.build(sequences_shape)
        if not self.backward_layer.built:
            self.backward_layer.build(sequences_shape)
        initial = getattr(self, "_initial_weights", None)
        if initial is not None:
            self.forward_layer.set_weights(initial[0])
            self.backward_layer.set_weights(initial[1])
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training, "mask": mask}
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            output = ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            if self.merge_mode is None:
                return output + states
            return (output,) + states
        return output

    # -- states ---------------------------------------------------------------------------------
    def reset_states(self):
        self.reset_state()

    def reset_state(self):
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' must be stateful to reset its states")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    # -- config ---------------------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": serialization_lib.serialize_keras_object(self.forward_layer),
            "backward_layer": serialization_lib.serialize_keras_object(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_layer(backward, custom_objects)
        return cls(**config)
