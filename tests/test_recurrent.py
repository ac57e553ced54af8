"""Recurrent layers against real Keras (tests/reference/recurrent.*): outputs, final states and
gradients with respect to the inputs, the initial states and every weight, for SimpleRNN, LSTM,
GRU, RNN over cells, Bidirectional, TimeDistributed and ConvLSTM; their configs; the errors for
bad input; and the float64 gradient checks of the recurrent primitives."""


import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.ops import recurrent
from nbkeras.utils.keras_reference import (
    check_call_case,
    comparable_config,
    load,
    make_layer_from_spec,
)

RTOL = 1e-4
CASES = load("recurrent")
CALL_CASES = [c for c in CASES if not c.id.startswith("error/")]


class MinimalRNNCell(layers.Layer):
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
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class NoStateSizeCell(layers.Layer):
    def call(self, inputs, states):
        return inputs, states


CUSTOM = {"MinimalRNNCell": MinimalRNNCell, "NoStateSizeCell": NoStateSizeCell}


@pytest.mark.parametrize("case", CALL_CASES, ids=lambda c: c.id)
def test_matches_keras(case):
    check_call_case(case, RTOL, CUSTOM)


@pytest.mark.parametrize("case", [c for c in CALL_CASES if "Minimal" not in str(c["spec"])],
                         ids=lambda c: c.id)
def test_config_matches_keras(case):
    layer = make_layer_from_spec(case["spec"], CUSTOM)
    assert comparable_config(layer.get_config()) == comparable_config(case["config"])
    rebuilt = type(layer).from_config(case["config"])
    assert comparable_config(rebuilt.get_config()) == comparable_config(case["config"])


@pytest.mark.parametrize("case", [c for c in CALL_CASES if "symbolic_output_shapes" in c.meta],
                         ids=lambda c: c.id)
def test_symbolic_shapes_match_keras(case):
    layer = make_layer_from_spec(case["spec"], CUSTOM)
    x = case.array(case["calls"][0]["args"][0]["array"])
    out = layer(keras.Input(batch_shape=(None,) + x.shape[1:]))
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    assert [list(o.shape) for o in outs] == case["symbolic_output_shapes"]


# -- float64 gradient checks of the fused scans (tests/test_gradients.py runs these tables) --

_rng = np.random.default_rng(11)
_MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 0]], bool)


def _normal(*shape, scale=1.0):
    return _rng.standard_normal(shape) * scale


def _packed(outputs, states):
    flat = [ops.reshape(outputs, (outputs.shape[0], -1)), *states]
    return ops.concatenate(flat, axis=1)


def _scan_case(scan, *inputs, **options):
    return (lambda *t: _packed(*scan(*t, **options)), list(inputs))


def _lstm_inputs():
    return (_normal(2, 4, 8), _normal(2, 2), _normal(2, 2), _normal(2, 8, scale=0.5),
            _normal(8))


GRADIENT_CASES = {
    "simple_rnn": [
        _scan_case(recurrent.simple_rnn, _normal(2, 4, 3), _normal(2, 3),
                   _normal(3, 3, scale=0.5), mask=_MASK),
        _scan_case(recurrent.simple_rnn, _normal(2, 4, 3), _normal(2, 3),
                   _normal(3, 3, scale=0.5), go_backwards=True, return_sequences=False,
                   activation="sigmoid"),
    ],
    "lstm": [
        _scan_case(recurrent.lstm, *_lstm_inputs(), mask=_MASK, go_backwards=True),
        _scan_case(recurrent.lstm, *_lstm_inputs(), mask=_MASK, zero_output_for_mask=True,
                   return_sequences=False, activation="relu",
                   recurrent_activation="hard_sigmoid"),
    ],
    "gru": [
        _scan_case(recurrent.gru, _normal(2, 4, 6), _normal(2, 2), _normal(2, 6, scale=0.5),
                   _normal(6), mask=_MASK),
        _scan_case(recurrent.gru, _normal(2, 4, 6), _normal(2, 2), _normal(2, 6, scale=0.5),
                   _normal(6), go_backwards=True, return_sequences=False),
    ],
    "gru_reset_before": [
        (lambda x, h, k: _packed(*recurrent.gru(x, h, k, mask=_MASK, reset_after=False)),
         [_normal(2, 4, 6), _normal(2, 2), _normal(2, 6, scale=0.5)]),
    ],
}


# -- errors for bad input ---------------------------------------------------------------------

def _keras_error(case_id):
    return next(c for c in CASES if c.id == case_id)["error"]


def test_a_2d_input_is_refused_naming_the_layer_and_the_shape():
    print(_keras_error("error/lstm_2d_input"))
    layer = layers.LSTM(4, name="encoder")
    with pytest.raises(ValueError, match=r"layer 'encoder'.*expected ndim=3, found ndim=2.*"
                                         r"\(3, 5\)"):
        layer(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'seq'.*\(batch, timesteps, features\).*"
                                         r"\(3, 5\)"):
        layers.RNN(layers.GRUCell(2), name="seq")(np.zeros((3, 5), np.float32))


def test_a_cell_without_state_size_is_refused():
    assert "state_size" in _keras_error("error/rnn_cell_without_state_size")
    with pytest.raises(ValueError, match=r"should have a `state_size` attribute.*"
                                         r"NoStateSizeCell"):
        layers.RNN(NoStateSizeCell())


