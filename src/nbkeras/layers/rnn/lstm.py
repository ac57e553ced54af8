"""``LSTMCell`` and ``LSTM``: Hochreiter and Schmidhuber's long short-term memory.

With z = x_t W + h_{t-1} U + b split into four blocks of ``units`` (Keras' order i, f, c, o):

    i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)      (σ = recurrent_activation)
    c_t = f c_{t-1} + i g,   h_t = o tanh(c_t)              (tanh = activation)

The state is [h, c]; the output is h. ``unit_forget_bias`` starts the forget gate's bias at 1
(Jozefowicz et al.), so that the memory is kept at first. Over a whole sequence the layer runs
the fused ``lstm`` scan (``ops/recurrent.py``).
"""

from nbkeras import activations, ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.rnn.recurrent_cell import (
    CELL_OPTIONS,
    RecurrentCell,
    cell_property,
    layer_config,
    lstm_bias_initializer,
)
from nbkeras.layers.rnn.rnn import RNN
from nbkeras.ops import recurrent


class LSTMCell(RecurrentCell):
    """One step of an LSTM (``keras.layers.LSTMCell``): states [h, c], each of size
    ``units``."""

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def _bias_initializer(self):
        return lstm_bias_initializer(self)

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        if training and self.implementation == 1:
            z = self._gate_inputs_with_dropout(inputs, h_tm1)
        else:
            if training and 0.0 < self.dropout < 1.0:
                inputs = inputs * self.get_dropout_mask(inputs)
            z = ops.add(ops.matmul(inputs, self.kernel),
                        ops.matmul(h_tm1, self.recurrent_kernel))
            if self.use_bias:
                z = ops.add(z, self.bias)
        u = self.units
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        c = f * c_tm1 + i * self.activation(z[:, 2 * u:3 * u])
        o = self.recurrent_activation(z[:, 3 * u:])
        h = o * self.activation(c)
        return h, [h, c]

    def _gate_inputs_with_dropout(self, inputs, h_tm1):
        """Keras' implementation 1: one input and one recurrent dropout mask per gate."""
        dp_mask = self.get_dropout_mask(inputs) if 0.0 < self.dropout < 1.0 else None
        rec_mask = (self.get_recurrent_dropout_mask(h_tm1)
                    if 0.0 < self.recurrent_dropout < 1.0 else None)
        u = self.units
        blocks = []
        for k in range(4):
            x_k = inputs * dp_mask[k] if dp_mask is not None else inputs
            h_k = h_tm1 * rec_mask[k] if rec_mask is not None else h_tm1
            z_k = ops.matmul(x_k, self.kernel[:, k * u:(k + 1) * u])
            if self.use_bias:
                z_k = z_k + self.bias[k * u:(k + 1) * u]
            blocks.append(z_k + ops.matmul(h_k, self.recurrent_kernel[:, k * u:(k + 1) * u]))
        return ops.concatenate(blocks, axis=1)

    def _scan(self, sequences, states, mask, training, **options):
        names = self._fusable(LSTMCell, training, self.activation, self.recurrent_activation)
        if names is None or (training and self.implementation == 1 and self.dropout > 0):
            return None
        xw = ops.matmul(self._dropped(sequences, training), self.kernel)
        bias = self.bias if self.use_bias else ops.zeros((4 * self.units,), xw.dtype)
        return recurrent.lstm(xw, states[0], states[1], self.recurrent_kernel, bias, mask=mask,
                              activation=names[0], recurrent_activation=names[1], **options)

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class LSTM(RNN):
    """Long short-term memory layer (``keras.layers.LSTM``), Hochreiter 1997."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell", seed=seed,
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                "LSTM: invalid value received for argument `use_cudnn`. Expected one of "
                f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}"
            )
        self.use_cudnn = use_cudnn

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, mask=mask, training=training,
                            initial_state=initial_state)

    def get_config(self):
        return layer_config(self, super().get_config(),
                            extra=("unit_forget_bias", "seed")) | {
            "recurrent_activation": activations.serialize(self.recurrent_activation)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


for _name in (*CELL_OPTIONS, "recurrent_activation", "unit_forget_bias"):
    setattr(LSTM, _name, cell_property(_name))
