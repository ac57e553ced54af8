"""The Keras losses: each as a function (one value per sample) and as a class (the function
plus reduction, sample weights and a config).

A function form takes ``y_true`` and ``y_pred`` of shape (batch, ..., d) and reduces the last
axis: its result has shape (batch, ...). It keeps ``y_pred``'s float dtype (a float64 array gives
float64) and casts ``y_true`` to it. A class form (``MeanSquaredError()``) converts both to its
dtype (float32), calls the function, and reduces with ``Loss.__call__``.

Shapes must agree: where Keras would broadcast a (batch, 3) target against a (3,) prediction,
nbkeras raises instead. The one alignment Keras does is kept: shapes whose ranks differ by one,
the longer ending in 1 ((batch,) against (batch, 1)), are aligned by the class forms and by
the regression functions.
"""

import warnings

import numpy as np

from nbkeras import config, ops
from nbkeras.losses.loss import Loss, squeeze_or_expand_to_same_rank
from nbkeras.ops import _args
from nbkeras.ops.nn import check_same_shape

# -- preparing the inputs ------------------------------------------------------------------------


def _prediction(y_pred):
    """``y_pred`` as a float tensor (a tensor passes unchanged, keeping remembered logits)."""
    y_pred = ops.convert_to_tensor(y_pred)
    if y_pred.dtype not in ("float16", "float32", "float64"):
        y_pred = ops.cast(y_pred, config.floatx())
    return y_pred


def _inputs(y_true, y_pred, loss, align=False):
    """The prediction as a float tensor and the target cast to its dtype, of the same shape
    (after aligning a trailing axis of 1 when ``align``)."""
    y_pred = _prediction(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if align:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape(y_true, y_pred, loss)
    return y_true, y_pred


def _check_same_shape(y_true, y_pred, loss):
    check_same_shape(y_true, y_pred, f"losses.{loss}", names=("y_true", "y_pred"))


def _fraction(value, name, loss):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"losses.{loss}: {name} must be a number in [0, 1], got {value!r}")
    return float(value)


