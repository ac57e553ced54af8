"""keras.losses and the cross-entropy ops: against real Keras, central differences, extreme
inputs, and the name lookup."""

import pathlib

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import activations, losses, ops
from nbkeras.utils import check_gradients
from nbkeras.utils.keras_reference import check_loss_case, load, run_loss_case

RTOL = 1e-5

rng = np.random.default_rng(13)


def simplex(*shape):
    """Label rows that sum to 1 along the last axis (TensorFlow's softmax cross-entropy
    gradient is the exact derivative only there)."""
    p = rng.uniform(0.1, 1.0, shape)
    return p / p.sum(axis=-1, keepdims=True)


GRADIENT_CASES = {
    "sigmoid_cross_entropy": [
        (lambda y, x: ops.binary_crossentropy(y, x, from_logits=True),
         [rng.uniform(0, 1, (3, 4)), rng.normal(0, 4, (3, 4))]),
    ],
    "softmax_cross_entropy": [
        (lambda y, x: ops.categorical_crossentropy(y, x, from_logits=True),
         [simplex(3, 4), rng.normal(0, 2, (3, 4))]),
        (lambda y, x: ops.categorical_crossentropy(y, x, from_logits=True, axis=0),
         [np.ascontiguousarray(np.moveaxis(simplex(4, 2, 3), -1, 0)), rng.normal(0, 2, (3, 4, 2))]),
    ],
    "sparse_softmax_cross_entropy": [
        (lambda x: ops.sparse_categorical_crossentropy(np.array([2, 0, 3]), x, from_logits=True),
         [rng.normal(0, 2, (3, 4))]),
        (lambda x: ops.sparse_categorical_crossentropy(np.array([[1, 1], [0, 2]]), x,
                                                       from_logits=True),
         [rng.normal(0, 2, (2, 2, 3))]),
    ],
}


# -- real Keras -----------------------------------------------------------------------------


