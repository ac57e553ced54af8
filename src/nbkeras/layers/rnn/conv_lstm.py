"""``ConvLSTM``: an LSTM whose products are convolutions (Shi et al. 2015); ConvLSTM1D, 2D and 3D
differ only in ``rank``.

Each step's input x_t is an image (rank spatial axes and channels), and so are the states h and c
(``filters`` channels). The LSTM equations stay the same with the two matrix products replaced
by convolutions: z = conv(x_t, W) + conv(h_{t-1}, U) + b, split along the channels into
i, f, c, o. The input convolution uses the layer's strides, padding and dilation; the recurrent
one is always stride 1 with "same" padding, so that h keeps its size from step to step.

Keras computes eight convolutions per step, one per gate and operand; nbkeras computes two, each
producing all four gates' channels at once (the same sums), and the input convolution of every
step at once, before the loop over the steps (which calls the ``conv`` primitive once per step).
"""

from nbkeras import activations, ops
from nbkeras.config import standardize_data_format
from nbkeras.layers.convolutional.base_conv import serialize
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.rnn.recurrent_cell import RecurrentCell, cell_property, lstm_bias_initializer
from nbkeras.layers.rnn.rnn import RNN, step_loop
from nbkeras.ops.convolution import check_strides_and_dilation, conv_output_length
from nbkeras.utils.argument_validation import standardize_padding, standardize_tuple

_CONV_OPTIONS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate")


