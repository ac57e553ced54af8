"""The ``Layer`` base class: weights, build on first call, training flag, losses, graph nodes.

A layer is a function with state. Subclasses write three methods:

- ``build(input_shape)`` creates the weights with ``add_weight`` once the input's shape is
  known (``Dense`` needs the last dimension to size its kernel);
- ``call(inputs, training=None)`` computes the output with ``nbkeras.ops``, which the tape
  records, so gradients with respect to the inputs and the weights come for free;
- ``compute_output_shape(input_shape)`` gives the output's shape without computing it.

``__call__`` ties them together: it converts NumPy inputs to tensors, checks them against
``input_spec``, builds the layer on first use, resolves the ``training`` flag, runs ``call`` and
records activity-regularization losses. Called on symbolic ``KerasTensor``s (from
``keras.Input``), it runs no kernel at all: it computes the output shape and records a ``Node``,
the edge of the functional graph.
"""

import functools
import inspect
import warnings

import numpy as np

from nbkeras import constraints, dtypes, initializers, ops, regularizers
from nbkeras.keras_tensor import KerasTensor, standardize_shape
from nbkeras.layers.input_spec import assert_input_compatibility
from nbkeras.ops.node import Node, flatten
from nbkeras.random.seed_generator import SeedGenerator
from nbkeras.saving import serialization_lib
from nbkeras.tensor import Tensor, Variable
from nbkeras.utils import naming

_scopes = []
"""The layers being built or called, outermost first: they make the weights' paths
(``"outer/dense/kernel"``)."""

_training_contexts = []
"""The ``training`` value of each layer call in progress; inner layers inherit it."""


class _NameScope:
    """Enter ``layer``'s name scope, unless it is already the innermost one."""

    def __init__(self, layer):
        self.layer = layer
        self.entered = False

    def __enter__(self):
        if not _scopes or _scopes[-1] is not self.layer:
            _scopes.append(self.layer)
            self.entered = True

    def __exit__(self, *exc_info):
        if self.entered:
            _scopes.pop()
        return False


def current_path():
    return "/".join(layer.name for layer in _scopes)


def keras_mask(x):
    """The Keras mask attached to tensor ``x`` by the layer that made it, or None."""
    return getattr(x, "_keras_mask", None) if isinstance(x, (Tensor, KerasTensor)) else None


def _map_leaves(function, structure):
    if isinstance(structure, list):
        return [_map_leaves(function, x) for x in structure]
    if isinstance(structure, tuple):
        return tuple(_map_leaves(function, x) for x in structure)
    if isinstance(structure, dict):
        return {k: _map_leaves(function, v) for k, v in structure.items()}
    return function(structure)


def _shape_of(structure):
    """The shape of a tensor, or the same nesting of shapes for a list (or dict) of tensors."""
    if isinstance(structure, (list, tuple)):
        return [_shape_of(x) for x in structure]
    if isinstance(structure, dict):
        return {k: _shape_of(v) for k, v in structure.items()}
    return None if structure is None else standardize_shape(structure.shape)


def _as_shape_structure(value):
    """A shape read back from JSON (lists) as tuples: ``[None, 3]`` -> ``(None, 3)``, and a
    list of shapes as a list of tuples."""
    if isinstance(value, dict):
        return {k: _as_shape_structure(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(d is None or isinstance(d, int) for d in value):
            return tuple(value)
        return [_as_shape_structure(v) for v in value]
    return value


def _any_batch_size(shape):
    """``shape`` with its batch size left open: the shape a layer expects of later inputs."""
    if isinstance(shape, (list, tuple)) and shape and all(
        d is None or isinstance(d, (int, np.integer)) for d in shape
    ):
        return (None,) + tuple(shape[1:])
    return shape


def _named_shapes(build, args, kwargs):
    """``{argument name: shape}`` of a build call given several shapes (MultiHeadAttention's
    ``query_shape`` and ``value_shape``), None for a build from one shape."""
    try:
        bound = inspect.signature(build).bind(*args, **kwargs)
    except TypeError:
        return None
    shapes = {name: value for name, value in bound.arguments.items()
              if value is not None and isinstance(value, (tuple, list))}
    return shapes if len(shapes) > 1 else None


_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))


