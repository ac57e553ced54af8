"""Initializers: statistics against the derived variances, distributions against Keras' samples
(two-sample Kolmogorov-Smirnov), configs, names and Keras' seeding behaviour.

TensorFlow's random bits cannot be reproduced (KERAS_NOTES 0.2), so random initializers are
checked by distribution; seeded nbkeras draws are checked to repeat bit for bit.
"""

import math

import numpy as np
import pytest
from scipy import stats

import nbkeras as keras
from nbkeras import initializers
from nbkeras.utils.keras_reference import assert_matches_keras, case, load

TRUNCATED = 0.87962566103423978  # std of N(0, 1) restricted to [-2, 2]


def _derived(name, kwargs, shape):
    """(mean, variance, bound) each initializer is designed to have, from the formulas."""
    receptive = math.prod(shape[:-2])
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    fan_avg = (fan_in + fan_out) / 2
    if name == "RandomNormal":
        return kwargs.get("mean", 0.0), kwargs.get("stddev", 0.05) ** 2, None
    if name == "RandomUniform":
        low, high = kwargs.get("minval", -0.05), kwargs.get("maxval", 0.05)
        return (low + high) / 2, (high - low) ** 2 / 12, None
    if name == "TruncatedNormal":
        mean, std = kwargs.get("mean", 0.0), kwargs.get("stddev", 0.05)
        return mean, (std * TRUNCATED) ** 2, 2 * std
    if name == "Orthogonal":  # orthonormal rows or columns: the mean square is 1 / max(r, c)
        rows, cols = math.prod(shape[:-1]), shape[-1]
        return 0.0, kwargs.get("gain", 1.0) ** 2 / max(rows, cols), None
    scale, fan, distribution = {
        "GlorotUniform": (1.0, fan_avg, "uniform"),
        "GlorotNormal": (1.0, fan_avg, "truncated"),
        "HeNormal": (2.0, fan_in, "truncated"),
        "HeUniform": (2.0, fan_in, "uniform"),
        "LecunNormal": (1.0, fan_in, "truncated"),
        "LecunUniform": (1.0, fan_in, "uniform"),
    }.get(name, (None, None, None))
    if name == "VarianceScaling":
        scale = kwargs["scale"]
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": fan_avg}[kwargs["mode"]]
        distribution = {"uniform": "uniform", "untruncated_normal": "normal"}.get(
            kwargs["distribution"], "truncated")
    variance = scale / fan
    if distribution == "uniform":
        return 0.0, variance, math.sqrt(3 * variance)  # U[-L, L] has variance L^2 / 3
    if distribution == "truncated":
        return 0.0, variance, 2 * math.sqrt(variance) / TRUNCATED
    return 0.0, variance, None


RANDOM_CASES = [c for c in load("initializers") if c.has_array("samples")]
CONSTANT_CASES = [c for c in load("initializers") if c.has_array("values")]


