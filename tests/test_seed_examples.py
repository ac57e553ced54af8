"""Every example the five seed documents run appears in an executed cell of the book.

The seeds (../shared/seeds/, the documents nbkeras grew from; summarised in its README) are
tf.keras 2 notes with code and printed values. Each example below names the seed, the chapter
that runs it, and fragments of code or output that one executed code cell of that chapter must
contain (compared without whitespace, with ' and " alike). Many chapters run the seed's data
from the reference files, where real Keras recorded the value for the same inputs: those
examples also name the reference case, and the test checks that its inputs are the seed's.

A chapter that is not in this tree yet (callbacks, saving) skips its examples; once it exists,
they must be there. Removing a seed example from the book makes this test fail.
"""

import json
import pathlib
import re
from typing import NamedTuple

import numpy as np
import pytest

from nbkeras.utils import load_reference

BOOK = pathlib.Path(__file__).resolve().parent.parent / "book"


class SeedExample(NamedTuple):
    id: str  # "<seed number>/<what>", the seed being ../shared/seeds/<number>_*.txt
    chapter: str  # the notebook's stem
    fragments: tuple  # all in one executed code cell (source and outputs)
    reference: tuple = ()  # (family, case id, {array: the seed's values})


E = SeedExample
EXAMPLES = [
    # 000: compile's arguments, optimizers' defaults, losses written out, a learning-rate metric
    E("000/binary_crossentropy_from_logits", "03_losses",
      ("[-18.6, 0.51, 2.94, -12.8]", "BinaryCrossentropy(from_logits=True)"),
      ("losses", "docs/bce_logits",
       {"y_true": [0, 1, 0, 0], "y_pred": [-18.6, 0.51, 2.94, -12.8]})),
    E("000/binary_focal_crossentropy_from_logits", "03_losses", ('cases["docs/focal_logits"]',),
      ("losses", "docs/focal_logits", {"y_pred": [-18.6, 0.51, 2.94, -12.8]})),
    E("000/optimizer_defaults", "05_optimizers", ("optimizer_defaults", "inspect.signature")),
    E("000/metrics_accuracy_precision", "12_training",
      ("keras.metrics.Accuracy()", "keras.metrics.Precision()", "model.compile(")),
    E("000/get_lr_metric", "12_training", ("def get_lr_metric(optimizer)", "lr_metric]")),
    # 001: three ways to build the 3 -> 2 -> 2 network; losses with printed values
    E("001/sequential", "11_models", ('name="my_Seq"', 'kernel_initializer="he_normal"')),
    E("001/functional", "11_models", ('name="my_input"', 'name="my_model"')),
    E("001/subclassed", "11_models", ("class MyModel(keras.Model)", "self.layer3")),
    E("001/categorical_crossentropy", "03_losses", ('"docs/cce_1"', '"docs/cce_2"'),
      ("losses", "docs/cce_1", {"y_true": [[0, 1, 0], [0, 0, 1]],
                                "y_pred": [[0.05, 0.9, 0.05], [0.3, 0.2, 0.5]]})),
    E("001/binary_crossentropy", "03_losses", ('"docs/bce_1"', '"docs/bce_2"'),
      ("losses", "docs/bce_2", {"y_true": [[0], [1]], "y_pred": [[0.1], [0.9]]})),
    E("001/mae_mse_huber", "03_losses", ('"docs/mae"', '"docs/mse"', '"docs/huber"'),
      ("losses", "docs/huber", {"y_true": [[0], [1]], "y_pred": [[0.6], [0.4]]})),
    # 002: a tour of the API
    E("002/functional_model", "11_models",
      ('layers.Dense(4, activation="relu")(inputs)', 'Dense(5, activation="softmax")(x)')),
    E("002/subclassed_model_with_dropout_fit", "12_training",
      ("Dropout(0.5)", "batch_size=32, epochs=5")),
    E("002/sequential_add", "11_models", ("Dense(8, input_shape=(32,))", "Dense(4)")),
    E("002/plot_model", "11_models", ("plot_model(", "show_shapes=True")),
    E("002/dense_output_shape", "11_models", ("Input(shape=(16,))", "Dense(32)", "(None, 32)")),
    E("002/reshape", "11_models", ("Reshape((3, 4), input_shape=(12,))", "(None, 3, 4)")),
    E("002/conv2d_then_flatten", "11_models",
      ("Conv2D(64, 3, 3, input_shape=(3, 32, 32))", "(None, 1, 10, 64)", "(None, 640)")),
    E("002/conv2d_shapes", "09_convolution_and_pooling",
      ("Conv2D(2, 3)", "Conv2D(2, 3, dilation_rate=2)", "Conv2D(2, 3, padding='same')",
       "(4, 28, 28, 3)", "(4, 7, 28, 28, 3)")),
    E("002/conv1d_shapes", "09_convolution_and_pooling",
      ("Conv1D(32, 3)", "(4, 10, 128)", "(4, 7, 10, 128)")),
    E("002/conv3d_shapes", "09_convolution_and_pooling", ("Conv3D(2, 3)", "(4, 28, 28, 28, 1)")),
    E("002/conv3d_extended_batch", "09_convolution_and_pooling",
      ("Conv3D(2, 3", "(4, 7, 28, 28, 28, 1)", "(4, 7, 26, 26, 26, 2)")),
    E("002/max_pooling", "09_convolution_and_pooling",
      ("MaxPooling2D(pool_size=(2, 2), strides=(1, 1)",
       "MaxPooling2D(pool_size=(2, 2), strides=(2, 2)")),
    E("002/sigmoid", "02_activations", ("sigmoid([-20, -5, -1, 0, 1, 5, 20])",),
      ("activations", "docs/sigmoid", {"x": [-20, -5, -1, 0, 1, 5, 20]})),
    E("002/tanh", "02_activations", ("tanh([-3, -1, 0, 1, 3])",),
      ("activations", "docs/tanh", {"x": [-3, -1, 0, 1, 3]})),
    E("002/softmax", "02_activations", ('cases["docs/softmax"]', "activations.softmax("),
      ("activations", "docs/softmax", {"x": [[-3, 2], [-1, 2], [0, 2], [1, 2], [3, 2]]})),
    E("002/relu_with_threshold", "02_activations",
      ("[-10, -5, 0, 4, 10]", "threshold=5, max_value=8")),
    E("002/optimizer_two_steps", "05_optimizers",
      ('"seed/adam"', '"seed/rmsprop"', '"seed/sgd"', '"seed/sgd_momentum"', "9.683772")),
    E("002/binary_crossentropy_function", "03_losses",
      ("[[0.0, 1.0], [0.0, 0.0]]", "[[0.6, 0.4], [0.4, 0.6]]", "losses.binary_crossentropy(")),
    E("002/categorical_crossentropy_function", "03_losses",
      ("categorical_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])",)),
    E("002/sparse_categorical_crossentropy_function", "03_losses", ('"docs/scce_function"',),
      ("losses", "docs/scce_function", {"y_true": [1, 2, 3]})),
    E("002/mse_and_mae_functions", "03_losses", ('"docs/mse_function"', '"docs/mae_function"'),
      ("losses", "docs/mse_function", {"y_pred": [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]})),
    E("002/accuracy", "04_metrics", ("Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])",)),
    E("002/binary_accuracy", "04_metrics", ("[[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]",)),
    E("002/categorical_accuracies", "04_metrics",
      ("[[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]",
       "categorical_accuracy(y_true, y_pred)", "sparse_categorical_accuracy(")),
    E("002/top_k_accuracies", "04_metrics",
      ("top_k_categorical_accuracy(y_true, y_pred, k=2)",
       "sparse_top_k_categorical_accuracy([2, 1], y_pred, k=2)")),
    E("002/save_and_load_model", "14_saving", ("model.save(", "load_model(")),
    # 003: callbacks, regularizers and constraints, custom losses
    E("003/lambda_callback_json_lines", "13_callbacks", ("LambdaCallback(", "json.dumps(")),
    E("003/learning_rate_scheduler_source", "13_callbacks",
      ("LearningRateScheduler", "on_epoch_begin")),
    E("003/regularized_sequential", "11_models",
      ("input_dim=64", "MaxNorm(max_value=2, axis=0)", "l1_l2(0.01, 0.01)", 'metrics=["AUC"]',
       "4,810")),
    E("003/focal_loss", "03_losses", ('"seed/FocalLoss"', '"seed/focal_loss"')),
    # 004: compile and training, optimizers with Keras 2 arguments, three ways to train
    E("004/reductions", "03_losses",
      ('"docs/bce_default"', '"docs/bce_weighted"', '"docs/bce_sum"', '"docs/bce_none"'),
      ("losses", "docs/bce_weighted", {"y_true": [[0, 1], [0, 0]],
                                       "y_pred": [[0.6, 0.4], [0.4, 0.6]]})),
    E("004/compile_loss_object_and_name", "12_training",
      ("SparseCategoricalCrossentropy(from_logits=True)", '"sparse_categorical_crossentropy"',
       'kernel_initializer="uniform", input_shape=(10,)', '["acc"]')),
    E("004/compile_adam", "12_training",
      ("Adam(learning_rate=0.01)", '"categorical_crossentropy"')),
    E("004/mse_on_its_own", "03_losses", ('"mse/standalone"', "resuction")),
    E("004/optimizers_with_lr", "05_optimizers",
      ('("Adadelta", {"lr": 1.0})', '("Nadam", {"lr": 0.002})', '"optimizer_names"')),
    E("004/custom_training_loop", "12_training",
      ("GradientTape()", "apply_gradients(zip(gradients, model.trainable_weights")),
    E("004/exponential_decay", "06_learning_rate_schedules",
      ("initial_learning_rate=1e-2, decay_steps=10000, decay_rate=0.9",
       "SGD(learning_rate=lr_schedule)")),
    E("004/apply_gradients_on_a_quadratic", "05_optimizers",
      ("x**2 - 2 * x + 1", "apply_gradients(")),
    E("004/minimize_on_a_quadratic", "05_optimizers", ("minimize(lambda: x**2 - 2 * x + 1, [x])",)),
    E("004/fake_model_fit", "12_training", ("class FakeModel", "decay=1e-6", "nesterov=True")),
    E("004/optimizer_get_and_set_weights", "12_training",
      ("np.arange(100).reshape(5, 20)", "set_weights(", "np.array(10)")),
    E("004/clipnorm_and_clipvalue", "05_optimizers", ("clipnorm=1", "clipvalue=0.5")),
]


