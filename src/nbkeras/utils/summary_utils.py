"""``model.summary()``: the table of layers Keras 3 prints, drawn with ``rich`` as Keras does.

One row per layer: its name and class, its output shape, its parameter count and, when the
graph branches (several inputs or outputs at one depth, a layer with several inputs, a shared
layer), what it is ``Connected to``: ``layer[node][tensor]`` for each tensor the call read.
Then the totals, with their memory at each weight's dtype size in 1024-based units.

The widths follow Keras' arithmetic: the line is ``line_length`` wide (default: the terminal's
width less 4, capped at 88, or 108 with the connections column, +12 with ``show_trainable``),
and column ``i`` ends at ``positions[i] * line_length``. ``rich`` shares the width out, wraps
long names at spaces and cuts single long words with an ellipsis.
"""

import math
import re
import shutil

import numpy as np
import rich.console
import rich.markup
import rich.table

# Keras' colours (256-colour palette numbers) in the terminal and the notebook.
_NUMBER, _NONE, _SYMBOL = 34, 45, 33


def _number(x):
    return f"[color({_NONE if x is None else _NUMBER})]{x}[/]"


def _bold(text, color=None):
    return f"[bold][color({color})]{text}[/][/]" if color else f"[bold]{text}[/]"


def _dtype_bytes(dtype):
    dtype = np.dtype(dtype)
    return 1 / 8 if dtype == np.bool_ else dtype.itemsize  # Keras counts a bool as one bit


def count_params(weights):
    """The number of scalars in ``weights``."""
    return int(sum(math.prod(w.shape) for w in weights))


def weight_memory_size(weights):
    """The bytes ``weights`` take at their dtypes (each variable counted once)."""
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape) * _dtype_bytes(w.dtype) for w in unique)


