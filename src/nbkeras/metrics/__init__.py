"""``keras.metrics``: stateful metric objects, their per-sample functions, and
``get``/``serialize``/``deserialize`` to refer to them by name (``metrics=["accuracy"]``)."""

import inspect

# keras.metrics also offers the per-sample loss functions under their loss names
from nbkeras.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from nbkeras.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from nbkeras.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from nbkeras.metrics.metric import Metric
from nbkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from nbkeras.metrics.regression_metrics import (
    MeanAbsoluteError,
    MeanSquaredError,
    RootMeanSquaredError,
)
from nbkeras.saving import serialization_lib

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
)
ALL_OBJECTS_DICT = serialization_lib.name_table(ALL_OBJECTS, aliases={
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
})
"""Every name ``get`` accepts: class names, their snake-case forms (``"binary_accuracy"`` is the
class BinaryAccuracy, as in Keras), and the short names of the error metrics."""

_FUNCTIONS = {f.__name__: f for f in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge,
)}


def _is_function_config(config):
    return isinstance(config, dict) and config.get("class_name") == "function"


def serialize(metric):
    """Keras' config dict of a metric object (module "keras.metrics"), or of a built-in metric
    function (a wrapped function inside a MeanMetricWrapper's config too)."""
    if inspect.isfunction(metric):
        if _FUNCTIONS.get(metric.__name__) is not metric:
            raise ValueError(f"metrics.serialize: {metric!r} is not a built-in metric function")
        return {"module": "builtins", "class_name": "function", "config": metric.__name__,
                "registered_name": "function"}
    if isinstance(metric, Metric):
        config = {key: serialize(value) if callable(value) else value
                  for key, value in metric.get_config().items()}
        return {"module": "keras.metrics", "class_name": type(metric).__name__,
                "config": config, "registered_name": None}
    raise ValueError(f"metrics.serialize: cannot serialize {metric!r}")


def deserialize(config, custom_objects=None):
    """The metric a name or a config dict (from ``serialize``) describes; a name of a class
    gives a new instance."""
    if _is_function_config(config):
        return serialization_lib.lookup(config["config"], {**_FUNCTIONS, **(custom_objects or {})},
                                        "metric function")
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        # a MeanMetricWrapper's config holds its function's config
        inner = {key: deserialize(value, custom_objects) if _is_function_config(value) else value
                 for key, value in config["config"].items()}
        config = {**config, "config": inner}
    return serialization_lib.deserialize_from_table(config, ALL_OBJECTS_DICT, custom_objects,
                                                      kind="metric")


def get(identifier):
    """A metric from a name (a new instance: ``"auc"`` gives ``AUC()``), a config dict, a class,
    or a callable (returned as it is: a plain ``fn(y_true, y_pred)`` works as a metric). None
    gives None. An unknown name raises ValueError listing the closest valid names."""
    if isinstance(identifier, (str, dict)):
        identifier = deserialize(identifier)
    return serialization_lib.get_object(identifier, ALL_OBJECTS_DICT, "metric")


__all__ = sorted(
    [cls.__name__ for cls in ALL_OBJECTS] + list(_FUNCTIONS) + ["deserialize", "get", "serialize"]
)
