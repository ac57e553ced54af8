"""``keras.utils.plot_model`` and ``model_to_dot``: a model's graph as a picture, or as DOT.

Keras hands the graph to Graphviz through pydot, which a fresh machine does not have. Here the
picture is laid out and drawn with matplotlib, in three steps:

1. the graph: one box per layer (a shared layer once), an arrow for every tensor a layer call
   reads (``_graph_of``);
2. layers of the drawing (ranks): an input is at rank 0 and every layer one below the deepest
   layer it reads from, so a merge sits below all of its branches; within a rank, boxes are
   ordered by the mean position of what feeds them (a few barycentre sweeps, which untangle
   most crossings);
3. the drawing: boxes as wide as their text, arrows drawn with right angles (``"ortho"``) or
   straight/curved, top to bottom (``rankdir="TB"``) or left to right (``"LR"``).

``model_to_dot`` writes the same graph as Graphviz DOT text (HTML-like labels, as Keras writes
them), for readers who have Graphviz.
"""

import os

from nbkeras.models.functional import Functional
from nbkeras.models.sequential import Sequential

_FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "svg": "svg", "pdf": "pdf"}


class _Box:
    """One layer's box: its label lines, and its place once laid out."""

    def __init__(self, key, layer, title, rows):
        self.key, self.layer, self.title, self.rows = key, layer, title, rows
        self.rank, self.order = 0, 0.0
        self.x = self.y = self.width = self.height = 0.0
        self.cluster = None


def _shape_text(tensors):
    shapes = [tuple(x.shape) for x in tensors]
    if len(shapes) == 1:
        return str(shapes[0])
    return "[" + ", ".join(str(s) for s in shapes) + "]"


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    cls = type(layer).__name__
    title = f"{layer.name} ({cls})" if show_layer_names else cls
    rows = []
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        name = getattr(activation, "__name__", type(activation).__name__)
        rows.append(("Activation", name, None))
    node = layer._inbound_nodes[0] if layer._inbound_nodes else None
    if show_shapes and node is not None:
        if node.input_tensors:
            rows.append(("Input shape", _shape_text(node.input_tensors), None))
        rows.append(("Output shape", _shape_text(node.outputs), None))
    if show_dtype and node is not None:
        dtypes = sorted({x.dtype for x in node.outputs})
        rows.append(("Output dtype", ", ".join(dtypes), None))
    if show_trainable and getattr(layer, "weights", None):
        rows.append(("Trainable" if layer.trainable else "Non-trainable", "",
                     "#2e7d32" if layer.trainable else "#c62828"))
    return title, rows


def _graph_of(model, label_options, expand_nested, prefix=""):
    """The boxes and edges of ``model``: ``(boxes, edges, entries, exits, clusters)`` where
    ``entries``/``exits`` map the model's input/output tensors (by id) to box keys, so that
    an expanded nested model can be wired into the graph around it."""
    boxes, edges, clusters = {}, [], []
    produced_by = {}  # id(tensor) -> box key that produced it

    def add_box(layer):
        key = prefix + layer.name
        if key not in boxes:
            boxes[key] = _Box(key, layer, *_label(layer, **label_options))
        return key

    if isinstance(model, Sequential):
        layers = model.layers
        chain = []
        for layer in layers:
            if expand_nested and isinstance(layer, (Functional, Sequential)) and layer.built:
                inner = _graph_of(layer, label_options, True, prefix + layer.name + "/")
                _merge(boxes, edges, clusters, inner, layer.name)
                chain.append((inner[2], inner[3]))
            else:
                key = add_box(layer)
                chain.append(({None: [key]}, {None: [key]}))
        for (_, exits), (entries, _) in zip(chain, chain[1:], strict=False):
            for source in _all(exits):
                for target in _all(entries):
                    edges.append((source, target))
        entries = {None: _all(chain[0][0])} if chain else {}
        exits = {None: _all(chain[-1][1])} if chain else {}
        return boxes, edges, entries, exits, clusters

    if not isinstance(model, Functional):  # subclassed: one box, as Keras draws it
        key = add_box(model)
        return boxes, edges, {None: [key]}, {None: [key]}, clusters

    own = model._graph.nodes
    expanded = {}
    operations = model.operations  # the layers and the ops' steps (``ops/operation.py``)
    for layer in operations:
        if expand_nested and isinstance(layer, (Functional, Sequential)):
            expanded[layer.name] = _graph_of(layer, label_options, True,
                                             prefix + layer.name + "/")
            _merge(boxes, edges, clusters, expanded[layer.name], layer.name)
        else:
            add_box(layer)
    for layer in operations:
        for node in layer._inbound_nodes:
            if id(node) not in own:
                continue
            for x in node.outputs:
                produced_by[id(x)] = layer
    for layer in operations:
        for node in layer._inbound_nodes:
            if id(node) not in own:
                continue
            for x in node.input_tensors:
                source_layer = produced_by.get(id(x))
                if source_layer is None:
                    continue
                sources = ([prefix + source_layer.name] if source_layer.name not in expanded
                           else _all(expanded[source_layer.name][3]))
                targets = ([prefix + layer.name] if layer.name not in expanded
                           else _all(expanded[layer.name][2]))
                for source in sources:
                    for target in targets:
                        if (source, target) not in edges:
                            edges.append((source, target))
    entries = {id(x): [prefix + x._keras_history.operation.name] for x in model.inputs}
    exits = {id(x): [prefix + x._keras_history.operation.name] for x in model.outputs}
    return boxes, edges, entries, exits, clusters


