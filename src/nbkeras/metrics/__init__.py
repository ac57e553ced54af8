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
from nbkeras.utils.identifiers import lookup
from nbkeras.utils.naming import to_snake_case

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
"""Every name ``get`` accepts: class names, their snake-case forms (``"binary_accuracy"`` is the
class BinaryAccuracy, as in Keras), and the short names of the error metrics."""
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update(mse=MeanSquaredError, MSE=MeanSquaredError, mae=MeanAbsoluteError,
                        MAE=MeanAbsoluteError)

_FUNCTIONS = {f.__name__: f for f in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge,
)}


def serialize(metric):
    """Keras' config dict of a metric object, or of a built-in metric function."""
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
    if isinstance(config, str):
        found = lookup("metric", config, ALL_OBJECTS_DICT, custom_objects)
        return found() if inspect.isclass(found) else found
    if isinstance(config, dict) and "class_name" in config:
        if config["class_name"] == "function":
            return lookup("metric function", config["config"], _FUNCTIONS, custom_objects)
        cls = lookup("metric", config["class_name"], ALL_OBJECTS_DICT, custom_objects)
        settings = {key: deserialize(value, custom_objects)
                    if isinstance(value, dict) and "class_name" in value else value
                    for key, value in (config.get("config") or {}).items()}
        return cls.from_config(settings)
    raise ValueError(f"metrics.deserialize: expected a name or a dict with 'class_name', got "
                     f"{config!r}")


def get(identifier):
    """A metric from a name (a new instance: ``"auc"`` gives ``AUC()``), a config dict, a class,
    or a callable (returned as it is: a plain ``fn(y_true, y_pred)`` works as a metric). None
    gives None. An unknown name raises ValueError listing the closest valid names."""
    if identifier is None:
        return None
    found = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(found):
        found = found()
    if not callable(found):
        raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
    return found


__all__ = sorted(
    [cls.__name__ for cls in ALL_OBJECTS] + list(_FUNCTIONS) + ["deserialize", "get", "serialize"]
)