class ScaledSquaredError(keras.losses.Loss):
    """A custom loss with an option, written as a Keras user would (the chapter's FocalLoss and
    focal_loss, run on TensorFlow by tools/reference/losses.py, are checked by the chapter)."""

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * keras.ops.mean(keras.ops.square(y_pred - y_true), axis=-1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def scaled_squared_error(scale=1.0):
    """The same loss as a closure."""

    def loss(y_true, y_pred):
        return scale * keras.ops.mean(keras.ops.square(y_pred - y_true), axis=-1)

    return loss


KERAS_CASES = [c for c in load("losses") if c["kind"] != "seed"]


@pytest.mark.parametrize("case", KERAS_CASES, ids=lambda c: c.id)
def test_matches_keras(case):
    check_loss_case(case, rtol=RTOL)


ALIASES = {"bce", "BCE", "kld", "KLD", "mae", "MAE", "mse", "MSE", "mape", "MAPE", "msle", "MSLE"}


def test_every_keras_loss_has_reference_cases():
    covered = {c["name"] for c in KERAS_CASES}
    expected = set(losses.ALL_OBJECTS_DICT) - ALIASES - {"Loss", "LossFunctionWrapper"}
    assert expected <= covered, sorted(expected - covered)


DOCUMENTED = {  # as printed in the Keras 3.15 documentation and the issue
    "docs/bce_logits": "0.865458", "docs/focal_logits": "0.6912122",
    "docs/cce_1": "0.39925388", "docs/cce_2": "0.105360545",
    "docs/bce_1": "0.5108256", "docs/bce_2": "0.105360545",
    "docs/mae": "1.0", "docs/mse": "0.5", "docs/huber": "0.18",
    "docs/bce_function": ["0.91629076", "0.7135582"],
    "docs/cce_function": ["0.05129331", "2.3025851"],
    "docs/scce_function": ["0.10536067", "2.9957323", "1.3862944"],
    "docs/mse_function": ["0.00166667", "0.48666668"],
    "docs/mae_function": ["0.03333334", "0.59999996"],
    "docs/bce_default": "0.8149245", "docs/bce_weighted": "0.45814538",
    "docs/bce_sum": "1.629849", "docs/bce_none": ["0.91629076", "0.7135582"],
}


@pytest.mark.parametrize("case_id", sorted(DOCUMENTED))
def test_documented_examples(case_id):
    case = next(c for c in load("losses") if c.id == case_id)
    out, _ = run_loss_case(case, case.array("y_true"), case.array("y_pred"))
    printed = np.atleast_1d(DOCUMENTED[case_id])
    # agreement to 1e-6, or to half a unit of the last printed digit
    half_unit = np.array([0.5 * 10.0 ** -len(v.split(".")[1]) for v in printed])
    expected = printed.astype(np.float64)
    assert np.all(np.abs(np.atleast_1d(out.numpy()) - expected) <= 1e-6 * np.abs(expected)
                  + half_unit), (out, printed)


# -- derivatives ----------------------------------------------------------------------------


def probabilities(*shape):
    return rng.uniform(0.05, 0.95, shape)


def binary(*shape):
    return rng.integers(0, 2, shape).astype(np.float64)


def one_hot(batch, classes):
    return np.eye(classes)[rng.integers(0, classes, batch)]


def margins_away_from_kinks(y, *shape):
    """Predictions whose margins 1 - y p stay clear of 0 (the hinge's kink)."""
    p = rng.uniform(-2, 2, shape)
    p[np.abs(1 - y * p) < 0.1] += 0.3
    return p


LABELS = rng.integers(0, 4, 5)
Y_PM1 = 2 * binary(4, 3) - 1
LOSS_FUNCTIONS = {
    "binary_crossentropy": (losses.binary_crossentropy, [binary(4, 3), probabilities(4, 3)]),
    "binary_crossentropy/logits": (
        lambda y, p: losses.binary_crossentropy(y, p, from_logits=True, label_smoothing=0.1),
        [binary(4, 3), rng.normal(0, 3, (4, 3))]),
    "binary_focal_crossentropy": (
        lambda y, p: losses.binary_focal_crossentropy(y, p, apply_class_balancing=True),
        [binary(4, 3), probabilities(4, 3)]),
    "binary_focal_crossentropy/logits": (
        lambda y, p: losses.binary_focal_crossentropy(y, p, gamma=1.5, from_logits=True),
        [binary(4, 3), rng.normal(0, 3, (4, 3))]),
    "categorical_crossentropy": (losses.categorical_crossentropy, [simplex(4, 5), simplex(4, 5)]),
    "categorical_crossentropy/logits": (
        lambda y, p: losses.categorical_crossentropy(y, p, from_logits=True, label_smoothing=0.2),
        [one_hot(4, 5), rng.normal(0, 2, (4, 5))]),
    "categorical_focal_crossentropy": (
        losses.categorical_focal_crossentropy, [one_hot(4, 5), simplex(4, 5)]),
    "sparse_categorical_crossentropy": (
        lambda p: losses.sparse_categorical_crossentropy(LABELS, p), [simplex(5, 4)]),
    "sparse_categorical_crossentropy/logits": (
        lambda p: losses.sparse_categorical_crossentropy(LABELS, p, from_logits=True),
        [rng.normal(0, 2, (5, 4))]),
    "mean_squared_error": (losses.mean_squared_error, [rng.normal(size=(4, 3)),
                                                       rng.normal(size=(4, 3))]),
    "mean_absolute_error": (losses.mean_absolute_error, [rng.normal(size=(4, 3)),
                                                         rng.normal(size=(4, 3)) + 5]),
    "mean_absolute_percentage_error": (losses.mean_absolute_percentage_error,
                                       [rng.uniform(1, 2, (4, 3)), rng.uniform(3, 4, (4, 3))]),
    "mean_squared_logarithmic_error": (losses.mean_squared_logarithmic_error,
                                       [rng.uniform(0.1, 3, (4, 3)), rng.uniform(0.1, 3, (4, 3))]),
    "huber": (lambda y, p: losses.huber(y, p, delta=0.7),
              [np.zeros((4, 3)), rng.choice([-1.0, 1.0], (4, 3)) * rng.uniform(0, 0.6, (4, 3))
               + rng.choice([0.0, 1.0], (4, 3))]),
    "log_cosh": (losses.log_cosh, [rng.normal(size=(4, 3)), rng.normal(0, 3, (4, 3))]),
    "hinge": (lambda p: losses.hinge(Y_PM1, p), [margins_away_from_kinks(Y_PM1, 4, 3)]),
    "squared_hinge": (lambda p: losses.squared_hinge(Y_PM1, p),
                      [margins_away_from_kinks(Y_PM1, 4, 3)]),
    "categorical_hinge": (losses.categorical_hinge, [one_hot(4, 5), rng.normal(size=(4, 5))]),
    "kl_divergence": (losses.kl_divergence, [simplex(4, 5), simplex(4, 5)]),
    "poisson": (losses.poisson, [rng.poisson(2.0, (4, 3)).astype(float),
                                 rng.uniform(0.5, 4, (4, 3))]),
    "cosine_similarity": (losses.cosine_similarity, [rng.normal(size=(4, 3)),
                                                     rng.normal(size=(4, 3))]),
    "dice": (lambda y, p: losses.dice(y, p, axis=1), [binary(3, 6), probabilities(3, 6)]),
    "tversky": (lambda y, p: losses.tversky(y, p, alpha=0.3, beta=0.7, axis=1),
                [binary(3, 6), probabilities(3, 6)]),
    "categorical_generalized_cross_entropy": (
        lambda p: losses.categorical_generalized_cross_entropy(LABELS, p, q=0.5),
        [simplex(5, 4)]),
    "BinaryCrossentropy/weighted_sum": (
        lambda y, p: losses.BinaryCrossentropy(reduction="sum", dtype="float64")(
            y, p, sample_weight=np.array([1.0, 0.0, 2.0, 0.5])),
        [binary(4, 3), probabilities(4, 3)]),
    "SparseCategoricalCrossentropy/ignore_class": (
        lambda p: losses.SparseCategoricalCrossentropy(ignore_class=2, dtype="float64")(
            LABELS, p), [simplex(5, 4)]),
    "MeanSquaredError/mean_with_sample_weight": (
        lambda y, p: losses.MeanSquaredError(reduction="mean_with_sample_weight",
                                             dtype="float64")(y, p, sample_weight=[[1.0], [3.0]]),
        [rng.normal(size=(2, 4)), rng.normal(size=(2, 4))]),
}


@pytest.mark.parametrize("name", sorted(LOSS_FUNCTIONS))
def test_every_loss_passes_a_gradient_check(name):
    f, inputs = LOSS_FUNCTIONS[name]
    assert check_gradients(f, inputs) < 1e-6


def test_every_loss_function_has_a_gradient_check():
    checked = {name.split("/")[0] for name in LOSS_FUNCTIONS}
    functions = {n for n, f in losses.ALL_OBJECTS_DICT.items() if n.islower() and n not in ALIASES}
    assert functions <= checked, sorted(functions - checked)


CROSS_ENTROPIES = [
    ("BinaryCrossentropy", {}), ("BinaryCrossentropy", {"from_logits": True}),
    ("BinaryFocalCrossentropy", {}), ("BinaryFocalCrossentropy", {"from_logits": True}),
    ("CategoricalCrossentropy", {}), ("CategoricalCrossentropy", {"from_logits": True}),
    ("CategoricalFocalCrossentropy", {}), ("CategoricalFocalCrossentropy", {"from_logits": True}),
    ("SparseCategoricalCrossentropy", {}),
    ("SparseCategoricalCrossentropy", {"from_logits": True}),
    ("KLDivergence", {}), ("Poisson", {}),
]


@pytest.mark.parametrize("name, options", CROSS_ENTROPIES, ids=lambda v: str(v))
@pytest.mark.parametrize("reduction", [None, "sum_over_batch_size"])
def test_extreme_inputs_give_finite_values_and_gradients(name, options, reduction):
    logits = options.get("from_logits", False)
    y_pred = ops.convert_to_tensor(
        np.array([[-100.0, 100.0, 0.0], [100.0, -100.0, 1e4]], np.float32) if logits
        else np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32))
    y_true = (np.array([0, 2]) if name.startswith("Sparse")
              else np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], np.float32))
    loss = getattr(losses, name)(reduction=reduction, **options)
    with keras.GradientTape() as tape:
        tape.watch(y_pred)
        value = loss(y_true, y_pred)
    grad = tape.gradient(value, y_pred)
    assert np.isfinite(value.numpy()).all(), value
    assert np.isfinite(grad.numpy()).all(), grad