def readable_memory_size(size):
    """``1234.0`` -> ``"1.21 KB"`` (1024-based units B, KB, MB, GB, TB, PB)."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def format_layer_shape(layer):
    """The output shape of the layer's last call on symbolic tensors, else of the shape it
    was built for; ``"?"`` when neither is known."""
    def shape_text(shape):
        return f"({', '.join(_number(d) for d in shape)})"

    if layer._inbound_nodes:
        outputs = layer._inbound_nodes[-1].outputs
        texts = [shape_text(x.shape) for x in outputs]
    else:
        if not layer._build_shapes_dict or "input_shape" not in layer._build_shapes_dict:
            return "?"
        try:
            if _has_output_shape(layer):
                shapes = layer.output_shape
            else:
                shapes = layer.compute_output_shape(layer._build_shapes_dict["input_shape"])
        except NotImplementedError:
            return "?"
        if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
            texts = [shape_text(shapes)]
        else:
            texts = [shape_text(s) for s in shapes]
    if len(texts) == 1:
        return texts[0]
    return "[" + ", ".join(texts) + "]"


def _has_output_shape(layer):
    try:
        layer.output_shape  # noqa: B018
    except AttributeError:
        return False
    return True


def _is_sequential_like(model):
    """A Sequential or subclassed model, or a functional model that is a plain chain."""
    from nbkeras.models.functional import Functional

    if not isinstance(model, Functional) or _is_wrapped_sequential(model):
        return True
    chain = []
    for nodes in model._graph.nodes_by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
        chain.extend(nodes)
    chain_ids = {id(node) for node in chain}
    for layer in model.layers:  # a layer called twice in the chain is shared
        if sum(1 for node in layer._inbound_nodes if id(node) in chain_ids) > 1:
            return False
    return True


def _is_functional(model):
    from nbkeras.models.functional import Functional

    return isinstance(model, Functional) and not _is_wrapped_sequential(model)


def _is_wrapped_sequential(model):
    from nbkeras.models.sequential import Sequential

    return isinstance(model, Sequential)


def _connections(layer, model_nodes):
    parts = []
    for node in layer._inbound_nodes:
        if model_nodes and id(node) not in model_nodes:
            continue  # a call of this layer in another model
        for x in node.input_tensors:
            operation, node_index, tensor_index = x._keras_history
            parts.append(f"{operation.name}[{_number(node_index)}][{_number(tensor_index)}]")
    return ", ".join(parts) if parts else "-"


def _layer_range(layers, layer_range):
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: layer_range = "
            f"{layer_range} of length {len(layer_range)}"
        )
    if not all(isinstance(x, str) for x in layer_range):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    first = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    last = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not first or not last:
        raise ValueError(
            "Passed layer_names do not match the layer names in the model. Received: "
            f"{layer_range}"
        )
    if min(first) > max(last):
        return min(last), max(first) + 1
    return min(first), max(last) + 1


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Print ``model``'s summary (see ``Model.summary``)."""
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_length, header = 88, ["Layer (type)", "Output Shape", "Param #"]
        positions = positions or [0.45, 0.80, 1.0]
        justify = ["left", "left", "right"]
        model_nodes = set()
    else:
        default_length = 108
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        justify = ["left", "left", "right", "left"]
        model_nodes = model._graph.nodes
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    widths, edge = [], 0
    for position in positions:
        width = int(position * line_length) - edge
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        edge += width
    table = rich.table.Table(
        *[rich.table.Column(name, justify=j, width=w)
          for name, j, w in zip(header, justify, widths, strict=True)],
        width=line_length, show_lines=True,
    )

    def fields(layer, prefix):
        name = rich.markup.escape(prefix + layer.name)
        name += f" ([color({_SYMBOL})]{rich.markup.escape(type(layer).__name__)}[/])"
        if not hasattr(layer, "built"):  # an op's step (``ops/operation.py``): no weights
            params = _number(0)
        elif not layer.built:
            params = f"{_number(0)} (unbuilt)"
        else:
            params = _number(f"{layer.count_params():,}")
        row = [name, format_layer_shape(layer), params]
        if not sequential_like:
            row.append(_connections(layer, model_nodes))
        if show_trainable:
            if getattr(layer, "weights", None):
                row.append(_bold("Y", 34) if layer.trainable else _bold("N", 9))
            else:
                row.append(_bold("-"))
        return row

    def rows(layer, level=0):
        found = [fields(layer, "   " * level + "└ " if level else "")]
        nested = getattr(layer, "layers", None) if expand_nested else None
        for inner in nested or []:
            found.extend(rows(inner, level + 1))
        return found

    # a functional model lists its ops' steps too, as Keras does
    layers = model.operations if _is_functional(model) else model.layers
    start, stop = _layer_range(layers, layer_range)
    for layer in layers[start:stop]:
        for row in rows(layer):
            table.add_row(*row)

    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_weights = (optimizer.variables if getattr(model, "compiled", False)
                         and optimizer is not None and optimizer.built else None)
    total_count = count_params(trainable) + count_params(non_trainable)
    total_size = weight_memory_size(trainable) + weight_memory_size(non_trainable)
    if optimizer_weights is not None:
        total_count += count_params(optimizer_weights)
        total_size += weight_memory_size(optimizer_weights)

    def totals_line(label, count, size):
        return _bold(f" {label}: ") + _number(f"{count:,}") + f" ({readable_memory_size(size)})"

    if print_fn:
        # Not the notebook's display (where a capture would still show an empty output).
        console = rich.console.Console(highlight=False, force_terminal=False, color_system=None,
                                       force_jupyter=False)
        console.begin_capture()
    else:
        console = rich.console.Console(highlight=False)
    console.print(_bold(f'Model: "{rich.markup.escape(model.name)}"'))
    console.print(table)
    console.print(totals_line("Total params", total_count, total_size))
    console.print(totals_line("Trainable params", count_params(trainable),
                              weight_memory_size(trainable)))
    console.print(totals_line("Non-trainable params", count_params(non_trainable),
                              weight_memory_size(non_trainable)))
    if optimizer_weights is not None:
        console.print(totals_line("Optimizer params", count_params(optimizer_weights),
                                  weight_memory_size(optimizer_weights)))
    if print_fn:
        print_fn(console.end_capture())
