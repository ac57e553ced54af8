"""Reference cases for keras.metrics: stateful objects run through a script of steps, and the
per-sample metric functions.

A ``metric/...`` case builds ``keras.metrics.<cls>(**kwargs)`` and plays ``steps`` in order:
``{"update": {argument: array name}}`` calls update_state and records result() as the array
``<i>/result``; ``{"reset": true}`` calls reset_state and records result(). The state variables
after the last step are recorded too (``variables/<name>``). A ``function/...`` case calls
``keras.metrics.<fn>(y_true, y_pred, **kwargs)``. ``names/...`` records the default names two
fresh instances of each class get in a new session.

Inputs are NumPy arrays with the dtypes Keras gives Python lists (float32, int32), so a case
also stands for the list-based examples of the Keras documentation.
"""

import keras
import numpy as np

from reference._recorder import Recorder


def squared_difference(y_true, y_pred):
    """A user's metric written as a plain function of (y_true, y_pred); the test defines the
    same function with nbkeras.ops."""
    return keras.ops.square(y_true - y_pred)


PLAIN_FUNCTIONS = {"squared_difference": squared_difference}


def f32(x):
    return np.asarray(x, np.float32)


def i32(x):
    return np.asarray(x, np.int32)


def metric_case(rec, case_id, cls, kwargs, batches, fn=None):
    """Run keras.metrics.<cls>(**kwargs) over ``batches`` (dicts of update_state arguments, or
    the string "reset") and record every result."""
    kwargs = dict(kwargs)
    if fn is not None:
        kwargs["fn"] = PLAIN_FUNCTIONS[fn] if fn in PLAIN_FUNCTIONS else getattr(keras.metrics,
                                                                                 fn)
    metric = getattr(keras.metrics, cls)(**kwargs)
    kwargs.pop("fn", None)
    steps = []
    for i, batch in enumerate(batches):
        if batch == "reset":
            metric.reset_state()
            steps.append({"reset": True, "result": f"{i}/result"})
        else:
            names = {}
            for argument, value in batch.items():
                rec.array(case_id, f"{i}/{argument}", value)
                names[argument] = f"{i}/{argument}"
            metric.update_state(**batch)
            steps.append({"update": names, "result": f"{i}/result"})
        rec.array(case_id, f"{i}/result", keras.ops.convert_to_numpy(metric.result()))
    for variable in metric.variables:
        rec.array(case_id, f"variables/{variable.name}", keras.ops.convert_to_numpy(variable))
    config = {k: _plain(v) for k, v in metric.get_config().items() if k not in ("name", "fn")}
    rec.add(case_id, kind="metric", cls=cls, kwargs=kwargs, fn=fn, steps=steps,
            variables=[v.name for v in metric.variables], config=config)


def _plain(value):
    """A config value as JSON (label_weights come back as a tensor)."""
    if hasattr(value, "shape"):
        return keras.ops.convert_to_numpy(value).tolist()
    return value


def function_case(rec, case_id, fn, y_true, y_pred, **kwargs):
    rec.array(case_id, "y_true", y_true)
    rec.array(case_id, "y_pred", y_pred)
    out = keras.ops.convert_to_numpy(getattr(keras.metrics, fn)(y_true, y_pred, **kwargs))
    rec.array(case_id, "output", out)
    rec.add(case_id, kind="function", fn=fn, kwargs=kwargs, output_dtype=out.dtype.name)