def _auto_config(cls, args, kwargs):
    """The arguments of ``cls(*args, **kwargs)`` by name, defaults included, for the config of
    a layer that does not write ``get_config`` (Keras' automatic config); None when they cannot
    be passed back by name or are not all plain values (str, int, float, bool, None)."""
    signature = inspect.signature(cls.__init__)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    config = dict(bound.arguments)
    for i, (name, parameter) in enumerate(signature.parameters.items()):
        if i == 0:
            config.pop(name)  # self
        elif parameter.kind is parameter.POSITIONAL_ONLY:
            return None
        elif parameter.kind is parameter.VAR_POSITIONAL:
            if config.pop(name):
                return None
        elif parameter.kind is parameter.VAR_KEYWORD:
            config.update(config.pop(name))
    config.pop("name", None)
    if not all(isinstance(v, _AUTO_CONFIG_TYPES) for v in flatten(list(config.values()))):
        return None
    return config


def _standardize_layer_dtype(dtype):
    """A dtype name from None (floatx), a name, or Keras' DTypePolicy config dictionary."""
    if isinstance(dtype, dict):  # {"class_name": "DTypePolicy", "config": {"name": ...}}
        dtype = dtype.get("config", {}).get("name")
    elif dtype is not None and hasattr(dtype, "name") and not isinstance(dtype, str):
        dtype = dtype.name
    return dtypes.standardize_dtype(dtype)


class _TrackedList(list):
    """A list attribute of a layer: what is added later (append, insert, extend, item
    assignment) becomes the layer's state too, as in Keras."""

    def __init__(self, values, layer):
        self._layer = layer
        super().__init__(layer._track(v) for v in values)

    def append(self, value):
        super().append(self._layer._track(value))

    def insert(self, index, value):
        super().insert(index, self._layer._track(value))

    def extend(self, values):
        super().extend(self._layer._track(v) for v in values)

    def __setitem__(self, index, value):
        value = ([self._layer._track(v) for v in value] if isinstance(index, slice)
                 else self._layer._track(value))
        super().__setitem__(index, value)

    def __reduce__(self):  # a copy or a pickle is a plain list
        return list, (list(self),)


class _TrackedDict(dict):
    """A dict attribute of a layer: values set later are tracked too, as in Keras."""

    def __init__(self, values, layer):
        self._layer = layer
        super().__init__((k, layer._track(v)) for k, v in values.items())

    def __setitem__(self, key, value):
        super().__setitem__(key, self._layer._track(value))

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __reduce__(self):
        return dict, (dict(self),)


