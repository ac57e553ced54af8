"""The machinery every optimizer shares (``keras.optimizers.Optimizer``).

An optimizer owns an iteration counter, a learning rate (a float32 variable, a schedule of the
iteration count, or a callable), and per-variable *slots* (momentum, second moments, ...) that
its ``build`` creates. ``apply_gradients(zip(grads, vars))`` runs one step, in Keras 3's order:

1. build the slots on the first call;
2. drop ``None`` gradients (with a warning), check each gradient's shape against its variable;
3. divide by ``loss_scale_factor``; accumulate (``gradient_accumulation_steps``);
4. clip (``clipnorm`` per tensor, ``global_clipnorm`` over all, or ``clipvalue``);
5. decoupled weight decay ``w <- w - w * weight_decay * lr``;
6. ``update_step`` for each variable: the optimizer's own rule, one in-place Numba kernel;
7. the exponential moving average of the weights (``use_ema``);
8. each variable's ``constraint``;
9. ``iterations += 1``.

The learning rate is read once per step; a schedule sees the counter before the increment.
"""

import math
import re
import warnings

import numpy as np

from nbkeras.autodiff import GradientTape
from nbkeras.kernels import optimizers as kernels
from nbkeras.optimizers.schedules import learning_rate_schedule
from nbkeras.tensor import Tensor, Variable, to_array
from nbkeras.utils import naming

_EMPTY = {}  # dtype -> an empty array, passed to kernels for slots an option switches off


def empty_slot(dtype):
    """A zero-size array of ``dtype``: the stand-in for a slot the kernel must not touch."""
    if dtype not in _EMPTY:
        _EMPTY[dtype] = np.empty(0, dtype)
    return _EMPTY[dtype]


def flat(variable):
    """The variable's own memory as a 1-D array (kernels update it in place; a tape that still
    holds the old value keeps it: ``Variable._array_for_writing``)."""
    return variable._array_for_writing().reshape(-1)


def as_scalar(value, dtype):
    """A learning rate (variable, tensor, Python or NumPy number) as a NumPy scalar of dtype."""
    if isinstance(value, Tensor):
        value = value._value
    return np.asarray(value, dtype=dtype)[()]


