"""The normalization ops and kernels: gradient checks, Keras reference cases, kernels against
plain NumPy, and the BatchNormalization layer's training/inference/frozen behaviour."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils.keras_reference import assert_matches_keras, load

rng = np.random.default_rng(11)


def normal(*shape):
    return rng.standard_normal(shape)


def positive(*shape):
    return rng.uniform(0.5, 2.0, shape)


def _moments_sum(axes, keepdims=False):
    def f(x):
        mean, variance = ops.moments(x, axes, keepdims=keepdims)
        return mean * 2.0 + variance
    return f


GRADIENT_CASES = {
    "moments": [
        (_moments_sum((0,)), [normal(4, 3)]),
        (_moments_sum((0, 2), keepdims=True), [normal(3, 2, 4)]),  # not contiguous: a copy
        (lambda x: ops.moments(x, (1,))[1], [normal(2, 5, 3)]),
    ],
    "batch_normalization": [
        (lambda x, m, v, o, s: ops.batch_normalization(x, m, v, -1, o, s, epsilon=0.01),
         [normal(5, 3), normal(3), positive(3), normal(3), normal(3)]),
        (lambda x, m, v: ops.batch_normalization(x, m, v, axis=1),
         [normal(2, 3, 4), normal(3), positive(3)]),
    ],
    "layer_normalization": [
        (lambda x, g, b: ops.layer_normalization(x, g, b, axis=-1, epsilon=0.01),
         [normal(3, 5), normal(5), normal(5)]),
        (lambda x, g, b: ops.layer_normalization(x, g, b, axis=1, epsilon=0.01),
         [normal(2, 4, 3), normal(4), normal(4)]),
        (lambda x, g, b: ops.layer_normalization(x, g, b, axis=[0, 2], epsilon=0.01),
         [normal(2, 3, 4), normal(2, 4), normal(2, 4)]),
    ],
}


def test_batch_normalization_in_training_matches_the_closed_form_gradient():
    # Through moments + batch_normalization the tape must produce the textbook BN gradient:
    # dx = gamma r / N (N g - sum g - xhat sum(g xhat))
    x, gamma, beta = normal(6, 3), normal(3), normal(3)
    eps = 1e-3
    g = normal(6, 3)
    xt = keras.ops.convert_to_tensor(x)
    with keras.GradientTape() as tape:
        tape.watch(xt)
        mean, variance = ops.moments(xt, (0,))
        y = ops.batch_normalization(xt, mean, variance, -1, beta, gamma, epsilon=eps)
    got = tape.gradient(y, xt, output_gradients=g).numpy()
    r = 1 / np.sqrt(x.var(0) + eps)
    xhat = (x - x.mean(0)) * r
    n = x.shape[0]
    expected = gamma * r / n * (n * g - g.sum(0) - xhat * (g * xhat).sum(0))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", load("ops_normalization"), ids=lambda c: c.id)
def test_normalization_op_matches_keras(case):
    functions = {
        "moments_mean": lambda *a, **k: ops.moments(*a, **k)[0],
        "moments_variance": lambda *a, **k: ops.moments(*a, **k)[1],
        "batch_normalization": ops.batch_normalization,
        "layer_normalization": ops.layer_normalization,
    }
    args, named = [], {}
    for spec in case["args"]:
        if "array" in spec:
            named[spec["array"]] = ops.convert_to_tensor(case.array(spec["array"]))
            args.append(named[spec["array"]])
        else:
            args.append(spec["value"])
    with keras.GradientTape(persistent=True) as tape:
        for t in named.values():
            tape.watch(t)
        out = functions[case["fn"]](*args, **case["kwargs"])
    assert out.dtype == case["output_dtype"]
    assert_matches_keras(out, case.array("output"), 1e-5, f"{case.id} output")
    for name, has_gradient in case["grads"].items():
        grad = tape.gradient(out, named[name], output_gradients=case.array("cotangent"))
        assert has_gradient and grad is not None
        assert_matches_keras(grad, case.array(f"grad/{name}"), 1e-4, f"{case.id} grad {name}")


def test_kernels_match_plain_numpy():
    x = rng.standard_normal((7, 4, 3)).astype(np.float32) * 3 + 5
    mean, variance = ops.moments(x, (0, 2))
    np.testing.assert_allclose(mean.numpy(), x.astype(np.float64).mean((0, 2)), rtol=1e-6)
    np.testing.assert_allclose(variance.numpy(), x.astype(np.float64).var((0, 2)), rtol=1e-5)
    gamma, beta = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(
        np.float32)
    y = ops.layer_normalization(x, gamma, beta, axis=-1, epsilon=1e-3).numpy()
    x64 = x.astype(np.float64)
    expected = (x64 - x64.mean(-1, keepdims=True)) / np.sqrt(x64.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, expected * gamma + beta, rtol=1e-4, atol=1e-5)
    assert y.dtype == np.float32


def test_two_pass_variance_survives_a_large_mean():
    # E[x^2] - E[x]^2 in float32 loses every digit here; mean((x - mean)^2) does not
    x = (1e4 + rng.standard_normal(1000)).astype(np.float32)
    _, variance = ops.moments(x, (0,))
    np.testing.assert_allclose(float(variance), x.astype(np.float64).var(), rtol=1e-6)


def test_moments_and_normalization_errors():
    with pytest.raises(ValueError, match="mean must be a vector of length"):
        ops.batch_normalization(np.ones((2, 3)), np.zeros(4), np.ones(3), axis=-1)
    with pytest.raises(ValueError, match="gamma must have the shape"):
        ops.layer_normalization(np.ones((2, 3)), np.ones(4))


class TestBatchNormalizationLayer:
    def test_moving_statistics_follow_keras_update_rule(self):
        x = (rng.standard_normal((10, 3)) * 2 + 1).astype(np.float32)
        bn = layers.BatchNormalization(momentum=0.9)
        bn(x, training=True)
        batch_mean = x.astype(np.float64).mean(0)
        np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * batch_mean, rtol=1e-5)
        np.testing.assert_allclose(bn.moving_variance.numpy(),
                                   0.9 + 0.1 * x.astype(np.float64).var(0), rtol=1e-5)

    def test_inference_uses_moving_statistics_and_changes_nothing(self):
        x = rng.standard_normal((4, 2)).astype(np.float32)
        bn = layers.BatchNormalization()
        before = [w.copy() for w in bn(x).numpy()]
        np.testing.assert_allclose(before, x / np.sqrt(1 + 1e-3), rtol=1e-6)
        assert np.all(bn.moving_mean.numpy() == 0) and np.all(bn.moving_variance.numpy() == 1)

    def test_frozen_layer_uses_moving_statistics_even_in_training(self):
        x = rng.standard_normal((4, 2)).astype(np.float32) + 3
        bn = layers.BatchNormalization()
        bn.build(x.shape)
        bn.trainable = False
        y = bn(x, training=True).numpy()
        np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-6)
        assert np.all(bn.moving_mean.numpy() == 0)
        assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4

    def test_rank_and_channel_checks(self):
        bn = layers.BatchNormalization(name="bn")
        bn.build((None, 3))
        with pytest.raises(ValueError, match=r"'bn'.*ndim=2, found ndim=3"):
            bn(np.zeros((2, 3, 3), np.float32))
        with pytest.raises(ValueError, match=r"axis -1 .* value 3.*\(2, 4\).*\(None, 3\)"):
            bn(np.zeros((2, 4), np.float32))


def test_layer_normalization_returns_the_compute_dtype():
    # autocast is off for LayerNormalization (as in Keras): float64 data is normalised in
    # float64, and the result is cast to the layer's float32
    x = np.random.default_rng(0).standard_normal((2, 3))
    y = layers.LayerNormalization()(x)
    assert y.dtype == "float32"
    expected = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_layer_normalization_checks_the_normalised_axes_by_name():
    layer = layers.LayerNormalization(name="ln")
    layer(np.ones((2, 6), np.float32))
    with pytest.raises(ValueError, match=r"layer 'ln'.*axis -1 .* value 6.*\(2, 5\).*\(None, 6\)"):
        layer(np.ones((2, 5), np.float32))
    assert layer(np.ones((2, 3, 6), np.float32)).shape == (2, 3, 6)  # other axes are free
    middle = layers.LayerNormalization(axis=1, name="middle")
    middle.build((None, 4, 3))
    with pytest.raises(ValueError, match=r"layer 'middle'.*min_ndim=2, found ndim=1"):
        middle(np.ones(4, np.float32))
