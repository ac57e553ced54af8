"""The graph of a functional model: which layer calls it holds, in which order they run.

Calling layers on ``keras.Input`` records a ``Node`` per call (``ops/node.py``), and each
KerasTensor remembers the node that made it. ``map_graph`` walks those records back from the
outputs and sorts the nodes by *depth*: an output's node has depth 0, and a node has a depth
one more than the deepest node that uses its outputs. Running the nodes from the deepest to
depth 0 computes every tensor before it is needed (a topological order). The layers come out
in the same order (deepest first, ties in the order the walk met them), which is Keras'
``model.layers`` order.

Structures of tensors (the inputs and outputs of a model: one tensor, a list, a dict) are
flattened as Keras' ``tree`` does: dicts by sorted key.
"""

import collections

from nbkeras.keras_tensor import KerasTensor
from nbkeras.utils.tree import flatten, map_structure, pack_as  # noqa: F401 (graph.flatten ...)


def producing_node(tensor):
    operation, node_index, _ = tensor._keras_history
    return None if operation is None else operation._inbound_nodes[node_index]


Graph = collections.namedtuple(
    "Graph", ["nodes", "nodes_by_depth", "operations", "operations_by_depth", "run_order"]
)
"""``nodes``: the set of ids of the nodes in the graph; ``nodes_by_depth``: depth -> nodes;
``operations``: the layers, deepest first; ``operations_by_depth``: depth -> layers;
``run_order``: the nodes that call a layer, deepest first (the order a call runs them in)."""


def _walk(inputs, outputs):
    """Depth-first from each output back to the inputs: the nodes in topological order
    (inputs first) and, for each layer, the position at which the walk first met it."""
    input_ids = {id(x) for x in inputs}
    finished, in_progress = set(), set()
    ordered, first_seen = [], {}

    def visit(tensor):
        node = producing_node(tensor)
        if node is None or id(node) in finished:
            return
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))  # a declared input made by another layer: stop here
            return
        if id(node) in in_progress:
            raise ValueError(
                f"Tensor {tensor} from layer '{node.operation.name}' is part of a cycle"
            )
        first_seen.setdefault(node.operation, len(first_seen))
        in_progress.add(id(node))
        if not node.is_input:
            for parent_tensor in node.input_tensors:
                visit(parent_tensor)
        in_progress.discard(id(node))
        finished.add(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)
    return ordered, first_seen


def map_graph(inputs, outputs):
    """The ``Graph`` from the flat lists of input and output KerasTensors; raises ValueError
    for an output that cannot be computed from the inputs, and for two layers with the same
    name (a saved config refers to layers by name)."""
    ordered, first_seen = _walk(inputs, outputs)
    in_graph = {id(node) for node in ordered}
    node_depth, operation_depth = {}, {}
    for node in reversed(ordered):  # outputs first
        depth = max(node_depth.setdefault(id(node), 0), operation_depth.get(node.operation, 0))
        node_depth[id(node)] = depth
        operation_depth[node.operation] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    nodes = {id(node): node for node in ordered}
    for x in inputs:  # an input no output depends on still belongs to the model
        node = producing_node(x)
        if node is not None and node.is_input and node.operation not in operation_depth:
            operation_depth[node.operation] = 0
            first_seen[node.operation] = -1
            node_depth[id(node)] = 0
            nodes[id(node)] = node

    nodes_by_depth = collections.defaultdict(list)
    for node_id, depth in node_depth.items():
        nodes_by_depth[depth].append(nodes[node_id])
    operations_by_depth = collections.defaultdict(list)
    for operation, depth in operation_depth.items():
        operations_by_depth[depth].append(operation)
    operations = []
    for depth in sorted(operations_by_depth, reverse=True):
        operations.extend(sorted(operations_by_depth[depth], key=first_seen.__getitem__))

    _check_computable(inputs, outputs, nodes_by_depth)
    names = [operation.name for operation in operations]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the model. All '
                "layer names should be unique: pass name=... to tell them apart"
            )
    run_order = [node for depth in sorted(nodes_by_depth, reverse=True)
                 for node in nodes_by_depth[depth] if not node.is_input]
    return Graph(set(nodes), dict(nodes_by_depth), operations, dict(operations_by_depth),
                 run_order)


def _check_computable(inputs, outputs, nodes_by_depth):
    """Every tensor a node reads, and every output, must follow from the declared inputs (an
    Input left out of ``inputs`` computes nothing)."""
    computable = {id(x) for x in inputs}
    input_names = [t.name for t in inputs]
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for x in node.input_tensors:
                if id(x) not in computable:
                    raise ValueError(
                        f"Graph disconnected: the tensor {x.name!r} (shape {x.shape}) that layer "
                        f"'{node.operation.name}' reads cannot be computed from the model's "
                        f"inputs {input_names}. Pass every keras.Input the outputs depend on in "
                        "`inputs`"
                    )
            if not node.is_input:
                computable.update(id(x) for x in node.outputs)
    for i, x in enumerate(outputs):
        if id(x) not in computable:
            raise ValueError(
                f"Output {i} of the model, the tensor {x.name!r} (shape {x.shape}), does not "
                f"depend on the model's inputs {input_names}: build it by calling layers on "
                "those inputs"
            )


def fill_in(structure, values):
    """``structure`` (a node's call arguments) with each KerasTensor replaced by
    ``values[id(tensor)]``."""
    def replace(item):
        return values[id(item)] if isinstance(item, KerasTensor) else item
    return map_structure(replace, structure)
