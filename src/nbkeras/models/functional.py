"""The functional model: a graph of layer calls from ``keras.Input`` tensors to outputs.

``Model(inputs, outputs)`` records nothing new: the layer calls on symbolic tensors already
recorded the graph (``ops/node.py``). The model asks ``graph.map_graph`` for the nodes
between its inputs and outputs, sorted by depth, and a call runs them deepest first, each
layer on the values its inputs took (``_run_through_graph``). A layer called twice (shared)
has two nodes, and runs twice with the same weights; a model called inside another model's
graph is one node there.
"""

import copy
import warnings

import numpy as np

from nbkeras import ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.input_layer import InputLayer
from nbkeras.layers.layer import Layer
from nbkeras.models import graph
from nbkeras.models.model import Model
from nbkeras.ops.operation import Operation
from nbkeras.saving import serialization_lib
from nbkeras.tensor import Tensor


def _set(obj, name, value):
    object.__setattr__(obj, name, value)  # internal structures: not tracked as layer state


class Functional(Model):
    """A model defined by ``keras.Input`` tensors and the tensors computed from them.

    ``inputs`` and ``outputs``: one KerasTensor, a list, or a dict of them. Call the model on
    arrays in the same structure (a list of inputs may also be given as a dict keyed by the
    Input names); it returns its outputs in the structure of ``outputs`` (a one-element list
    comes back as the tensor itself).
    """

    _keras_module = "keras.src.models.functional"
    _keras_registered_name = "Functional"

    def __init__(self, inputs, outputs, name=None, **kwargs):
        trainable = kwargs.pop("trainable", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to Model: {kwargs}")
        if isinstance(inputs, dict):
            for key, value in inputs.items():
                if isinstance(value, KerasTensor) and key != value.name:
                    warnings.warn(
                        "When providing `inputs` as a dict, all keys in the dict must match "
                        f"the names of the corresponding tensors. Received key '{key}' "
                        f"mapping to value {value} which has name '{value.name}'. Change the "
                        f"tensor name to '{key}' (via `Input(..., name='{key}')`)",
                        stacklevel=3)
        flat_inputs, flat_outputs = graph.flatten(inputs), graph.flatten(outputs)
        for what, given, flat in (("inputs", inputs, flat_inputs),
                                  ("outputs", outputs, flat_outputs)):
            if not flat:
                raise ValueError(f"`{what}` argument cannot be empty. Received: {what}={given}")
            for x in flat:
                if not isinstance(x, KerasTensor) or not hasattr(x, "_keras_history"):
                    raise ValueError(
                        f"All `{what}` values must be KerasTensors made by keras.Input or by "
                        f"calling layers on them. Received: {what}={given} including invalid "
                        f"value {x!r} of type {type(x)}"
                    )
        for x in flat_inputs:
            node = graph.producing_node(x)
            if node is None or not node.is_input:
                raise ValueError(
                    f"Model inputs must be tensors returned by keras.Input; {x.name!r} was "
                    f"computed by layer '{x._keras_history.operation.name}'. Make a new "
                    "keras.Input for it, or pass the Input it was computed from"
                )
        super().__init__(name=name)
        _set(self, "_inputs_struct", graph.map_structure(lambda x: x, inputs))
        _set(self, "_outputs_struct", graph.map_structure(lambda x: x, outputs))
        _set(self, "_inputs", flat_inputs)
        _set(self, "_outputs", flat_outputs)
        _set(self, "_graph", graph.map_graph(flat_inputs, flat_outputs))
        for layer in self._graph.operations:
            self._track(layer)
        if trainable is not None:
            self.trainable = trainable
        self.built = True
        self._build_shapes_dict = {"input_shape": None}  # Keras' build config of a graph
        _set(self, "output_names", [x._keras_history.operation.name for x in flat_outputs])

    # -- structure ------------------------------------------------------------------------------
    @property
    def layers(self):
        """Every layer of the graph, InputLayers included, deepest first (Keras' order)."""
        return [op for op in self._graph.operations if isinstance(op, Layer)]

    @layers.setter
    def layers(self, _):
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Please use another "
            "name."
        )

    @property
    def operations(self):
        return list(self._graph.operations)

    @property
    def inputs(self):
        """The flat list of the input KerasTensors."""
        return list(self._inputs)

    @property
    def outputs(self):
        """The flat list of the output KerasTensors."""
        return list(self._outputs)

    @property
    def input(self):
        """The inputs as given to the constructor (one tensor, a list or a dict)."""
        return self._inputs_struct

    @property
    def output(self):
        """The outputs as given to the constructor."""
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [x.shape for x in self._inputs]  # flat, as Keras (dicts by sorted key)
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [x.shape for x in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    # -- calling --------------------------------------------------------------------------------
    def _input_names(self):
        return [x.name for x in self._inputs]

    def _standardize_inputs(self, inputs):
        """The call's inputs as a flat list in the order of ``self.inputs``, converted to the
        Inputs' dtypes and checked against their shapes."""
        struct = self._inputs_struct
        names = self._input_names()
        if isinstance(inputs, dict) and not isinstance(struct, dict):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs named {names}, but the dict it "
                    f"received has keys {sorted(inputs)} (missing {missing})"
                )
            flat = [inputs[n] for n in names]
        elif isinstance(struct, dict) and isinstance(inputs, dict):
            missing = [k for k in struct if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs with keys {sorted(struct)}, but "
                    f"received keys {sorted(inputs)} (missing {missing})"
                )
            flat = graph.flatten({k: inputs[k] for k in struct})
        else:
            flat = graph.flatten(inputs)
        if len(flat) != len(self._inputs):
            raise ValueError(
                f"Model '{self.name}' expects {len(self._inputs)} input(s) {names}, but it "
                f"received {len(flat)} input tensor(s). Pass "
                + ("one array" if len(names) == 1 else
                   f"a list of {len(names)} arrays in that order, or a dict keyed by those "
                   "names")
            )
        return [self._conform(x, ref, i) for i, (x, ref) in enumerate(
            zip(flat, self._inputs, strict=True))]

    def _conform(self, x, ref, index):
        if x is None:
            layer = ref._keras_history.operation
            if isinstance(layer, InputLayer) and layer.optional:
                return None
            raise ValueError(
                f"The input '{ref.name}' is not optional, but None was passed. Please "
                "provide a valid tensor."
            )
        if isinstance(x, KerasTensor):
            shape = x.shape
        else:
            mask = getattr(x, "_keras_mask", None)
            x = ops.convert_to_tensor(x, dtype=ref.dtype)
            if mask is not None:
                x._keras_mask = mask
            shape = x.shape
        expected = ref.shape
        if len(shape) == len(expected) + 1 and shape[-1] == 1:
            x = x if isinstance(x, KerasTensor) else ops.squeeze(x, axis=-1)
            shape = shape[:-1]
        elif len(shape) == len(expected) - 1 and expected[-1] == 1:
            x = x if isinstance(x, KerasTensor) else ops.expand_dims(x, axis=-1)
            shape = shape + (1,)
        compatible = len(shape) == len(expected) and all(
            e is None or s is None or e == s for e, s in zip(expected[1:], shape[1:],
                                                           strict=True))
        if not compatible:
            input_layer = ref._keras_history.operation
            readers = sorted({node.operation.name for node in input_layer._outbound_nodes
                              if id(node) in self._graph.nodes})
            owner = getattr(self, "_owner", self)
            raise ValueError(
                f"Input {index} of {type(owner).__name__} model '{owner.name}' (the Input "
                f"'{input_layer.name}', read by layer {', '.join(repr(r) for r in readers)}) "
                f"is incompatible with it: expected shape {expected} (None: any size), but "
                f"received an input with shape {tuple(shape)}"
            )
        return x

    def _assert_input_compatibility(self, inputs):
        pass  # _standardize_inputs checks each input against its Input, by name

    def call(self, inputs, training=None, mask=None):
        flat = self._standardize_inputs(inputs)
        if mask is not None:
            for x, m in zip(flat, graph.flatten(mask), strict=False):
                if m is not None and isinstance(x, Tensor):
                    x._keras_mask = ops.convert_to_tensor(m)
        extra = {} if training is None else {"training": training}
        return _unpack_singleton(self._run_through_graph(flat, lambda layer: layer, extra))

    def _run_through_graph(self, flat_inputs, operation_fn, extra_kwargs):
        """Run every node, deepest first, on the values of its input tensors; return the
        outputs in the structure of ``outputs``."""
        values = {id(ref): x for ref, x in zip(self._inputs, flat_inputs, strict=True)}
        for node in self._graph.run_order:
            call_args = node.call_args
            if (len(call_args) == 1 and not node.call_kwargs
                    and type(call_args[0]) is KerasTensor):  # a layer called on one tensor
                x = values.get(id(call_args[0]), _MISSING)
                if x is _MISSING:
                    continue  # not computed from these inputs
                outputs = operation_fn(node.operation)(
                    x, **(extra_kwargs if isinstance(node.operation, Layer) else {}))
            else:
                if any(id(x) not in values for x in node.input_tensors):
                    continue
                args = graph.fill_in(call_args, values)
                kwargs = graph.fill_in(node.call_kwargs, values)
                if isinstance(node.operation, Layer):  # (an op's step takes no training flag)
                    kwargs.update(extra_kwargs)
                outputs = operation_fn(node.operation)(*args, **kwargs)
            refs = node.outputs
            if len(refs) == 1 and not isinstance(outputs, (list, tuple, dict)):
                values[id(refs[0])] = outputs
            else:
                for ref, value in zip(refs, graph.flatten(outputs), strict=True):
                    values[id(ref)] = value
        return graph.pack_as(self._outputs_struct, [values[id(x)] for x in self._outputs])

    def compute_output_spec(self, inputs, training=None, mask=None):
        flat = self._standardize_inputs(inputs)
        if all(x.shape == ref.shape for x, ref in zip(flat, self._inputs, strict=True)):
            result = graph.map_structure(lambda x: KerasTensor(x.shape, dtype=x.dtype),
                                         self._outputs_struct)
        else:
            result = self._run_through_graph(flat, lambda layer: layer.compute_output_spec, {})
        return _unpack_singleton(result)

    def compute_output_shape(self, input_shape):
        symbolic = graph.map_structure(
            lambda s: KerasTensor(s) if s is not None else None, _as_shapes(input_shape))
        for x, ref in zip(graph.flatten(symbolic), self._inputs, strict=False):
            x._dtype = ref.dtype
        return graph.map_structure(lambda x: x.shape, self.compute_output_spec(symbolic))

    # -- config ---------------------------------------------------------------------------------
    def get_config(self):
        """The graph as Keras writes it: each layer's config with its ``inbound_nodes`` (the
        arguments of each call, tensors named by ``[layer, node, tensor]``), and the model's
        ``input_layers`` and ``output_layers``. A subclass with its own constructor gets its
        constructor arguments instead (as any layer)."""
        if type(self) is not Functional and type(self).__init__ is not Functional.__init__:
            return Model.get_config(self)
        own = self._graph.nodes
        config = {"name": self.name, "trainable": self.trainable}
        reindexed = {}  # (layer, original node index) -> index among this model's nodes
        for operation in self._graph.operations:
            kept = 1 if isinstance(operation, Functional) else 0  # Keras' offset for models
            for index, node in enumerate(operation._inbound_nodes):
                if id(node) in own:
                    reindexed[(id(operation), index)] = kept
                    kept += 1
        layer_configs = []
        for operation in self._graph.operations:
            entry = serialization_lib.serialize_keras_object(operation)
            entry["name"] = operation.name
            entry["inbound_nodes"] = [
                _serialize_node(node, own) for node in operation._inbound_nodes
                if id(node) in own and not node.is_input
            ]
            layer_configs.append(entry)
        config["layers"] = layer_configs

        def tensor_config(x):
            operation, node_index, tensor_index = x._keras_history
            return [operation.name, reindexed[(id(operation), node_index)], tensor_index]

        config["input_layers"] = graph.map_structure(tensor_config, self._inputs_struct)
        config["output_layers"] = graph.map_structure(tensor_config, self._outputs_struct)
        return copy.deepcopy(config)