def _normal(text):
    return re.sub(r"\s+", "", text).replace('"', "'")


def _executed_cells(chapter, cache={}):  # noqa: B006 (one read per notebook)
    if chapter not in cache:
        cells = []
        for cell in json.loads((BOOK / f"{chapter}.ipynb").read_text())["cells"]:
            if cell["cell_type"] != "code" or cell.get("execution_count") is None:
                continue
            text = "".join(cell["source"])
            for output in cell.get("outputs", []):
                text += "\n" + "".join(output.get("text", ""))
                text += "\n" + "".join(output.get("data", {}).get("text/plain", ""))
            cells.append(_normal(text))
        cache[chapter] = cells
    return cache[chapter]


def test_every_seed_has_examples():
    assert len({e.id for e in EXAMPLES}) == len(EXAMPLES)
    assert {e.id[:3] for e in EXAMPLES} == {"000", "001", "002", "003", "004"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_seed_example_is_in_an_executed_cell(example):
    if not (BOOK / f"{example.chapter}.ipynb").exists():
        pytest.skip(f"{example.chapter} is not in this tree yet")
    fragments = [_normal(f) for f in example.fragments]
    assert any(all(f in cell for f in fragments) for cell in _executed_cells(example.chapter)), (
        f"seed example {example.id}: no executed cell of {example.chapter} contains all of "
        f"{list(example.fragments)}"
    )


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.reference], ids=lambda e: e.id)
def test_reference_case_holds_the_seed_data(example):
    family, case_id, seed_arrays = example.reference
    case = next(c for c in load_reference(family) if c.id == case_id)
    for name, values in seed_arrays.items():
        np.testing.assert_allclose(case.array(name), np.array(values, np.float32), rtol=1e-6,
                                   err_msg=f"{family}/{case_id}: {name} is not the seed's")