def test_saturated_probabilities_hit_the_epsilon_bound():
    # p = 0 for y = 1 is clipped to 1e-7: -log(1e-7) = 16.118095; p = 1 for y = 0 is clipped to
    # float32(1 - 1e-7) = 1 - 2^-23, so the loss is -log(2^-23) = 15.942385
    out = losses.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]], axis=0)
    np.testing.assert_allclose(out.numpy(), [16.118095, 15.942385], rtol=1e-7)


# -- names, configs, errors -------------------------------------------------------------------


def test_get_resolves_names_aliases_classes_and_callables():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("BCE") is losses.binary_crossentropy
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    assert losses.get(None) is None
    custom = ScaledSquaredError()
    assert losses.get(custom) is custom
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.mae is losses.MAE is losses.mean_absolute_error
    assert losses.mape is losses.MAPE is losses.mean_absolute_percentage_error
    assert losses.msle is losses.MSLE is losses.mean_squared_logarithmic_error
    assert losses.kld is losses.KLD is losses.kullback_leibler_divergence is losses.kl_divergence
    assert losses.logcosh is losses.log_cosh


def test_unknown_name_lists_the_closest_names():
    with pytest.raises(ValueError, match="'binary_crosentropy'.*mean 'binary_crossentropy'"):
        losses.get("binary_crosentropy")
    with pytest.raises(ValueError, match="did you mean 'MeanSquaredError'"):
        losses.get("MeanSquareError")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 42"):
        losses.get(42)


