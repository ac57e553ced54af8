"""compile / fit / evaluate / predict against real Keras: every run of
tools/reference/_training_zoo.py (the same source ran in Keras) starts from Keras' initial
weights and must give Keras' History (keys and values), epochs, params, evaluate and predict
results, optimizer.iterations and final weights, at rtol 2e-4."""

import pathlib
import sys

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.utils import load_reference
from nbkeras.utils.keras_reference import assert_matches_keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
from _reference_compare import compare  # noqa: E402
from reference import _training_zoo  # noqa: E402

CASES = [c for c in load_reference("training") if c.id not in ("progress_output", "summaries")]
RTOL = 2e-4


def reference_data():
    case = CASES[0]
    return {name: case._arrays[f"data/{name}"] for name in _training_zoo.make_data(
        np.random.default_rng(0))}


@pytest.mark.filterwarnings("ignore:Your input ran out of data")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_training_run_matches_keras(case):
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    weights = [case.array(f"w/{i}") for i in range(case["n_weights"])]
    _, results = _training_zoo.run(keras, _training_zoo.CASES[case.id], reference_data(),
                                   initial_weights=weights)
    for key, expected in case.meta.items():
        if key in ("id", "n_weights"):
            continue
        compare(results[key], expected, case, f"{case.id} {key}", RTOL)
    final = results["final_weights"]
    assert len(final) == case["n_weights"]
    for i, w in enumerate(final):
        assert_matches_keras(w, case.array(f"final/{i}"), RTOL, f"{case.id} final weight {i}")


def sanitize_progress(text):
    """Progress output with its timings (which vary) replaced: the time per step, the ETA
    and the elapsed seconds, and the redraw's backspaces and padding, whose counts follow
    the width of the timing text."""
    import re

    text = re.sub(r"\d+(ms|us|s)/step", "T/step", text)
    text = re.sub(r"\x1b\[1m(\d+:)*\d+s\x1b\[0m", "\x1b[1mT\x1b[0m", text)
    text = re.sub(r" - \d+s - ", " - T - ", text)
    text = re.sub(r" *\x08+", "<redraw>", text)
    return re.sub(r" +\n", "\n", text)


def test_progress_output_matches_keras():
    case = next(c for c in load_reference("training") if c.id == "progress_output")
    runs = _training_zoo.progress_output(keras, reference_data())
    printed, index = None, 0
    for item in runs:
        if isinstance(item, dict):
            printed = item
            break
        weights = [case.array(f"model{index}/w/{i}") for i in range(len(item.weights))]
        item.set_weights(weights)
        index += 1
    assert index == case["n_models"]
    for name, expected in case["printed"].items():
        assert sanitize_progress(printed[name]) == sanitize_progress(expected), name


@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")  # the seed's input_dim
def test_summary_counts_the_optimizer_once_it_is_built(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    case = next(c for c in load_reference("training") if c.id == "summaries")
    runs = _training_zoo.summaries_around_training(keras, reference_data())
    model = next(runs)
    model.set_weights([case.array(f"w/{i}") for i in range(case["n_weights"])])
    assert next(runs) == case["texts"]
