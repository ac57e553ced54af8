"""keras.metrics: every frozen real-Keras case (objects step by step, and the functions), the
documented examples, default names, name lookup, bad input, and the counting kernels against
plain NumPy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbkeras import metrics, ops
from nbkeras.kernels import confusion
from nbkeras.metrics import metrics_utils
from nbkeras.utils import naming
from nbkeras.utils.keras_reference import assert_matches_keras, load

RTOL = 1e-5
CASES = load("metrics")


def squared_difference(y_true, y_pred):
    """The plain (y_true, y_pred) function the reference case wrapped in MeanMetricWrapper."""
    return ops.square(y_true - y_pred)


PLAIN_FUNCTIONS = {"squared_difference": squared_difference}


def _build(case):
    kwargs = dict(case["kwargs"])
    if case["fn"] is not None:
        kwargs["fn"] = PLAIN_FUNCTIONS.get(case["fn"]) or getattr(metrics, case["fn"])
    return getattr(metrics, case["cls"])(**kwargs)


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "metric"],
                         ids=lambda c: c.id)
def test_metric_matches_keras(case):
    metric = _build(case)
    for i, step in enumerate(case["steps"]):
        if step.get("reset"):
            metric.reset_state()
        else:
            metric.update_state(**{arg: case.array(name) for arg, name in step["update"].items()})
        expected = case.array(step["result"])
        result = metric.result()
        assert result.dtype == expected.dtype.name, f"{case.id} step {i}: dtype"
        assert_matches_keras(result, expected, RTOL, f"{case.id} step {i} result")
    assert [v.name for v in metric.variables] == case["variables"]
    for variable in metric.variables:
        assert variable.trainable is False
        assert_matches_keras(variable, case.array(f"variables/{variable.name}"), RTOL,
                             f"{case.id} variable {variable.name}")
    config = {k: v for k, v in metric.get_config().items() if k not in ("name", "fn")}
    assert config == case["config"]


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "function"],
                         ids=lambda c: c.id)
def test_function_matches_keras(case):
    out = getattr(metrics, case["fn"])(case.array("y_true"), case.array("y_pred"),
                                       **case["kwargs"])
    assert out.dtype == case["output_dtype"]
    assert_matches_keras(out, case.array("output"), RTOL, case.id)


def test_default_names_match_keras():
    (case,) = [c for c in CASES if c["kind"] == "names"]
    naming.reset_names()
    for cls, names in case["names"].items():
        assert [getattr(metrics, cls)().name for _ in range(2)] == names, cls
    naming.reset_names()
    wrapped = [metrics.MeanMetricWrapper(metrics.binary_accuracy).name for _ in range(2)]
    assert wrapped == case["wrapper"]


def test_every_class_has_a_reference_case():
    covered = {c["cls"] for c in CASES if c["kind"] == "metric"}
    classes = {cls.__name__ for cls in metrics.ALL_OBJECTS} - {"Metric"}
    assert classes <= covered, classes - covered
    functions = {c["fn"] for c in CASES if c["kind"] == "function"}
    # (the loss functions keras.metrics re-exports are checked by the losses' cases)
    assert functions == {"binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                         "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"}


# -- the documented examples (values printed in the Keras documentation and the issue)

def test_documented_examples():
    assert float(metrics.Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])) == 0.75
    assert float(metrics.BinaryAccuracy()([[1], [1], [0], [0]],
                                          [[0.98], [1], [0], [0.6]])) == 0.75
    y_true, y_pred = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    assert metrics.categorical_accuracy(y_true, y_pred).numpy().tolist() == [0, 1]
    assert metrics.sparse_categorical_accuracy([[2], [1]], y_pred).numpy().tolist() == [0, 1]
    assert metrics.top_k_categorical_accuracy(y_true, y_pred, k=2).numpy().tolist() == [1, 1]
    assert metrics.sparse_top_k_categorical_accuracy([2, 1], y_pred, k=2).numpy().tolist() \
        == [1, 1]
    mean = metrics.Mean()
    mean.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(mean.result()) == 2.0


def test_call_accumulates_and_reset_empties():
    metric = metrics.Accuracy()
    assert float(metric([1, 2], [0, 2])) == 0.5
    assert float(metric([3, 4], [3, 4])) == 0.75  # 3 hits of 4 samples so far
    metric.reset_state()
    assert float(metric.result()) == 0.0
    assert [v.path for v in metric.variables] == [f"{metric.name}/total", f"{metric.name}/count"]


def test_plain_function_is_a_metric():
    assert metrics.get(squared_difference) is squared_difference
    metric = metrics.MeanMetricWrapper(squared_difference, name="sq")
    y_true, y_pred = np.zeros((1, 2), np.float32), np.array([[1.0, 3.0]], np.float32)
    assert float(metric(y_true, y_pred)) == 5.0  # mean of 1 and 9


# -- names

def test_get_resolves_names_to_new_instances():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    assert isinstance(metrics.get("binary_accuracy"), metrics.BinaryAccuracy)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert metrics.get("auc") is not metrics.get("auc")
    assert metrics.get(None) is None
    precision = metrics.get({"class_name": "Precision", "config": {"thresholds": [0.2, 0.8]}})
    assert precision.thresholds == [0.2, 0.8]


@pytest.mark.parametrize("name, close", [
    ("binary_acuracy", "binary_accuracy"),
    ("Precison", "Precision"),
    ("sparse_top_k_categorical", "sparse_top_k_categorical_accuracy"),
])
def test_unknown_name_lists_closest(name, close):
    with pytest.raises(ValueError, match=f"'{name}'.*did you mean.*'{close}'"):
        metrics.get(name)


def test_serialize_round_trip():
    wrapper = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="w", threshold=0.2)
    config = metrics.serialize(wrapper)
    assert config["config"]["fn"] == {"module": "builtins", "class_name": "function",
                                      "config": "binary_accuracy", "registered_name": "function"}
    again = metrics.deserialize(config)
    assert again.name == "w" and float(again([1, 0], [0.3, 0.1])) == 1.0
    auc = metrics.deserialize(metrics.serialize(metrics.AUC(thresholds=[0.3, 0.1], curve="PR")))
    assert auc.thresholds[1:-1] == [0.1, 0.3] and auc.curve == "PR"


# -- bad input: errors that name the argument, the value and what was expected

@pytest.mark.parametrize("make, error, match", [
    (lambda: metrics.Precision(thresholds=[0.5, 1.5]), ValueError,
     r"thresholds must be .*\[0, 1\].*1\.5"),
    (lambda: metrics.TruePositives(thresholds=-0.1), ValueError, r"thresholds must be .*-0\.1"),
    (lambda: metrics.AUC(thresholds=[2.0]), ValueError, r"thresholds must be"),
    (lambda: metrics.AUC(num_thresholds=1), ValueError, r"num_thresholds must be an integer > 1"),
    (lambda: metrics.AUC(curve="ROCC"), ValueError, r'invalid curve "ROCC"'),
    (lambda: metrics.AUC(summation_method="trapezoid"), ValueError,
     r"invalid summation_method"),
    (lambda: metrics.AUC(num_labels=3), ValueError, r"num_labels is needed only"),
    (lambda: metrics.Recall(top_k=0), ValueError, r"top_k must be a positive int"),
    (lambda: metrics.TopKCategoricalAccuracy(k=2.0), TypeError, r"k must be an int"),
])
def test_bad_configuration_raises(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("call, match", [
    (lambda: metrics.Accuracy()([1, 2, 3], [1, 2]),
     r"metrics.accuracy: y_true and y_pred must have the same shape, got "
     r"y_true.shape=\(3,\) and y_pred.shape=\(2,\)"),
    (lambda: metrics.BinaryAccuracy()([[1], [0]], [[0.1, 0.9], [0.2, 0.3]]),
     r"y_true.shape=\(2, 1\) and y_pred.shape=\(2, 2\)"),
    (lambda: metrics.RootMeanSquaredError()([[1.0, 2.0]], [[1.0, 2.0, 3.0]]),
     r"RootMeanSquaredError.update_state: y_true and y_pred must have the same shape"),
    (lambda: metrics.MeanSquaredError()([[1.0, 2.0]], [[1.0, 2.0, 3.0]]),
     r"mean_squared_error: y_true and y_pred must have the same shape"),
    (lambda: metrics.categorical_accuracy([0, 2], [[0.1, 0.9, 0.0], [0.2, 0.3, 0.5]]),
     r"one-hot labels .* \(2, 3\); got \(2,\)"),
    (lambda: metrics.sparse_categorical_accuracy([[0, 1]], [[0.1, 0.9], [0.2, 0.8]]),
     r"integer labels and must have shape \(2,\)"),
    (lambda: metrics.Precision()([0, 1, 1], [0.2, 0.9]), r"Precision.update_state: y_true"),
    (lambda: metrics.Recall(class_id=1)([0, 1], [0.2, 0.9]), r"with class_id, y_pred must"),
    (lambda: metrics.Recall(class_id=3)([[0, 1]], [[0.2, 0.9]]), r"class_id=3 is out of range"),
    (lambda: metrics.Mean()([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0]),
     r"sample_weight of shape \(2,\) cannot be broadcast to the values' shape \(3,\)"),
    (lambda: metrics.AUC(multi_label=True)(np.zeros((4, 2)), np.zeros(4)),
     r"multi_label=True, y_pred must have rank 2"),
    (lambda: metrics.Mean()("abc"), r"argument 'values' must be a number"),
])
def test_bad_input_raises(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# -- kernels against plain NumPy formulations

def _numpy_counts(labels, predictions, weights, thresholds):
    above = predictions[None] > thresholds[:, None, None]
    positive = labels[None] != 0
    return [np.sum(weights[None] * (positive & above), axis=1),
            np.sum(weights[None] * (~positive & above), axis=1),
            np.sum(weights[None] * (~positive & ~above), axis=1),
            np.sum(weights[None] * (positive & ~above), axis=1)]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 3), st.integers(3, 30), st.integers(0, 2**31))
def test_bucket_counts_equal_threshold_counts(n, m, num_thresholds, seed):
    # On predictions away from the thresholds, the bucket algorithm counts exactly what
    # comparing with each threshold counts.
    rng = np.random.default_rng(seed)
    thresholds = np.arange(num_thresholds) / (num_thresholds - 1)
    cell = rng.integers(0, num_thresholds - 1, (n, m))
    offset = rng.uniform(0.1, 0.9, (n, m))
    predictions = ((cell + offset) / (num_thresholds - 1)).astype(np.float32)
    labels = rng.integers(0, 2, (n, m)).astype(np.float32)
    weights = rng.uniform(0, 2, (n, m)).astype(np.float32)
    buckets = [np.empty((num_thresholds, m), np.float32) for _ in range(4)]
    confusion.bucket_counts(labels, predictions, weights, False, *buckets)
    direct = [np.empty((num_thresholds, m), np.float32) for _ in range(4)]
    confusion.threshold_counts(labels, predictions, weights, thresholds.astype(np.float32),
                               *direct)
    for got, want, exact in zip(buckets, direct, _numpy_counts(labels, predictions, weights,
                                                               thresholds), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-5)
        np.testing.assert_allclose(want, exact, rtol=1e-6, atol=1e-5)


def test_counts_treat_nan_as_negative():
    labels = np.array([[1.0], [0.0]], np.float32)
    predictions = np.array([[np.nan], [np.nan]], np.float32)
    weights = np.ones((2, 1), np.float32)
    for evenly in (False, True):
        counts = [np.empty((3, 1), np.float32) for _ in range(4)]
        if evenly:
            confusion.bucket_counts(labels, predictions, weights, True, *counts)
        else:
            confusion.threshold_counts(labels, predictions, weights,
                                       np.array([0.0, 0.5, 1.0], np.float32), *counts)
        tp, fp, tn, fn = (c[:, 0].tolist() for c in counts)
        assert (tp, fp, tn, fn) == ([0, 0, 0], [0, 0, 0], [1, 1, 1], [1, 1, 1])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 20), st.integers(1, 8), st.integers(1, 9), st.integers(0, 2**31))
def test_in_top_k_counts_strictly_higher_scores(n, classes, k, seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 4, (n, classes)).astype(np.float32)  # many ties
    targets = rng.integers(0, classes, n)
    out = np.empty(n, np.bool_)
    confusion.in_top_k(targets.astype(np.int64), scores, k, out)
    higher = (scores > scores[np.arange(n), targets][:, None]).sum(axis=1)
    np.testing.assert_array_equal(out, higher < k)


def test_filter_top_k_breaks_ties_by_index():
    kept = metrics_utils.filter_top_k(np.array([[1.0, 1.0, 1.0, 1.0]], np.float32), 2)
    np.testing.assert_array_equal(kept, [[1.0, 1.0, -1e10, -1e10]])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 10), st.integers(1, 8), st.integers(1, 10), st.integers(0, 2**31))
def test_top_k_mask_is_a_stable_sort(n, classes, k, seed):
    scores = np.random.default_rng(seed).integers(0, 3, (n, classes)).astype(np.float32)
    mask = np.empty(scores.shape, np.bool_)
    confusion.top_k_mask(scores, k, mask)
    expected = np.zeros(scores.shape, bool)
    np.put_along_axis(expected, np.argsort(-scores, axis=1, kind="stable")[:, :k], True, axis=1)
    np.testing.assert_array_equal(mask, expected)


@pytest.mark.parametrize("values, weight", [
    (np.float32(0.3), 32), (np.float32(0.3), 7.5), (np.float32(1e-8), np.int64(3)),
    (np.array(2.5, np.float64), None), (np.linspace(0, 1, 33, dtype=np.float32), None),
    (np.array([True, False, True]), None), (ops.convert_to_tensor([0.1, 0.7]), None),
])
def test_mean_plain_updates_give_the_general_paths_bits(values, weight):
    # fit's two per-step updates (a scalar loss weighted by a number, per-sample values with
    # no weight) skip the general path. The same data made to take it (the weight as an
    # array, the values as (n, 1)) must give the same bits.
    plain, general = metrics.Mean(), metrics.Mean()
    for _ in range(3):
        plain.update_state(values, sample_weight=weight)
        if weight is None:
            general.update_state(np.asarray(values).reshape(-1, 1))
        else:
            general.update_state(values, sample_weight=np.asarray(weight, np.float32))
    for name in ("total", "count"):
        a, b = getattr(plain, name).numpy(), getattr(general, name).numpy()
        assert a.dtype == b.dtype == np.float32 and a.tobytes() == b.tobytes(), name
    assert plain.result().numpy().tobytes() == general.result().numpy().tobytes()
