"""Ops on KerasTensors against real Keras: every model of
tools/reference/_functional_ops_zoo.py (ops and operators called on ``keras.Input``) must record
Keras' steps, print Keras' summary, compute Keras' outputs from Keras' weights and write Keras'
config; the ``.keras`` files Keras wrote load and predict the same; and the table of op classes
agrees with Keras' classes.
"""

import json
import pathlib
import sys

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops
from nbkeras.ops import operation
from nbkeras.utils import load_reference
from nbkeras.utils.keras_reference import assert_matches_keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
from reference import _functional_ops_zoo as zoo  # noqa: E402

CASES = load_reference("functional_ops")
MODEL_CASES = [c for c in CASES if c["kind"] == "model"]
FILES = pathlib.Path(__file__).resolve().parent / "reference" / "functional_ops"


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # Keras' summaries: 76 columns


def as_json(value):
    return json.loads(json.dumps(value))


def inputs_of(case):
    inputs = [case.array(f"x{i}") for i in range(case["n_inputs"])]
    return inputs if len(inputs) > 1 else inputs[0]


def outputs_of(model, inputs):
    outputs = model.predict(inputs, verbose=0)
    return outputs if isinstance(outputs, list) else [outputs]


def assert_keras_outputs(case, outputs):
    assert len(outputs) == case["n_outputs"]
    for i, (got, dtype) in enumerate(zip(outputs, case["output_dtypes"], strict=True)):
        assert str(got.dtype) == dtype, f"{case.id} output {i} dtype"
        expected = case.array(f"y{i}")
        if dtype == "bool":
            np.testing.assert_array_equal(got, expected)
        else:
            assert_matches_keras(got, expected, 1e-5, f"{case.id} output {i}")


def built_with_keras_weights(case):
    model = zoo.MODELS[case.id][0](keras)
    model.set_weights([case.array(f"w{i}") for i in range(case["n_weights"])])
    return model


