"""The numeric preprocessing layers and keras.utils' helpers against real Keras
(tools/reference/preprocessing.py): each layer is adapted to the same data (one array, a
tensor, or batches) and called on the same inputs; its output and dtype, the statistics,
boundaries or vocabulary it learned, and its config must match."""

import numpy as np
import pytest
from test_layers import _plain

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils.keras_reference import assert_matches_keras, load

CASES = load("preprocessing")
LAYER_CASES = [c for c in CASES if "layer" in c.meta and "error" not in c.meta
               and c.id not in ("Normalization/set_weights", "CategoryEncoding/id_out_of_range")]
UTILITY_CASES = [c for c in CASES if "function" in c.meta]
BY_ID = {c.id: c for c in CASES}


def _run(case):
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    if case["adapt_as"] == "batches":
        layer.adapt([case.array(f"adapt/{i}") for i in range(case["n_adapt_batches"])])
    elif case["adapt_as"] == "tensor":
        layer.adapt(ops.convert_to_tensor(case.array("adapt")))
    elif case["adapt_as"] == "array":
        layer.adapt(case.array("adapt"))
    if case.get("n_set_weights"):
        layer.build(case.array("x").shape)
        layer.set_weights([case.array(f"set/w{i}") for i in range(case["n_set_weights"])])
    call = {name: case.array(f"call/{name}") for name in case["call_arrays"]}
    return layer, layer(case.array("x"), **call)


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_layer_matches_keras(case):
    layer, out = _run(case)
    assert out.dtype == case["output_dtype"], f"{case.id}: dtype {out.dtype}"
    expected = case.array("output")
    if expected.dtype.kind == "f":
        assert_matches_keras(out, expected, 1e-5, case.id)
    else:
        np.testing.assert_array_equal(out.numpy(), expected)
    weights = layer.get_weights()
    assert len(weights) == case["n_weights"]
    for i, w in enumerate(weights):  # Normalization's learned mean and variance
        assert_matches_keras(w, case.array(f"w{i}"), 1e-5, f"{case.id} weight {i}")
    if "vocabulary" in case.meta:
        assert layer.get_vocabulary() == case["vocabulary"]
        assert layer.vocabulary_size() == case["vocabulary_size"]
    if "bin_boundaries" in case.meta:
        np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=1e-6)


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
def test_config_matches_keras(case):
    layer, _ = _run(case)
    config = _plain(layer.get_config())
    expected = dict(case["config"])
    assert config.pop("name") == layer.name and expected.pop("name")
    assert config == _plain(expected)
    rebuilt = type(layer).from_config(case["config"])
    assert _plain(rebuilt.get_config()) == _plain(case["config"])


@pytest.mark.parametrize("case", UTILITY_CASES, ids=lambda c: c.id)
def test_utility_matches_keras(case):
    args = [case.array(a["array"]) if "array" in a else a["value"] for a in case["args"]]
    out = getattr(keras.utils, case["function"])(*args, **case["kwargs"])
    assert np.asarray(out).dtype.name == case["output_dtype"]
    assert_matches_keras(out, case.array("output"), 1e-6, case.id)


def test_normalization_set_weights_takes_effect():
    # Deviation: Keras 3.15 keeps the statistics it computed at build time after set_weights
    # (its output is the input unchanged); nbkeras normalises with the weights it was given
    case = BY_ID["Normalization/set_weights"]
    np.testing.assert_array_equal(case.array("output"), case.array("x"))
    _, out = _run(case)
    mean, variance = case.array("set/w0"), case.array("set/w1")
    np.testing.assert_allclose(out.numpy(), (case.array("x") - mean) / np.sqrt(variance),
                               rtol=1e-6)


def test_category_encoding_refuses_an_id_out_of_range():
    # Keras drops the id silently (its output counts only the 0); nbkeras names it
    case = BY_ID["CategoryEncoding/id_out_of_range"]
    np.testing.assert_array_equal(case.array("output"), [[1, 0, 0]])
    with pytest.raises(ValueError, match=r"every id must be in \[0, 3\).*got 3"):
        layers.CategoryEncoding(3)(case.array("x"))


def test_integer_lookup_without_oov_indices_refuses_unknown_tokens():
    case = BY_ID["IntegerLookup/no_oov_indices_error"]
    assert "When `num_oov_indices=0` all inputs should be in vocabulary" in case["error"]
    with pytest.raises(ValueError, match=r"all inputs should be in vocabulary, found OOV "
                                         r"values \[7\]"):
        _run(case)


def test_adapt_statistics_of_digits_match_numpy_and_normalise():
    from sklearn.datasets import load_digits

    pixels = load_digits().data.astype(np.float32)
    layer = layers.Normalization()
    layer.adapt([pixels[:500], pixels[500:1200], pixels[1200:]])  # batches, merged
    mean, variance, count = layer.get_weights()
    np.testing.assert_allclose(mean, pixels.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(variance, pixels.var(axis=0), rtol=1e-4, atol=1e-5)
    assert count == 0  # Keras never updates it either
    out = layer(pixels).numpy()
    varying = pixels.std(axis=0) > 0
    np.testing.assert_allclose(out.mean(axis=0)[varying], 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0)[varying], 1, rtol=1e-4)


def test_preprocessing_errors_name_what_was_expected():
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="Cannot adapt a Discretization layer"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match="num_tokens must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="maximum supported output rank is 2"):
        layers.CategoryEncoding(3)(np.zeros((2, 2, 2), np.int32))
    with pytest.raises(ValueError, match="`salt` argument for `Hashing`"):
        layers.Hashing(3, salt="pepper")
    with pytest.raises(ValueError, match="repeated term.*\\[12\\]"):
        layers.IntegerLookup(vocabulary=[12, 3, 12])
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
        layers.IntegerLookup(output_mode="multi_hot")(np.array([[1]]))
