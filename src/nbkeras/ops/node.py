"""One call of a layer on symbolic tensors: the edges of the functional-model graph.

A ``Node`` stores the layer, the arguments of the call (with their KerasTensors) and the
outputs. Each output gets a ``KerasHistory`` (layer, node index, tensor index) pointing back at
the node, and each layer keeps the nodes in which it was called (``_inbound_nodes``) and in which
its outputs were used (``_outbound_nodes``). A layer called twice has two nodes: the graph is
over calls, not layers, so a shared layer does not make a cycle.
"""

import collections

from nbkeras.keras_tensor import KerasTensor


class KerasHistory(collections.namedtuple("KerasHistory", ["operation", "node_index",
                                                           "tensor_index"])):
    """Where a KerasTensor came from: ``operation._inbound_nodes[node_index].outputs[
    tensor_index]``."""

    __slots__ = ()


def flatten(structure):
    """The leaves of nested lists, tuples and dicts, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    return [structure]


class Node:
    """The record of ``operation(*call_args, **call_kwargs) -> outputs`` on KerasTensors."""

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = [] if outputs is None else flatten(outputs)
        for x in self.outputs:
            if not isinstance(x, KerasTensor):
                raise ValueError(
                    f"every output of a symbolic call must be a KerasTensor; "
                    f"{operation.name!r} returned {type(x).__name__}"
                )
        self.input_tensors = [
            x for x in flatten([self.call_args, self.call_kwargs]) if isinstance(x, KerasTensor)
        ]
        for x in self.input_tensors:
            if not hasattr(x, "_keras_history"):  # a KerasTensor made by hand: a graph entry
                x._keras_history = KerasHistory(None, 0, 0)
        operation._inbound_nodes.append(self)
        for x in self.input_tensors:
            producer = x._keras_history.operation
            if producer is not None:
                producer._outbound_nodes.append(self)
        node_index = len(operation._inbound_nodes) - 1
        for i, x in enumerate(self.outputs):
            x._keras_history = KerasHistory(operation, node_index, i)
        self.is_input = not self.input_tensors

    @property
    def output_tensors(self):
        return self.outputs

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs (none for an Input)."""
        parents = []
        for x in self.input_tensors:
            producer, node_index, _ = x._keras_history
            if producer is not None:
                parents.append(producer._inbound_nodes[node_index])
        return parents

    def __repr__(self):
        return f"<Node operation={self.operation.name}, id={id(self)}>"
