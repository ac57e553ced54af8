"""Models against real Keras: every model of tools/reference/_model_zoo.py (the same source
builds it here and in Keras) must print Keras' summary text, compute Keras' outputs from Keras'
weights, list the same layers and weight paths, and write the same config.

Also: round trips (from_config, clone_model, to_json), the trainable switch, and the errors.
"""

import json
import pathlib
import sys
import warnings

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers
from nbkeras.utils import load_reference
from nbkeras.utils.keras_reference import assert_matches_keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
from reference import _model_zoo  # noqa: E402

CASES = load_reference("models")
# the seeds' Keras 2 models pass input_shape / input_dim; the warning is tested once below
pytestmark = pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch):
    # Keras' summaries were captured with no COLUMNS (76 characters wide, as in a notebook)
    monkeypatch.delenv("COLUMNS", raising=False)


def summary_text(model, **options):
    captured = []
    model.summary(print_fn=captured.append, **options)
    assert len(captured) == 1
    return captured[0]


def case_inputs(case):
    shapes = _model_zoo.MODELS[case["model"]][1]
    if isinstance(shapes, dict):
        return {k: case.array(f"x/{k}") for k in shapes}
    inputs = [case.array(f"x/{i}") for i in range(len(shapes))]
    return inputs[0] if len(inputs) == 1 else inputs


def flat_outputs(case, outputs):
    if isinstance(outputs, dict):
        assert list(outputs) == case["output_keys"]
        return [(k, outputs[k]) for k in case["output_keys"]]
    if case["n_outputs"] is None:
        return [(0, outputs)]
    assert isinstance(outputs, (list, tuple)) and len(outputs) == case["n_outputs"]
    return list(enumerate(outputs))


def built_with_keras_weights(case):
    model = _model_zoo.MODELS[case["model"]][0](keras)
    inputs = case_inputs(case)
    model(inputs)
    model.set_weights([case.array(f"w/{i}") for i in range(len(model.weights))])
    return model, inputs


