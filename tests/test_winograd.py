"""Winograd's F(2x2, 3x3) convolution (kernels/winograd.py): the same sums as the definition,
adjoint gradients, work units and threads that change no bit, float32 accuracy no worse than
im2col's, and the fused bias. The Keras reference cases Conv2D/winograd_* (tests/reference)
check it against TensorFlow."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops
from nbkeras.kernels import conv as K
from nbkeras.kernels import threads as T
from nbkeras.kernels import winograd as W
from nbkeras.ops import convolution
from nbkeras.ops.convolution import conv_with_bias

rng = np.random.default_rng(23)


def normal(*shape):
    return rng.standard_normal(shape)


# run by tests/test_gradients.py (central differences in float64), with every module's table
GRADIENT_CASES = {
    "conv": [  # 3x3, stride 1, >= 8 channels: the Winograd path (odd sizes, both paddings)
        (lambda x, w: ops.conv(x, w), [normal(2, 6, 5, 8), normal(3, 3, 8, 8)]),
        (lambda x, w: ops.conv(x, w, padding="same"), [normal(1, 5, 4, 9), normal(3, 3, 9, 8)]),
    ],
    "conv_bias": [
        (lambda x, w, b: conv_with_bias(x, w, b), [normal(2, 5, 6, 8), normal(3, 3, 8, 8),
                                                   normal(8)]),
        (lambda x, w, b: conv_with_bias(x, w, b, 2, "same", "channels_first"),
         [normal(1, 3, 5, 4), normal(2, 2, 3, 2), normal(2)]),
    ],
}

# input shape, filters, pads: odd and even output sizes, borders on every side, one-pixel outputs
GEOMETRIES = [
    ((2, 8, 8, 8), 8, ((0, 0), (0, 0))),
    ((3, 7, 6, 9), 10, ((1, 1), (1, 1))),
    ((1, 9, 12, 8), 11, ((0, 1), (2, 0))),
    ((2, 3, 3, 8), 8, ((0, 0), (0, 0))),
    ((1, 4, 3, 12), 8, ((2, 2), (1, 1))),
]


def definition(x, w, pads):
    """The cross-correlation written out: sum over kernel offsets of shifted inputs."""
    x = np.pad(x, ((0, 0), *pads, (0, 0)))
    out_h, out_w = x.shape[1] - 2, x.shape[2] - 2
    y = np.zeros((x.shape[0], out_h, out_w, w.shape[-1]))
    for i in range(3):
        for j in range(3):
            y += x[:, i:i + out_h, j:j + out_w] @ w[i, j]
    return y


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_same_sums_as_the_definition_and_adjoint_gradients(geometry):
    shape, filters, pads = geometry
    x, w = normal(*shape), normal(3, 3, shape[-1], filters)
    y = W.winograd_conv(x, w, pads)
    np.testing.assert_allclose(y, definition(x, w, pads), rtol=1e-12, atol=1e-12)
    # the gradients are the adjoints: <g, conv(x', w)> = <dx, x'> and <g, conv(x, w')> = <dw, w'>
    g = normal(*y.shape)
    dx, dw = W.winograd_conv_grads(x, w, g, pads)
    x2, w2 = normal(*x.shape), normal(*w.shape)
    assert np.sum(g * definition(x2, w, pads)) == pytest.approx(np.sum(dx * x2), rel=1e-12)
    assert np.sum(g * definition(x, w2, pads)) == pytest.approx(np.sum(dw * w2), rel=1e-12)
    # and each alone is the same as both together
    np.testing.assert_array_equal(W.winograd_conv_grads(x, w, g, pads, True, False)[0], dx)
    np.testing.assert_array_equal(W.winograd_conv_grads(x, w, g, pads, False, True)[1], dw)


def test_the_path_is_taken_only_where_it_applies():
    assert W.applies((4, 10, 10, 8), (3, 3, 8, 16), (1, 1), (1, 1), 1)
    assert not W.applies((4, 10, 10, 8), (3, 3, 8, 16), (2, 2), (1, 1), 1)  # strided
    assert not W.applies((4, 10, 10, 8), (3, 3, 8, 16), (1, 1), (2, 2), 1)  # dilated
    assert not W.applies((4, 10, 10, 16), (3, 3, 8, 16), (1, 1), (1, 1), 2)  # grouped
    assert not W.applies((4, 10, 10, 8), (3, 2, 8, 16), (1, 1), (1, 1), 1)  # not 3x3
    assert not W.applies((4, 10, 10, 3), (3, 3, 3, 16), (1, 1), (1, 1), 1)  # few channels
    assert W.applies((4, 10, 10, 96), (3, 3, 96, 128), (1, 1), (1, 1), 1)
    assert not W.applies((4, 10, 10, 128), (3, 3, 128, 128), (1, 1), (1, 1), 1)  # many
    assert not W.applies((4, 10, 10, 10, 8), (3, 3, 3, 8, 8), (1, 1, 1), (1, 1, 1), 1)  # 3-D


def _all_results(x, w, g, pads, bias):
    return (W.winograd_conv(x, w, pads, bias), *W.winograd_conv_grads(x, w, g, pads))


# a tile row here: 5 tiles x 16 positions x 12 channels; an image: 6 tile rows
@pytest.mark.parametrize("tile_elements", [2 * 6 * 960, 960, 4 * 960], ids=[
    "two images per unit", "one tile row per unit", "four of six tile rows per unit"])
def test_units_and_threads_change_no_bit(monkeypatch, tile_elements):
    x = normal(5, 11, 9, 8).astype(np.float32)
    w = normal(3, 3, 8, 12).astype(np.float32)
    b = normal(12).astype(np.float32)
    pads = ((1, 1), (1, 1))
    g = normal(5, 11, 9, 12).astype(np.float32)
    whole = _all_results(x, w, g, pads, b)  # one unit: the whole batch
    monkeypatch.setattr(W, "TILE_ELEMENTS", tile_elements)
    assert len(W._Plan(x.shape, w.shape, pads, x.dtype).units) > 2
    results = {}
    for threads in (1, 2):
        monkeypatch.setattr(T, "THREADS", threads)
        monkeypatch.setattr(K, "THREADS", threads)  # (the scratch per thread)
        results[threads] = _all_results(x, w, g, pads, b)
    for a, b_ in zip(results[1], results[2], strict=True):
        np.testing.assert_array_equal(a, b_)
    for a, b_ in zip(whole, results[1], strict=True):  # another cut: same sums, maybe other order
        assert np.max(np.abs(a - b_)) <= 1e-6 * np.max(np.abs(b_))


def test_units_cover_every_tile_once(monkeypatch):
    # 11 tile rows of 4 tiles x 16 positions x 8 channels = 512 elements; 3 rows per unit
    monkeypatch.setattr(W, "TILE_ELEMENTS", 3 * 512)
    plan = W._Plan((3, 23, 9, 8), (3, 3, 8, 8), ((0, 0), (0, 0)), np.float32)
    assert [unit[3] for unit in plan.units[:4]] == [3, 3, 3, 2]  # a short last unit
    assert all(images * rows * plan.tiles_w <= plan.tiles
               for _, images, _, rows in plan.units)
    covered = [(n, row) for first, images, row0, rows in plan.units
               for n in range(first, first + images) for row in range(row0, row0 + rows)]
    assert sorted(covered) == [(n, row) for n in range(3) for row in range(11)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_float32_error_of_the_same_order_as_im2col(seed):
    # measured against float64: Winograd's output is more accurate (its 16 products sum C_in
    # terms each, where im2col's sum 9 C_in); its input gradient was up to 2.3x less accurate
    # over 15 seeds (the transforms add and subtract values of different sizes)
    local = np.random.default_rng(seed)
    x, w = local.standard_normal((8, 14, 14, 32)), local.standard_normal((3, 3, 32, 64)) * 0.1
    g = local.standard_normal((8, 12, 12, 64))
    pads = ((0, 0), (0, 0))
    exact = (W.winograd_conv(x, w, pads), *W.winograd_conv_grads(x, w, g, pads))
    x32, w32, g32 = (a.astype(np.float32) for a in (x, w, g))
    ours = (W.winograd_conv(x32, w32, pads), *W.winograd_conv_grads(x32, w32, g32, pads))
    geometry = ((1, 1), (1, 1), pads, 1)
    im2col = (K.conv(x32, w32, *geometry), K.conv_input_grad(g32, w32, x.shape, *geometry),
              K.conv_kernel_grad(x32, g32, w.shape, *geometry))
    for e, a, b, bound in zip(exact, ours, im2col, (1, 3, 3), strict=True):
        scale = np.max(np.abs(e))
        assert a.dtype == np.float32
        assert np.max(np.abs(a - e)) / scale < 2e-6
        assert np.max(np.abs(a - e)) <= bound * np.max(np.abs(b - e))


@pytest.mark.parametrize("shape, kernel, data_format", [
    ((2, 7, 6, 8), (3, 3, 8, 12), "channels_last"),  # Winograd
    ((2, 8, 7, 6), (3, 3, 8, 12), "channels_first"),  # Winograd, transposed around it
    ((2, 7, 6, 3), (3, 2, 3, 4), "channels_last"),  # im2col
    ((0, 7, 6, 8), (3, 3, 8, 12), "channels_last"),  # an empty batch
    ((2, 0, 6, 8), (3, 3, 8, 12), "channels_last"),  # an empty spatial axis
], ids=["winograd", "winograd channels_first", "im2col", "empty batch", "empty axis"])
def test_fused_bias_has_the_bits_of_conv_then_add(shape, kernel, data_format):
    x = ops.convert_to_tensor(normal(*shape).astype(np.float32))
    w = ops.convert_to_tensor(normal(*kernel).astype(np.float32))
    b = ops.convert_to_tensor(normal(kernel[-1]).astype(np.float32))
    with keras.GradientTape(persistent=True) as tape:
        tape.watch([x, w, b])
        shaped_b = ops.reshape(b, (-1,) if data_format == "channels_last" else (-1, 1, 1))
        fused = conv_with_bias(x, w, b, padding="same", data_format=data_format)
        apart = ops.add(ops.conv(x, w, padding="same", data_format=data_format), shaped_b)
    np.testing.assert_array_equal(fused.numpy(), apart.numpy())
    g = normal(*fused.shape).astype(np.float32)
    for a, b_ in zip(tape.gradient(fused, [x, w, b], output_gradients=g),
                     tape.gradient(apart, [x, w, b], output_gradients=g), strict=True):
        np.testing.assert_array_equal(a.numpy(), b_.numpy())


def _spy(monkeypatch, owner, name):
    """Record the calls of ``owner.name`` (a module function or an attribute; still called)."""
    calls = []
    original = getattr(owner, name)

    def spy(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def test_conv2d_layer_uses_the_fused_bias_and_the_winograd_path(monkeypatch):
    fused = _spy(monkeypatch, convolution.conv_bias_p, "forward")
    winograd_calls = _spy(monkeypatch, W, "winograd_conv")
    grads_calls = _spy(monkeypatch, W, "winograd_conv_grads")
    layer = keras.layers.Conv2D(8, 3)
    x = ops.convert_to_tensor(normal(2, 6, 6, 8).astype(np.float32))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    tape.gradient(y, [x, *layer.trainable_weights])
    assert fused and winograd_calls and grads_calls
    # ops.conv on these shapes is the Winograd kernel, bit for bit; on 3 channels, im2col
    np.testing.assert_array_equal(ops.conv(x, layer.kernel).numpy(),
                                  W.winograd_conv(x.numpy(), layer.kernel.numpy(),
                                                  ((0, 0), (0, 0))))
    im2col_calls = _spy(monkeypatch, K, "conv")
    ops.conv(normal(1, 5, 5, 3), normal(3, 3, 3, 8))
    assert im2col_calls


def test_a_wrong_bias_is_refused():
    x = normal(2, 6, 6, 8).astype(np.float32)
    with pytest.raises(ValueError, match=r"bias must have shape \(8,\).*got shape \(3,\)"):
        conv_with_bias(x, normal(3, 3, 8, 8).astype(np.float32), np.zeros(3, np.float32))