def summary_text(model):
    captured = []
    model.summary(print_fn=captured.append)
    return captured[0]


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda c: c.id)
def test_model_with_op_steps_matches_keras(case):
    model = built_with_keras_weights(case)
    assert_keras_outputs(case, outputs_of(model, inputs_of(case)))
    assert [layer.name for layer in model.layers] == case["layers"]
    assert [op.name for op in model.operations] == case["operations"]
    assert summary_text(model) == case["summary"]
    assert as_json(model.get_config()) == case["config"]


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda c: c.id)
def test_the_file_keras_wrote_loads_with_its_steps(case):
    model = keras.models.load_model(FILES / case["file"])
    assert [op.name for op in model.operations] == case["operations"]
    assert as_json(model.get_config()) == case["config"]
    assert summary_text(model) == case["summary"]
    assert_keras_outputs(case, outputs_of(model, inputs_of(case)))


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda c: c.id)
def test_saved_and_rebuilt_models_compute_the_same_bits(case, tmp_path):
    model = keras.models.load_model(FILES / case["file"])
    inputs = inputs_of(case)
    expected = outputs_of(model, inputs)
    model.save(tmp_path / "again.keras")
    rebuilt = [keras.models.load_model(tmp_path / "again.keras"),
               keras.Model.from_config(model.get_config()),
               keras.models.clone_model(model)]
    for copy in rebuilt[:2]:
        assert as_json(copy.get_config()) == case["config"]
    for copy in rebuilt:
        copy.set_weights(model.get_weights())
        for got, want in zip(outputs_of(copy, inputs), expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_the_operation_table_agrees_with_keras_classes():
    (case,) = [c for c in CASES if c["kind"] == "operation_classes"]
    classes = case["classes"]
    for name in operation.KERAS_OPERATIONS:
        cls = operation.operation_class(name)
        assert cls.__name__ in classes, f"Keras has no class {cls.__name__} (ops.{name})"
        keras_class = classes[cls.__name__]
        assert cls._keras_module == keras_class["module"], name
        assert list(cls.call_parameters) == keras_class["call"], name
        assert list(cls.option_parameters) == keras_class["options"], name
    x = keras.Input(shape=(3,))
    recorded = {"abs": ops.abs(x), "absolute": ops.absolute(x), "divide": ops.divide(x, x),
                "true_divide": ops.true_divide(x, x), "__getitem__": x[:, 0]}
    for function, tensor in recorded.items():
        assert type(tensor._keras_history.operation).__name__ == case["records"][function]


def test_operators_record_keras_steps():
    x = keras.Input(shape=(2, 3))
    steps = {
        "Add": x + 1.0, "Subtract": 1.0 - x, "Multiply": 2.0 * x, "TrueDivide": x / 2.0,
        "FloorDivide": x // 2.0, "Mod": x % 2.0, "Power": x ** 2.0, "Negative": -x,
        "Absolute": abs(x), "Less": x < 0, "LessEqual": x <= 0, "Greater": x > 0,
        "GreaterEqual": x >= 0, "NotEqual": x != 0, "LogicalAnd": (x > 0) & (x < 1),
        "LogicalOr": (x > 0) | (x < 1), "LogicalNot": ~(x > 0), "GetItem": x[:, 1:, ..., None],
        "Round": round(x, 1), "Matmul": x @ ops.ones((3, 4)),
    }
    for name, tensor in steps.items():
        assert type(tensor._keras_history.operation).__name__ == name
    assert type(x.reshape((-1, 3))._keras_history.operation).__name__ == "Reshape"
    assert x[:, :1].squeeze(1).shape == (None, 3)
    assert steps["GetItem"].shape == (None, 1, 3, 1)
    assert steps["Matmul"].shape == (None, 2, 4)
    assert steps["Less"].dtype == "bool"
    assert (x == x) is True  # no == step: KerasTensors compare by identity (dict keys)


def test_shapes_follow_the_unknown_sizes():
    x = keras.Input(shape=(None, 3))
    assert ops.reshape(x, (-1, 3)).shape == (None, 3)
    assert ops.sum(x, axis=1).shape == (None, 3)
    assert ops.concatenate([x, x], axis=1).shape == (None, None, 3)
    assert ops.transpose(x, (1, 0, 2)).shape == (None, None, 3)
    assert ops.one_hot(ops.cast(x, "int32"), 4).shape == (None, None, 3, 4)
    assert ops.cast(x, "int32").dtype == "int32"
    mean, variance = ops.moments(x, axes=[1])
    assert mean.shape == variance.shape == (None, 3)


def test_a_model_with_steps_trains_like_the_same_ops_run_eagerly():
    # the graph replays the ops: the same loss and gradients as calling them by hand
    model = zoo.MODELS["selections"][0](keras)
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    labels = np.array([[0, 5], [1, 2], [3, 3], [4, 0]], np.int32)
    head = model.get_layer("head")

    def by_hand():
        hot = ops.sum(ops.one_hot(labels, 6), axis=1)
        kept = ops.where(x > 0, x, 0.1 * x) * hot
        bounded = ops.clip(kept, -0.5, 0.5) + ops.cast(ops.greater(x, 1.0), "float32")
        picked = ops.take_along_axis(x, labels, axis=1)
        return ops.logsumexp(ops.maximum(head(bounded), picked), axis=-1, keepdims=True)

    results = []
    for run in (lambda: model([x, labels])[0], by_hand):
        with keras.GradientTape() as tape:
            loss = ops.sum(run())
        results.append((loss.numpy(), tape.gradient(loss, head.trainable_weights)))
    (graph_loss, graph_grads), (eager_loss, eager_grads) = results
    np.testing.assert_array_equal(graph_loss, eager_loss)
    for a, b in zip(graph_grads, eager_grads, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    model.compile("adam", "mse")
    history = model.fit([x, labels], [np.zeros((4, 1)), np.zeros((4, 2))], epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_an_op_without_a_graph_step_says_so():
    x = keras.Input(shape=(3,))
    with pytest.raises(ValueError, match="KerasTensor is symbolic.*runs inside a "
                                         "keras.layers.Lambda"):
        ops.einsum("ij->j", x)
    assert keras.layers.Lambda(lambda t: ops.einsum("ij->j", t))(x).shape == (3,)


def test_shape_and_dtype_of_a_keras_tensor():
    x = keras.Input(shape=(None, 3), dtype="int32")
    assert ops.shape(x) == (None, None, 3)
    assert ops.dtype(x) == "int32"


def test_a_failed_shape_trial_names_the_step_and_the_shapes():
    x = keras.Input(shape=(6,))
    with pytest.raises(ValueError) as error:
        ops.reshape(x, (4, 4))
    assert "Reshape 'reshape" in " ".join(error.value.__notes__)
    assert "[(None, 6)]" in " ".join(error.value.__notes__)


def test_an_unknown_option_is_refused_with_the_valid_ones():
    cls = operation.operation_class("sum")
    with pytest.raises(ValueError, match=r"unknown options \['axes'\]; expected some of "
                                         r"\['axis', 'keepdims'\]"):
        cls(axes=1)