def as_json(value):
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_summary_before_the_first_call_matches_keras(case):
    if "summary_before_build" not in case.meta:
        pytest.skip("built when made")
    model = _model_zoo.MODELS[case["model"]][0](keras)
    assert not model.built
    assert summary_text(model) == case["summary_before_build"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_model_matches_keras(case):
    model, inputs = built_with_keras_weights(case)
    assert type(model).__name__ == case["class_name"]
    for key, value in flat_outputs(case, model(inputs, training=False)):
        assert value.dtype == "float32"
        assert_matches_keras(value, case.array(f"y/{key}"), 1e-5, f"{case.id} output {key}")
    for options, expected in zip(case["summaries"], case["summary"], strict=True):
        assert summary_text(model, **options) == expected, f"{case.id} summary({options})"
    assert [layer.name for layer in model.layers] == case["layer_names"]
    assert [v.path for v in model.weights] == case["weight_paths"]
    assert [v.path for v in model.trainable_weights] == case["trainable_weight_paths"]
    assert model.count_params() == case["count_params"]
    for attribute in ["output_names", "input_shape", "output_shape"]:
        if case[attribute] is not None:
            assert as_json(getattr(model, attribute)) == case[attribute], attribute
    if case.get("config") is not None:
        assert as_json(model.get_config()) == case["config"]
    assert as_json(keras.saving.serialize_keras_object(model)) == case["serialized"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_training_call_moves_the_statistics_as_keras(case):
    model, inputs = built_with_keras_weights(case)
    model(inputs, training=True)
    for i, w in enumerate(model.get_weights()):
        assert_matches_keras(w, case.array(f"after_training/{i}"), 1e-5, f"{case.id} w{i}")


FUNCTIONAL_OR_SEQUENTIAL = [c for c in CASES if c["class_name"] in ("Sequential", "Functional")]


@pytest.mark.parametrize("case", FUNCTIONAL_OR_SEQUENTIAL, ids=lambda c: c.id)
@pytest.mark.parametrize("how", ["from_config", "clone_model", "json"])
def test_rebuilt_models_compute_the_same(case, how):
    model, inputs = built_with_keras_weights(case)
    if how == "from_config":
        copy = type(model).from_config(model.get_config())
    elif how == "clone_model":
        copy = keras.models.clone_model(model)
    else:
        copy = keras.models.model_from_json(model.to_json())
    assert type(copy) is type(model) and copy is not model
    names = [layer.name for layer in model.layers]
    if how == "clone_model" and case["class_name"] == "Functional":
        # Keras names a cloned Input after the Input's *tensor* ("keras_tensor" when unnamed)
        names = [layer.output.name if isinstance(layer, layers.InputLayer) else layer.name
                 for layer in model.layers]
    else:
        assert as_json(copy.get_config()) == as_json(model.get_config())
    assert [layer.name for layer in copy.layers] == names
    copy(inputs)
    assert all(a is not b for a, b in zip(copy.weights, model.weights, strict=True))
    copy.set_weights(model.get_weights())
    expected = model(inputs, training=False)
    got = copy(inputs, training=False)
    for (_, a), (_, b) in zip(flat_outputs(case, got), flat_outputs(case, expected), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_the_three_ways_compute_the_same_from_the_same_weights():
    sequential = _model_zoo.seed_sequential(keras)
    functional = _model_zoo.seed_functional(keras)
    subclassed = _model_zoo.seed_subclassed(keras)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    subclassed(x)
    for model in (functional, subclassed):
        model.set_weights(sequential.get_weights())
        np.testing.assert_array_equal(model(x).numpy(), sequential(x).numpy())


def test_a_shared_layer_runs_twice_with_the_same_weights():
    model = _model_zoo.two_heads_shared(keras)
    shared = model.get_layer("shared_encoder")
    assert len(shared._inbound_nodes) == 2 and len(model.weights) == 8
    a, b = (np.random.default_rng(1).standard_normal((2, 6)).astype(np.float32) for _ in "ab")
    priority, department = model([a, b])
    kernel, bias = (w.numpy() for w in shared.weights)
    expected = keras.activations.softmax(
        keras.ops.convert_to_tensor(np.tanh(a @ kernel + bias) + np.tanh(b @ kernel + bias)
                                    ) @ model.get_layer("department").kernel
        + model.get_layer("department").bias)
    np.testing.assert_allclose(department.numpy(), expected.numpy(), rtol=1e-5)
    assert priority.shape == (2, 1)


def test_inputs_as_a_dict_keyed_by_the_input_names():
    model = _model_zoo.two_heads_shared(keras)
    a, b = np.ones((2, 6), np.float32), np.zeros((2, 6), np.float32)
    by_name = model({"body": b, "title": a})
    for x, y in zip(model([a, b]), by_name, strict=True):
        np.testing.assert_array_equal(x.numpy(), y.numpy())


def test_freezing_a_model_moves_its_weights():
    model = _model_zoo.small_cnn(keras)
    assert len(model.trainable_weights) == 8 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 10
    assert "Trainable params: 0 (0.00 B)" in summary_text(model)
    model.trainable = True
    model.get_layer("conv2d").trainable = False
    assert len(model.trainable_weights) == 6
    assert " Non-trainable params: 96 (384.00 B)" in summary_text(model)


def test_get_layer():
    model = _model_zoo.seed_functional(keras)
    assert model.get_layer("layer2") is model.layers[2] is model.get_layer(index=2)
    with pytest.raises(ValueError, match=r"No such layer: nope. Existing layers are: "
                                         r"\['my_input', 'layer1', 'layer2', 'layer3'\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only has 4 layers"):
        model.get_layer(index=4)


def test_sequential_add_and_pop():
    keras.backend.clear_session()
    model = keras.Sequential()
    assert not model.built and model.layers == []
    with pytest.raises(AttributeError, match="has no defined output shape yet"):
        model.output_shape  # noqa: B018
    model.add(keras.Input(shape=(16,)))
    model.add(layers.Dense(32, activation="relu"))
    model.add(layers.Dense(8))
    assert model.output_shape == (None, 8) and model.input_shape == (None, 16)
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    popped = model.pop()
    assert popped.name == "dense_1" and model.output_shape == (None, 32)
    with pytest.raises(ValueError, match=r"Only instances of `keras.Layer` can be added"):
        model.add(3)
    with pytest.raises(ValueError, match="should have unique names. Name 'dense'"):
        model.add(layers.Dense(2, name="dense"))


def test_sequential_build_and_first_call():
    model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    assert model.weights == []
    model.build((None, 3))
    assert [w.shape for w in model.weights] == [(3, 4), (4,), (4, 2), (2,)]
    assert model.input_shape == (None, 3) and model.output_shape == (None, 2)


def test_keras_2_input_shape_warns_as_keras():
    with pytest.warns(UserWarning, match=r"Do not pass an `input_shape`/`input_dim` argument"):
        model = keras.Sequential([layers.Dense(2, input_dim=5)])
    assert model.input_shape == (None, 5)


def test_subclassed_model_tracks_layers_and_the_training_flag():
    model = _model_zoo.subclassed_containers(keras)
    assert [layer.name for layer in model.layers] == [
        "dense", "dense_1", "dense_2", "batch_normalization", "dropout"]
    x = np.random.default_rng(2).standard_normal((64, 4)).astype(np.float32)
    inference = model(x).numpy()
    np.testing.assert_array_equal(model(x, training=False).numpy(), inference)
    moving_mean = model.heads["norm"].moving_mean.numpy().copy()
    model(x, training=True)
    assert not np.array_equal(model.heads["norm"].moving_mean.numpy(), moving_mean)


def test_subclassed_build_warns_and_creates_no_weights():
    model = _model_zoo.seed_subclassed(keras)
    with pytest.warns(UserWarning, match="does not have a `build\\(\\)` method implemented"):
        model.build((None, 3))
    assert model.built and model.weights == []


def test_nested_model_is_one_layer_of_the_outer_graph():
    model = _model_zoo.nested_functional(keras)
    inner = model.get_layer("inner")
    assert isinstance(inner, keras.Model) and len(model.weights) == 8
    x = np.ones((2, 5), np.float32)
    expected = model.get_layer("post")(inner(model.get_layer("pre")(x)))
    np.testing.assert_array_equal(model(x).numpy(), expected.numpy())


def test_errors_say_what_to_do():
    keras.backend.clear_session()
    x = keras.Input(shape=(3,), name="x")
    other = keras.Input(shape=(2,), name="other")
    with pytest.raises(ValueError, match=r"Output 0 of the model, the tensor 'other'.*does not "
                                         r"depend on the model's inputs \['x'\]"):
        keras.Model(x, other)
    merged = layers.Concatenate()([x, other])
    with pytest.raises(ValueError, match=r"Graph disconnected: the tensor 'other'.*layer "
                                         r"'concatenate'"):
        keras.Model(x, layers.Dense(1)(merged))
    a = layers.Dense(2, name="same")(x)
    with pytest.raises(ValueError, match='The name "same" is used 2 times in the model'):
        keras.Model(x, layers.Dense(2, name="same")(a))
    model = keras.Model(x, layers.Dense(2, name="out")(x))
    with pytest.raises(ValueError, match=r"expected shape \(None, 3\).*received an input with "
                                         r"shape \(4, 5\)"):
        model(np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match=r"expects 1 input\(s\) \['x'\], but it received 2"):
        model([np.ones((4, 3), np.float32)] * 2)
    with pytest.raises(ValueError, match=r"with a weight list of length 1, but the layer was "
                                         r"expecting 2 weights"):
        model.set_weights([np.ones((3, 2))])
    with pytest.raises(ValueError, match=r"'out/kernel' has shape \(3, 2\).*\(3, 3\)"):
        model.set_weights([np.ones((3, 3)), np.ones(2)])
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Model"):
        keras.Model(x, a, colour="red")


def test_clear_session_resets_the_names():
    keras.backend.clear_session()
    assert [layers.Dense(1).name for _ in range(2)] == ["dense", "dense_1"]
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense" and keras.Sequential().name == "sequential"
    assert keras.backend.floatx() == "float32" and keras.backend.epsilon() == 1e-7


def test_unknown_class_in_a_config_points_to_custom_objects():
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def compute_output_shape(self, input_shape):
            return input_shape

    model = keras.Sequential([keras.Input(shape=(2,)), Scale(3.0)])
    config = model.get_config()
    with pytest.raises(TypeError, match="Could not locate class 'Scale'.*custom_objects"):
        keras.Sequential.from_config(config)
    restored = keras.Sequential.from_config(config, custom_objects={"Scale": Scale})
    assert restored.layers[0].factor == 3.0
    with keras.saving.custom_object_scope({"Scale": Scale}):
        assert keras.models.model_from_json(model.to_json()).layers[0].factor == 3.0


def test_registered_classes_need_no_custom_objects():
    @keras.saving.register_keras_serializable(package="tests")
    class Twice(layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

        def compute_output_shape(self, input_shape):
            return input_shape

    assert keras.saving.get_registered_name(Twice) == "tests>Twice"
    assert keras.saving.get_registered_object("tests>Twice") is Twice
    model = keras.Sequential([keras.Input(shape=(2,)), Twice()])
    entry = keras.saving.serialize_keras_object(model)["config"]["layers"][1]
    assert entry["registered_name"] == "tests>Twice"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = keras.models.model_from_json(model.to_json())
    assert type(restored.layers[0]) is Twice
