"""keras.random and the Dropout layer: seeding behaviour, determinism, dropout statistics."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, random

GRADIENT_CASES = {
    # an int seed draws the same mask on every call, so finite differences see one function
    "dropout": [(lambda x: random.dropout(x, 0.4, seed=5), [np.linspace(-1, 1, 12).reshape(3, 4)]),
                (lambda x: random.dropout(x, 0.5, noise_shape=(1, 4), seed=2),
                 [np.linspace(0.5, 2, 12).reshape(3, 4)])],
}


def test_int_seed_repeats_and_seed_generator_moves_on():
    a = random.normal((3, 4), seed=9).numpy()
    np.testing.assert_array_equal(a, random.normal((3, 4), seed=9).numpy())
    assert not np.array_equal(a, random.normal((3, 4), seed=10).numpy())
    generator = random.SeedGenerator(4)
    first, second = random.uniform((5,), seed=generator), random.uniform((5,), seed=generator)
    assert not np.array_equal(first.numpy(), second.numpy())
    again = random.SeedGenerator(4)
    np.testing.assert_array_equal(first.numpy(), random.uniform((5,), seed=again).numpy())
    np.testing.assert_array_equal(generator.state.numpy(), [4, 2])


def test_set_random_seed_makes_unseeded_draws_repeat():
    keras.random.set_random_seed(123)
    a = random.normal((4,)).numpy(), keras.initializers.GlorotUniform()((3, 3)).numpy()
    keras.random.set_random_seed(123)
    b = random.normal((4,)).numpy(), keras.initializers.GlorotUniform()((3, 3)).numpy()
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert keras.random.get_random_seed() == 123


def test_truncated_normal_stays_within_two_standard_deviations():
    x = random.truncated_normal((20000,), mean=1.0, stddev=0.5, seed=1).numpy()
    assert x.min() >= 0.0 and x.max() <= 2.0
    # the std of N(0, 1) cut at +-2 is 0.8796
    assert abs(x.std() / 0.5 - 0.87962566) < 0.01


def test_seed_errors():
    with pytest.raises(ValueError, match="seed must be an integer or a keras.random.SeedGen"):
        random.normal((2,), seed="a")
    with pytest.raises(ValueError, match="floating-point dtype"):
        random.uniform((2,), dtype="int32")


class TestDropout:
    def test_inverted_scaling_statistics(self):
        x = np.ones((200, 500), np.float32)
        y = layers.Dropout(0.3, seed=1)(x, training=True).numpy()
        kept = y != 0
        # kept entries are scaled by 1 / (1 - rate), so the mean stays 1
        np.testing.assert_allclose(y[kept], np.float32(1) / np.float32(0.7))
        n = x.size
        assert abs(kept.mean() - 0.7) < 4 * np.sqrt(0.7 * 0.3 / n)
        assert abs(y.mean() - 1.0) < 4 * np.sqrt(0.3 / 0.7 / n)

    def test_identity_unless_training(self):
        x = np.arange(6, dtype=np.float32).reshape(2, 3)
        layer = layers.Dropout(0.5)
        np.testing.assert_array_equal(layer(x).numpy(), x)
        np.testing.assert_array_equal(layer(x, training=False).numpy(), x)

    def test_seeded_layers_repeat_mask_sequences(self):
        x = np.ones((4, 8), np.float32)
        first, second = layers.Dropout(0.5, seed=3), layers.Dropout(0.5, seed=3)
        a1, a2 = first(x, training=True).numpy(), first(x, training=True).numpy()
        b1, b2 = second(x, training=True).numpy(), second(x, training=True).numpy()
        np.testing.assert_array_equal(a1, b1)
        np.testing.assert_array_equal(a2, b2)
        assert not np.array_equal(a1, a2)  # a new mask per call
        assert len(first.variables) == 1 and first.weights == []  # the seed state

    def test_noise_shape_shares_the_mask(self):
        x = np.ones((3, 5, 4), np.float32)
        y = layers.Dropout(0.5, noise_shape=(None, 1, 4), seed=0)(x, training=True).numpy()
        assert np.all(y == y[:, :1, :])

    def test_gradient_passes_through_kept_units_only(self):
        x = keras.ops.convert_to_tensor(np.ones((3, 6), np.float32))
        layer = layers.Dropout(0.25, seed=8)
        with keras.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
        grad = tape.gradient(y, x).numpy()
        np.testing.assert_array_equal(grad, y.numpy())  # ones in, so both are mask / 0.75

    def test_invalid_rate(self):
        with pytest.raises(ValueError, match="between 0 and 1"):
            layers.Dropout(1.5)
