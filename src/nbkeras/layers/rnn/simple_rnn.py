"""``SimpleRNNCell`` and ``SimpleRNN``: h_t = activation(x_t W + b + h_{t-1} U).

The output of each step is its new state. Over a whole sequence the layer runs the fused
``simple_rnn`` scan (``ops/recurrent.py``): x W + b for every step in one product, then the
recurrence in one kernel.
"""

from nbkeras import ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.rnn.recurrent_cell import (
    CELL_OPTIONS,
    RecurrentCell,
    cell_property,
    layer_config,
)
from nbkeras.layers.rnn.rnn import RNN
from nbkeras.ops import recurrent


class SimpleRNNCell(RecurrentCell):
    """One step of a fully-connected RNN (``keras.layers.SimpleRNNCell``): its state is its
    output, of size ``units``."""

    gates = 1

    def call(self, sequence, states, training=False):
        prev_output = states[0] if isinstance(states, (list, tuple)) else states
        dp_mask = self.get_dropout_mask(sequence)
        rec_dp_mask = self.get_recurrent_dropout_mask(prev_output)
        if training and dp_mask is not None:
            sequence = sequence * dp_mask
        h = ops.matmul(sequence, self.kernel)
        if self.bias is not None:
            h = ops.add(h, self.bias)
        if training and rec_dp_mask is not None:
            prev_output = prev_output * rec_dp_mask
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        new_state = [output] if isinstance(states, (list, tuple)) else output
        return output, new_state

    def _scan(self, sequences, states, mask, training, **options):
        names = self._fusable(SimpleRNNCell, training, self.activation)
        if names is None:
            return None
        xw = ops.matmul(self._dropped(sequences, training), self.kernel)
        if self.bias is not None:
            xw = ops.add(xw, self.bias)
        h0 = states[0] if isinstance(states, (list, tuple)) else states
        return recurrent.simple_rnn(xw, h0, self.recurrent_kernel, mask=mask,
                                    activation=names[0], **options)


class SimpleRNN(RNN):
    """A fully-connected RNN whose output is fed back as the next step's input state
    (``keras.layers.SimpleRNN``)."""

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        # Keras 3.15's SimpleRNN accepts activity_regularizer but does not pass it on, so it
        # has no effect (its config stores None): nbkeras does the same.
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.input_spec = [InputSpec(ndim=3)]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, mask=mask, training=training,
                            initial_state=initial_state)

    def get_config(self):
        return layer_config(self, super().get_config())

    @classmethod
    def from_config(cls, config):
        return cls(**config)


for _name in CELL_OPTIONS:
    setattr(SimpleRNN, _name, cell_property(_name))
