"""``compile``, ``fit``, ``evaluate``, ``predict``: the training loop, apart from the model.

fit is the loop a reader would write with a GradientTape, with Keras' bookkeeping around it::

    for epoch in range(initial_epoch, epochs):
        reset the metrics; callbacks.on_epoch_begin(epoch)
        for step, batch in the epoch's batches:
            callbacks.on_train_batch_begin(step)
            logs = self.train_step(batch)      # forward, loss, gradients, update, metrics
            callbacks.on_train_batch_end(step, logs)
        validation: logs["val_..."] = self.evaluate(validation data)
        callbacks.on_epoch_end(epoch, logs)

``train_step`` is a plain method: a subclass may override it (and ``test_step``,
``predict_step``), written against ``GradientTape``, ``self.compute_loss`` and
``self.optimizer.apply``. The losses of one batch are averaged over its samples (``loss``
weighs each batch by its size, so the epoch's loss is the mean over all samples), and every
metric is a running value over the epoch.
"""

import warnings

import numpy as np

from nbkeras import metrics as metrics_module
from nbkeras import ops
from nbkeras import optimizers as optimizers_module
from nbkeras.autodiff import GradientTape
from nbkeras.callbacks.callback_list import CallbackList, pythonify_logs
from nbkeras.tensor import Tensor
from nbkeras.trainers import compile_utils
from nbkeras.trainers.data_adapters import data_adapter_utils
from nbkeras.trainers.epoch_iterator import EpochIterator
from nbkeras.trainers.interrupts import interrupt_between_steps
from nbkeras.utils import tree