class ConvLSTMCell(RecurrentCell):
    """One step of a ConvLSTM: states [h, c], images of ``filters`` channels."""

    gates = 4

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        where = f"ConvLSTM{rank}D"
        if rank > 3:
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. "
                             f"Received: rank={rank}")
        super().__init__(
            filters, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        check_strides_and_dilation(self.strides, self.dilation_rate, where)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.dropout_mask_count = 4
        self.input_spec = InputSpec(ndim=rank + 2)
        self.state_size = -1  # the states are images: see get_initial_state

    @property
    def channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        if self.data_format == "channels_first":
            self.spatial_dims = inputs_shape[2:]
        else:
            self.spatial_dims = inputs_shape[1:-1]
        if None in self.spatial_dims:
            raise ValueError(
                "ConvLSTM layers only support static input shapes for the spatial dimension. "
                f"Received invalid input shape: input_shape={inputs_shape}"
            )
        input_dim = inputs_shape[self.channel_axis]
        if input_dim is None:
            raise ValueError(
                "The channel dimension of the inputs (last axis) should be defined. Found None. "
                f"Full input shape received: input_shape={inputs_shape}"
            )
        self.input_dim = input_dim
        self.input_spec = InputSpec(ndim=self.rank + 2, shape=(None,) + inputs_shape[1:])
        width = 4 * self.filters
        self.kernel = self.add_weight(
            shape=self.kernel_size + (input_dim, width), initializer=self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, width),
            initializer=self.recurrent_initializer, name="recurrent_kernel",
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(width,), name="bias", initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None

    def _bias_initializer(self):
        return lstm_bias_initializer(self)

    def input_conv(self, x):
        """conv(x, W) + b for all four gates."""
        out = ops.conv(x, self.kernel, strides=self.strides, padding=self.padding,
                       data_format=self.data_format, dilation_rate=self.dilation_rate)
        if self.bias is not None:
            shape = ((1,) * (self.rank + 1) + (-1,) if self.data_format == "channels_last"
                     else (1, -1) + (1,) * self.rank)
            out = out + ops.reshape(self.bias, shape)
        return out

    def recurrent_conv(self, h):
        return ops.conv(h, self.recurrent_kernel, strides=1, padding="same",
                        data_format=self.data_format)

    def _gates(self, z, c_tm1):
        f = self.filters
        index = [slice(None)] * z.ndim

        def block(k):
            index[self.channel_axis] = slice(k * f, (k + 1) * f)
            return z[tuple(index)]

        i = self.recurrent_activation(block(0))
        forget = self.recurrent_activation(block(1))
        c = forget * c_tm1 + i * self.activation(block(2))
        o = self.recurrent_activation(block(3))
        h = o * self.activation(c)
        return h, [h, c]

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        if training and (0.0 < self.dropout < 1.0 or 0.0 < self.recurrent_dropout < 1.0):
            return self._call_with_dropout(inputs, h_tm1, c_tm1)
        return self._gates(self.input_conv(inputs) + self.recurrent_conv(h_tm1), c_tm1)

    def _call_with_dropout(self, inputs, h_tm1, c_tm1):
        """One dropout mask per gate, for the inputs and for the state (as Keras)."""
        dp = self.get_dropout_mask(inputs) if 0.0 < self.dropout < 1.0 else None
        rec = self.get_recurrent_dropout_mask(h_tm1) if 0.0 < self.recurrent_dropout < 1.0 \
            else None
        f = self.filters
        blocks = []
        for k in range(4):
            x_k = inputs * dp[k] if dp is not None else inputs
            h_k = h_tm1 * rec[k] if rec is not None else h_tm1
            index = [slice(None)] * self.kernel.ndim
            index[-1] = slice(k * f, (k + 1) * f)
            z_k = ops.conv(x_k, self.kernel[tuple(index)], strides=self.strides,
                           padding=self.padding, data_format=self.data_format,
                           dilation_rate=self.dilation_rate)
            if self.bias is not None:
                shape = ((1,) * (self.rank + 1) + (-1,) if self.data_format == "channels_last"
                         else (1, -1) + (1,) * self.rank)
                z_k = z_k + ops.reshape(self.bias[k * f:(k + 1) * f], shape)
            z_k = z_k + ops.conv(h_k, self.recurrent_kernel[tuple(index)], strides=1,
                                 padding="same", data_format=self.data_format)
            blocks.append(z_k)
        return self._gates(ops.concatenate(blocks, axis=self.channel_axis), c_tm1)

    def state_shape(self, batch_size):
        """The shape of h and c: the input convolution's output for one step."""
        lengths = tuple(conv_output_length(n, k, s, self.padding, d) for n, k, s, d in zip(
            self.spatial_dims, self.kernel_size, self.strides, self.dilation_rate, strict=True))
        if self.data_format == "channels_last":
            return (batch_size, *lengths, self.filters)
        return (batch_size, self.filters, *lengths)

    def compute_output_shape(self, inputs_shape, states_shape=None):
        self.spatial_dims = (tuple(inputs_shape[1:-1]) if self.data_format == "channels_last"
                             else tuple(inputs_shape[2:]))
        shape = self.state_shape(inputs_shape[0])
        return shape, [shape, shape]

    def get_initial_state(self, batch_size=None):
        shape = self.state_shape(batch_size)
        return [ops.zeros(shape, dtype=self.compute_dtype),
                ops.zeros(shape, dtype=self.compute_dtype)]

    def _scan(self, sequences, states, mask, training, **options):
        """The input convolution of every step in one call (the steps folded into the batch);
        then the loop runs the recurrent convolution and the gates step by step."""
        if type(self).call is not ConvLSTMCell.call or (
                training and (self.dropout > 0 or self.recurrent_dropout > 0)):
            return None
        batch, steps = sequences.shape[:2]
        z = self.input_conv(ops.reshape(sequences, (batch * steps,) + sequences.shape[2:]))
        z = ops.reshape(z, (batch, steps) + z.shape[1:])

        def step(t, states):
            return self._gates(z[:, t] + self.recurrent_conv(states[0]), states[1])

        return step_loop(step, steps, states, mask, **options)

    def get_config(self):
        config = super().get_config()
        del config["units"]
        return {**config, **{name: getattr(self, name) for name in _CONV_OPTIONS},
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class ConvLSTM(RNN):
    """The recurrent layer around a ``ConvLSTMCell`` of ``rank`` spatial axes; inputs are
    (batch, timesteps, *spatial, channels) (channels_last)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank=rank, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, name="conv_lstm_cell",
            dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.input_spec = InputSpec(ndim=rank + 3)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, initial_state=initial_state, mask=mask,
                            training=training)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, steps = sequences_shape[0], sequences_shape[1]
        step_shape = (batch_size,) + tuple(sequences_shape[2:])
        state_shape = tuple(self.cell.compute_output_shape(step_shape)[0][1:])
        if self.return_sequences:
            output_shape = (batch_size, steps) + state_shape
        else:
            output_shape = (batch_size,) + state_shape
        if self.return_state:
            return output_shape, (batch_size,) + state_shape, (batch_size,) + state_shape
        return output_shape

    def compute_mask(self, _, mask):
        mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key)
        return {**config, **cell_config,
                "activity_regularizer": serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


for _name in (*_CONV_OPTIONS, "activation", "recurrent_activation", "use_bias",
              "kernel_initializer", "recurrent_initializer", "bias_initializer",
              "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
              "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
              "dropout", "recurrent_dropout"):
    setattr(ConvLSTM, _name, cell_property(_name))
