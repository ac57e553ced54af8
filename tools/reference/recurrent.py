"""Reference cases for the recurrent layers: SimpleRNN, LSTM, GRU, RNN over cells (stacked and
user-written), Bidirectional, TimeDistributed and ConvLSTM1D/2D/3D.

Every case runs through ``_call_cases.call_case`` (see there for what is recorded): outputs,
final states, gradients with respect to the inputs, the initial states and every weight, with
masks, ``go_backwards``, ``return_state``, ``initial_state`` and stateful layers over two calls.
``error/*`` cases record the errors Keras raises for bad input.
"""

import keras
import numpy as np

from reference import _call_cases
from reference._call_cases import call_case, error_case
from reference._recorder import Recorder


@keras.saving.register_keras_serializable(package="nbkeras_reference")
class MinimalRNNCell(keras.layers.Layer):
    """The user-written cell of Keras' RNN documentation: h_t = x_t W + h_{t-1} U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = keras.ops.matmul(inputs, self.kernel)
        output = h + keras.ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class NoStateSizeCell(keras.layers.Layer):
    """A cell that forgot its ``state_size``."""

    def call(self, inputs, states):
        return inputs, states


_call_cases.CUSTOM_CELLS.update(MinimalRNNCell=MinimalRNNCell, NoStateSizeCell=NoStateSizeCell)


def layer(name, **kwargs):
    return {"class": name, "kwargs": kwargs}


def wrapped(name, kwargs=None, **nested):
    return {"class": name, "kwargs": kwargs or {}, "nested": nested}


def seq(*, mask=None, initial_state=None, key="x", **extra):
    """One call on sequence ``key`` with optional mask and initial-state arrays."""
    kwargs = {k: {"value": v} for k, v in extra.items()}
    if mask is not None:
        kwargs["mask"] = {"array": mask}
    if initial_state is not None:
        kwargs["initial_state"] = {"arrays": initial_state}
    return {"args": [{"array": key}], "kwargs": kwargs}


def build():
    rec = Recorder("recurrent", seed=20261201)
    r = rec.rng

    def f32(*shape, scale=1.0):
        return (r.standard_normal(shape) * scale).astype(np.float32)

    b, t, f, u = 3, 5, 3, 4
    x = f32(b, t, f)
    # sample 0 keeps every step, sample 1 is right-padded, sample 2 has holes and starts masked
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 1, 0, 1, 1]], bool)

    def case(case_id, spec, calls=None, arrays=None, **options):
        call_case(rec, case_id, spec, calls or [seq()], arrays or {"x": x}, **options)

    def masked(case_id, spec, **call):
        case(case_id, spec, [seq(mask="mask", **call)], {"x": x, "mask": mask})

    def with_states(case_id, spec, n):
        states = {f"h{i}": f32(b, u) for i in range(n)}
        case(case_id, spec, [seq(initial_state=list(states))], {"x": x, **states})

    def stateful(case_id, spec):
        case(case_id, spec, [seq(key="x"), seq(key="x2")], {"x": x, "x2": f32(b, t, f)})

    l2 = keras.regularizers.serialize(keras.regularizers.L2(0.01))

    # -- SimpleRNN
    case("simple_rnn/last", layer("SimpleRNN", units=u), symbolic=True)
    case("simple_rnn/sequences", layer("SimpleRNN", units=u, return_sequences=True),
         symbolic=True)
    case("simple_rnn/relu_no_bias", layer("SimpleRNN", units=u, activation="relu",
                                          use_bias=False, return_sequences=True))
    case("simple_rnn/go_backwards", layer("SimpleRNN", units=u, go_backwards=True,
                                          return_sequences=True))
    case("simple_rnn/return_state", layer("SimpleRNN", units=u, return_state=True),
         symbolic=True)
    masked("simple_rnn/mask", layer("SimpleRNN", units=u, return_sequences=True))
    with_states("simple_rnn/initial_state", layer("SimpleRNN", units=u, return_state=True), 1)
    stateful("simple_rnn/stateful", layer("SimpleRNN", units=u, stateful=True,
                                          return_sequences=True))

    # -- LSTM
    case("lstm/last", layer("LSTM", units=u), symbolic=True)
    case("lstm/sequences_and_state", layer("LSTM", units=u, return_sequences=True,
                                           return_state=True), symbolic=True)
    case("lstm/go_backwards", layer("LSTM", units=u, go_backwards=True, return_state=True))
    case("lstm/relu_hard_sigmoid", layer("LSTM", units=u, activation="relu",
                                         recurrent_activation="hard_sigmoid",
                                         return_sequences=True))
    case("lstm/no_bias", layer("LSTM", units=u, use_bias=False, unit_forget_bias=False))
    case("lstm/regularized", layer("LSTM", units=u, kernel_regularizer=l2,
                                   recurrent_regularizer=l2, bias_regularizer=l2,
                                   activity_regularizer=l2))
    masked("lstm/mask_last", layer("LSTM", units=u, return_state=True))
    masked("lstm/mask_sequences", layer("LSTM", units=u, return_sequences=True))
    masked("lstm/mask_go_backwards", layer("LSTM", units=u, return_sequences=True,
                                           go_backwards=True))
    masked("lstm/mask_zero_output", layer("LSTM", units=u, return_sequences=True,
                                          zero_output_for_mask=True))
    with_states("lstm/initial_state", layer("LSTM", units=u, return_state=True,
                                            return_sequences=True), 2)
    stateful("lstm/stateful", layer("LSTM", units=u, stateful=True, return_state=True))
    case("lstm/long_sequence", layer("LSTM", units=8, return_sequences=True),
         arrays={"x": f32(2, 30, f)})

    # -- GRU
    case("gru/last", layer("GRU", units=u), symbolic=True)
    case("gru/reset_before", layer("GRU", units=u, reset_after=False, return_sequences=True))
    case("gru/sequences_and_state", layer("GRU", units=u, return_sequences=True,
                                          return_state=True))
    case("gru/no_bias", layer("GRU", units=u, use_bias=False, return_sequences=True))
    case("gru/reset_before_no_bias", layer("GRU", units=u, reset_after=False, use_bias=False))
    case("gru/go_backwards", layer("GRU", units=u, go_backwards=True, return_sequences=True))
    case("gru/relu_hard_sigmoid", layer("GRU", units=u, activation="relu",
                                        recurrent_activation="hard_sigmoid"))
    masked("gru/mask_sequences", layer("GRU", units=u, return_sequences=True))
    masked("gru/reset_before_mask_backwards", layer("GRU", units=u, reset_after=False,
                                                    go_backwards=True, return_state=True))
    with_states("gru/initial_state", layer("GRU", units=u, return_state=True), 1)
    stateful("gru/stateful", layer("GRU", units=u, stateful=True))

    # -- RNN over cells: a layer's cell, a stack of cells, a user-written cell
    case("rnn/lstm_cell", wrapped("RNN", {"return_sequences": True},
                                  cell=layer("LSTMCell", units=u)), symbolic=True)
    case("rnn/gru_cell_backwards", wrapped("RNN", {"go_backwards": True},
                                           cell=layer("GRUCell", units=u, reset_after=False)))
    case("rnn/stacked", wrapped("RNN", {"return_state": True, "return_sequences": True},
                                cell=[layer("SimpleRNNCell", units=3), layer("LSTMCell", units=4),
                                      layer("GRUCell", units=2)]), symbolic=True)
    case("rnn/stacked_cells_class", wrapped("RNN", {}, cell=wrapped(
        "StackedRNNCells", cells=[layer("LSTMCell", units=3), layer("LSTMCell", units=2)])))
    case("rnn/custom_cell", wrapped("RNN", {"return_sequences": True},
                                    cell=layer("MinimalRNNCell", units=u)), symbolic=True)
    masked("rnn/custom_cell_mask", wrapped("RNN", {"return_sequences": True},
                                           cell=layer("MinimalRNNCell", units=u)))
    masked("rnn/stacked_mask", wrapped("RNN", {"return_sequences": True},
                                       cell=[layer("LSTMCell", units=3),
                                             layer("GRUCell", units=2)]))

    # -- Bidirectional
    for mode in ["concat", "sum", "mul", "ave"]:
        case(f"bidirectional/{mode}", wrapped(
            "Bidirectional", {"merge_mode": mode},
            layer=layer("LSTM", units=3, return_sequences=True)), symbolic=mode == "concat")
    case("bidirectional/none", wrapped("Bidirectional", {"merge_mode": None},
                                       layer=layer("GRU", units=3)))
    case("bidirectional/return_state", wrapped(
        "Bidirectional", {}, layer=layer("LSTM", units=3, return_state=True)))
    case("bidirectional/backward_layer", wrapped(
        "Bidirectional", {}, layer=layer("LSTM", units=3, return_sequences=True),
        backward_layer=layer("GRU", units=2, return_sequences=True, go_backwards=True)))
    masked("bidirectional/mask", wrapped(
        "Bidirectional", {"merge_mode": "sum"},
        layer=layer("SimpleRNN", units=3, return_sequences=True)))

    # -- TimeDistributed
    case("time_distributed/dense", wrapped("TimeDistributed", layer=layer("Dense", units=4)),
         symbolic=True)
    case("time_distributed/conv2d", wrapped("TimeDistributed", layer=layer(
        "Conv2D", filters=2, kernel_size=3, padding="same")),
        arrays={"x": f32(2, 3, 5, 5, 2)}, symbolic=True)

    # -- ConvLSTM
    seq1d, seq2d, seq3d = f32(2, 4, 6, 2), f32(2, 3, 5, 5, 2), f32(1, 3, 4, 4, 3, 2)
    case("conv_lstm1d/last", layer("ConvLSTM1D", filters=3, kernel_size=3),
         arrays={"x": seq1d}, symbolic=True)
    case("conv_lstm1d/same_sequences_backwards", layer(
        "ConvLSTM1D", filters=2, kernel_size=3, padding="same", return_sequences=True,
        go_backwards=True), arrays={"x": seq1d})
    case("conv_lstm2d/last", layer("ConvLSTM2D", filters=2, kernel_size=3),
         arrays={"x": seq2d}, symbolic=True)
    case("conv_lstm2d/same_state", layer("ConvLSTM2D", filters=2, kernel_size=(3, 2),
                                         padding="same", return_sequences=True,
                                         return_state=True), arrays={"x": seq2d})
    case("conv_lstm2d/strides", layer("ConvLSTM2D", filters=2, kernel_size=2, strides=2),
         arrays={"x": seq2d})
    case("conv_lstm3d/last", layer("ConvLSTM3D", filters=2, kernel_size=2, padding="same"),
         arrays={"x": seq3d}, symbolic=True)

    # -- bad input
    error_case(rec, "error/lstm_2d_input", layer("LSTM", units=u), [seq()], {"x": x[:, 0]})
    error_case(rec, "error/rnn_cell_without_state_size",
               wrapped("RNN", {}, cell=layer("NoStateSizeCell")), [seq()], {"x": x})
    return rec