def _check_class_axis(axis, y_pred, loss):
    if isinstance(axis, bool):
        raise ValueError(f"losses.{loss}: axis must be an int, got {axis!r}")
    if y_pred.shape[-1:] == (1,):
        warnings.warn(
            f"In loss {loss}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def _smooth_towards_uniform(y_true, label_smoothing, loss):
    """y (1 - s) + s / C with C the size of the last axis (Keras uses the last axis whatever
    ``axis`` says)."""
    s = _fraction(label_smoothing, "label_smoothing", loss)
    if not s:
        return y_true
    classes = ops.cast(y_true.shape[-1], y_true.dtype)
    return y_true * (1.0 - s) + s / classes


# -- regression ----------------------------------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2) over the last axis."""
    y_true, y_pred = _inputs(y_true, y_pred, "mean_squared_error", align=True)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = _inputs(y_true, y_pred, "mean_absolute_error", align=True)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 mean(|y_true - y_pred| / max(|y_true|, 1e-7)) over the last axis."""
    y_true, y_pred = _inputs(y_true, y_pred, "mean_absolute_percentage_error", align=True)
    eps = ops.convert_to_tensor(config.epsilon(), dtype=y_pred.dtype)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), eps))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(1 + max(y_pred, 1e-7)) - log(1 + max(y_true, 1e-7)))^2) over the last axis."""
    eps = ops.convert_to_tensor(config.epsilon())
    y_true, y_pred = _inputs(y_true, y_pred, "mean_squared_logarithmic_error", align=True)
    first_log = ops.log(ops.maximum(y_pred, eps) + 1.0)
    second_log = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(first_log - second_log), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """mean over the last axis of e^2 / 2 where |e| <= delta, else delta (|e| - delta / 2),
    with e = y_pred - y_true: quadratic near 0, linear (robust to outliers) beyond delta."""
    y_true, y_pred = _inputs(y_true, y_pred, "huber", align=True)
    delta = ops.convert_to_tensor(delta, dtype=y_pred.dtype)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    half = ops.convert_to_tensor(0.5, dtype=abs_error.dtype)
    return ops.mean(
        ops.where(abs_error <= delta, half * ops.square(error),
                  delta * abs_error - half * ops.square(delta)),
        axis=-1,
    )


def log_cosh(y_true, y_pred):
    """mean(log cosh(y_pred - y_true)) over the last axis, computed as
    e + softplus(-2e) - log 2 so that cosh never overflows."""
    y_true, y_pred = _inputs(y_true, y_pred, "log_cosh", align=True)
    log2 = ops.convert_to_tensor(ops.log(2.0), dtype=y_pred.dtype)
    error = y_pred - y_true
    return ops.mean(error + ops.softplus(error * -2.0) - log2, axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(y_true_hat * y_pred_hat) along ``axis``, each vector scaled to unit length (a zero
    vector stays 0): -1 for vectors pointing the same way, 1 for opposite ones."""
    y_true, y_pred = _inputs(y_true, y_pred, "cosine_similarity", align=True)
    return -ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def _l2_normalize(x, axis):
    """x / sqrt(sum x^2) along ``axis``, with the scale capped at 1/epsilon (a zero vector
    gives 0, not NaN)."""
    eps = config.epsilon()
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * (1.0 / ops.sqrt(ops.maximum(square_sum, eps * eps)))


# -- probabilistic -------------------------------------------------------------------------------


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean over ``axis`` of -y log p - (1 - y) log(1 - p) (see ``ops.binary_crossentropy``).

    ``label_smoothing`` s moves each label towards 1/2: y (1 - s) + s / 2."""
    s = _fraction(label_smoothing, "label_smoothing", "binary_crossentropy")
    y_pred = _prediction(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if s:
        y_true = y_true * (1.0 - s) + 0.5 * s
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean over ``axis`` of (1 - p_t)^gamma * bce, p_t = y p + (1 - y)(1 - p) the probability
    given to the true class: confident right answers weigh little. With
    ``apply_class_balancing`` each term is also weighted by alpha (y = 1) or 1 - alpha (y = 0)."""
    s = _fraction(label_smoothing, "label_smoothing", "binary_focal_crossentropy")
    y_pred = _prediction(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if s:
        y_true = y_true * (1.0 - s) + 0.5 * s
    if from_logits:
        y_pred = ops.sigmoid(y_pred)  # remembers the logits: bce below takes the exact path
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return ops.mean(focal_bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum over ``axis`` of y log p (see ``ops.categorical_crossentropy``).

    ``label_smoothing`` s moves each one-hot row towards uniform: y (1 - s) + s / C."""
    y_pred = _prediction(y_pred)
    _check_class_axis(axis, y_pred, "categorical_crossentropy")
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true = _smooth_towards_uniform(y_true, label_smoothing, "categorical_crossentropy")
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """-sum over ``axis`` of alpha (1 - p)^gamma y log p, p renormalised and clipped as in the
    categorical cross-entropy; ``alpha`` may be one number or one per class."""
    y_pred = _prediction(y_pred)
    _check_class_axis(axis, y_pred, "categorical_focal_crossentropy")
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true = _smooth_towards_uniform(y_true, label_smoothing, "categorical_focal_crossentropy")
    _check_same_shape(y_true, y_pred, "categorical_focal_crossentropy")
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = config.epsilon()
    output = ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    cce = -y_true * ops.log(output)
    weighting = ops.multiply(ops.power(1.0 - output, gamma), alpha)
    return ops.sum(ops.multiply(weighting, cce), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """-log p_y for integer labels y of shape (batch, ...) and y_pred of shape (batch, ..., C).

    Entries labelled ``ignore_class`` get loss 0 and are masked out of the class form's mean."""
    y_pred = _prediction(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.ndim and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                   axis=axis)
    class_axis = _args.single_axis(axis, y_pred.ndim, "sparse_categorical_crossentropy")
    values_shape = tuple(d for i, d in enumerate(y_pred.shape) if i != class_axis)
    valid = ops.not_equal(y_true, ops.cast(ignore_class, y_pred.dtype))
    y_true = ops.where(valid, y_true, 0)
    y_pred = ops.where(ops.expand_dims(valid, axis), y_pred, 0)
    values = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                 axis=axis)
    valid = ops.reshape(valid, values_shape)
    values = ops.where(valid, values, 0.0)
    # the loss values carry the mask of the entries that count (as Keras does): the class
    # forms then average over the valid entries only
    values._keras_mask = valid
    return values


def kl_divergence(y_true, y_pred):
    """sum over the last axis of y log(y / p), both clipped to [1e-7, 1]."""
    y_true, y_pred = _inputs(y_true, y_pred, "kl_divergence")
    eps = config.epsilon()
    y_true = ops.clip(y_true, eps, 1)
    y_pred = ops.clip(y_pred, eps, 1)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean over the last axis of p - y log(p + 1e-7): the negative log-likelihood of counts
    y under a Poisson rate p, without the constant log y!."""
    y_true, y_pred = _inputs(y_true, y_pred, "poisson")
    eps = ops.convert_to_tensor(config.epsilon(), dtype=y_pred.dtype)
    return ops.mean(y_pred - y_true * ops.log(y_pred + eps), axis=-1)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p_y^q) / q for integer labels y: between cross-entropy (q -> 0) and mean absolute
    error (q = 1), robust to noisy labels."""
    y_pred = _prediction(y_pred)
    labels = np.asarray(ops.convert_to_tensor(y_true).numpy(), np.int64)
    one_hot = ops.cast(ops.one_hot(labels, y_pred.shape[-1]), y_pred.dtype)
    if one_hot.shape != y_pred.shape:
        raise ValueError(
            "losses.categorical_generalized_cross_entropy: y_true must hold one label per row "
            f"of y_pred, got y_true.shape={labels.shape} and y_pred.shape={y_pred.shape}"
        )
    p = ops.sum(y_pred * one_hot, axis=-1)
    return (1 - ops.power(p, q)) / q


# -- margins -------------------------------------------------------------------------------------


def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1} (only when every label is 0 or 1, as Keras decides)."""
    values = y_true.numpy()
    if np.all((values == 0) | (values == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    """mean(max(1 - y * p, 0)) over the last axis, for labels y in {-1, 1} (or {0, 1})."""
    y_true, y_pred = _inputs(y_true, y_pred, "hinge")
    return ops.mean(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y * p, 0)^2) over the last axis."""
    y_true, y_pred = _inputs(y_true, y_pred, "squared_hinge")
    return ops.mean(ops.square(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max_j (1 - y_j) p_j - sum_j y_j p_j + 1, 0) for one-hot y: the best wrong class
    must score at least 1 below the right one."""
    y_true, y_pred = _inputs(y_true, y_pred, "categorical_hinge")
    positive = ops.sum(y_true * y_pred, axis=-1)
    negative = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(negative - positive + 1.0, ops.cast(0.0, y_pred.dtype))


# -- overlap (segmentation) ----------------------------------------------------------------------


def dice(y_true, y_pred, axis=None):
    """1 - 2 |y p| / (|y| + |p| + 1e-7), the sums over ``axis`` (every axis for None)."""
    y_true, y_pred = _inputs(y_true, y_pred, "dice")
    intersection = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + config.epsilon()
    return 1 - ops.divide(2.0 * intersection, total)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha FP + beta FN + 1e-7) with soft counts summed over ``axis``;
    alpha = beta = 0.5 is the Dice loss."""
    y_true, y_pred = _inputs(y_true, y_pred, "tversky")
    intersection = ops.sum(y_true * y_pred, axis=axis)
    false_positives = ops.sum((1 - y_pred) * y_true, axis=axis)
    false_negatives = ops.sum(y_pred * (1 - y_true), axis=axis)
    denominator = intersection + false_positives * alpha + false_negatives * beta
    return 1 - ops.divide(intersection, denominator + config.epsilon())


# -- the class forms -----------------------------------------------------------------------------


class LossFunctionWrapper(Loss):
    """A ``Loss`` around a loss function ``fn(y_true, y_pred, **kwargs)``: the function gives
    per-sample values, the base class weights and reduces them. Its config holds ``kwargs``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config_ = {**super().get_config(), **self._fn_kwargs}
        if type(self) is LossFunctionWrapper:
            from nbkeras.losses import serialize

            config_["fn"] = serialize(self.fn)
        return config_

    @classmethod
    def from_config(cls, config_):
        if "fn" in config_:
            from nbkeras.losses import deserialize

            config_ = {**config_, "fn": deserialize(config_["fn"])}
        return cls(**config_)

    def __getattr__(self, name):
        # options read as attributes, as Keras' classes offer them: loss.from_logits
        kwargs = self.__dict__.get("_fn_kwargs", {})
        if name in kwargs:
            return kwargs[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self):
        return f"<{type(self).__name__}({self.fn.__name__}, kwargs={self._fn_kwargs})>"


class MeanSquaredError(LossFunctionWrapper):
    """``mean_squared_error`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean_absolute_error`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``mean_absolute_percentage_error`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean_squared_logarithmic_error`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """``cosine_similarity`` along ``axis``, reduced over the batch."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)


class Huber(LossFunctionWrapper):
    """``huber`` with threshold ``delta``, reduced over the batch."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(LossFunctionWrapper):
    """``log_cosh`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """``hinge`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """``squared_hinge`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """``categorical_hinge`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """``kl_divergence`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """``poisson`` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """``binary_crossentropy`` reduced over the batch."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """``binary_focal_crossentropy`` reduced over the batch."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """``categorical_crossentropy`` reduced over the batch."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """``categorical_focal_crossentropy`` reduced over the batch."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """``sparse_categorical_crossentropy`` reduced over the batch (over the entries not
    labelled ``ignore_class``)."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)


class Dice(LossFunctionWrapper):
    """``dice`` over ``axis`` (every axis for None), reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)


class Tversky(LossFunctionWrapper):
    """``tversky`` with weights ``alpha`` (false positives) and ``beta`` (false negatives)."""

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """``categorical_generalized_cross_entropy`` with 0 < q < 1, reduced over the batch."""

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: q must be in (0, 1), got {q!r}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction,
                         dtype=dtype, q=q)