class Layer:
    """Base class of every layer (``keras.layers.Layer``).

    Keyword arguments every layer accepts: ``name`` (default: the snake-case class name made
    unique, ``dense``, ``dense_1``, ...), ``trainable``, ``dtype`` (of the weights and the
    computation, default floatx), ``activity_regularizer`` (a penalty on the outputs, divided by
    the batch size) and, as in Keras 2, ``input_shape``/``input_dim`` (kept for a model to read).
    """

    _keras_module = "keras.layers"
    _TRACKER_LISTS = frozenset({
        "_trainable_variables", "_non_trainable_variables", "_layers", "_seed_generators",
    })

    def __new__(cls, *args, **kwargs):
        layer = super().__new__(cls)
        user_build = layer.build

        # Whatever a subclass's build does, afterwards the layer is built, its path is known,
        # and the shape it was built for is recorded (error messages quote it).
        @functools.wraps(user_build)
        def build_wrapper(*build_args, **build_kwargs):
            with _NameScope(layer):
                layer._path = current_path()
                user_build(*build_args, **build_kwargs)
            shapes = list(build_args) + list(build_kwargs.values())
            layer._record_built(shapes[0] if shapes else None,
                                _named_shapes(user_build, build_args, build_kwargs))

        object.__setattr__(layer, "build", build_wrapper)
        object.__setattr__(layer, "_auto_config", _auto_config(cls, args, kwargs))
        return layer

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        if name is None:
            name = naming.auto_name(type(self).__name__)
        elif not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"{type(self).__name__}: name must be a string without '/', got name={name!r}"
            )
        if not isinstance(trainable, bool):
            raise ValueError(
                f"{type(self).__name__}: trainable must be a bool, got trainable={trainable!r}"
            )
        self._init_tracker()
        self.name = name
        self._dtype = _standardize_layer_dtype(dtype)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.autocast = autocast
        self._trainable = trainable
        # Keras 2's way to give the first layer of a Sequential model its input shape.
        if input_dim is not None or input_shape is not None:
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a layer. When using "
                "Sequential models, prefer using an `Input(shape)` object as the first layer "
                "in the model instead.", stacklevel=3)
        if input_dim is not None:
            self._input_shape_arg = (int(input_dim),)
        elif input_shape is not None:
            self._input_shape_arg = tuple(input_shape)
        else:
            self._input_shape_arg = None
        if "built" not in self.__dict__:
            self.built = False
        self._path = None
        self._build_input_shape = None
        self._build_shapes_dict = None
        if "input_spec" not in self.__dict__:
            self.input_spec = None
        if "supports_masking" not in self.__dict__:
            self.supports_masking = False
        self._losses = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        parameters = inspect.signature(self.call).parameters
        self._checked_input = None  # (input_spec, shape, dtype) of the last input checked
        self._call_parameters = dict(parameters)
        self._call_has_training_arg = "training" in parameters
        self._call_training_default = (
            parameters["training"].default if self._call_has_training_arg
            and parameters["training"].default is not inspect.Parameter.empty else None
        )

    # -- state tracking -----------------------------------------------------------------------
    def _init_tracker(self):
        if "_layers" not in self.__dict__:
            for name in self._TRACKER_LISTS:
                object.__setattr__(self, name, [])

    def __setattr__(self, name, value):
        # Sub-layers, variables and seed generators assigned as attributes become the layer's
        # state, as in Keras (``self.dense = Dense(4)`` makes its weights part of ``weights``),
        # also inside lists, tuples and dicts, and when added to a list or dict attribute later.
        if name not in self._TRACKER_LISTS:
            self._init_tracker()
            value = self._track(value)
        object.__setattr__(self, name, value)

    def _track(self, item):
        """Record ``item`` (or what a container holds) as state; returns the value to store:
        lists and dicts come back wrapped, so that later additions are recorded too."""
        if isinstance(item, Layer) and item is not self:
            if not any(item is x for x in self._layers):
                self._layers.append(item)
        elif isinstance(item, Variable):
            known = self._trainable_variables + self._non_trainable_variables
            if not any(item is v for v in known):
                (self._trainable_variables if item.trainable
                 else self._non_trainable_variables).append(item)
        elif isinstance(item, SeedGenerator):
            if not any(item is g for g in self._seed_generators):
                self._seed_generators.append(item)
        elif isinstance(item, list):  # a tracked list too: `self.blocks += [...]` assigns it
            return _TrackedList(item, self)
        elif isinstance(item, dict):
            return _TrackedDict(item, self)
        elif isinstance(item, tuple):
            for x in item:
                self._track(x)
        return item

    # -- dtype ----------------------------------------------------------------------------------
    @property
    def dtype(self):
        """The dtype of the layer's weights."""
        return self._dtype

    @property
    def variable_dtype(self):
        return self._dtype

    @property
    def compute_dtype(self):
        """The dtype the layer computes in; float inputs are cast to it (``autocast``)."""
        return self._dtype

    @property
    def input_dtype(self):
        return self._dtype

    @property
    def path(self):
        """``"outer/name"``: the name scopes the layer was built in (None before build)."""
        return self._path

    # -- building -------------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (the batch size may be None).
        The base class has no weights."""

    build._is_default_build = True

    def _has_default_build(self):
        return getattr(type(self).build, "_is_default_build", False)

    def _record_built(self, input_shape, shapes_dict=None):
        """Mark the layer built for inputs of ``input_shape`` (``shapes_dict``: the shapes by
        build argument name, for a layer built from several inputs)."""
        self._build_input_shape = _any_batch_size(input_shape)
        # The shape as given (a real batch size included): summary() and the saved build
        # config show it, as Keras does; several shapes are saved by name ("shapes_dict").
        if shapes_dict:
            self._build_shapes_dict = {"shapes_dict": shapes_dict}
        else:
            self._build_shapes_dict = (None if input_shape is None
                                       else {"input_shape": input_shape})
        self.built = True

    def get_build_config(self):
        """``{"input_shape": ...}``: the shape the layer was built for (None if it was not
        built by ``build``), which a saved file records to rebuild the weights on load."""
        return None if self._build_shapes_dict is None else dict(self._build_shapes_dict)

    def build_from_config(self, config):
        """Build the layer from ``get_build_config()``'s dictionary (no-op for None)."""
        if config and "input_shape" in config and not self.built:
            shape = config["input_shape"]
            self.build(_as_shape_structure(shape))
        elif config and "shapes_dict" in config and not self.built:
            self.build(**{name: _as_shape_structure(shape)
                          for name, shape in config["shapes_dict"].items()})

    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Create a ``Variable`` owned by this layer and return it.

        ``initializer`` is an initializer, a name (``"glorot_uniform"``) or None (glorot_uniform
        for floats, zeros otherwise). ``regularizer`` adds its penalty of the weight to
        ``layer.losses``; ``constraint`` is stored on the variable for the optimizer to apply
        after each step. The variable's ``path`` is ``"<layer path>/<name>"``. ``shape``,
        ``initializer`` and ``dtype`` may also be given positionally, in that order.
        """
        if len(args) > 3:
            raise TypeError(
                f"add_weight() takes at most 3 positional arguments ({len(args)} given)"
            )
        if args and isinstance(args[0], str):
            raise ValueError(
                f"add_weight: name must be passed as a keyword argument; got "
                f"add_weight({args[0]!r}, ...). Use add_weight(shape=..., name={args[0]!r})"
            )
        positional = dict(zip(("shape", "initializer", "dtype"), args, strict=False))
        given = {"shape": shape, "initializer": initializer, "dtype": dtype}
        for key, value in positional.items():
            if given[key] is not None:
                raise ValueError(f"add_weight: {key} was passed both positionally and by keyword")
            given[key] = value
        shape, initializer, dtype = given["shape"], given["initializer"], given["dtype"]
        shape = () if shape is None else standardize_shape(shape)
        if any(d is None for d in shape):
            raise ValueError(
                f"layer '{self.name}': the weight {name!r} needs a fully known shape, got {shape}"
            )
        dtype = dtypes.standardize_dtype(dtype) if dtype is not None else self.variable_dtype
        if initializer is None:
            initializer = "glorot_uniform" if dtypes.is_float(dtype) else "zeros"
        initializer = initializers.get(initializer)
        variable = Variable(initializer, shape=shape, dtype=dtype, trainable=trainable, name=name)
        scope = [layer.name for layer in _scopes]
        if not _scopes or _scopes[-1] is not self:
            scope.append(self.name)
        variable.path = "/".join(scope + [variable.name])
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        self._track(variable)
        return variable

    add_variable = add_weight

    # -- weights --------------------------------------------------------------------------------
    @property
    def trainable(self):
        """Whether the optimizer updates this layer's weights. Setting it sets the flag of every
        weight created trainable, and of every sub-layer."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    def _flatten_layers(self, include_self=True):
        layers, seen, queue = ([self] if include_self else []), set(), list(self._layers)
        while queue:
            layer = queue.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            layers.append(layer)
            queue = list(layer._layers) + queue
        return layers

    @property
    def weights(self):
        """Every weight of the layer and its sub-layers: the trainable ones in creation order,
        then the non-trainable ones (BatchNormalization: gamma, beta, moving_mean,
        moving_variance). This order is ``get_weights``' and ``set_weights``'."""
        result, seen = [], set()
        for v in self._trainable_variables + self._non_trainable_variables:
            if id(v) not in seen:
                seen.add(id(v))
                result.append(v)
        for layer in self._layers:
            for v in layer.weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    result.append(v)
        return result

    @property
    def trainable_weights(self):
        return [v for v in self.weights if v.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [v for v in self.weights if not v.trainable] if self.trainable else self.weights

    @property
    def variables(self):
        """The weights plus the state of the seed generators (a Dropout layer's counter)."""
        result = self.weights
        for layer in self._flatten_layers():
            result = result + [g.state for g in layer._seed_generators]
        return result

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.variables if id(v) not in trainable]

    def get_weights(self):
        """The values of ``weights`` as NumPy arrays (copies)."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Assign NumPy arrays to ``weights``, in order; every shape must match."""
        own = self.weights
        if len(own) != len(weights):
            raise ValueError(
                f"You called set_weights(weights) on layer '{self.name}' with a weight list of "
                f"length {len(weights)}, but the layer was expecting {len(own)} weights: "
                f"{[v.path for v in own]}"
            )
        values = [np.asarray(w) for w in weights]
        for variable, value in zip(own, values, strict=True):
            if tuple(variable.shape) != value.shape:
                raise ValueError(
                    f"Layer '{self.name}' weight '{variable.path}' has shape {variable.shape}, "
                    f"which is not compatible with the provided weight shape {value.shape}"
                )
        for variable, value in zip(own, values, strict=True):
            variable.assign(value)

    def count_params(self):
        """The number of scalars in ``weights`` (the layer must be built)."""
        if not self.built:
            raise ValueError(
                f"You tried to call count_params on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: layer.build(input_shape)"
            )
        return int(sum(int(np.prod(v.shape, dtype=np.int64)) for v in self.weights))

    # -- losses ---------------------------------------------------------------------------------
    def add_loss(self, loss):
        """Add scalar tensor(s) to ``losses`` (from inside ``call``)."""
        for x in flatten(loss):
            if not isinstance(x, Tensor):
                raise ValueError(
                    f"add_loss() needs a tensor, got {x!r} (of type {type(x).__name__})"
                )
            self._losses.append(x)

    @property
    def losses(self):
        """The penalties of the last call (``add_loss``, activity regularizers, of this layer
        and its sub-layers), then the weight regularizers' penalties of the current trainable
        weights. A training loop adds their sum to the loss."""
        result, regularized = [], False
        for layer in self._flatten_layers():
            result.extend(layer._losses)
            regularized = regularized or any(
                v.regularizer is not None
                for v in layer._trainable_variables + layer._non_trainable_variables)
        if not regularized:  # (a training step asks every time: skip the weights walk)
            return result
        for v in self.trainable_weights:
            if v.regularizer is not None:
                result.append(v.regularizer(v))
        return result

    def _clear_losses(self):
        for layer in self._flatten_layers():
            if layer._losses:  # (most hold none: no attribute to set)
                layer._losses = []

    # -- calling --------------------------------------------------------------------------------
    def call(self, *args, **kwargs):
        """The layer's computation on its inputs (tensors of shape ``(batch, ...)``): what a
        subclass writes; ``layer(x)`` calls it after building the layer and checking ``x``."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call()")

    def _convert_input(self, x):
        """NumPy data becomes a tensor; float tensors are cast to the compute dtype."""
        if x is None or isinstance(x, KerasTensor):
            return x
        if isinstance(x, Variable):
            x = x.value
        elif isinstance(x, (np.ndarray, np.generic)):
            x = ops.convert_to_tensor(x)
        elif not isinstance(x, Tensor):
            raise ValueError(
                f"Layer '{self.name}': only tensors (or NumPy arrays) may be passed as "
                f"positional arguments; got {x!r} (of type {type(x).__name__}). Wrap data in "
                "np.array(...), or pass options as keyword arguments"
            )
        if self.autocast and x._value.dtype.kind == "f" and x.dtype != self.compute_dtype:
            mask = keras_mask(x)
            x = ops.cast(x, self.compute_dtype)
            if mask is not None:  # the cast copy keeps the mask, as in Keras
                x._keras_mask = mask
        return x

    def _assert_input_compatibility(self, inputs):
        assert_input_compatibility(self.input_spec, inputs, self.name, self._build_input_shape)

    def _maybe_build(self, inputs):
        if self.built:
            return
        if self._has_default_build() and self._layers:
            # A layer made of layers, with no build of its own (a subclassed model, say): its
            # sub-layers build themselves during the first call, after which it is built.
            return
        self.build(_shape_of(inputs))

    def _resolve_training(self, kwargs):
        if "training" in kwargs:
            value = kwargs["training"]
        else:
            inherited = next((t for t in reversed(_training_contexts) if t is not None), None)
            value = inherited if inherited is not None else self._call_training_default
        if not self._call_has_training_arg:
            kwargs.pop("training", None)
        elif value is not None:
            kwargs["training"] = value
        return value

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and self.built and (
                not kwargs or (len(kwargs) == 1 and "training" in kwargs)) and (
                type(self)._convert_input is Layer._convert_input):
            x = args[0]
            if type(x) is np.ndarray and x.dtype.kind in "fiub":
                x = ops.convert_to_tensor(x)
                args = (x,)
            if type(x) is Tensor and self._plain_eager_call(x):
                return self._eager_call(x, kwargs)
        if not args:
            raise ValueError(f"Layer '{self.name}' needs its inputs as the first argument")
        args = tuple(_map_leaves(self._convert_input, a) for a in args)
        kwargs = {k: ops.convert_to_tensor(v) if isinstance(v, np.ndarray) else v
                  for k, v in kwargs.items()}
        inputs = args[0]
        symbolic = any(isinstance(x, KerasTensor) for x in flatten([list(args), kwargs]))
        self._assert_input_compatibility(inputs)
        with _NameScope(self):
            self._maybe_build(inputs)
        self._assert_input_compatibility(inputs)
        training_given = "training" in kwargs
        training = self._resolve_training(kwargs)

        if symbolic:
            # No kernel runs: the output is a shape and a dtype, and the call is recorded
            # with the input's mask (None, or the KerasTensor of an earlier layer's mask), as
            # Keras records it. Keras records neither for a layer called on a list
            # (Attention()([q, v])) unless given.
            if isinstance(inputs, (list, tuple)):
                if not training_given:
                    kwargs.pop("training", None)
            elif "mask" in self._call_parameters and "mask" not in kwargs:
                kwargs["mask"] = keras_mask(inputs)
            outputs = self.compute_output_spec(*args, **kwargs)
            Node(self, args, kwargs, outputs)
            # the output's mask, computed on KerasTensors: an Embedding(mask_zero=True) adds
            # a NotEqual step to the graph, as in Keras (see ops/operation.py)
            given = kwargs.get("mask")
            self._attach_masks(inputs, outputs,
                               given if given is not None else _map_leaves(keras_mask, inputs))
            return outputs

        previous_mask = self._pass_masks(args, kwargs)
        outputs = self._call_in_context(args, kwargs, training)
        if not self.built:
            self._record_built(_shape_of(inputs))
        if self.activity_regularizer is not None:
            for output in flatten(outputs):
                if isinstance(output, Tensor):
                    self.add_loss(self._activity_penalty(output))
        self._attach_masks(args[0], outputs, previous_mask)
        return outputs

    # The common call of a training step: a built layer on one tensor, with at most
    # ``training``, no mask on the way in or out and no activity regularizer. It does what the
    # general path above does in that case, without the steps that have nothing to do there.
    def _plain_eager_call(self, x):
        if self.activity_regularizer is not None or getattr(x, "_keras_mask", None) is not None:
            return False
        if self.supports_masking and type(self).compute_mask not in PASS_THROUGH_MASKS:
            return False
        mask = self._call_parameters.get("mask")
        if mask is not None and mask.default is not None:
            return False
        return not (self.autocast and x._value.dtype.kind == "f"
                    and x.dtype != self.compute_dtype)

    def _eager_call(self, x, kwargs):
        checked = (self.input_spec, x._value.shape, x._value.dtype)
        if self._checked_input != checked:  # the same spec, shape and dtype passed before
            self._assert_input_compatibility(x)
            self._checked_input = checked
        return self._call_in_context((x,), kwargs, self._resolve_training(kwargs))

    def _call_in_context(self, args, kwargs, training):
        """``self.call(*args, **kwargs)`` inside this layer's name scope, with ``training``
        visible to the layers it calls; the outermost call starts a fresh set of losses."""
        if not _training_contexts:
            self._clear_losses()
        _training_contexts.append(training)
        try:
            with _NameScope(self):
                if not self.built:
                    self._path = current_path()
                return self.call(*args, **kwargs)
        finally:
            _training_contexts.pop()

    # -- masks ----------------------------------------------------------------------------------
    # A Keras mask marks the entries of a tensor that count (Embedding(mask_zero=True): the
    # steps whose id is not 0). It rides on the tensor (``_keras_mask``) from layer to layer:
    # a layer whose ``call`` takes ``mask`` receives it, and a layer that ``supports_masking``
    # attaches ``compute_mask(inputs, mask)`` to its outputs. Any other layer drops it.
    def _pass_masks(self, args, kwargs):
        """Fill ``call``'s ``mask`` argument (or ``<argument>_mask`` for a call with several
        tensor arguments) with the masks of the inputs, when the caller gave none; return the
        mask ``compute_mask`` will see (the given one, or that of the first input)."""
        parameters = self._call_parameters
        if not any(name == "mask" or name.endswith("_mask") for name in parameters):
            return _map_leaves(keras_mask, args[0])  # the common case, without binding
        if (len(args) == 1 and isinstance(args[0], Tensor) and "mask" in parameters
                and kwargs.get("mask") is None and kwargs.keys() <= {"training", "mask"}):
            # one tensor argument (a model's call, say): it passes its own mask, as the
            # binding below finds
            kwargs["mask"] = mask = keras_mask(args[0])
            return mask
        bound = inspect.Signature(list(parameters.values())).bind_partial(*args, **kwargs)

        def unset(name):
            return name in parameters and (
                name not in bound.arguments or (name in kwargs and kwargs[name] is None))

        tensors = {name: value for name, value in bound.arguments.items()
                   if name not in ("mask", "training")
                   and any(isinstance(leaf, Tensor) for leaf in flatten(value))}
        if len(tensors) == 1 and unset("mask"):
            kwargs["mask"] = _map_leaves(keras_mask, next(iter(tensors.values())))
        elif len(tensors) > 1:
            for name, value in tensors.items():
                if unset(f"{name}_mask"):
                    kwargs[f"{name}_mask"] = _map_leaves(keras_mask, value)
        given = kwargs.get("mask", bound.arguments.get("mask"))
        return given if given is not None else _map_leaves(keras_mask, args[0])

    def _attach_masks(self, inputs, outputs, previous_mask):
        """Attach ``compute_mask(inputs, previous_mask)`` to outputs that have no mask yet, or
        warn that the mask is dropped when this layer does not support masking."""
        if not self.supports_masking:
            if any(m is not None for m in flatten(previous_mask)):
                warnings.warn(
                    f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input "
                    "with a mask attached to it, but it does not support masking: the mask is "
                    "dropped, and the layers after it will not see it.", stacklevel=3)
            return
        leaves = flatten(outputs)
        if all(keras_mask(leaf) is not None for leaf in leaves):
            return
        masks = self.compute_mask(inputs, previous_mask)
        if masks is None:
            return
        for leaf, mask in zip(leaves, flatten(masks), strict=False):
            if isinstance(leaf, (Tensor, KerasTensor)) and keras_mask(leaf) is None \
                    and mask is not None:
                leaf._keras_mask = mask

    def _activity_penalty(self, output):
        # Keras divides the summed penalty by the batch size (a per-sample mean).
        penalty = self.activity_regularizer(output)
        if output.ndim == 0:
            return penalty
        if output.shape[0] == 0:
            return ops.zeros_like(penalty)
        return ops.divide(penalty, ops.cast(output.shape[0], penalty.dtype))

    # -- shapes and symbolic calls --------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        """The output shape (a tuple, batch dimension included, None where unknown) for
        inputs of ``input_shape``; a layer called on a symbolic Input needs it."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not implement compute_output_shape(input_shape), "
            "so it cannot be called on a symbolic Input (nbkeras does not trace call())"
        )

    def compute_output_spec(self, inputs, *args, **kwargs):
        """The output as KerasTensors, from ``compute_output_shape`` (no computation)."""
        output_shape = self.compute_output_shape(_shape_of(inputs))
        if isinstance(output_shape, list) and output_shape and all(
            isinstance(s, (tuple, list)) for s in output_shape
        ):
            return [KerasTensor(s, dtype=self.compute_dtype) for s in output_shape]
        return KerasTensor(output_shape, dtype=self.compute_dtype)

    def compute_mask(self, inputs, previous_mask=None):
        """The mask of the output: by default the input's mask, passed on unchanged."""
        return previous_mask

    def _node_attribute(self, attribute, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input and thus has "
                f"no defined {what}"
            )
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has been called {len(self._inbound_nodes)} times, so its "
                f"{what} is ambiguous"
            )
        values = getattr(self._inbound_nodes[0], attribute)
        return values[0] if len(values) == 1 else values

    @property
    def input(self):
        """The symbolic input of the layer's only call on symbolic tensors."""
        return self._node_attribute("input_tensors", "input")

    @property
    def output(self):
        """The symbolic output of the layer's only call on symbolic tensors."""
        return self._node_attribute("outputs", "output")

    # -- config ---------------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments, as Keras writes them (``from_config`` inverts it).

        A subclass that does not override ``get_config`` gets the arguments it was constructed
        with, as Keras records them; one constructed with other than plain values must write
        its own ``get_config``."""
        result = {"name": self.name}
        if type(self).get_config is Layer.get_config:
            if self._auto_config is None:
                raise NotImplementedError(
                    f"Object {type(self).__name__} was created by passing non-serializable "
                    "argument values in `__init__()`, and therefore the object must override "
                    "`get_config()` in order to be serializable. Please implement "
                    "`get_config()`."
                )
            result.update(self._auto_config)
            parameters = inspect.signature(self.__init__).parameters.values()
            if not any(p.name == "name" or p.kind is p.VAR_KEYWORD for p in parameters):
                result.pop("name")  # __init__ could not take it back
        result.update({
            "trainable": self.trainable,
            "dtype": {"module": "keras", "class_name": "DTypePolicy",
                      "config": {"name": self.dtype}, "registered_name": None},
        })
        if self.activity_regularizer is not None:
            result["activity_regularizer"] = serialization_lib.serialize_keras_object(
                self.activity_regularizer
            )
        return result

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # -- saving ---------------------------------------------------------------------------------
    def save_own_variables(self, store):
        """Write this layer's own variables (not its sub-layers') into ``store`` as ``"0"``,
        ``"1"``, ...: the trainable ones in creation order, then the others (Keras' order,
        which ``saving_lib`` writes to the ``vars/`` group of the layer)."""
        for i, variable in enumerate(self._trainable_variables + self._non_trainable_variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Assign the arrays ``save_own_variables`` wrote. Every count and shape is checked
        before anything is assigned, so a layer that does not fit is left as it was."""
        own = self._trainable_variables + self._non_trainable_variables
        if len(store.keys()) != len(own):
            if not own and not self.built:
                raise ValueError(
                    f"Layer '{self.name}' was never built and thus it doesn't have any "
                    f"variables. However the weights file lists {len(store.keys())} variables "
                    "for this layer. Give the layer a build() method that creates all of its "
                    "state (that of its sub-layers included), or a build_from_config() that "
                    "rebuilds it from get_build_config()."
                )
            raise ValueError(
                f"Layer '{self.name}' expected {len(own)} variables, but received "
                f"{len(store.keys())} variables during loading. Expected: "
                f"{[v.name for v in own]}"
            )
        values = [store[str(i)] for i in range(len(own))]
        for variable, value in zip(own, values, strict=True):
            if tuple(variable.shape) != tuple(value.shape):
                raise ValueError(
                    f"Layer '{self.name}' (of type {type(self).__name__}): its weight "
                    f"'{variable.name}' has shape {tuple(variable.shape)}, but the saved value "
                    f"has shape {tuple(value.shape)}. The saved model's layer was built for "
                    "other inputs or with other arguments."
                )
        for variable, value in zip(own, values, strict=True):
            variable.assign(value)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


PASS_THROUGH_MASKS = {Layer.compute_mask}
"""``compute_mask`` methods that add no mask an unmasked input lacks (Layer's passes the input's
on; Model's leaves the masks the inner layers attached): a layer with one of them may take the
direct call path."""