def test_a_mask_of_the_wrong_shape_is_refused_naming_both_shapes():
    x = np.zeros((2, 5, 3), np.float32)
    with pytest.raises(ValueError, match=r"Layer 'lstm_masked'.*\(2, 5\).*\(2, 5, 3\).*"
                                         r"\(2, 4\)"):
        layers.LSTM(4, name="lstm_masked")(x, mask=np.ones((2, 4), bool))


def test_an_initial_state_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"Layer 'g'.*\(2, 4\).*\(2, 3\)"):
        layers.GRU(4, name="g")(np.zeros((2, 5, 3), np.float32),
                                initial_state=[np.zeros((2, 3), np.float32)])


def test_a_stateful_layer_needs_its_batch_size():
    layer = layers.LSTM(2, stateful=True)
    layer(np.zeros((3, 4, 2), np.float32))
    with pytest.raises(ValueError, match=r"Expected batch size: 3\n- Received batch size: 2"):
        layer(np.zeros((2, 4, 2), np.float32))


# -- behaviour --------------------------------------------------------------------------------

def _sequences(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("make", [
    lambda: layers.SimpleRNN(3, return_sequences=True, go_backwards=True),
    lambda: layers.LSTM(3, return_sequences=True, return_state=True, zero_output_for_mask=True),
    lambda: layers.GRU(3, reset_after=False, return_state=True),
    lambda: layers.GRU(3, return_sequences=True, activation="relu"),
])
def test_the_fused_scan_equals_the_step_by_step_loop(make):
    # The same layer run through its kernel and through RNN's cell-by-cell loop (what a
    # user-written cell gets): values and gradients agree.
    layer = make()
    x = ops.convert_to_tensor(_sequences(3, 6, 2))
    mask = ops.convert_to_tensor(np.array([[1] * 6, [1, 1, 1, 0, 0, 0], [0, 1, 0, 1, 1, 1]],
                                          bool))
    layer(x)
    states = layer.get_initial_state(3)
    results = []
    for run in (layer.inner_loop, layer._loop):
        with keras.GradientTape() as tape:
            tape.watch(x)
            out, final = run(x, states, mask, False)
            total = ops.sum(out * out) + sum(ops.sum(s) for s in final)
        results.append([out, *final, *tape.gradient(total, [x, *layer.trainable_weights])])
    for fused, loop in zip(*results, strict=True):
        np.testing.assert_allclose(fused.numpy(), loop.numpy(), rtol=1e-5, atol=1e-6)


def test_the_embedding_mask_reaches_the_recurrent_layer():
    ids = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]])
    embedding = layers.Embedding(10, 3, mask_zero=True)
    lstm = layers.LSTM(4, return_sequences=True)
    masked = lstm(embedding(ids))
    explicit = lstm(embedding(ids), mask=ids != 0)
    np.testing.assert_array_equal(masked.numpy(), explicit.numpy())
    np.testing.assert_array_equal(masked._keras_mask.numpy(), ids != 0)
    # padded steps repeat the last kept output
    np.testing.assert_array_equal(masked.numpy()[0, 3], masked.numpy()[0, 2])


def test_dropout_acts_only_in_training_and_repeats_with_a_seed():
    x = _sequences(4, 5, 3)
    plain = layers.LSTM(4, seed=3)
    dropped = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.3, seed=3)
    plain(x)
    dropped(x)
    dropped.set_weights(plain.get_weights())
    np.testing.assert_array_equal(dropped(x).numpy(), plain(x).numpy())
    first = dropped(x, training=True).numpy()
    assert not np.allclose(first, plain(x).numpy())
    again = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.3, seed=3)
    again(x)
    again.set_weights(plain.get_weights())
    np.testing.assert_array_equal(again(x, training=True).numpy(), first)


def test_input_dropout_uses_one_mask_for_every_step():
    # the dropout mask is drawn once per call: a constant sequence stays constant after it
    x = np.ones((3, 4, 6), np.float32)
    seq = layers.SimpleRNN(2, dropout=0.5, seed=1, activation="linear", return_sequences=True)
    seq(x)
    seq.set_weights([np.eye(6, 2, dtype=np.float32), np.zeros((2, 2), np.float32),
                     np.zeros(2, np.float32)])
    steps = seq(x, training=True).numpy()
    np.testing.assert_array_equal(steps, np.broadcast_to(steps[:, :1], steps.shape))


def test_reset_states_starts_a_stateful_layer_over():
    x = _sequences(2, 3, 2)
    layer = layers.GRU(3, stateful=True)
    first = layer(x).numpy()
    assert not np.allclose(layer(x).numpy(), first)
    layer.reset_states()
    np.testing.assert_array_equal(layer(x).numpy(), first)
    assert len(layer.weights) == 3  # the states are not weights


def test_a_stateful_layer_equals_one_call_on_the_whole_sequence():
    x = _sequences(2, 6, 3)
    whole = layers.LSTM(4, return_sequences=True)
    halves = layers.LSTM(4, return_sequences=True, stateful=True)
    whole(x)
    halves(x[:, :3])
    halves.set_weights(whole.get_weights())
    halves.reset_states()
    joined = np.concatenate([halves(x[:, :3]).numpy(), halves(x[:, 3:]).numpy()], axis=1)
    np.testing.assert_allclose(joined, whole(x).numpy(), rtol=1e-6, atol=1e-7)


def test_layers_work_in_float64():
    x = _sequences(2, 4, 3).astype(np.float64)
    for layer in [layers.LSTM(2, dtype="float64"), layers.GRU(2, dtype="float64"),
                  layers.SimpleRNN(2, dtype="float64")]:
        assert layer(x).dtype == "float64"