_MISSING = object()


def _unpack_singleton(x):
    return x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x


def _as_shapes(shape):
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return shape
    if isinstance(shape, dict):
        return {k: _as_shapes(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):
        if all(d is None or isinstance(d, (int, np.integer)) for d in shape):
            return tuple(shape)
        return [_as_shapes(s) for s in shape]
    return shape


def _serialize_node(node, own):
    """A node's call as ``{"args", "kwargs"}``, its KerasTensors as ``__keras_tensor__``
    entries whose node index counts only the nodes of this model."""
    def serialize(x):
        if not isinstance(x, KerasTensor):
            return serialization_lib.serialize_keras_object(x)
        operation, node_index, tensor_index = x._keras_history
        skipped = sum(1 for n in operation._inbound_nodes[:node_index] if id(n) not in own)
        entry = serialization_lib.serialize_keras_object(x)
        entry["config"]["keras_history"] = [operation.name, node_index - skipped, tensor_index]
        return entry

    return {"args": graph.map_structure(serialize, list(node.call_args)),
            "kwargs": graph.map_structure(serialize, dict(node.call_kwargs))}


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild a functional model from ``get_config()``: make every layer, then replay each
    recorded call once the tensors it reads exist (a shared layer's later calls may need
    tensors of layers further down the list)."""
    config = dict(config)
    created = {}
    pending = {}  # layer name -> its calls not replayed yet
    for layer_data in config["layers"]:
        layer = serialization_lib.deserialize_keras_object(layer_data,
                                                           custom_objects=custom_objects)
        if not isinstance(layer, (Layer, Operation)):
            raise ValueError(
                f"Unexpected object from deserialization, expected a layer or an op's step, "
                f"got {layer!r}"
            )
        created[layer_data["name"]] = layer
        pending[layer_data["name"]] = list(layer_data.get("inbound_nodes", []))

    def tensor(name, node_index, tensor_index):
        if name not in created:
            raise ValueError(f"Invalid functional model configuration: unknown layer {name!r}")
        layer = created[name]
        nodes = layer._inbound_nodes
        if node_index >= len(nodes):
            raise IndexError(node_index)  # that call has not been replayed yet
        return nodes[node_index].outputs[tensor_index]

    def revive(item):
        if isinstance(item, KerasTensor):
            return tensor(*item._pre_serialization_keras_history)
        return item

    while any(pending.values()):
        progressed = False
        for layer_data in config["layers"]:
            name = layer_data["name"]
            while pending[name]:
                node_data = pending[name][0]
                try:
                    args = graph.map_structure(revive, serialization_lib.deserialize_keras_object(
                        node_data["args"], custom_objects=custom_objects))
                    kwargs = graph.map_structure(revive, serialization_lib.deserialize_keras_object(
                        node_data["kwargs"], custom_objects=custom_objects))
                except IndexError:
                    break
                created[name](*args, **kwargs)
                pending[name].pop(0)
                progressed = True
        if not progressed:
            raise ValueError(
                "Invalid functional model configuration: the graph has loops or layers whose "
                f"inputs never appear: {[n for n, calls in pending.items() if calls]}"
            )

    def tensors(entry):
        if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str):
            name, node_index, tensor_index = entry
            if isinstance(created[name], Functional):
                node_index -= 1  # Keras counts a model's first node from 1
            return tensor(name, node_index, tensor_index)
        if isinstance(entry, dict):
            return {k: tensors(v) for k, v in entry.items()}
        return [tensors(v) for v in entry]

    inputs = tensors(config.pop("input_layers"))
    outputs = tensors(config.pop("output_layers"))
    name = config.pop("name", None)
    trainable = config.pop("trainable", None)
    config.pop("layers")
    target = Functional if cls is Model else cls
    return target(inputs=inputs, outputs=outputs, name=name, trainable=trainable, **config)