class Trainer:
    """The training API every Model has."""

    def _init_trainer_state(self):
        # Plain attributes (object.__setattr__): the trainer's pieces are not layer state.
        for name, value in [("compiled", False), ("optimizer", None), ("loss", None),
                            ("_compile_loss", None), ("_compile_metrics", None),
                            ("_loss_tracker", None), ("_run_eagerly", False),
                            ("steps_per_execution", 1), ("_jit_compile", False),
                            ("stop_training", False), ("stop_evaluating", False),
                            ("stop_predicting", False), ("_initial_epoch", None),
                            ("history", None), ("_compile_config", None)]:
            object.__setattr__(self, name, value)

    # -- compile --------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configure the model for training.

        ``optimizer``: a name (``"adam"``), a config or an optimizer; ``loss``: a name
        (``"mse"``, ``"sparse_categorical_crossentropy"``, ``"crossentropy"``), a Loss, a
        function ``f(y_true, y_pred)``, or a list / dict of them for several outputs;
        ``loss_weights``: a float, or one per output; ``metrics`` / ``weighted_metrics``: lists
        (or per-output lists / dicts) of names (``"accuracy"``, ``"mae"``, ``"AUC"``), metric
        objects or functions, the weighted ones updated with the sample weights;
        ``steps_per_execution``: batches per step call. ``run_eagerly``, ``jit_compile`` and
        ``auto_scale_loss`` are accepted for Keras' sake: nbkeras always runs eagerly.
        """
        _set = object.__setattr__  # the trainer's pieces are not layer state
        _set(self, "optimizer", optimizers_module.get(optimizer))
        if loss is not None:
            _set(self, "_compile_loss", compile_utils.CompileLoss(
                loss, loss_weights, output_names=self._output_names_for_compile()))
            _set(self, "loss", loss)
        elif loss_weights is not None and self._compile_loss is not None:
            self._compile_loss._user_loss_weights = loss_weights
        if metrics is not None or weighted_metrics is not None:
            _set(self, "_compile_metrics", compile_utils.CompileMetrics(
                metrics, weighted_metrics, output_names=self._output_names_for_compile()))
        _set(self, "_loss_tracker", metrics_module.Mean(name="loss"))
        if run_eagerly and jit_compile is True:
            warnings.warn(
                "If `run_eagerly` is True, then `jit_compile` cannot also be True. Disabling "
                "`jit_compile`.", stacklevel=2)
            jit_compile = False
        self._run_eagerly = bool(run_eagerly)
        self._jit_compile = jit_compile is True
        if not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError(
                "steps_per_execution must be a positive integer; got "
                f"steps_per_execution={steps_per_execution!r}"
            )
        self.steps_per_execution = steps_per_execution
        _set(self, "_compile_config", {
            "optimizer": self.optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
            "jit_compile": self._jit_compile,
        })
        self.compiled = True

    def _output_names_for_compile(self):
        try:
            return list(self.output_names)
        except AttributeError:
            return None

    @property
    def run_eagerly(self):
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = bool(value)

    @property
    def jit_compile(self):
        return self._jit_compile

    @property
    def metrics(self):
        """The loss tracker, the compiled metrics (as one ``compile_metrics`` metric), the
        per-output loss trackers, then metrics kept as attributes of the model."""
        found = []
        if self.compiled:
            if self._loss_tracker is not None:
                found.append(self._loss_tracker)
            if self._compile_metrics is not None:
                found.append(self._compile_metrics)
            if self._compile_loss is not None:
                found.extend(self._compile_loss.metrics)
        found.extend(self._own_metrics())
        return found

    def _own_metrics(self):
        return [value for value in vars(self).values()
                if isinstance(value, metrics_module.Metric)
                and not isinstance(value, compile_utils.CompileMetrics)
                and value is not self._loss_tracker]

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics] if self._trained_or_evaluated else []

    @property
    def _trained_or_evaluated(self):
        return getattr(self, "_has_run", False)

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    # -- one step -------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The loss of one batch: the compiled loss of ``y`` and ``y_pred`` plus the model's
        own losses (weight and activity regularizers, ``add_loss``)."""
        losses = []
        if self._compile_loss is not None:
            value = self._compile_loss(y, y_pred, sample_weight)
            if value is not None:
                losses.append(value)
        for value in self.losses:
            losses.append(compile_utils.as_scalar_loss(value))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = losses[0]
        for value in losses[1:]:
            total = total + value
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with one batch; return every metric's value."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        results = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    def train_step(self, data):
        """One gradient step on one batch ``(x, y, sample_weight)``; returns the logs."""
        x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(data)
        built_before = self.built
        trainable = self.trainable_weights
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        if not trainable or not built_before:
            trainable = self.trainable_weights  # made during this first call
        if trainable:
            grads = tape.gradient(loss, trainable)
            self.optimizer.apply(grads, trainable)
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """Loss and metrics of one batch, in inference mode."""
        x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's output for one batch, in inference mode."""
        x, _, _ = data_adapter_utils.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # -- fit ------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` epochs (counted from ``initial_epoch``); returns the
        ``History`` of the per-epoch logs.

        ``x``, ``y``, ``sample_weight``: arrays (lists or dicts of them for several inputs or
        outputs), or ``x`` a generator / PyDataset of batches; ``batch_size``: default 32;
        ``verbose``: 0 silent, 1 (``"auto"``) Keras' progress bar, 2 one line per epoch;
        ``validation_split``: the fraction of the data, taken from its end before shuffling,
        to validate on; ``validation_data``: ``(x, y)`` or ``(x, y, sample_weight)``;
        ``shuffle``: a new order every epoch (NumPy's global generator); ``class_weight``: a
        weight per class, turned into sample weights; ``steps_per_epoch``: batches per epoch;
        ``validation_freq``: validate every n epochs, or after the epochs listed (1-based).
        """
        self._assert_compile_called()
        if not isinstance(validation_freq, (int, list)) or isinstance(validation_freq, bool):
            raise ValueError(
                "Expected `validation_freq` to be a list or int. Received: "
                f"validation_freq={validation_freq} of the type {type(validation_freq)}."
            )
        if validation_split and validation_data is None:
            arrays = (data_adapter_utils.to_arrays(x, "x") if _is_arrays(x) else x,
                      data_adapter_utils.to_arrays(y, "y") if _is_arrays(y) else y,
                      data_adapter_utils.to_arrays(sample_weight, "sample_weight")
                      if _is_arrays(sample_weight) else sample_weight)
            (x, y, sample_weight), validation_data = data_adapter_utils.train_validation_split(
                arrays, validation_split)
        if validation_data is not None:
            val_x, val_y, val_sample_weight = data_adapter_utils.unpack_x_y_sample_weight(
                validation_data)
        iterator = EpochIterator(x, y, sample_weight=sample_weight, batch_size=batch_size,
                                 steps_per_epoch=steps_per_epoch, shuffle=shuffle,
                                 class_weight=class_weight,
                                 steps_per_execution=self.steps_per_execution)
        self._build_before_training(iterator)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                     verbose=verbose, epochs=epochs,
                                     steps=iterator.num_batches, model=self)
        self.stop_training = False
        self._has_run = True
        # An exception (a KeyboardInterrupt too) leaves the loop as in Keras: the History
        # keeps the epochs that ended and on_train_end does not run (so BackupAndRestore keeps
        # its backup for the next fit). Ctrl-C waits for the running step to finish.
        with interrupt_between_steps() as steps:
            callbacks.on_train_begin()
            logs, training_logs = {}, None
            initial_epoch = self._initial_epoch or initial_epoch
            validation_iterator = None
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callbacks.on_epoch_begin(epoch)
                for begin, end, batches in iterator.enumerate_epoch():
                    callbacks.on_train_batch_begin(begin)
                    for batch in batches:
                        logs = steps.run_step(self.train_step, batch)
                    callbacks.on_train_batch_end(end, logs)
                    if self.stop_training:
                        break
                epoch_logs = dict(self._metrics_result_or(logs))
                if validation_data is not None and _should_validate(epoch, validation_freq):
                    if validation_iterator is None:  # made once, restarted every epoch
                        validation_iterator = EpochIterator(
                            val_x, val_y, sample_weight=val_sample_weight,
                            batch_size=validation_batch_size or batch_size,
                            steps_per_epoch=validation_steps, shuffle=False,
                            steps_per_execution=self.steps_per_execution)
                    val_logs = self._evaluate_with(validation_iterator, callbacks)
                    epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
                callbacks.on_epoch_end(epoch, epoch_logs)
                training_logs = epoch_logs
                if self.stop_training:
                    break
            if epochs > 0 and self.optimizer is not None:
                self.optimizer.finalize_variable_values(self.trainable_weights)
            callbacks.on_train_end(logs=training_logs)
        return self.history

    def _build_before_training(self, iterator):
        """Build the model from a first batch when it is not built yet (its layers need the
        input shape), then the optimizer's slots, before the first step (as Keras does)."""
        # a Sequential without Input (one with an Input whose layers could not all be built
        # symbolically builds in its first step instead)
        if not self.built and hasattr(self, "_functional") and not _starts_with_input(self):
            batches = iterator.data_adapter.get_iterator()
            first = next(iter(batches), None)
            if first is not None:
                x, _, _ = data_adapter_utils.unpack_x_y_sample_weight(first)
                from nbkeras.layers.layer import _shape_of

                self.build(_shape_of(_as_tensors(x)))
            iterator.reset()
        if self.built and self.optimizer is not None and not self.optimizer.built \
                and self.trainable_weights:
            self.optimizer.build(self.trainable_weights)

    def _metrics_result_or(self, logs):
        """The metrics' values, unless a custom step returned other keys (then its logs)."""
        results = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(results):
            return results
        return logs

    # -- evaluate -------------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """The loss and metrics over the data (in inference mode): a float (loss only), a list
        (loss, then the metrics in compile order, then the rest in sorted order), or a dict."""
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        self._assert_compile_called()
        iterator = EpochIterator(x, y, sample_weight=sample_weight, batch_size=batch_size,
                                 steps_per_epoch=steps, shuffle=False,
                                 steps_per_execution=self.steps_per_execution)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose,
                                     epochs=1, steps=iterator.num_batches, model=self)
        self._has_run = True
        logs = self._evaluate_with(iterator, callbacks)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def _evaluate_with(self, iterator, callbacks):
        self.stop_evaluating = False
        callbacks.on_test_begin()
        self.reset_metrics()
        logs = {}
        for begin, end, batches in iterator.enumerate_epoch():
            callbacks.on_test_batch_begin(begin)
            for batch in batches:
                logs = self.test_step(batch)
            callbacks.on_test_batch_end(end, logs)
            if self.stop_evaluating:
                break
        logs = pythonify_logs(self._metrics_result_or(logs))
        callbacks.on_test_end(logs)
        return logs

    def _flatten_metrics_in_order(self, logs):
        names = []
        for metric in self.metrics:
            if isinstance(metric, compile_utils.CompileMetrics):
                names.extend(m.name for m in metric.metrics)
            else:
                names.append(metric.name)
        results = [logs[name] for name in names if name in logs]
        results += [logs[key] for key in sorted(logs) if key not in names]
        return results[0] if len(results) == 1 else results

    # -- predict --------------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x`` as NumPy arrays (in the structure of the outputs),
        computed in batches in inference mode."""
        iterator = EpochIterator(x, batch_size=batch_size, steps_per_epoch=steps,
                                 shuffle=False, steps_per_execution=self.steps_per_execution)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose,
                                     epochs=1, steps=iterator.num_batches, model=self)
        self.stop_predicting = False
        callbacks.on_predict_begin()
        collected, structure = [], None
        for begin, end, batches in iterator.enumerate_epoch():
            callbacks.on_predict_batch_begin(begin)
            for batch in batches:
                outputs = tree.map_structure(_to_numpy, self.predict_step(batch))
                structure = outputs
                collected.append(tree.flatten(outputs))
            callbacks.on_predict_batch_end(end, {"outputs": outputs})
            if self.stop_predicting:
                break
        callbacks.on_predict_end()
        if structure is None:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "check that the data is not empty.")
        joined = [np.concatenate(parts, axis=0) for parts in zip(*collected, strict=True)]
        return tree.pack_as(structure, joined)

    # -- one batch ------------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One gradient step on one batch; the loss and metrics of that batch only."""
        self._assert_compile_called()
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(
                    "Arguments `sample_weight` and `class_weight` cannot be specified at the "
                    f"same time. Received: sample_weight={sample_weight}, "
                    f"class_weight={class_weight}"
                )
            sample_weight = data_adapter_utils.class_weight_to_sample_weights(y, class_weight)
        data = self._one_batch(x, y, sample_weight)
        self._build_before_training_batch(data)
        self.reset_metrics()
        self._has_run = True
        logs = pythonify_logs(self.train_step(data))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss and metrics of one batch (inference mode)."""
        self._assert_compile_called()
        self.reset_metrics()
        self._has_run = True
        logs = pythonify_logs(self.test_step(self._one_batch(x, y, sample_weight)))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays."""
        return tree.map_structure(_to_numpy, self.predict_step(self._one_batch(x, None, None)))

    def _one_batch(self, x, y, sample_weight):
        arrays = tuple(data_adapter_utils.to_arrays(part, name) for part, name in (
            (x, "x"), (y, "y"), (sample_weight, "sample_weight")))
        data_adapter_utils.check_data_cardinality(arrays)
        return data_adapter_utils.pack_x_y_sample_weight(*arrays)

    def _build_before_training_batch(self, data):
        if not self.built and hasattr(self, "_functional") and not _starts_with_input(self):
            from nbkeras.layers.layer import _shape_of

            x, _, _ = data_adapter_utils.unpack_x_y_sample_weight(data)
            self.build(_shape_of(_as_tensors(x)))
        if self.built and self.optimizer is not None and not self.optimizer.built \
                and self.trainable_weights:
            self.optimizer.build(self.trainable_weights)

    # -- configs --------------------------------------------------------------------------------
    def get_compile_config(self):
        """The arguments of the last ``compile`` as Keras saves them (empty if none)."""
        if not self.compiled or self._compile_config is None:
            return {}
        from nbkeras.saving import serialization_lib

        return {key: serialization_lib.serialize_keras_object(value)
                for key, value in self._compile_config.items()}

    def compile_from_config(self, config):
        """Compile with the arguments ``get_compile_config`` saved."""
        from nbkeras.saving import serialization_lib

        arguments = serialization_lib.deserialize_keras_object(config)
        self.compile(**arguments)
        if self.built and self.optimizer is not None:
            self.optimizer.build(self.trainable_weights)

    def _assert_compile_called(self):
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")


def _starts_with_input(model):
    from nbkeras.layers.input_layer import InputLayer

    return bool(model._layers) and isinstance(model._layers[0], InputLayer)


def _is_arrays(value):
    return value is not None and all(
        data_adapter_utils.is_array(leaf) or leaf is None for leaf in tree.flatten(value))


def _as_tensors(x):
    return tree.map_structure(lambda a: a if isinstance(a, Tensor) else ops.convert_to_tensor(a),
                              x)


def _batch_size(x):
    return int(tree.flatten(x)[0].shape[0])


def _to_numpy(value):
    if isinstance(value, Tensor):
        return value.numpy()
    return np.asarray(value)


def _should_validate(epoch, validation_freq):
    epoch = epoch + 1  # validation_freq counts epochs from 1
    if isinstance(validation_freq, int):
        return epoch % validation_freq == 0
    return epoch in validation_freq