@pytest.mark.parametrize("name", sorted(n for n, obj in losses.ALL_OBJECTS_DICT.items()
                                        if isinstance(obj, type) and n not in
                                        ("Loss", "LossFunctionWrapper")))
def test_every_class_survives_a_config_round_trip(name):
    options = {"CategoricalGeneralizedCrossEntropy": {"q": 0.3}, "Huber": {"delta": 2.5},
               "BinaryCrossentropy": {"from_logits": True, "label_smoothing": 0.1}}
    loss = getattr(losses, name)(reduction="sum", name="custom_name", **options.get(name, {}))
    config = losses.serialize(loss)
    assert config["module"] == "keras.losses" and config["class_name"] == name
    restored = losses.deserialize(config)
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()
    assert losses.get(config).get_config() == loss.get_config()


def test_functions_and_wrapped_functions_serialize_by_name():
    config = losses.serialize(losses.binary_crossentropy)
    assert config == {"module": "builtins", "class_name": "function",
                      "config": "binary_crossentropy", "registered_name": "function"}
    assert losses.deserialize(config) is losses.binary_crossentropy
    wrapped = losses.LossFunctionWrapper(losses.huber, reduction="sum", delta=0.5)
    restored = losses.LossFunctionWrapper.from_config(wrapped.get_config())
    assert restored.fn is losses.huber and restored.get_config() == wrapped.get_config()
    y, p = [[0.0, 1.0]], [[0.3, 2.0]]
    np.testing.assert_array_equal(restored(y, p).numpy(), wrapped(y, p).numpy())


def test_custom_loss_subclass_works_standalone_and_round_trips():
    loss = ScaledSquaredError(scale=3.0, reduction="sum")
    assert loss.name.startswith("scaled_squared_error")
    config = losses.serialize(loss)
    assert config["class_name"] == "ScaledSquaredError" and config["config"]["scale"] == 3.0
    with pytest.raises(ValueError, match="'ScaledSquaredError'"):
        losses.deserialize(config)
    restored = losses.deserialize(config, custom_objects={"ScaledSquaredError": ScaledSquaredError})
    y, p = [[1.0, 0.0], [0.0, 1.0]], [[0.8, 0.3], [0.4, 0.9]]
    np.testing.assert_array_equal(restored(y, p).numpy(), loss(y, p).numpy())
    np.testing.assert_allclose(loss(y, p).numpy(), 3 * (0.04 + 0.09 + 0.16 + 0.01) / 2, rtol=1e-6)
    # the closure form, wrapped the way model.compile wraps a plain function
    wrapped = losses.LossFunctionWrapper(scaled_squared_error(3.0), reduction="sum")
    np.testing.assert_array_equal(wrapped(y, p).numpy(), loss(y, p).numpy())


def test_default_names_follow_keras_snake_case():
    # Keras names a Loss after its class with keras' to_snake_case: "BCELoss" -> "bce_loss",
    # "L1L2Loss" -> "l1l2_loss" (printed by keras 3.15)
    class BCELoss(losses.Loss):
        def call(self, y_true, y_pred):
            return y_pred

    class L1L2Loss(BCELoss):
        pass

    assert BCELoss().name.startswith("bce_loss")
    assert L1L2Loss().name.startswith("l1l2_loss")


def test_loss_base_class_needs_call():
    with pytest.raises(NotImplementedError, match="call"):
        losses.Loss()([1.0], [1.0])


