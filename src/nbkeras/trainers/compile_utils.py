"""What ``compile(loss=..., metrics=...)`` turns into: one loss and one metric set per output.

- ``CompileLoss``: the loss of each output (a name, a Loss object or a function, resolved
  from the shapes for ``"crossentropy"``), times its ``loss_weight``, summed. With two or more
  losses, each output's *unweighted* loss is also tracked as ``<output>_loss``.
- ``CompileMetrics``: the metrics of each output (``"accuracy"`` resolved from the shapes to
  binary, categorical or sparse categorical accuracy), named ``<output>_<metric>`` when the
  model has several outputs; ``weighted_metrics`` also receive the sample weights.

Both resolve their names lazily, at the first batch, when the shapes of ``y`` and ``y_pred``
are known: an unknown name is an error at the first fit or evaluate, as in Keras.

Outputs are matched by structure: a single output, a list (named by the output layers'
names) or a dict (named by its keys, flattened in sorted-key order).
"""

from nbkeras import losses as losses_module
from nbkeras import metrics as metrics_module
from nbkeras import ops
from nbkeras.utils import tree


def is_binary_or_sparse_categorical(y_true, y_pred):
    """``(binary, sparse)``: a single output unit is binary; targets of a lower rank, or with
    a last axis of 1 against several units, are sparse labels."""
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    is_binary = pred_shape[-1] == 1
    is_sparse = len(true_shape) < len(pred_shape) or (
        true_shape[-1] == 1 and pred_shape[-1] > 1)
    return is_binary, is_sparse


def _object_name(obj):
    if hasattr(obj, "name") and isinstance(obj.name, str):
        return obj.name
    return getattr(obj, "__name__", type(obj).__name__)


def get_metric(identifier, y_true, y_pred):
    """The metric object for one compile entry, named by the string given (``"acc"`` stays
    ``acc``) or by the object's own name."""
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            metric = metrics_module.BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = metrics_module.SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = metrics_module.CategoricalAccuracy(name=str(identifier))
    else:
        if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
            raise ValueError(f"Could not interpret metric identifier: {identifier}")
        metric = metrics_module.get(identifier)
    name = identifier if isinstance(identifier, str) else _object_name(metric)
    if not isinstance(metric, metrics_module.Metric):
        metric = metrics_module.MeanMetricWrapper(metric, name=name)
    metric.name = name
    return metric


def get_loss(identifier, y_true, y_pred):
    """The Loss object for one output (None: that output has no loss)."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            loss = losses_module.binary_crossentropy
        elif is_sparse:
            loss = losses_module.sparse_categorical_crossentropy
        else:
            loss = losses_module.categorical_crossentropy
    else:
        loss = losses_module.get(identifier)
    if not isinstance(loss, losses_module.Loss):
        name = identifier if isinstance(identifier, str) else _object_name(loss)
        loss = losses_module.LossFunctionWrapper(loss, name=name)
    return loss


def _structure_of_outputs(y_pred, output_names):
    """``(flat outputs, their names, dict keys or None)`` of a model's prediction."""
    if isinstance(y_pred, dict):
        keys = sorted(y_pred)
        return [y_pred[k] for k in keys], keys, keys
    if isinstance(y_pred, (list, tuple)):
        names = list(output_names) if output_names and len(output_names) == len(y_pred) \
            else [None] * len(y_pred)
        return list(y_pred), names, None
    return [y_pred], list(output_names or [None])[:1], None


def _per_output(value, names, keys, what, allow_partial=False):
    """A compile argument (a list for each output, a dict by output name, or one entry for
    all) as one entry per flat output; None where an output gets nothing."""
    count = len(names)
    if isinstance(value, dict):
        lookup = {k: k for k in value}
        missing = [n for n in names if n not in lookup]
        unknown = [k for k in value if k not in names]
        if unknown or (missing and not allow_partial):
            raise ValueError(
                f"Expected keys {names} in {what} dict, but found {what}.keys()="
                f"{list(value)}"
            )
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(
                f"`{what}` has {len(value)} entries for a model with {count} outputs "
                f"{names}: give one entry per output (a list of that length, or a dict keyed "
                "by output name)"
            )
        return list(value)
    return [value] * count


