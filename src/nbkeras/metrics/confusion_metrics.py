"""Metrics built on confusion counts: TruePositives, FalsePositives, TrueNegatives,
FalseNegatives, Precision, Recall and AUC.

Each keeps, per threshold ``t``, the weighted number of samples in some cells of the confusion
matrix (label positive when non-zero; prediction positive when ``p > t``, strictly), and computes
its value from those counts only, so the value over several batches is that of all samples
together.
"""

import numpy as np

from nbkeras import config, ops
from nbkeras.metrics import metrics_utils as utils
from nbkeras.metrics.metric import Metric


class _ConfusionMatrixConditionCount(Metric):
    """One confusion cell (``"tp"``, ``"fp"``, ``"tn"`` or ``"fn"``) counted per threshold."""

    _cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = utils.parse_init_thresholds(thresholds, 0.5, type(self).__name__)
        self._thresholds_distributed_evenly = utils.is_evenly_distributed_thresholds(
            self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's weighted count; ``y_true`` and ``y_pred`` have one shape."""
        utils.update_confusion_matrix_variables(
            {self._cell: self.accumulator}, y_true, y_pred, self.thresholds,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            where=f"{type(self).__name__}.update_state",
        )

    def result(self):
        """A scalar for one threshold, else one count per threshold."""
        counts = self.accumulator.numpy()
        return utils.result_tensor(counts[0] if len(self.thresholds) == 1 else counts)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The weighted number of positive labels predicted positive."""

    _cell = "tp"


class FalsePositives(_ConfusionMatrixConditionCount):
    """The weighted number of negative labels predicted positive."""

    _cell = "fp"


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of negative labels predicted negative."""

    _cell = "tn"


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of positive labels predicted negative."""

    _cell = "fn"


class _PrecisionRecall(Metric):
    """Shared by Precision (tp / (tp + fp)) and Recall (tp / (tp + fn))."""

    _other = None  # "fp" for precision, "fn" for recall
    _other_name = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        where = type(self).__name__
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int)
                                  or top_k < 1):
            raise ValueError(f"{where}: top_k must be a positive int or None, got {top_k!r}")
        if class_id is not None and (isinstance(class_id, bool)
                                     or not isinstance(class_id, int)):
            raise ValueError(f"{where}: class_id must be an int or None, got {class_id!r}")
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        # with top_k, everything kept is positive unless thresholds say otherwise
        default = 0.5 if top_k is None else utils.NEG_INF
        self.thresholds = utils.parse_init_thresholds(thresholds, default, where)
        self._thresholds_distributed_evenly = utils.is_evenly_distributed_thresholds(
            self.thresholds)
        count = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(count,), name="true_positives")
        setattr(self, self._other_name,
                self.add_variable(shape=(count,), name=self._other_name))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's counts. ``y_true`` and ``y_pred`` have one shape; ``top_k`` keeps
        each row's k best scores, ``class_id`` looks at one column only."""
        utils.update_confusion_matrix_variables(
            {"tp": self.true_positives, self._other: getattr(self, self._other_name)},
            y_true, y_pred, self.thresholds, top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            where=f"{type(self).__name__}.update_state",
        )

    def result(self):
        """A scalar for one threshold, else one value per threshold; 0 where undefined."""
        tp = self.true_positives.numpy()
        value = utils.divide_no_nan(tp, tp + getattr(self, self._other_name).numpy())
        return utils.result_tensor(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """Of the samples predicted positive, the weighted fraction that are positive:
    ``tp / (tp + fp)``."""
    _direction = "up"

    _other, _other_name = "fp", "false_positives"


class Recall(_PrecisionRecall):
    """Of the positive samples, the weighted fraction predicted positive: ``tp / (tp + fn)``."""
    _direction = "up"

    _other, _other_name = "fn", "false_negatives"


_CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR", "prgain": "PRGAIN",
           "PRGAIN": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "Interpolation": "interpolation",
               "majoring": "majoring", "Majoring": "majoring",
               "minoring": "minoring", "Minoring": "minoring"}


class AUC(Metric):
    """Area under the ROC curve (``curve="ROC"``) or the precision-recall curve (``"PR"``),
    from confusion counts at ``num_thresholds`` thresholds.

    The thresholds are ``i / (num_thresholds - 1)`` for ``i = 1 .. num_thresholds - 2``, plus
    ``-1e-7`` and ``1 + 1e-7`` at the ends (or the given ``thresholds`` plus those two ends), so
    the curve always runs from "everything positive" to "nothing positive". ``summation_method``
    ``"interpolation"`` uses trapezoids for ROC and Davis & Goadrich's interpolation for PR;
    ``"minoring"`` / ``"majoring"`` use the lower / upper rectangle. With ``multi_label=True``
    each column of a ``(B, L)`` input is its own problem and the result is the mean of the L
    areas (weighted by ``label_weights``); otherwise all entries form one problem.
    ``from_logits=True`` applies a sigmoid to the predictions first.
    """
    _direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if curve not in _CURVES:
            raise ValueError(f'AUC: invalid curve "{curve}"; expected one of '
                             '["ROC", "PR", "PRGAIN"]')
        if summation_method not in _SUMMATIONS:
            raise ValueError(f'AUC: invalid summation_method "{summation_method}"; expected '
                             'one of ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(utils.parse_init_thresholds(thresholds, where="AUC"))
            self.num_thresholds = len(inner) + 2
            self._thresholds_distributed_evenly = utils.is_evenly_distributed_thresholds(
                [0.0] + inner + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) \
                    or num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1, got "
                                 f"{num_thresholds!r}")
            self.num_thresholds = num_thresholds
            # Python doubles, as Keras computes them (rounded to float32 when compared)
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        # End points just outside [0, 1], so that p = 0 and p = 1 fall inside the curve.
        epsilon = config.epsilon()
        self._thresholds = np.array([0.0 - epsilon] + inner + [1.0 + epsilon])
        self.curve = _CURVES[curve]
        self.summation_method = _SUMMATIONS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None \
            else np.asarray(label_weights, dtype=self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("AUC: num_labels is needed only when multi_label=True")
            self._build(None)

    @property
    def thresholds(self):
        """Every threshold, end points included (Python floats)."""
        return [float(t) for t in self._thresholds]

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"AUC: with multi_label=True, y_pred must have rank 2 "
                                 f"(batch, labels); got shape {tuple(shape)}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(shape=variable_shape, name="true_positives")
        self.false_positives = self.add_variable(shape=variable_shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=variable_shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=variable_shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's counts at every threshold (the bucket algorithm for evenly spaced
        thresholds, one pass per threshold otherwise)."""
        where = "AUC.update_state"
        y_pred = utils.as_array(y_pred, where, "y_pred")
        if not self._built:
            self._build(y_pred.shape)
        elif self.multi_label and (y_pred.ndim != 2 or y_pred.shape[1] != self._num_labels):
            raise ValueError(f"{where}: multi_label AUC was built for {self._num_labels} "
                             f"labels; got y_pred of shape {y_pred.shape}")
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred).numpy()
        utils.update_confusion_matrix_variables(
            {"tp": self.true_positives, "fp": self.false_positives,
             "tn": self.true_negatives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly, where=where,
        )

    def _counts(self):
        return (self.true_positives.numpy(), self.false_positives.numpy(),
                self.true_negatives.numpy(), self.false_negatives.numpy())

    def interpolate_pr_auc(self):
        """PR area with Davis & Goadrich's interpolation between thresholds (see the
        chapter): precision is interpolated along the true-positive count, not linearly in
        recall, which would overestimate the area."""
        tp, fp, _, fn = self._counts()
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = utils.divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both_positive = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both_positive, utils.divide_no_nan(p[:-1], np.maximum(p[1:], 0)),
                         np.ones_like(p[1:]))
        with np.errstate(divide="ignore"):  # log 0 only where the slope is 0 too
            log_ratio = np.log(ratio)
        increments = utils.divide_no_nan(slope * (dtp + intercept * log_ratio),
                                         np.maximum(tp[1:] + fn[1:], 0))
        return self._average_over_labels(increments)

    def _average_over_labels(self, terms):
        if not self.multi_label:
            return utils.result_tensor(utils.float_sum(terms))
        by_label = utils.float_sum(terms, axis=0)
        if self.label_weights is None:
            mean = np.mean(by_label, dtype=np.float64)
            return utils.result_tensor(np.asarray(mean, by_label.dtype))
        weighted = utils.float_sum(by_label * self.label_weights)
        return utils.result_tensor(
            utils.divide_no_nan(weighted, utils.float_sum(self.label_weights)))

    def result(self):
        """The area, a float32 scalar (0 before any update)."""
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp, tn, fn = self._counts()
        recall = utils.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = utils.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, utils.divide_no_nan(tp, tp + fp)
        else:
            x, y = self._precision_recall_gain(tp, fp, tn, fn)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / y.dtype.type(2)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average_over_labels((x[:-1] - x[1:]) * heights)

    @staticmethod
    def _precision_recall_gain(tp, fp, tn, fn):
        # Flach & Kull's gains, scaled by positives / negatives; undefined cases as Keras:
        # no true positive gives recall gain 0 and precision gain 1, and recall gain >= 0.
        one = tp.dtype.type(1)
        scale = utils.divide_no_nan(tp + fn, tn + fp)
        recall_gain = one - scale * utils.divide_no_nan(fn, tp)
        precision_gain = one - scale * utils.divide_no_nan(fp, tp)
        recall_gain = np.maximum(np.where(tp == 0, 0, recall_gain), 0).astype(tp.dtype)
        precision_gain = np.where(tp == 0, one, precision_gain)
        return recall_gain, precision_gain

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config_ = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None
            else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config_["thresholds"] = self.thresholds[1:-1]
        return config_