@pytest.mark.parametrize("case", RANDOM_CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("shape", [(256, 512), (3, 3, 16, 32)], ids=["dense", "conv"])
def test_variance_matches_its_derivation(case, shape):
    make = getattr(initializers, case["initializer"])
    x = make(**case["kwargs"], seed=5)(shape).numpy().astype(np.float64)
    assert x.dtype == np.float64 and x.shape == shape
    mean, variance, bound = _derived(case["initializer"], case["kwargs"], shape)
    n = x.size
    # sampling errors: sd(mean) = sqrt(var / n); sd(var) <= var sqrt(2 / n) for these laws
    assert abs(x.mean() - mean) < 5 * math.sqrt(variance / n)
    assert abs(x.var() - variance) < 5 * variance * math.sqrt(2 / n)
    if bound is not None:
        assert np.all(np.abs(x - mean) <= bound * (1 + 1e-6))


@pytest.mark.parametrize("case", RANDOM_CASES, ids=lambda c: c.id)
def test_distribution_matches_keras_samples(case):
    keras_samples = case.array("samples")
    make = getattr(initializers, case["initializer"])
    ours = make(**case["kwargs"], seed=99)(tuple(case["shape"])).numpy()
    assert ours.dtype.name == case["dtype"] and ours.shape == keras_samples.shape
    result = stats.ks_2samp(ours.ravel(), keras_samples.ravel())
    assert result.pvalue > 1e-3, f"{case.id}: KS statistic {result.statistic:.4f}"


@pytest.mark.parametrize("case", RANDOM_CASES, ids=lambda c: c.id)
def test_seeding_behaves_like_keras(case):
    make = getattr(initializers, case["initializer"])
    kwargs = case["kwargs"]
    seeded, unseeded = make(**kwargs, seed=7), make(**kwargs)
    generator = make(**kwargs, seed=keras.random.SeedGenerator(3))
    behaviour = {
        "int_seed_repeats": np.array_equal(seeded((4, 4)), seeded((4, 4))),
        "same_int_seed_same_values": np.array_equal(seeded((4, 4)), make(**kwargs, seed=7)((4, 4))),
        "unseeded_instance_repeats": np.array_equal(unseeded((4, 4)), unseeded((4, 4))),
        "seed_generator_repeats": np.array_equal(generator((4, 4)), generator((4, 4))),
    }
    assert behaviour == {k: case[k] for k in behaviour}


@pytest.mark.parametrize("case", RANDOM_CASES, ids=lambda c: c.id)
def test_config_matches_keras(case):
    initializer = getattr(initializers, case["initializer"])(**case["kwargs"])
    assert initializer.get_config() == case["config"]
    clone = initializers.deserialize(initializers.serialize(initializer))
    assert type(clone) is type(initializer) and clone.get_config() == case["config"]


@pytest.mark.parametrize("case", CONSTANT_CASES, ids=lambda c: c.id)
def test_constant_initializers_match_keras(case):
    initializer = getattr(initializers, case["initializer"])(**case["kwargs"])
    values = initializer(tuple(case["shape"]))
    assert values.dtype == "float32"
    assert_matches_keras(values, case.array("values"), 0.0, case.id)
    expected = dict(case["config"])
    if case["initializer"] == "Identity":
        expected["gain"] = case["kwargs"]["gain"]  # Keras 3.15's config forgets the gain
    assert initializer.get_config() == expected


def test_names_resolve_like_keras():
    for name, class_name in case("initializers", "get/names")["classes"].items():
        if class_name.startswith("error"):
            # Keras 3.15's get("constant") fails reading an empty config; ours is Constant(0)
            assert name == "constant"
            continue
        assert type(initializers.get(name)).__name__ == class_name, name


def test_unknown_names_suggest_the_closest():
    for name in case("initializers", "get/unknown_names")["errors"]:
        with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
            initializers.get(name)
    with pytest.raises(ValueError, match="did you mean 'he_normal'"):
        initializers.get("he_norm")


def test_same_seed_same_weights_bit_for_bit():
    for cls in [initializers.GlorotUniform, initializers.HeNormal, initializers.Orthogonal,
                initializers.TruncatedNormal, initializers.RandomUniform]:
        a, b = cls(seed=42)((8, 6)).numpy(), cls(seed=42)((8, 6)).numpy()
        assert a.tobytes() == b.tobytes()
    first = keras.layers.Dense(5, kernel_initializer=initializers.GlorotUniform(seed=1))
    second = keras.layers.Dense(5, kernel_initializer=initializers.GlorotUniform(seed=1))
    first.build((None, 3))
    second.build((None, 3))
    assert first.kernel.numpy().tobytes() == second.kernel.numpy().tobytes()


def test_orthogonal_is_orthogonal():
    q = initializers.Orthogonal(seed=0)((6, 4)).numpy().astype(np.float64)
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-6)
    wide = initializers.Orthogonal(gain=2.0, seed=0)((3, 8)).numpy().astype(np.float64)
    np.testing.assert_allclose(wide @ wide.T, 4 * np.eye(3), atol=1e-5)
    with pytest.raises(ValueError, match="rank 2 or more"):
        initializers.Orthogonal()((3,))


def test_compute_fans():
    assert initializers.compute_fans((5,)) == (5, 5)
    assert initializers.compute_fans((4, 7)) == (4, 7)
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans(()) == (1, 1)


def test_array_as_initializer():
    value = np.arange(6.0).reshape(2, 3)
    v = keras.Variable(initializers.get(value), shape=(2, 3), dtype="float32")
    np.testing.assert_array_equal(v.numpy(), value)
    with pytest.raises(ValueError, match=r"has shape \(2, 3\), but the weight has shape"):
        initializers.get(value)((3, 2))
