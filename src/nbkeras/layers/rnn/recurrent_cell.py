"""What SimpleRNNCell, LSTMCell and GRUCell share, and what their layers share.

Each cell has ``gates`` blocks of ``units`` (1 for SimpleRNN, 4 for the LSTM's i, f, c, o, 3 for
the GRU's z, r, h): a ``kernel`` (input_dim, gates · units) applied to the step's input, a
``recurrent_kernel`` (units, gates · units) applied to the previous state, and a ``bias``,
created in that order with Keras' names, so ``set_weights(keras_layer.get_weights())`` works.

``_scan`` runs the cell over a whole sequence in one fused kernel when it can: the activations
must be ones the kernel knows and recurrent dropout must be off (in training). Input dropout is
one mask per sequence, the same at every step, so it is applied to the sequence before the
kernel. Each layer (``LSTM``, ...) is an ``RNN`` around its cell; ``cell_property`` forwards
the cell's options as the layer's read-only attributes.
"""

from nbkeras import activations, initializers, ops
from nbkeras.layers.convolutional.base_conv import (
    add_configured_weight,
    serialize,
    store_weight_options,
)
from nbkeras.layers.layer import Layer
from nbkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from nbkeras.ops.recurrent import ACTIVATIONS
from nbkeras.random.seed_generator import SeedGenerator

_WEIGHTS = ("kernel", "recurrent", "bias")
_OPTIONS = ("initializer", "regularizer", "constraint")


def kernel_activation_name(activation):
    """The Keras name of ``activation`` if the fused kernels run it, else None."""
    for name in ACTIVATIONS:
        if getattr(activations, name) is activation:
            return name
    return None


class RecurrentCell(Layer, DropoutRNNCell):
    """A cell with a kernel, a recurrent kernel and a bias of ``gates`` blocks of ``units``."""

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"{type(self).__name__}: received an invalid value for argument `units`, "
                f"expected a positive integer, got units={units!r}"
            )
        super().__init__(**kwargs)
        self.units = units
        store_weight_options(
            self, activation, use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        width = self.gates * self.units
        self.kernel = add_configured_weight(self, "kernel", (input_shape[-1], width), "kernel")
        self.recurrent_kernel = add_configured_weight(self, "recurrent_kernel",
                                                      (self.units, width), "recurrent")
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=self._bias_shape(), initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in sizes]

    # -- the fused path ---------------------------------------------------------------------
    def _kernel_activations(self, *functions):
        """The Keras names of ``functions`` if the kernels know all of them, else None."""
        names = [kernel_activation_name(f) for f in functions]
        return None if None in names else names

    def _fusable(self, base, training, *functions):
        """The activation names for ``_scan``, or None when the cell must run step by step:
        a subclass of ``base`` that changed ``call`` runs its own step."""
        if type(self).call is not base.call:
            return None
        if training and self.recurrent_dropout > 0:
            return None
        return self._kernel_activations(*functions)

    def _dropped(self, sequences, training):
        """The sequence times the input-dropout mask (the same mask at every step)."""
        if training and 0.0 < self.dropout < 1.0:
            mask = self.get_dropout_mask(sequences[:, 0])
            mask = mask[0] if isinstance(mask, list) else mask
            return ops.multiply(sequences, ops.expand_dims(mask, 1))
        return sequences

    # -- config -----------------------------------------------------------------------------
    def _weight_options_config(self):
        config = {"activation": activations.serialize(self.activation), "use_bias": self.use_bias}
        for option in _OPTIONS:
            for weight in _WEIGHTS:
                config[f"{weight}_{option}"] = serialize(getattr(self, f"{weight}_{option}"))
        return config

    def get_config(self):
        return {**super().get_config(), "units": self.units, **self._weight_options_config(),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


def lstm_bias_initializer(cell):
    """The bias initializer of an LSTM-like cell: with ``unit_forget_bias``, the cell's own
    initializer for the i, c and o blocks and ones for the forget gate's block."""
    if not cell.unit_forget_bias:
        return cell.bias_initializer
    units, initializer = cell.units, cell.bias_initializer

    def bias_initializer(shape, dtype=None):
        return ops.concatenate([
            initializer((units,), dtype=dtype),
            initializers.get("ones")((units,), dtype=dtype),
            initializer((2 * units,), dtype=dtype),
        ])

    return bias_initializer


def cell_property(name):
    """A read-only layer attribute that reads the cell's (``LSTM(4).units`` is the cell's)."""
    return property(lambda layer: getattr(layer.cell, name),
                    doc=f"The cell's ``{name}``.")


CELL_OPTIONS = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                "bias_constraint", "dropout", "recurrent_dropout")
"""The cell options every recurrent layer exposes as its own attributes."""


def layer_config(layer, base_config, extra=()):
    """A recurrent layer's config as Keras writes it: the RNN's entries without the cell, the
    cell's options, the activity regularizer, and ``extra`` cell attributes."""
    config = dict(base_config)
    del config["cell"]
    cell_config = layer.cell._weight_options_config()
    config.update({"units": layer.units, **cell_config,
                   "activity_regularizer": serialize(layer.activity_regularizer),
                   "dropout": layer.dropout, "recurrent_dropout": layer.recurrent_dropout})
    config.update({name: getattr(layer.cell, name) for name in extra})
    return config