def _all(mapping):
    keys = []
    for values in mapping.values():
        keys.extend(v for v in values if v not in keys)
    return keys


def _merge(boxes, edges, clusters, inner, name):
    inner_boxes, inner_edges, _, _, inner_clusters = inner
    boxes.update(inner_boxes)
    edges.extend(inner_edges)
    clusters.extend(inner_clusters)
    clusters.append((name, list(inner_boxes)))


def _rank_and_order(boxes, edges):
    parents = {key: [] for key in boxes}
    for source, target in edges:
        parents[target].append(source)
    ranks = {}

    def rank(key, seen=()):
        if key not in ranks:
            if key in seen:
                raise ValueError("plot_model: the graph has a cycle")
            ranks[key] = 1 + max((rank(p, (*seen, key)) for p in parents[key]), default=-1)
        return ranks[key]

    by_rank = {}
    for i, key in enumerate(boxes):
        boxes[key].rank = rank(key)
        boxes[key].order = float(i)
        by_rank.setdefault(boxes[key].rank, []).append(key)
    children = {key: [] for key in boxes}
    for source, target in edges:
        children[source].append(target)
    for sweep in range(4):  # barycentre sweeps, down then up
        ranks_in_turn = sorted(by_rank) if sweep % 2 == 0 else sorted(by_rank, reverse=True)
        for r in ranks_in_turn:
            for key in by_rank[r]:
                neighbours = parents[key] if sweep % 2 == 0 else children[key]
                if neighbours:
                    boxes[key].order = sum(boxes[n].order for n in neighbours) / len(neighbours)
            by_rank[r].sort(key=lambda k: boxes[k].order)
            for i, key in enumerate(by_rank[r]):
                boxes[key].order = float(i)
    return by_rank


# Sizes in points (1/72 inch) of the drawing, before dpi scaling.
_FONT = 9.0
_CHAR = 0.62 * _FONT  # DejaVu Sans Mono's advance width
_LINE = 1.55 * _FONT
_PAD = 6.0
_GAP_RANK = 34.0
_GAP_BOX = 18.0


def _layout(boxes, by_rank, edges, rankdir):
    """Place the boxes: ranks one below the other; within a rank, each box as close as it can
    get to the mean position of the boxes that feed it (first rank: side by side, centred),
    with boxes pushed apart where they would overlap."""
    for box in boxes.values():
        lines = [box.title] + [f"{k}: {v}" if v else k for k, v, _ in box.rows]
        box.width = max(len(line) for line in lines) * _CHAR + 2 * _PAD
        box.height = len(lines) * _LINE + _PAD
    vertical = rankdir in ("TB", "BT")
    parents = {key: [] for key in boxes}
    for source, target in edges:
        parents[target].append(source)

    def across(box):
        return box.width if vertical else box.height

    along, positions = 0.0, {}
    for r in sorted(by_rank):
        keys = by_rank[r]
        depth = max(boxes[k].height if vertical else boxes[k].width for k in keys)
        total = sum(across(boxes[k]) for k in keys) + _GAP_BOX * (len(keys) - 1)
        start = -total / 2
        wanted = []
        for key in keys:
            size = across(boxes[key])
            fed_by = [positions[p] for p in parents[key] if p in positions]
            wanted.append(sum(fed_by) / len(fed_by) if fed_by else start + size / 2)
            start += size + _GAP_BOX
        placed = []
        for key, centre in zip(keys, wanted, strict=True):  # push right past the previous box
            size = across(boxes[key])
            if placed:
                previous_key, previous = placed[-1]
                lowest = previous + across(boxes[previous_key]) / 2 + _GAP_BOX + size / 2
                centre = max(centre, lowest)
            placed.append((key, centre))
        shift = sum(w - c for w, (_, c) in zip(wanted, placed, strict=True)) / len(placed)
        for key, centre in placed:
            positions[key] = centre + shift
            box = boxes[key]
            if vertical:
                box.x, box.y = positions[key], along + depth / 2
            else:
                box.x, box.y = along + depth / 2, positions[key]
        along += depth + _GAP_RANK
    if rankdir in ("BT", "RL"):
        for box in boxes.values():
            if rankdir == "BT":
                box.y = along - _GAP_RANK - box.y
            else:
                box.x = along - _GAP_RANK - box.x