def _align_targets(y_true, names, keys, what="y"):
    """The targets as a flat list in the order of the outputs."""
    if len(names) == 1 and not isinstance(y_true, (list, tuple, dict)):
        return [y_true]
    if isinstance(y_true, dict):
        missing = [n for n in names if n not in y_true]
        if missing:
            raise ValueError(
                f"The model's outputs are {names}, but `{what}` is a dict with keys "
                f"{sorted(y_true)} (missing {missing})"
            )
        return [y_true[n] for n in names]
    if isinstance(y_true, (list, tuple)):
        if len(y_true) != len(names):
            raise ValueError(
                f"`{what}` has {len(y_true)} arrays for a model with {len(names)} outputs "
                f"{names}"
            )
        return list(y_true)
    if len(names) > 1:
        raise ValueError(
            f"The model has {len(names)} outputs {names}, but `{what}` is a single array: "
            "pass a list of one array per output, or a dict keyed by output name"
        )
    return [y_true]


def _batch_size(y_pred):
    return int(tree.flatten(y_pred)[0].shape[0])


class CompileLoss:
    """The compiled loss: ``__call__(y_true, y_pred, sample_weight)`` returns the weighted sum
    of the outputs' losses (a scalar tensor), and updates the per-output trackers."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        if loss_weights is not None and (isinstance(loss_weights, bool) or not isinstance(
                loss_weights, (list, tuple, dict, float))):
            raise ValueError(
                "Expected `loss_weights` argument to be a float (single output case) or a "
                "list, tuple, or dict (multiple output case). Received instead: "
                f"loss_weights={loss_weights} of type {type(loss_weights)}"
            )
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.output_names = output_names
        self.built = False
        self.metrics = []

    def build(self, y_true, y_pred):
        flat_pred, names, keys = _structure_of_outputs(y_pred, self.output_names)
        flat_true = _align_targets(y_true, names, keys)
        loss = self._user_loss
        if len(flat_pred) == 1:
            if isinstance(loss, dict):
                loss = _per_output(loss, names, keys, "loss")
            losses = list(loss) if isinstance(loss, (list, tuple)) else [loss]
            if len(losses) != 1:
                raise ValueError(
                    f"`loss` has {len(losses)} entries for a model with 1 output: give one")
        else:
            losses = _per_output(loss, names, keys, "loss")
        weights = self._user_loss_weights
        if weights is None:
            weights = [None] * len(losses)
        elif isinstance(weights, float):
            weights = [weights] * len(losses) if len(losses) == 1 else _raise_weights(
                losses, weights)
        else:
            if isinstance(weights, (list, tuple)) and len(weights) != len(losses):
                raise ValueError(
                    f"`loss_weights` must match the number of losses, got {len(losses)} "
                    f"losses and {len(weights)} weights."
                )
            weights = _per_output(weights, names, keys, "loss_weights", allow_partial=True)
        self._entries = []
        for i, (identifier, weight) in enumerate(zip(losses, weights, strict=True)):
            resolved = get_loss(identifier, flat_true[i], flat_pred[i])
            if resolved is None:
                continue
            name = names[i] if names[i] is not None else resolved.name
            self._entries.append((i, resolved, weight, name))
        if len(self._entries) > 1:
            self.metrics = [metrics_module.Mean(name=f"{name}_loss")
                            for _, _, _, name in self._entries]
        self._names, self._keys = names, keys
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        flat_pred, _, _ = _structure_of_outputs(y_pred, self.output_names)
        flat_true = _align_targets(y_true, self._names, self._keys)
        if sample_weight is not None and isinstance(sample_weight, (list, tuple, dict)):
            flat_weights = _align_targets(sample_weight, self._names, self._keys,
                                          "sample_weight")
        else:
            flat_weights = [sample_weight] * len(flat_pred)
        total = None
        trackers = self.metrics or [None] * len(self._entries)
        for (i, loss, weight, _), tracker in zip(self._entries, trackers, strict=True):
            value = loss(flat_true[i], flat_pred[i], sample_weight=flat_weights[i])
            if tracker is not None:
                tracker.update_state(value, sample_weight=_batch_size(flat_pred[i]))
            if weight is not None:
                value = value * weight
            total = value if total is None else total + value
        return total

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()


def _raise_weights(losses, weights):
    raise ValueError(
        f"`loss_weights` must match the number of losses, got {len(losses)} losses and a "
        f"single weight {weights}: give a list or a dict of one weight per output"
    )


class MetricsList:
    """The metrics of one output."""

    def __init__(self, metrics, output_name=None):
        self.metrics = metrics
        self.output_name = output_name

    def update_state(self, y_true, y_pred, sample_weight=None):
        for metric in self.metrics:
            metric.update_state(y_true, y_pred, sample_weight=sample_weight)


def _metrics_list(entry, y_true, y_pred, output_name):
    if entry is None:
        return None
    entries = tree.flatten(entry) if isinstance(entry, (list, tuple)) else [entry]
    return MetricsList([get_metric(m, y_true, y_pred) for m in entries if m is not None],
                       output_name=output_name)


class CompileMetrics(metrics_module.Metric):
    """The compiled metrics as one metric named ``compile_metrics``: ``result()`` is a dict of
    every metric's value by its history key."""

    def __init__(self, metrics, weighted_metrics, name="compile_metric", output_names=None):
        super().__init__(name=name)
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value and not isinstance(value, (list, tuple, dict)):
                raise ValueError(
                    f"Expected `{argument}` argument to be a list, tuple, or dict. Received "
                    f"instead: {argument}={value} of type {type(value)}"
                )
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self.output_names = output_names
        self.name = "compile_metrics"
        self.built = False
        self._flat_metrics = []
        self._flat_weighted_metrics = []

    @property
    def metrics(self):
        found = []
        for entry in self._flat_metrics + self._flat_weighted_metrics:
            if entry is not None:
                found.extend(entry.metrics)
        return found

    @property
    def variables(self):
        return [v for metric in self.metrics for v in metric.variables]

    def build(self, y_true, y_pred):
        flat_pred, names, keys = _structure_of_outputs(y_pred, self.output_names)
        flat_true = _align_targets(y_true, names, keys)
        multi = len(flat_pred) > 1
        self._names, self._keys = names, keys
        self._flat_metrics = self._build_set(self._user_metrics, flat_true, flat_pred, names,
                                             keys, "metrics", multi)
        self._flat_weighted_metrics = self._build_set(self._user_weighted_metrics, flat_true,
                                                      flat_pred, names, keys,
                                                      "weighted_metrics", multi)
        self.built = True

    def _build_set(self, value, flat_true, flat_pred, names, keys, what, multi):
        if not value:
            return [None] * len(flat_pred)
        if not multi:
            return [_metrics_list(list(tree.flatten(value)), flat_true[0], flat_pred[0], None)]
        try:
            entries = _per_output(value, names, keys, what, allow_partial=True)
        except ValueError as error:
            raise ValueError(
                f"{error}\nInvalid `{what}`. `{what}` should contain metrics objects and "
                "either be a dict or a list matching the output names of the functional "
                f"model {names}. Received: {what}={value}"
            ) from None
        return [_metrics_list(entry, t, p, name) for entry, t, p, name in zip(
            entries, flat_true, flat_pred, names, strict=True)]

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        flat_pred, _, _ = _structure_of_outputs(y_pred, self.output_names)
        flat_true = _align_targets(y_true, self._names, self._keys)
        for entry, t, p in zip(self._flat_metrics, flat_true, flat_pred, strict=True):
            if entry is not None:
                entry.update_state(t, p)
        if sample_weight is not None and isinstance(sample_weight, (list, tuple, dict)):
            flat_weights = _align_targets(sample_weight, self._names, self._keys,
                                          "sample_weight")
        else:
            flat_weights = [sample_weight] * len(flat_pred)
        for entry, t, p, w in zip(self._flat_weighted_metrics, flat_true, flat_pred,
                                  flat_weights, strict=True):
            if entry is not None:
                entry.update_state(t, p, sample_weight=w)

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()

    def result(self):
        if not self.built:
            raise ValueError("Cannot get result() since the metric has not yet been built.")
        results, seen = {}, {}

        def add(name):
            if name not in seen:
                seen[name] = 1
                return name
            index = seen[name]
            seen[name] += 1
            return f"{name}_{index}"

        for entry in self._flat_metrics:
            for metric in entry.metrics if entry else []:
                prefix = f"{entry.output_name}_" if entry.output_name else ""
                results[add(prefix + metric.name)] = metric.result()
        for entry in self._flat_weighted_metrics:
            for metric in entry.metrics if entry else []:
                prefix = f"{entry.output_name}_" if entry.output_name else ""
                name = prefix + metric.name
                if name in seen:  # the unweighted metric of that name exists
                    name = add(f"{prefix}weighted_{metric.name}")
                else:
                    name = add(name)
                results[name] = metric.result()
        return results

    def get_config(self):
        raise NotImplementedError("CompileMetrics is rebuilt by compile(), not from a config")


def as_scalar_loss(value):
    """A loss from ``model.losses`` as a float scalar (integers cast to floatx)."""
    if value.dtype not in ("float16", "float32", "float64"):
        value = ops.cast(value, "float32")
    return ops.sum(value)
