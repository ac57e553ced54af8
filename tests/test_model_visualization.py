"""plot_model draws without Graphviz: the files are real images of the kind their extension
names; model_to_dot writes DOT text with one node per layer and one edge per tensor read."""

import pathlib
import sys

import pytest

import nbkeras as keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
from reference import _model_zoo  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff", "pdf": b"%PDF-"}


@pytest.mark.parametrize("extension", ["png", "jpg", "svg", "pdf"])
def test_plot_model_writes_the_format_of_the_extension(tmp_path, extension):
    model = _model_zoo.two_heads_shared(keras)
    path = tmp_path / f"model.{extension}"
    shown = keras.utils.plot_model(model, to_file=str(path), show_shapes=True,
                                   show_layer_names=True, show_trainable=True, dpi=72)
    data = path.read_bytes()
    if extension == "svg":
        assert b"<svg" in data[:500] and data.rstrip().endswith(b"</svg>")
        assert type(shown).__name__ == "SVG"
    else:
        assert data.startswith(MAGIC[extension])
        assert shown is None if extension == "pdf" else type(shown).__name__ == "Image"


def test_png_size_follows_the_layout_and_dpi(tmp_path):
    from PIL import Image

    model = _model_zoo.small_cnn(keras)
    sizes = {}
    for dpi in (100, 200):
        path = tmp_path / f"cnn{dpi}.png"
        keras.utils.plot_model(model, to_file=str(path), dpi=dpi)
        sizes[dpi] = Image.open(path).size
    assert sizes[200][0] == pytest.approx(2 * sizes[100][0], abs=2)
    width, height = sizes[100]
    assert height > 2 * width  # a chain of seven boxes, top to bottom
    path = tmp_path / "wide.png"
    keras.utils.plot_model(model, to_file=str(path), dpi=100, rankdir="LR")
    wide = Image.open(path).size
    assert wide[0] > 2 * wide[1]


def test_no_extension_means_png(tmp_path):
    keras.utils.plot_model(_model_zoo.seed_sequential(keras), to_file=str(tmp_path / "m"))
    assert (tmp_path / "m.png").read_bytes().startswith(MAGIC["png"])


def test_model_to_dot_has_a_node_per_layer_and_an_edge_per_tensor():
    model = _model_zoo.two_heads_shared(keras)
    text = keras.utils.model_to_dot(model, show_shapes=True)
    assert text.startswith('digraph "ticket_router" {') and "rankdir=TB" in text
    assert text.count("[label=<") == len(model.layers) == 8
    # title, body -> shared (2); shared -> merge, add (2); merge -> hidden; hidden ->
    # priority; add -> department
    assert text.count(" -> ") == 7
    assert "<b>shared_encoder</b> (Dense)" in text and "Output shape: <b>(None, 4)</b>" in text
    sequential = keras.utils.model_to_dot(_model_zoo.seed_sequential(keras))
    assert "InputLayer" not in sequential and sequential.count(" -> ") == 2


def test_expand_nested_draws_the_inner_layers_in_a_frame():
    text = keras.utils.model_to_dot(_model_zoo.nested_functional(keras), expand_nested=True)
    assert "subgraph cluster_0" in text and "inner_hidden" in text


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="This model has not yet been built"):
        keras.utils.plot_model(_model_zoo.seed_subclassed(keras), str(tmp_path / "a.png"))
    model = _model_zoo.seed_functional(keras)
    with pytest.raises(ValueError, match=r"extension 'gif' is not one of"):
        keras.utils.plot_model(model, str(tmp_path / "a.gif"))
    with pytest.raises(ValueError, match="rankdir must be"):
        keras.utils.plot_model(model, str(tmp_path / "a.png"), rankdir="XY")