def _draw(boxes, edges, clusters, rankdir, splines, dpi):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    margin = 24.0 if clusters else 12.0
    left = min(b.x - b.width / 2 for b in boxes.values()) - margin
    right = max(b.x + b.width / 2 for b in boxes.values()) + margin
    top = min(b.y - b.height / 2 for b in boxes.values()) - margin
    bottom = max(b.y + b.height / 2 for b in boxes.values()) + margin
    figure = Figure(figsize=((right - left) / 72, (bottom - top) / 72), dpi=dpi)
    axes = figure.add_axes([0, 0, 1, 1])
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)  # y grows downwards, as the ranks
    axes.axis("off")
    for name, keys in clusters:
        inner = [boxes[k] for k in keys]
        x0 = min(b.x - b.width / 2 for b in inner) - 6
        x1 = max(b.x + b.width / 2 for b in inner) + 6
        y0 = min(b.y - b.height / 2 for b in inner) - 6 - _FONT  # room for the name
        y1 = max(b.y + b.height / 2 for b in inner) + 6
        axes.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, linestyle="--",
                                 edgecolor="#777777", linewidth=0.8))
        axes.text(x0 + 4, y0 + 2, name, fontsize=_FONT * 0.8, color="#555555",
                  va="top", ha="left", family="DejaVu Sans Mono")
    vertical = rankdir in ("TB", "BT")
    for source, target in edges:
        a, b = boxes[source], boxes[target]
        forward = (b.y > a.y) if vertical else (b.x > a.x)
        sign = 1 if forward else -1
        if vertical:
            start, end = (a.x, a.y + sign * a.height / 2), (b.x, b.y - sign * b.height / 2)
        else:
            start, end = (a.x + sign * a.width / 2, a.y), (b.x - sign * b.width / 2, b.y)
        if splines == "ortho" and start[0 if vertical else 1] != end[0 if vertical else 1]:
            middle = (start[1] + end[1]) / 2 if vertical else (start[0] + end[0]) / 2
            points = ([start, (start[0], middle), (end[0], middle)] if vertical
                      else [start, (middle, start[1]), (middle, end[1])])
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, color="black", linewidth=1.2, solid_capstyle="butt")
            start = points[-1]
        style = "arc3,rad=0.15" if splines in ("spline", "curved", "true") else "arc3"
        axes.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9,
                                       color="black", linewidth=1.2, shrinkA=0, shrinkB=0,
                                       connectionstyle=style))
    for box in boxes.values():
        x0, y0 = box.x - box.width / 2, box.y - box.height / 2
        axes.add_patch(FancyBboxPatch((x0, y0), box.width, box.height,
                                      boxstyle="round,pad=0,rounding_size=3",
                                      facecolor="white", edgecolor="black", linewidth=1.0))
        header = box.height if not box.rows else _LINE + _PAD / 2
        axes.add_patch(FancyBboxPatch((x0, y0), box.width, header,
                                      boxstyle="round,pad=0,rounding_size=3",
                                      facecolor="black", edgecolor="black", linewidth=1.0))
        axes.text(box.x, y0 + header / 2, box.title, color="white",
                  fontsize=_FONT, fontweight="bold", ha="center", va="center",
                  family="DejaVu Sans Mono")
        for i, (key, value, color) in enumerate(box.rows):
            text = f"{key}: {value}" if value else key
            axes.text(box.x, y0 + _PAD / 2 + _LINE * (i + 1.5), text, fontsize=_FONT,
                      ha="center", va="center", family="DejaVu Sans Mono",
                      color=color or "black", fontweight="bold" if color else "normal")
    return figure


