"""``keras.models.clone_model``: the same architecture with new, freshly initialised weights.

Each layer is remade from its config (``clone_function``, by default
``layer.__class__.from_config(layer.get_config())``); a functional model's graph is replayed
on new Inputs with the clones (a shared layer is cloned once and stays shared); a Sequential
model gets the clones in order; any other model is rebuilt from its config.
"""

from nbkeras.layers.input_layer import Input, InputLayer
from nbkeras.models import graph
from nbkeras.models.functional import Functional
from nbkeras.models.sequential import Sequential
from nbkeras.saving import serialization_lib


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def _memoized(clone_function, call_function, recursive, cache):
    clone_function = clone_function or _clone_layer

    def clone(layer):
        if id(layer) not in cache:
            if recursive and isinstance(layer, (Sequential, Functional)):
                cache[id(layer)] = clone_model(layer, clone_function=clone_function,
                                               call_function=call_function, recursive=True,
                                               cache=cache)
            else:
                cache[id(layer)] = clone_function(layer)
        return cache[id(layer)]

    return clone


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model with ``model``'s architecture and new weights (copy them with
    ``new.set_weights(model.get_weights())``).

    ``input_tensors``: KerasTensors to build a functional or Sequential clone on (default:
    new Inputs like the model's); ``clone_function(layer)``: how each layer is copied;
    ``call_function(layer, *args, **kwargs)``: how each clone is called in a functional
    graph; ``recursive``: clone nested models layer by layer with the same functions.
    """
    cache = kwargs.pop("cache", None)
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {tuple(kwargs)}")
    if clone_function is not None and not callable(clone_function):
        raise ValueError(
            "Expected `clone_function` argument to be a callable. Received: "
            f"clone_function={clone_function}"
        )
    cache = {} if cache is None else cache
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                "`call_function` argument is not supported with Sequential models: their "
                "layers are only listed, not called, when the model is made"
            )
        clone = _memoized(clone_function, None, recursive, cache)
        return _clone_sequential(model, clone, input_tensors)
    if isinstance(model, Functional) and type(model).get_config is Functional.get_config:
        clone = _memoized(clone_function, call_function, recursive, cache)
        return _clone_functional(model, clone, input_tensors, call_function)
    if clone_function is not None or input_tensors is not None or call_function is not None:
        raise ValueError(
            "Arguments `clone_function`, `call_function` and `input_tensors` are only "
            "supported for Sequential models or Functional models. Received model of type "
            f"'{type(model).__name__}'"
        )
    config = serialization_lib.serialize_keras_object(model)
    return serialization_lib.deserialize_keras_object(
        config, custom_objects={type(model).__name__: type(model)})


def _clone_sequential(model, clone, input_tensors):
    layers = [clone(layer) for layer in model.layers]
    first = model._layers[0] if model._layers else None
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError("Argument `input_tensors` must contain a single tensor.")
            input_tensors = input_tensors[0]
        layers = [Input(tensor=input_tensors)] + layers
    elif isinstance(first, InputLayer):
        layers = [Input(batch_shape=first.batch_shape, dtype=first.dtype, name=first.name,
                        optional=first.optional)] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, clone, input_tensors, call_function):
    if input_tensors is None:
        input_tensors = graph.map_structure(
            lambda x: Input(batch_shape=x.shape, dtype=x.dtype, name=x.name), model.input)
    elif len(graph.flatten(input_tensors)) != len(model.inputs):
        raise ValueError(
            f"`input_tensors` must have the same structure as model.input: {model.input}; "
            f"received {input_tensors}"
        )

    def call_clone(layer):
        new = clone(layer)
        if call_function is None:
            return new
        return lambda *args, **kwargs: call_function(new, *args, **kwargs)

    flat = graph.flatten(input_tensors)
    outputs = model._run_through_graph(flat, call_clone, {})
    return Functional(input_tensors, outputs, name=model.name, trainable=model.trainable)