@pytest.mark.parametrize("call, error, words", [
    (lambda: losses.MeanSquaredError(reduction="auto"), ValueError, "'auto'"),
    (lambda: losses.MeanSquaredError(dtype="int32"), ValueError, "float dtype"),
    (lambda: losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 3)),
                                       sample_weight=np.ones(3)), ValueError,
     r"sample_weight of shape \(3,\)"),
    (lambda: losses.BinaryCrossentropy()(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)),
                                         sample_weight=np.ones(2)), ValueError,
     r"\(2,\) does not fit loss values of shape \(2, 3\)"),
    (lambda: losses.mean_squared_error(np.zeros((2, 3)), np.zeros(3)), ValueError,
     r"same shape.*\(2, 3\).*\(3,\)"),
    (lambda: losses.binary_crossentropy([[0.0, 1.0]], [[0.5, 0.5]], label_smoothing=1.5),
     ValueError, "label_smoothing"),
    (lambda: losses.sparse_categorical_crossentropy([0, 3], [[0.5, 0.5], [0.2, 0.8]]),
     ValueError, r"label 3 is outside the valid range \[0, 2\)"),
    (lambda: losses.sparse_categorical_crossentropy([0.5, 1], [[0.5, 0.5], [0.2, 0.8]]),
     ValueError, "integer class labels"),
    (lambda: losses.CategoricalGeneralizedCrossEntropy(q=1.5), ValueError, "q must be"),
    (lambda: losses.deserialize(3), ValueError, "expected a name or a config dict"),
    (lambda: losses.serialize(lambda y, p: y), ValueError, "cannot serialize"),
])
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_from_logits_on_a_sigmoid_output_warns_and_uses_the_logits():
    logits = np.array([[2.0, -1.0]], np.float32)
    probabilities_ = activations.sigmoid(logits)
    with pytest.warns(UserWarning, match="from_logits=True"):
        flagged = losses.binary_crossentropy([[1.0, 0.0]], probabilities_, from_logits=True)
    exact = losses.binary_crossentropy([[1.0, 0.0]], logits, from_logits=True)
    np.testing.assert_array_equal(flagged.numpy(), exact.numpy())


def test_categorical_crossentropy_warns_on_a_single_class():
    with pytest.warns(SyntaxWarning, match="num_classes > 1"):
        losses.categorical_crossentropy([[1.0]], [[0.9]])


def test_keras_2_reduction_names():
    assert losses.Reduction.SUM_OVER_BATCH_SIZE == "sum_over_batch_size"
    assert losses.MeanSquaredError(reduction=losses.Reduction.NONE).reduction == "none"


def test_the_chapters_focal_loss_is_the_code_run_on_tensorflow():
    # chapter 3 says its FocalLoss and focal_loss are the code tools/reference/losses.py ran on
    # TensorFlow to make the seed/... cases: the two copies must not drift apart
    root = pathlib.Path(__file__).resolve().parent.parent

    def user_code(path):
        text = (root / path).read_text()
        start = text.index("class FocalLoss(keras.losses.Loss):")
        end = text.index("    return loss\n", start) + len("    return loss\n")
        return text[start:end]

    assert user_code("book/03_losses.py") == user_code("tools/reference/losses.py")


@pytest.mark.parametrize("shape", [(32, 10), (5, 7, 3), (1, 1)])
def test_fused_sparse_cross_entropy_has_the_bits_of_the_op_chain(shape):
    # The one-record primitive must compute what log_softmax, take_along_axis and negative
    # compute, forward and backward, bit for bit (training runs depend on it).
    from nbkeras.ops import nn
    from nbkeras.ops.shape import squeeze, take_along_axis

    generator = np.random.default_rng(1)
    x = keras.Variable(generator.normal(0, 3, shape).astype(np.float32))
    labels = generator.integers(0, shape[-1], shape[:-1])
    with keras.GradientTape(persistent=True) as tape:
        fused = ops.sparse_categorical_crossentropy(labels, x, from_logits=True)
        log_p = nn.log_softmax_p(x, axis=x.ndim - 1)
        picked = take_along_axis(log_p, ops.convert_to_tensor(labels[..., None]), axis=-1)
        chain = ops.negative(squeeze(picked, axis=-1))
        fused_loss, chain_loss = ops.mean(fused * 1.7), ops.mean(chain * 1.7)
    assert np.array_equal(fused.numpy().view(np.int32), chain.numpy().view(np.int32))
    fused_grad, chain_grad = tape.gradient(fused_loss, x), tape.gradient(chain_loss, x)
    assert np.array_equal(fused_grad.numpy().view(np.int32), chain_grad.numpy().view(np.int32))