def _check_built(model):
    if not model.built:
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` "
            "or by calling the model on a batch of data."
        )


def _check_rankdir(rankdir):
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"plot_model: rankdir must be 'TB', 'LR', 'BT' or 'RL'; got "
                         f"rankdir={rankdir!r}")


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho"):
    """Draw ``model``'s graph into ``to_file`` (png, jpg, svg or pdf by its extension; no
    extension means png; ``.dot`` writes ``model_to_dot``'s text) and return the picture
    for a notebook to show (an IPython image; None for pdf or without IPython).

    Each box shows the layer's class (and name with ``show_layer_names``), optionally its
    input and output shapes, output dtype, activation and whether it is trainable; arrows
    follow the tensors. ``rankdir``: ``"TB"`` top to bottom or ``"LR"`` left to right;
    ``expand_nested``: draw the layers of nested models inside a dashed frame; ``dpi``: the
    resolution of raster files; ``splines``: ``"ortho"`` right-angled arrows, or ``"line"`` /
    ``"spline"``. Unlike Keras, no pydot or Graphviz is needed.
    """
    _check_built(model)
    _check_rankdir(rankdir)
    root, extension = os.path.splitext(str(to_file))
    extension = extension[1:].lower() or "png"
    if not os.path.splitext(str(to_file))[1]:
        to_file = f"{to_file}.png"
    if extension == "dot":
        text = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                            show_layer_names=show_layer_names, rankdir=rankdir,
                            expand_nested=expand_nested, dpi=dpi,
                            show_layer_activations=show_layer_activations,
                            show_trainable=show_trainable)
        with open(to_file, "w") as file:
            file.write(text)
        return None
    if extension not in _FORMATS:
        raise ValueError(
            f"plot_model: cannot write {to_file!r}: the extension {extension!r} is not one of "
            f"{sorted(set(_FORMATS) | {'dot'})}"
        )
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    boxes, edges, _, _, clusters = _graph_of(model, options, expand_nested)
    if not boxes:
        raise ValueError(f"plot_model: model '{model.name}' has no layers to draw")
    by_rank = _rank_and_order(boxes, edges)
    _layout(boxes, by_rank, edges, rankdir)
    figure = _draw(boxes, edges, clusters, rankdir, splines, dpi)
    figure.savefig(to_file, format=_FORMATS[extension], dpi=dpi)
    if extension == "pdf":
        return None
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == "svg":
        return display.SVG(filename=to_file)
    return display.Image(filename=to_file)


def _dot_label(box):
    title = box.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if " (" in title:
        name, cls = title.split(" (", 1)
        header = f"<b>{name}</b> ({cls}"
    else:
        header = f"<b>{title}</b>"
    rows = [f'<tr><td bgcolor="black"><font color="white">{header}</font></td></tr>']
    for key, value, color in box.rows:
        value = value.replace("<", "&lt;").replace(">", "&gt;")
        text = f"{key}: <b>{value}</b>" if value else key
        if color:
            text = f'<font color="{color}">{text}</font>'
        rows.append(f"<tr><td>{text}</td></tr>")
    return "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">" + "".join(rows) + "</table>>"


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """``model``'s graph as Graphviz DOT text (``dot -Tpng model.dot`` draws it), with the
    same options as ``plot_model``; note ``show_layer_names`` defaults to True here, as in
    Keras."""
    _check_built(model)
    _check_rankdir(rankdir)
    splines = kwargs.pop("splines", "ortho")
    if kwargs:
        raise ValueError(f"model_to_dot: unknown arguments {sorted(kwargs)}")
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    boxes, edges, _, _, clusters = _graph_of(model, options, expand_nested)
    kind = "subgraph" if subgraph else "digraph"
    lines = [f'{kind} "{model.name}" {{',
             f"  rankdir={rankdir}; concentrate=true; dpi={dpi}; splines={splines};",
             "  node [shape=plaintext];"]
    index = {key: i for i, key in enumerate(boxes)}
    clustered = {key for _, keys in clusters for key in keys}
    for key, box in boxes.items():
        if key not in clustered:
            lines.append(f"  n{index[key]} [label={_dot_label(box)}];")
    for c, (name, keys) in enumerate(clusters):
        lines.append(f'  subgraph cluster_{c} {{ label="{name}"; style=dashed;')
        for key in keys:
            lines.append(f"    n{index[key]} [label={_dot_label(boxes[key])}];")
        lines.append("  }")
    for source, target in edges:
        lines.append(f"  n{index[source]} -> n{index[target]} [penwidth=2];")
    lines.append("}")
    return "\n".join(lines) + "\n"