def build():
    rec = Recorder("metrics", seed=20261124)
    r = rec.rng

    def probabilities(*shape):
        return r.uniform(0.0, 1.0, shape).astype(np.float32)

    def weights(*shape):
        return r.uniform(0.0, 2.0, shape).astype(np.float32)

    def one_hot(labels, classes):
        return np.eye(classes, dtype=np.float32)[labels]

    def scores(rows, classes):
        # softmax rows, so that every row has a clear order
        z = r.standard_normal((rows, classes))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    # -- default names in a fresh session
    classes = ["Mean", "Sum", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
               "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
               "SparseTopKCategoricalAccuracy", "Precision", "Recall", "AUC", "TruePositives",
               "FalsePositives", "TrueNegatives", "FalseNegatives", "MeanSquaredError",
               "MeanAbsoluteError", "RootMeanSquaredError"]
    keras.backend.clear_session()
    names = {cls: [getattr(keras.metrics, cls)().name for _ in range(2)] for cls in classes}
    keras.backend.clear_session()
    wrapper_names = [keras.metrics.MeanMetricWrapper(keras.metrics.binary_accuracy).name
                     for _ in range(2)]
    rec.add("names/defaults", kind="names", names=names, wrapper=wrapper_names)

    # -- Mean and Sum
    values = f32([1, 3, 5, 7])
    metric_case(rec, "metric/mean/documented", "Mean", {}, [{"values": values}])
    metric_case(rec, "metric/mean/documented_weighted", "Mean", {},
                [{"values": values, "sample_weight": f32([1, 1, 0, 0])}])
    metric_case(rec, "metric/mean/scalar_weight", "Mean", {},
                [{"values": values, "sample_weight": np.float32(0.5)},
                 {"values": f32([1, 1]), "sample_weight": f32([1, 1])}])
    metric_case(rec, "metric/mean/scalar_value", "Mean", {},
                [{"values": np.float32(5.0)}, {"values": np.float32(2.0)}])
    metric_case(rec, "metric/mean/per_sample_rows", "Mean", {},
                [{"values": f32(r.standard_normal((4, 3)))}])
    metric_case(rec, "metric/mean/rows_with_sample_weight", "Mean", {},
                [{"values": f32(r.standard_normal((4, 3))), "sample_weight": weights(4)}])
    metric_case(rec, "metric/mean/rows_with_column_weight", "Mean", {},
                [{"values": f32(r.standard_normal((4, 1))), "sample_weight": weights(4)}])
    metric_case(rec, "metric/mean/elementwise_weight", "Mean", {},
                [{"values": f32(r.standard_normal((4, 3))), "sample_weight": weights(4, 3)}])
    metric_case(rec, "metric/mean/rank3_values_rank2_weight", "Mean", {},
                [{"values": f32(r.standard_normal((3, 2, 4))), "sample_weight": weights(3, 2)}])
    metric_case(rec, "metric/mean/three_updates_and_reset", "Mean", {},
                [{"values": f32(r.standard_normal(5))},
                 {"values": f32(r.standard_normal(3)), "sample_weight": weights(3)},
                 {"values": f32(r.standard_normal(7))},
                 "reset",
                 {"values": f32([2, 4])}])
    metric_case(rec, "metric/mean/empty_result", "Mean", {}, ["reset"])
    metric_case(rec, "metric/mean/float64_dtype", "Mean", {"dtype": "float64"},
                [{"values": np.array([0.1, 0.2, 0.7])}])
    metric_case(rec, "metric/sum/documented", "Sum", {}, [{"values": values}])
    metric_case(rec, "metric/sum/documented_weighted", "Sum", {},
                [{"values": values, "sample_weight": f32([1, 1, 0, 0])}])
    metric_case(rec, "metric/sum/rows_weighted_twice", "Sum", {},
                [{"values": f32(r.standard_normal((4, 3))), "sample_weight": weights(4)},
                 {"values": f32(r.standard_normal((2, 3)))}])

    # -- MeanMetricWrapper: a built-in function with kwargs, and a user's plain function
    metric_case(rec, "metric/mean_metric_wrapper/binary_accuracy_threshold", "MeanMetricWrapper",
                {"threshold": 0.3}, [{"y_true": f32([[1], [0], [1], [0]]),
                                      "y_pred": f32([[0.35], [0.2], [0.1], [0.9]])}],
                fn="binary_accuracy")
    metric_case(rec, "metric/mean_metric_wrapper/plain_function", "MeanMetricWrapper", {},
                [{"y_true": f32(r.standard_normal((4, 2))),
                  "y_pred": f32(r.standard_normal((4, 2)))},
                 {"y_true": f32(r.standard_normal((3, 2))),
                  "y_pred": f32(r.standard_normal((3, 2))), "sample_weight": weights(3)}],
                fn="squared_difference")

    # -- accuracy family: the documented examples first
    metric_case(rec, "metric/accuracy/documented", "Accuracy", {},
                [{"y_true": i32([[1], [2], [3], [4]]), "y_pred": i32([[0], [2], [3], [4]])}])
    metric_case(rec, "metric/accuracy/documented_weighted", "Accuracy", {},
                [{"y_true": i32([[1], [2], [3], [4]]), "y_pred": i32([[0], [2], [3], [4]]),
                  "sample_weight": f32([1, 1, 0, 0])}])
    metric_case(rec, "metric/accuracy/labels_against_column", "Accuracy", {},
                [{"y_true": f32([1, 2, 3]), "y_pred": f32([[1], [2], [0]])}])
    metric_case(rec, "metric/accuracy/updates_and_reset", "Accuracy", {},
                [{"y_true": i32([1, 2]), "y_pred": i32([0, 2])},
                 {"y_true": i32([3, 4]), "y_pred": i32([3, 4])},
                 "reset",
                 {"y_true": i32([1, 1, 1]), "y_pred": i32([1, 0, 0])}])
    seed_true, seed_pred = f32([[1], [1], [0], [0]]), f32([[0.98], [1], [0], [0.6]])
    metric_case(rec, "metric/binary_accuracy/documented", "BinaryAccuracy", {},
                [{"y_true": seed_true, "y_pred": seed_pred}])
    metric_case(rec, "metric/binary_accuracy/documented_weighted", "BinaryAccuracy", {},
                [{"y_true": seed_true, "y_pred": seed_pred, "sample_weight": f32([1, 0, 0, 1])}])
    metric_case(rec, "metric/binary_accuracy/threshold_0.7", "BinaryAccuracy", {"threshold": 0.7},
                [{"y_true": seed_true, "y_pred": seed_pred}])
    metric_case(rec, "metric/binary_accuracy/at_threshold_and_soft_labels", "BinaryAccuracy", {},
                [{"y_true": f32([1, 0, 0.9, 1]), "y_pred": f32([0.5, 0.5, 0.95, 0.51])}])
    labels = (probabilities(6, 3) > 0.5).astype(np.float32)
    metric_case(rec, "metric/binary_accuracy/multi_label_rows", "BinaryAccuracy",
                {"threshold": 0.4},
                [{"y_true": labels, "y_pred": probabilities(6, 3), "sample_weight": weights(6)},
                 {"y_true": labels[:2], "y_pred": probabilities(2, 3)}])
    doc_true, doc_pred = f32([[0, 0, 1], [0, 1, 0]]), f32([[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    metric_case(rec, "metric/categorical_accuracy/documented", "CategoricalAccuracy", {},
                [{"y_true": doc_true, "y_pred": doc_pred}])
    metric_case(rec, "metric/categorical_accuracy/documented_weighted", "CategoricalAccuracy",
                {}, [{"y_true": doc_true, "y_pred": doc_pred, "sample_weight": f32([0.7, 0.3])}])
    metric_case(rec, "metric/categorical_accuracy/ties_and_updates", "CategoricalAccuracy", {},
                [{"y_true": one_hot([0, 1, 2], 3),
                  "y_pred": f32([[0.3, 0.3, 0.3], [0.3, 0.3, 0.3], [0.2, 0.4, 0.4]])},
                 {"y_true": one_hot(r.integers(0, 5, 20), 5), "y_pred": scores(20, 5)}])
    metric_case(rec, "metric/categorical_accuracy/sequences", "CategoricalAccuracy", {},
                [{"y_true": one_hot(r.integers(0, 4, (3, 5)), 4),
                  "y_pred": probabilities(3, 5, 4), "sample_weight": weights(3)}])
    sparse_true = f32([[2], [1]])
    metric_case(rec, "metric/sparse_categorical_accuracy/documented",
                "SparseCategoricalAccuracy", {}, [{"y_true": sparse_true, "y_pred": doc_pred}])
    metric_case(rec, "metric/sparse_categorical_accuracy/documented_weighted",
                "SparseCategoricalAccuracy", {},
                [{"y_true": sparse_true, "y_pred": doc_pred, "sample_weight": f32([0.7, 0.3])}])
    metric_case(rec, "metric/sparse_categorical_accuracy/int_labels_and_updates",
                "SparseCategoricalAccuracy", {},
                [{"y_true": i32(r.integers(0, 6, 30)), "y_pred": scores(30, 6)},
                 {"y_true": i32(r.integers(0, 6, 10)), "y_pred": scores(10, 6),
                  "sample_weight": weights(10)},
                 "reset",
                 {"y_true": i32([0, 1]), "y_pred": f32([[0.5, 0.5], [0.5, 0.5]])}])
    metric_case(rec, "metric/sparse_categorical_accuracy/sequences",
                "SparseCategoricalAccuracy", {},
                [{"y_true": i32(r.integers(0, 4, (3, 5))), "y_pred": probabilities(3, 5, 4)}])
    metric_case(rec, "metric/top_k_categorical_accuracy/documented_k1",
                "TopKCategoricalAccuracy", {"k": 1}, [{"y_true": doc_true, "y_pred": doc_pred}])
    metric_case(rec, "metric/top_k_categorical_accuracy/documented_k1_weighted",
                "TopKCategoricalAccuracy", {"k": 1},
                [{"y_true": doc_true, "y_pred": doc_pred, "sample_weight": f32([0.7, 0.3])}])
    metric_case(rec, "metric/top_k_categorical_accuracy/default_k5_updates",
                "TopKCategoricalAccuracy", {},
                [{"y_true": one_hot(r.integers(0, 10, 40), 10), "y_pred": scores(40, 10)},
                 {"y_true": one_hot(r.integers(0, 10, 10), 10), "y_pred": scores(10, 10),
                  "sample_weight": weights(10)}])
    metric_case(rec, "metric/top_k_categorical_accuracy/ties_k1", "TopKCategoricalAccuracy",
                {"k": 1}, [{"y_true": one_hot([0, 1, 2, 3], 4), "y_pred": np.full((4, 4), 0.25,
                                                                                np.float32)}])
    metric_case(rec, "metric/sparse_top_k_categorical_accuracy/documented_k1",
                "SparseTopKCategoricalAccuracy", {"k": 1},
                [{"y_true": i32([2, 1]), "y_pred": doc_pred}])
    metric_case(rec, "metric/sparse_top_k_categorical_accuracy/documented_k1_weighted",
                "SparseTopKCategoricalAccuracy", {"k": 1},
                [{"y_true": i32([2, 1]), "y_pred": doc_pred, "sample_weight": f32([0.7, 0.3])}])
    metric_case(rec, "metric/sparse_top_k_categorical_accuracy/documented_sorted_ids",
                "SparseTopKCategoricalAccuracy", {"k": 1, "from_sorted_ids": True},
                [{"y_true": i32([2, 1]), "y_pred": i32([[1, 0, 3], [1, 2, 3]])}])
    metric_case(rec, "metric/sparse_top_k_categorical_accuracy/k3_column_labels_updates",
                "SparseTopKCategoricalAccuracy", {"k": 3},
                [{"y_true": i32(r.integers(0, 8, (25, 1))), "y_pred": scores(25, 8)},
                 {"y_true": i32(r.integers(0, 8, (5, 1))), "y_pred": scores(5, 8),
                  "sample_weight": weights(5)},
                 "reset",
                 {"y_true": i32([[0], [3]]), "y_pred": f32([[0.1, 0.2, 0.3, 0.4]] * 2)}])
    metric_case(rec, "metric/sparse_top_k_categorical_accuracy/ties_and_non_finite",
                "SparseTopKCategoricalAccuracy", {"k": 2},
                [{"y_true": i32([0, 1, 2, 0, 5]),
                  "y_pred": f32([[0.2, 0.4, 0.4, 0.0], [0.3, 0.3, 0.3, 0.1],
                                 [0.1, np.nan, 0.5, 0.2], [np.inf, 0.1, 0.1, 0.1],
                                 [0.1, 0.2, 0.3, 0.4]])}])

    # -- confusion counts
    y_bin = i32(r.integers(0, 2, 40))
    p_bin = probabilities(40)
    for cls in ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]:
        snake = {"TruePositives": "true_positives", "FalsePositives": "false_positives",
                 "TrueNegatives": "true_negatives", "FalseNegatives": "false_negatives"}[cls]
        metric_case(rec, f"metric/{snake}/documented", cls, {},
                    [{"y_true": i32([0, 1, 1, 1]), "y_pred": f32([1, 0, 1, 1])}])
        metric_case(rec, f"metric/{snake}/documented_weighted", cls, {},
                    [{"y_true": i32([0, 1, 1, 1]), "y_pred": f32([1, 0, 1, 1]),
                      "sample_weight": f32([0, 0, 1, 0])}])
        metric_case(rec, f"metric/{snake}/thresholds_list", cls, {"thresholds": [0.15, 0.5, 0.85]},
                    [{"y_true": y_bin, "y_pred": p_bin, "sample_weight": weights(40)},
                     {"y_true": y_bin[:10], "y_pred": p_bin[10:20]}])
        metric_case(rec, f"metric/{snake}/evenly_spaced_thresholds", cls,
                    {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]},
                    [{"y_true": i32([0, 1, 1, 0, 1, 0]),
                      "y_pred": f32([0.0, 0.25, 1.0, 0.5, 1.5, -0.5])},
                     {"y_true": y_bin, "y_pred": p_bin}])

    # -- precision and recall
    p_rows = probabilities(12, 4)
    y_rows = (probabilities(12, 4) > 0.6).astype(np.int32)
    for cls, snake in [("Precision", "precision"), ("Recall", "recall")]:
        metric_case(rec, f"metric/{snake}/documented", cls, {},
                    [{"y_true": i32([0, 1, 1, 1]), "y_pred": f32([1, 0, 1, 1])}])
        metric_case(rec, f"metric/{snake}/documented_weighted", cls, {},
                    [{"y_true": i32([0, 1, 1, 1]), "y_pred": f32([1, 0, 1, 1]),
                      "sample_weight": f32([0, 0, 1, 0])}])
        metric_case(rec, f"metric/{snake}/at_threshold", cls, {},
                    [{"y_true": i32([0, 0, 1, 1]), "y_pred": f32([0.5, 0.5, 0.5, 0.7])}])
        metric_case(rec, f"metric/{snake}/thresholds_unsorted", cls,
                    {"thresholds": [0.7, 0.2, 0.45]},
                    [{"y_true": y_bin, "y_pred": p_bin},
                     {"y_true": y_bin[:15], "y_pred": p_bin[25:], "sample_weight": weights(15)},
                     "reset",
                     {"y_true": i32([1, 0, 1]), "y_pred": f32([0.8, 0.8, 0.1])}])
        metric_case(rec, f"metric/{snake}/evenly_spaced_thresholds", cls,
                    {"thresholds": [0.0, 0.5, 1.0]},
                    [{"y_true": i32([0, 1, 1, 1, 0]), "y_pred": f32([0.0, 0.5, 1.0, 1.5, -0.5])}])
        metric_case(rec, f"metric/{snake}/top_k_2", cls, {"top_k": 2},
                    [{"y_true": i32([0, 0, 1, 1]), "y_pred": f32([1, 1, 1, 1])}])
        metric_case(rec, f"metric/{snake}/top_k_3", cls, {"top_k": 3},
                    [{"y_true": i32([0, 0, 1, 1]), "y_pred": f32([1, 1, 1, 1])}])
        metric_case(rec, f"metric/{snake}/rows_top_k_and_threshold", cls,
                    {"top_k": 2, "thresholds": 0.3},
                    [{"y_true": y_rows, "y_pred": p_rows, "sample_weight": weights(12)}])
        metric_case(rec, f"metric/{snake}/class_id", cls, {"class_id": 2},
                    [{"y_true": y_rows, "y_pred": p_rows},
                     {"y_true": y_rows[:4], "y_pred": p_rows[4:8], "sample_weight": weights(4)}])
        metric_case(rec, f"metric/{snake}/class_id_with_top_k", cls, {"class_id": 1, "top_k": 2},
                    [{"y_true": y_rows, "y_pred": p_rows}])
        metric_case(rec, f"metric/{snake}/elementwise_weights", cls, {"thresholds": [0.3, 0.6]},
                    [{"y_true": y_rows, "y_pred": p_rows, "sample_weight": weights(12, 4)}])
        metric_case(rec, f"metric/{snake}/labels_against_column", cls, {},
                    [{"y_true": f32([1, 0, 1, 1]), "y_pred": f32([[0.9], [0.8], [0.2], [0.6]])}])

    # -- AUC
    y_auc = i32(r.integers(0, 2, 500))
    # a noisy score that tends to be higher for positives
    p_auc = np.clip(0.35 * y_auc + r.uniform(0.0, 0.75, 500), 0.0, 1.0).astype(np.float32)
    w_auc = weights(500)
    metric_case(rec, "metric/auc/documented_roc", "AUC", {"num_thresholds": 3},
                [{"y_true": i32([0, 0, 1, 1]), "y_pred": f32([0, 0.5, 0.3, 0.9])}])
    metric_case(rec, "metric/auc/documented_roc_weighted", "AUC", {"num_thresholds": 3},
                [{"y_true": i32([0, 0, 1, 1]), "y_pred": f32([0, 0.5, 0.3, 0.9]),
                  "sample_weight": f32([1, 0, 0, 1])}])
    metric_case(rec, "metric/auc/small_roc_default", "AUC", {},
                [{"y_true": i32([0, 0, 1, 1]), "y_pred": f32([0, 0.5, 0.3, 0.9])}])
    metric_case(rec, "metric/auc/small_pr_default", "AUC", {"curve": "PR"},
                [{"y_true": i32([0, 0, 1, 1]), "y_pred": f32([0, 0.5, 0.3, 0.9])}])
    for curve in ["ROC", "PR", "PRGAIN"]:
        for summation in ["interpolation", "minoring", "majoring"]:
            metric_case(rec, f"metric/auc/{curve.lower()}_{summation}", "AUC",
                        {"curve": curve, "summation_method": summation},
                        [{"y_true": y_auc, "y_pred": p_auc}])
    metric_case(rec, "metric/auc/roc_weighted_batches_and_reset", "AUC", {},
                [{"y_true": y_auc[:300], "y_pred": p_auc[:300], "sample_weight": w_auc[:300]},
                 {"y_true": y_auc[300:], "y_pred": p_auc[300:]},
                 "reset",
                 {"y_true": y_auc[:50], "y_pred": p_auc[:50]}])
    metric_case(rec, "metric/auc/pr_weighted", "AUC", {"curve": "PR"},
                [{"y_true": y_auc, "y_pred": p_auc, "sample_weight": w_auc}])
    metric_case(rec, "metric/auc/num_thresholds_10", "AUC", {"num_thresholds": 10},
                [{"y_true": y_auc, "y_pred": p_auc}])
    metric_case(rec, "metric/auc/pr_num_thresholds_1000", "AUC",
                {"num_thresholds": 1000, "curve": "PR"}, [{"y_true": y_auc, "y_pred": p_auc}])
    metric_case(rec, "metric/auc/thresholds_uneven", "AUC",
                {"thresholds": [0.9, 0.1, 0.3, 0.6, 0.65]}, [{"y_true": y_auc, "y_pred": p_auc}])
    metric_case(rec, "metric/auc/pr_thresholds_uneven_weighted", "AUC",
                {"thresholds": [0.2, 0.4, 0.45, 0.8], "curve": "PR"},
                [{"y_true": y_auc, "y_pred": p_auc, "sample_weight": w_auc}])
    metric_case(rec, "metric/auc/thresholds_evenly_spaced", "AUC",
                {"thresholds": [0.25, 0.5, 0.75]}, [{"y_true": y_auc, "y_pred": p_auc}])
    metric_case(rec, "metric/auc/from_logits", "AUC", {"from_logits": True},
                [{"y_true": y_auc, "y_pred": f32(4 * (p_auc - 0.5) + r.normal(0, 0.3, 500))}])
    metric_case(rec, "metric/auc/out_of_range_predictions", "AUC", {"num_thresholds": 5},
                [{"y_true": i32([0, 1, 1, 0, 1]), "y_pred": f32([-0.5, 1.5, 1.0, 0.0, 0.6])}])
    y_ml = (probabilities(50, 3) > 0.5).astype(np.float32)
    p_ml = np.clip(0.4 * y_ml + probabilities(50, 3) * 0.6, 0, 1).astype(np.float32)
    metric_case(rec, "metric/auc/rows_flattened", "AUC", {},
                [{"y_true": y_ml, "y_pred": p_ml, "sample_weight": weights(50)}])
    metric_case(rec, "metric/auc/multi_label", "AUC", {"multi_label": True},
                [{"y_true": y_ml, "y_pred": p_ml},
                 {"y_true": y_ml[:10], "y_pred": p_ml[10:20], "sample_weight": weights(10)}])
    metric_case(rec, "metric/auc/multi_label_pr_label_weights", "AUC",
                {"multi_label": True, "num_labels": 3, "curve": "PR",
                 "label_weights": [0.2, 0.5, 0.3]}, [{"y_true": y_ml, "y_pred": p_ml}])
    metric_case(rec, "metric/auc/multi_label_uneven_thresholds", "AUC",
                {"multi_label": True, "thresholds": [0.3, 0.5, 0.55]},
                [{"y_true": y_ml, "y_pred": p_ml}])
    metric_case(rec, "metric/auc/label_weights_flattened", "AUC",
                {"label_weights": [1.0, 0.5, 0.0]},
                [{"y_true": y_ml, "y_pred": p_ml}])

    # -- regression metrics
    t_reg, p_reg = f32(r.standard_normal((6, 3))), f32(r.standard_normal((6, 3)))
    for cls, snake in [("MeanSquaredError", "mean_squared_error"),
                       ("MeanAbsoluteError", "mean_absolute_error"),
                       ("RootMeanSquaredError", "root_mean_squared_error")]:
        metric_case(rec, f"metric/{snake}/documented", cls, {},
                    [{"y_true": f32([[0, 1], [0, 0]]), "y_pred": f32([[1, 1], [0, 0]])}])
        metric_case(rec, f"metric/{snake}/documented_weighted", cls, {},
                    [{"y_true": f32([[0, 1], [0, 0]]), "y_pred": f32([[1, 1], [0, 0]]),
                      "sample_weight": f32([1, 0])}])
        metric_case(rec, f"metric/{snake}/weights_0_1", cls, {},
                    [{"y_true": f32([[0], [1]]), "y_pred": f32([[1], [0]]),
                      "sample_weight": f32([0, 1])}])
        metric_case(rec, f"metric/{snake}/rows_updates_and_reset", cls, {},
                    [{"y_true": t_reg, "y_pred": p_reg, "sample_weight": weights(6)},
                     {"y_true": t_reg[:2], "y_pred": p_reg[2:4]},
                     "reset",
                     {"y_true": f32([1, 2, 3]), "y_pred": f32([[1.5], [2], [0]])}])

    # -- function forms
    function_case(rec, "function/binary_accuracy/documented", "binary_accuracy",
                  seed_true, seed_pred)
    function_case(rec, "function/binary_accuracy/threshold_0.99", "binary_accuracy",
                  seed_true, seed_pred, threshold=0.99)
    function_case(rec, "function/binary_accuracy/rows", "binary_accuracy",
                  labels, probabilities(6, 3))
    function_case(rec, "function/categorical_accuracy/documented", "categorical_accuracy",
                  doc_true, doc_pred)
    function_case(rec, "function/categorical_accuracy/sequences", "categorical_accuracy",
                  one_hot(r.integers(0, 4, (3, 5)), 4), probabilities(3, 5, 4))
    function_case(rec, "function/sparse_categorical_accuracy/documented",
                  "sparse_categorical_accuracy", sparse_true, doc_pred)
    function_case(rec, "function/sparse_categorical_accuracy/flat_int_labels",
                  "sparse_categorical_accuracy", i32(r.integers(0, 5, 12)), scores(12, 5))
    function_case(rec, "function/top_k_categorical_accuracy/documented_k2",
                  "top_k_categorical_accuracy", doc_true, doc_pred, k=2)
    function_case(rec, "function/top_k_categorical_accuracy/default_k5",
                  "top_k_categorical_accuracy", one_hot(r.integers(0, 9, 15), 9), scores(15, 9))
    function_case(rec, "function/top_k_categorical_accuracy/sequences_k2",
                  "top_k_categorical_accuracy", one_hot(r.integers(0, 4, (3, 5)), 4),
                  probabilities(3, 5, 4), k=2)
    function_case(rec, "function/sparse_top_k_categorical_accuracy/documented_k2",
                  "sparse_top_k_categorical_accuracy", i32([2, 1]), doc_pred, k=2)
    function_case(rec, "function/sparse_top_k_categorical_accuracy/column_labels_k1",
                  "sparse_top_k_categorical_accuracy", i32([[2], [1], [0]]),
                  f32([[0.1, 0.9, 0.8], [0.05, 0.95, 0], [0.4, 0.4, 0.2]]), k=1)
    function_case(rec, "function/sparse_top_k_categorical_accuracy/sorted_ids_k2",
                  "sparse_top_k_categorical_accuracy", i32([2, 1, 7]),
                  i32([[1, 0, 3], [1, 2, 3], [4, 5, 7]]), k=2, from_sorted_ids=True)

    # -- the chapter's worked example: four samples of three classes, the last one wrong with
    # its true class ranked last
    four_true = one_hot([0, 1, 2, 1], 3)
    four_pred = f32([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5], [0.5, 0.1, 0.4]])
    metric_case(rec, "metric/categorical_accuracy/four_samples", "CategoricalAccuracy", {},
                [{"y_true": four_true, "y_pred": four_pred}])
    metric_case(rec, "metric/top_k_categorical_accuracy/four_samples_k2",
                "TopKCategoricalAccuracy", {"k": 2}, [{"y_true": four_true, "y_pred": four_pred}])
    return rec