def snake_case(name):
    """Keras' ``to_snake_case``: ``"Adam"`` -> ``"adam"``, ``"RMSprop"`` -> ``"rm_sprop"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


COMMON_ARGUMENTS = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
                    "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                    "gradient_accumulation_steps", "name")


def base_arguments(arguments):
    """The base-class arguments among a subclass constructor's ``locals()``, with its
    ``**kwargs`` (each optimizer spells out Keras' full signature; this passes it on)."""
    return {**{k: arguments[k] for k in COMMON_ARGUMENTS}, **arguments["kwargs"]}


def _check_learning_rate(value, where):
    if isinstance(value, learning_rate_schedule.LearningRateSchedule) or callable(value):
        return
    if isinstance(value, bool) or not isinstance(value, float):
        raise ValueError(
            f"{where}: argument `learning_rate` should be a float, a LearningRateSchedule or a "
            "callable (that takes no argument and returns the learning rate); "
            f"received learning_rate={value!r} of type {type(value).__name__}"
        )
    if not value >= 0 or math.isinf(value):
        raise ValueError(
            f"{where}: argument `learning_rate` must be a finite number >= 0; "
            f"received learning_rate={value!r}"
        )


def _check_clip(value, name, where):
    # 0 switches clipping off, as in Keras; a negative or non-numeric bound is a mistake
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(
            f"{where}: argument `{name}` must be a number >= 0 or None; "
            f"received {name}={value!r}"
        )


class BaseOptimizer:
    """The base class of every optimizer (``keras.optimizers.Optimizer``).

    A subclass defines ``build(var_list)`` (call ``super().build`` first, then create slots with
    ``add_optimizer_variables``), ``update_step(gradient, variable, learning_rate)`` and
    ``get_config``. ``update_step`` receives the gradient as a read-only ndarray of the
    variable's shape and dtype, and the learning rate as a NumPy scalar of that dtype.
    """

    _keras_module = "keras.optimizers"  # where Keras' configs say the class lives

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        where = type(self).__name__
        if "lr" in kwargs:
            # Keras 2 (before TF 2.11) accepted `lr`; Keras 3 rejects it. nbkeras uses it.
            warnings.warn(
                f"{where}: the `lr` argument is deprecated, use `learning_rate` instead",
                DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if decay is not None:
            # Keras 3 warns and ignores it; nbkeras runs Keras 2 code as Keras 2 ran it.
            warnings.warn(
                "Argument `decay` is no longer supported in Keras 3, which ignores it. nbkeras "
                "applies it as Keras 2 did: lr / (1 + decay * iterations). In Keras 3, write "
                "learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, "
                "decay_rate=decay)", UserWarning, stacklevel=3)
            if isinstance(decay, bool) or not isinstance(decay, (int, float)) or decay < 0:
                raise ValueError(f"{where}: `decay` must be a number >= 0; received "
                                 f"decay={decay!r}")
        if kwargs:
            raise ValueError(f"{where}: argument(s) not recognized: {kwargs}")
        clip_arguments = {"clipnorm": clipnorm, "clipvalue": clipvalue,
                          "global_clipnorm": global_clipnorm}
        given = {k: v for k, v in clip_arguments.items() if v is not None}
        if len(given) > 1:
            raise ValueError(
                f"{where}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set; received {', '.join(f'{k}={v}' for k, v in given.items())}"
            )
        for arg, value in clip_arguments.items():
            _check_clip(value, arg, where)
        if weight_decay is not None and (isinstance(weight_decay, bool) or not isinstance(
                weight_decay, (int, float)) or weight_decay < 0):
            raise ValueError(f"{where}: argument `weight_decay` must be a number >= 0 or None; "
                             f"received weight_decay={weight_decay!r}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                f"{where}: `gradient_accumulation_steps` must be an integer >= 2; received "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"{where}: `ema_momentum` must be in the range [0, 1]; "
                             f"received ema_momentum={ema_momentum}")
        if use_ema and ema_overwrite_frequency and (
                isinstance(ema_overwrite_frequency, bool)
                or not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
            raise ValueError(f"{where}: `ema_overwrite_frequency` must be an integer >= 1 or "
                             f"None; received ema_overwrite_frequency={ema_overwrite_frequency!r}")
        _check_learning_rate(learning_rate, where)
        self.name = name if name is not None else naming.unique_name(snake_case(where))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = float(decay) if decay else None
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._index = {}  # id(variable) -> position in the build list
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._iterations = self._own_variable(np.int64(0), "iteration")
        if isinstance(learning_rate, float):
            self._learning_rate = self._own_variable(np.float32(learning_rate), "learning_rate")
        else:
            self._learning_rate = learning_rate

    # -- variables -------------------------------------------------------------------------
    def _own_variable(self, value, name):
        variable = Variable(value, trainable=False, name=name)
        variable.path = f"{self.name}/{name}"
        self._variables.append(variable)
        return variable

    @property
    def variables(self):
        """Every optimizer variable, in creation order: iteration, learning rate, slots."""
        return self._variables[:]

    @property
    def iterations(self):
        """The step counter (int64 variable); counts updates under gradient accumulation."""
        if self.gradient_accumulation_steps:
            return Tensor(np.asarray(self._iterations._value // self.gradient_accumulation_steps))
        return self._iterations

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """A new non-trainable optimizer variable (``initializer``: "zeros", "ones", a number)."""
        dtype = np.dtype(dtype or "float32")
        if isinstance(initializer, str):
            if initializer not in ("zeros", "ones"):
                raise ValueError(f"{self.name}.add_variable: unknown initializer {initializer!r}")
            initializer = 0.0 if initializer == "zeros" else 1.0
        return self._own_variable(np.full(tuple(shape), initializer, dtype), name or "variable")

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like ``reference_variable``, named ``<its path>_<name>``."""
        slot_name = f"{reference_variable.path.replace('/', '_')}_{name or 'var'}"
        return self.add_variable(reference_variable.shape, initializer,
                                 reference_variable.dtype, slot_name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """Slots for each variable; with a list of names, one list per name (interleaved in
        creation order per variable, as Keras does)."""
        names = [name] if isinstance(name, str) else list(name)
        initializers = (initializer if isinstance(initializer, (list, tuple))
                        else [initializer] * len(names))
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, (slot_name, init) in enumerate(zip(names, initializers, strict=True)):
                slots[i].append(self.add_variable_from_reference(variable, slot_name, init))
        return slots[0] if isinstance(name, str) else slots

    def build(self, variables):
        """Remember the variables; subclasses then create their slots."""
        if self.use_ema:
            self._averages = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulators = []
        for i, variable in enumerate(variables):
            self._index[id(variable)] = i
            if self.gradient_accumulation_steps:
                self._accumulators.append(
                    self.add_variable_from_reference(variable, "gradient_accumulator"))
        self._trainable_variables = list(variables)
        self.built = True

    def get_weights(self):
        """Keras 2's optimizer state: the iteration count, then every slot (Keras 3 removed
        ``get_weights``; read ``optimizer.variables``, which also holds the learning rate)."""
        return [v.numpy() for v in self._variables if v is not self._learning_rate]

    def set_weights(self, weights):
        """Assign the optimizer's state: either every variable (Keras 3: iteration, learning
        rate, slots) or Keras 2's list without the learning rate. The optimizer must be built,
        and every shape must match."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        weights = [np.asarray(w) for w in weights]
        everything = self._variables
        keras_2 = [v for v in everything if v is not self._learning_rate]
        if len(weights) == len(everything):
            targets = everything
        elif len(weights) == len(keras_2):
            targets = keras_2
        else:
            raise ValueError(
                f"{self.name}.set_weights: got {len(weights)} arrays, but the optimizer has "
                f"{len(everything)} variables {[v.name for v in everything]} (or "
                f"{len(keras_2)} without the learning rate, as Keras 2's get_weights lists them)"
            )
        for variable, value in zip(targets, weights, strict=True):
            if tuple(variable.shape) != value.shape:
                raise ValueError(
                    f"Optimizer variable {variable.path} has shape {tuple(variable.shape)} "
                    f"not compatible with provided weight shape {value.shape}."
                )
        for variable, value in zip(targets, weights, strict=True):
            variable.assign(value.astype(variable.dtype))

    def _get_variable_index(self, variable):
        return self._index[id(variable)]

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Skip weight decay for these variables, or for names containing any of ``var_names``
        (call before the first step)."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or pattern.search(variable.name) is None

    # -- learning rate ---------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate: the float32 variable, or the schedule's or callable's
        value at the current iteration."""
        lr = self._learning_rate
        if isinstance(lr, learning_rate_schedule.LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, Variable):
            return lr
        return lr()

    @learning_rate.setter
    def learning_rate(self, value):
        where = f"{type(self).__name__}.learning_rate"
        if isinstance(value, learning_rate_schedule.LearningRateSchedule) or callable(value):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, learning_rate_schedule.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )
        number = float(to_array(value, name="learning_rate", where=where))
        if not number >= 0 or math.isinf(number):
            raise ValueError(f"{where}: the learning rate must be a finite number >= 0; "
                             f"received {value!r}")
        if isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(np.float32(number))
        else:
            self._learning_rate = self._own_variable(np.float32(number), "learning_rate")

    @property
    def lr(self):
        """Keras 2 alias of ``learning_rate`` (deprecated)."""
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        self.learning_rate = value


    def _step_number(self, dtype):
        """``iterations + 1`` in ``dtype``: bias corrections use t = 1 on the first update."""
        return np.asarray(int(self.iterations) + 1, dtype=dtype)[()]

    # -- applying gradients ----------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply ``(gradient, variable)`` pairs; returns the iteration counter."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs, strict=True)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Apply ``grads`` to ``trainable_variables`` (by default the variables of ``build``)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"{self.name}: {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables")
        for variable in trainable_variables:
            if not isinstance(variable, Variable):
                raise ValueError(f"{self.name}: expected keras.Variable objects to update, got "
                                 f"{type(variable).__name__}")
        if not self.built:
            self.build(trainable_variables)
        for variable in trainable_variables:
            if id(variable) not in self._index:
                raise ValueError(
                    f"Unknown variable: {variable.path!r}. This optimizer can only be called "
                    "for the variables it was originally built with. When working with a new "
                    "set of variables, you should recreate a new optimizer instance."
                )
        grads, trainable_variables = self._gradient_arrays(grads, trainable_variables)
        if self.loss_scale_factor is not None:
            grads = [g / np.asarray(self.loss_scale_factor, g.dtype) for g in grads]
        if self.gradient_accumulation_steps:
            self._accumulate_and_update(grads, trainable_variables)
        else:
            self._clip_decay_update(grads, trainable_variables)
        if self.use_ema:
            self._update_moving_averages()
        for variable in trainable_variables:
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable))
        self._iterations.assign_add(1)

    def _gradient_arrays(self, grads, variables):
        """Read-only arrays of each variable's dtype and shape; ``None`` gradients dropped."""
        kept_grads, kept_variables, missing = [], [], []
        for g, variable in zip(grads, variables, strict=True):
            if g is None:
                missing.append(variable.path)
                continue
            array = to_array(g, name="gradient", where=f"{self.name}.apply_gradients")
            if array.shape != variable.shape:
                raise ValueError(
                    f"{self.name}.apply_gradients: the gradient for variable {variable.path!r} "
                    f"has shape {array.shape}, but the variable has shape {variable.shape}"
                )
            # (np.ascontiguousarray would turn a scalar's gradient into shape (1,))
            array = np.asarray(array, dtype=variable._value.dtype, order="C")
            view = array.view()
            view.flags.writeable = False  # kernels compile once, for read-only gradients
            kept_grads.append(view)
            kept_variables.append(variable)
        if not kept_grads:
            raise ValueError(f"{self.name}: no gradients provided for any variable "
                             f"({[v.path for v in variables]})")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss.", UserWarning, stacklevel=4)
        return kept_grads, kept_variables

    def _clip_decay_update(self, grads, variables):
        grads = self._clip_gradients(grads)
        learning_rate = self.learning_rate  # read once: a schedule sees the count before + 1
        if self.decay:  # Keras 2's decay, on the count before this step
            learning_rate = np.float32(float(np.asarray(learning_rate)) / (
                1.0 + self.decay * int(self._iterations)))
        self._apply_weight_decay(variables, learning_rate)
        self._backend_update_step(grads, variables, learning_rate)

    def _backend_update_step(self, grads, variables, learning_rate):
        """Run ``update_step`` for each pair (Nadam adds a once-per-step computation here)."""
        for g, variable in zip(grads, variables, strict=True):
            self.update_step(g, variable, as_scalar(learning_rate, variable._value.dtype))

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError(f"{type(self).__name__} must define update_step")

    def _accumulate_and_update(self, grads, variables):
        steps = self.gradient_accumulation_steps
        accumulators = [self._accumulators[self._get_variable_index(v)] for v in variables]
        for g, a in zip(grads, accumulators, strict=True):
            np.add(g, a._value, out=a._value)  # in place: no array of the variable's size
        if (int(self._iterations) + 1) % steps == 0:
            averaged = []
            for a in accumulators:
                np.divide(a._value, a._value.dtype.type(steps), out=a._value)
                view = a._value.view()
                view.flags.writeable = False  # read-only, as every gradient update_step sees
                averaged.append(view)
            self._clip_decay_update(averaged, variables)
            # every accumulator, also those of variables without a gradient in this call
            for a in self._accumulators:
                a._value[...] = 0

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            out = []
            for g in grads:
                clipped = np.empty_like(g)
                kernels.clip_by_value(g.reshape(-1), g.dtype.type(self.clipvalue),
                                      clipped.reshape(-1))
                out.append(_read_only(clipped))
            return out
        return grads

    def _clip_by_norm(self, g):
        """``g * clipnorm / max(||g||, clipnorm)`` (tf.clip_by_norm)."""
        t = g.dtype.type
        norm = _l2_norm(g)
        clipped = np.empty_like(g)
        kernels.scale_by_ratio(g.reshape(-1), t(self.clipnorm), max(norm, t(self.clipnorm)),
                               clipped.reshape(-1))
        return _read_only(clipped)

    def _apply_weight_decay(self, variables, learning_rate):
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                dtype = variable._value.dtype
                kernels.decay_weights(flat(variable), dtype.type(self.weight_decay),
                                      as_scalar(learning_rate, dtype))

    def _update_moving_averages(self):
        not_first_step = int(self.iterations) != 0
        for variable, average in zip(self._trainable_variables, self._averages, strict=True):
            t = variable._value.dtype.type
            kernels.moving_average(flat(average), flat(variable),
                                   t(not_first_step) * t(self.ema_momentum))
        frequency = self.ema_overwrite_frequency
        if frequency and (int(self.iterations) + 1) % frequency == 0:
            self._overwrite_with_averages(self._trainable_variables)

    def _overwrite_with_averages(self, variables):
        for variable, average in zip(variables, self._averages, strict=True):
            variable.assign(average._value)

    def finalize_variable_values(self, var_list):
        """At the end of training: copy the moving averages into the variables (use_ema)."""
        if self.use_ema:
            self._overwrite_with_averages(var_list)

    # -- the Keras 2 entry points ----------------------------------------------------------
    def compute_gradients(self, loss, var_list, tape=None):
        """``[(gradient, variable), ...]`` of ``loss`` (a callable, or a tensor with its tape)."""
        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. "
                             f"Received: loss={loss}, tape={tape}.")
        if tape is None:
            tape = GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(list(var_list))
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        var_list = list(var_list)
        return list(zip(tape.gradient(loss, var_list), var_list, strict=True))

    def minimize(self, loss, var_list, tape=None):
        """Keras 2's one-call step: differentiate ``loss`` (a callable taking no argument) with
        respect to ``var_list`` and apply the gradients. Returns the iteration counter."""
        return self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    # -- configuration ---------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, learning_rate_schedule.LearningRateSchedule):
            learning_rate = learning_rate_schedule.serialize(lr)
        elif isinstance(lr, Variable):
            learning_rate = float(lr._value)
        else:
            learning_rate = lr  # a callable stays a callable (Keras serializes its code)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
            **({"decay": self.decay} if self.decay else {}),  # only Keras 2 code sets it
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = learning_rate_schedule.deserialize(
                config["learning_rate"], custom_objects)
        return cls(**config)

    # -- saving ----------------------------------------------------------------------------
    def save_own_variables(self, store):
        """Write ``variables`` (iteration, learning rate, slots) as ``"0"``, ``"1"``, ..."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Assign the saved variables. An optimizer whose variables do not match the file
        (not built yet, or built for other weights) keeps its own, with Keras' warning."""
        if len(store.keys()) != len(self._variables):
            message = (
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(self._variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables. "
            )
            if not self.built:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=2)
            return
        values = [store[str(i)] for i in range(len(self._variables))]
        for variable, value in zip(self._variables, values, strict=True):
            if tuple(variable.shape) != tuple(value.shape):
                raise ValueError(
                    f"Optimizer '{self.name}': its variable '{variable.name}' has shape "
                    f"{tuple(variable.shape)}, but the saved value has shape "
                    f"{tuple(value.shape)}"
                )
        for variable, value in zip(self._variables, values, strict=True):
            variable.assign(value)

    # -- Keras' assignment hooks (for optimizers written with ops) --------------------------
    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        variable.assign_sub(value)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _read_only(array):
    array.flags.writeable = False
    return array


def _l2_norm(g):
    total = np.empty(1, g.dtype)
    kernels.sum_of_squares(g.reshape(-1), total)
    return np.sqrt(total[0]) if total[0] > 0 else total[0]


def clip_by_global_norm(grads, clip_norm):
    """Scale every gradient by ``clip_norm / max(global_norm, clip_norm)``, where the global
    norm is the root of the summed squares of all of them (NaN or inf norm -> NaN gradients)."""
    t = grads[0].dtype.type
    total = np.empty(1, grads[0].dtype)
    squared = t(0)
    for g in grads:
        kernels.sum_of_squares(g.reshape(-1), total)
        squared = squared + total[0]
    norm = np.sqrt(squared)
    # clip_norm * min(1/norm, 1/clip_norm); 1/clip_norm is a Python division in Keras
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = t(clip_norm) * min(t(1) / norm, t(1.0 / clip_norm))
        factor = factor + (norm - norm)
    out = []
    for g in grads:
        scaled = np.empty_like(g)
        kernels.scale(g.reshape(-1), factor, scaled.reshape(-1))
        out.append(_read_only(scaled))
    return out
