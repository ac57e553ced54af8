"""``GRUCell`` and ``GRU``: Cho et al.'s gated recurrent unit.

With x W + b_in split into x_z, x_r, x_h and the recurrent products into u_z, u_r, u_h:

    z = σ(x_z + u_z),  r = σ(x_r + u_r)                   (update and reset gates)
    ĥ = tanh(x_h + r ⊙ (h_{t-1} U_h + b_h))               reset_after=True (Keras' default)
    ĥ = tanh(x_h + (r ⊙ h_{t-1}) U_h)                     reset_after=False (the 2014 paper)
    h_t = z h_{t-1} + (1 - z) ĥ

With ``reset_after`` the bias has shape (2, 3 units): row 0 for the inputs, row 1 for the
recurrent products (cuDNN's form). Over a whole sequence the layer runs the fused ``gru`` scan.
"""

from nbkeras import activations, ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.rnn.recurrent_cell import (
    CELL_OPTIONS,
    RecurrentCell,
    cell_property,
    layer_config,
)
from nbkeras.layers.rnn.rnn import RNN
from nbkeras.ops import recurrent


class GRUCell(RecurrentCell):
    """One step of a GRU (``keras.layers.GRUCell``): one state h of size ``units``."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
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
            self.dropout_mask_count = 3
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _biases(self):
        """(input bias, recurrent bias); the recurrent one is None without reset_after."""
        if not self.use_bias:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        input_bias, recurrent_bias = self._biases()
        u = self.units
        dp_mask = rec_mask = None
        if training and 0.0 < self.dropout < 1.0:
            dp_mask = self.get_dropout_mask(inputs)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rec_mask = self.get_recurrent_dropout_mask(h_tm1)
        if self.implementation == 1:
            # one dropout mask per gate (Keras' implementation 1)
            x = [inputs * dp_mask[k] if dp_mask is not None else inputs for k in range(3)]
            h = [h_tm1 * rec_mask[k] if rec_mask is not None else h_tm1 for k in range(3)]
        else:
            x = [inputs * dp_mask if dp_mask is not None else inputs] * 3
            h = [h_tm1] * 3
        x_z, x_r, x_h = (ops.matmul(x[k], self.kernel[:, k * u:(k + 1) * u]) for k in range(3))
        if input_bias is not None:
            x_z, x_r, x_h = (x_k + input_bias[k * u:(k + 1) * u]
                             for k, x_k in enumerate((x_z, x_r, x_h)))
        u_z = ops.matmul(h[0], self.recurrent_kernel[:, :u])
        u_r = ops.matmul(h[1], self.recurrent_kernel[:, u:2 * u])
        if recurrent_bias is not None:
            u_z, u_r = u_z + recurrent_bias[:u], u_r + recurrent_bias[u:2 * u]
        z = self.recurrent_activation(x_z + u_z)
        r = self.recurrent_activation(x_r + u_r)
        if self.reset_after:
            u_h = ops.matmul(h[2], self.recurrent_kernel[:, 2 * u:])
            if recurrent_bias is not None:
                u_h = u_h + recurrent_bias[2 * u:]
            u_h = r * u_h
        else:
            u_h = ops.matmul(r * h[2], self.recurrent_kernel[:, 2 * u:])
        hh = self.activation(x_h + u_h)
        output = z * h_tm1 + (1 - z) * hh
        return output, ([output] if isinstance(states, (list, tuple)) else output)

    def _scan(self, sequences, states, mask, training, **options):
        names = self._fusable(GRUCell, training, self.activation, self.recurrent_activation)
        if names is None or (training and self.implementation == 1 and self.dropout > 0):
            return None
        input_bias, recurrent_bias = self._biases()
        xw = ops.matmul(self._dropped(sequences, training), self.kernel)
        if input_bias is not None:
            xw = ops.add(xw, input_bias)
        h0 = states[0] if isinstance(states, (list, tuple)) else states
        return recurrent.gru(xw, h0, self.recurrent_kernel, recurrent_bias, mask=mask,
                             activation=names[0], recurrent_activation=names[1],
                             reset_after=self.reset_after, **options)

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


class GRU(RNN):
    """Gated recurrent unit layer (``keras.layers.GRU``), Cho et al. 2014."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                "GRU: invalid value received for argument `use_cudnn`. Expected one of "
                f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}"
            )
        self.use_cudnn = use_cudnn

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, mask=mask, training=training,
                            initial_state=initial_state)

    def get_config(self):
        return layer_config(self, super().get_config(), extra=("reset_after", "seed")) | {
            "recurrent_activation": activations.serialize(self.recurrent_activation)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


for _name in (*CELL_OPTIONS, "recurrent_activation", "reset_after"):
    setattr(GRU, _name, cell_property(_name))
