"""``keras.losses``: the loss classes and functions, their short names (``mse``, ``MAE``, ...),
and ``get``/``serialize``/``deserialize`` to refer to a loss by name or config, as
``model.compile(loss=...)`` does."""

import inspect

from nbkeras.losses.loss import Loss
from nbkeras.losses.losses import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    CategoricalHinge,
    CosineSimilarity,
    Dice,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    Tversky,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    categorical_hinge,
    cosine_similarity,
    dice,
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
    tversky,
)
from nbkeras.utils.identifiers import lookup

# the short names tf.keras.losses still offers
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


class Reduction:
    """Keras 2's reduction names (``tf.keras.losses.Reduction``); ``AUTO`` is rejected now."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)


_CLASSES = (
    Loss, LossFunctionWrapper, BinaryCrossentropy, BinaryFocalCrossentropy,
    CategoricalCrossentropy, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy,
    CategoricalHinge, CosineSimilarity, Dice, Hinge, Huber, KLDivergence, LogCosh,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, Poisson, SparseCategoricalCrossentropy, SquaredHinge, Tversky,
)
_FUNCTIONS = (
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_generalized_cross_entropy, categorical_hinge,
    cosine_similarity, dice, hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, poisson,
    sparse_categorical_crossentropy, squared_hinge, tversky,
)
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
"""Every loss class and function by name, with the aliases ``losses.get`` accepts."""
ALL_OBJECTS_DICT.update(
    bce=binary_crossentropy, BCE=binary_crossentropy, kld=kl_divergence, KLD=kl_divergence,
    mae=mean_absolute_error, MAE=mean_absolute_error, mse=mean_squared_error,
    MSE=mean_squared_error, mape=mean_absolute_percentage_error,
    MAPE=mean_absolute_percentage_error, msle=mean_squared_logarithmic_error,
    MSLE=mean_squared_logarithmic_error,
)


def serialize(loss):
    """A config dict: ``{"module", "class_name", "config", "registered_name"}`` for a Loss
    object (its ``get_config()``), the function's name for a built-in loss function."""
    if isinstance(loss, Loss):
        kind = type(loss)
        built_in = ALL_OBJECTS_DICT.get(kind.__name__) is kind
        return {"module": "keras.losses" if built_in else kind.__module__,
                "class_name": kind.__name__, "config": loss.get_config(),
                "registered_name": None if built_in else kind.__name__}
    if inspect.isfunction(loss) and ALL_OBJECTS_DICT.get(loss.__name__) is loss:
        return {"module": "builtins", "class_name": "function", "config": loss.__name__,
                "registered_name": "function"}
    raise ValueError(
        f"losses.serialize: cannot serialize {loss!r}; a custom loss must subclass "
        "keras.losses.Loss (and implement get_config if it takes arguments)"
    )


def deserialize(config, custom_objects=None):
    """The loss a name or ``serialize`` dict refers to: a class name gives an instance, a
    function name the function; ``custom_objects`` maps the names of custom losses."""
    if isinstance(config, str):
        found = lookup("loss", config, ALL_OBJECTS_DICT, custom_objects)
        return found() if inspect.isclass(found) else found
    if isinstance(config, dict) and "class_name" in config:
        if config["class_name"] == "function":
            return lookup("loss", config["config"], ALL_OBJECTS_DICT, custom_objects)
        kind = lookup("loss", config["class_name"], ALL_OBJECTS_DICT, custom_objects)
        return kind.from_config(dict(config.get("config") or {}))
    raise ValueError(f"losses.deserialize: expected a name or a config dict, got {config!r}")


def get(identifier):
    """The loss ``identifier`` refers to: None gives None, a name or config dict is looked up
    (a class name gives an instance), a callable is returned as it is. An unknown name raises
    ValueError listing the closest valid names."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
