"""Reference cases for convolutions: keras.ops.conv / conv_transpose / depthwise_conv /
separable_conv, ops.pad and ops.repeat (which the image-shaping layers use), the layers Conv1D,
Conv2D, Conv3D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, and the image-shaping layers
ZeroPadding2D and UpSampling2D.

Op cases record outputs and tf.GradientTape gradients (random cotangents) for every input; layer
cases load random weights with set_weights and record the gradients with respect to the input
and each weight; shape cases record the seed examples' output shapes (or Keras' error) from
symbolic calls. Grouped convolutions and channels-first 3-D convolutions run through XLA in
Keras' TensorFlow backend on CPU, which is what is recorded here.
"""

import functools

import keras
import numpy as np

from reference._recorder import Recorder
from reference.layers import layer_case
from reference.ops import op


def _op_cases(rec, f32):
    op(rec, "conv/1d_valid", "conv", [f32(2, 9, 3), f32(3, 3, 4)])
    op(rec, "conv/1d_same_stride_2", "conv", [f32(2, 9, 3), f32(4, 3, 2)],
       dict(strides=2, padding="same"))
    op(rec, "conv/1d_same_dilation_2", "conv", [f32(2, 9, 3), f32(3, 3, 2)],
       dict(padding="same", dilation_rate=2))
    op(rec, "conv/2d_valid", "conv", [f32(2, 7, 6, 3), f32(3, 3, 3, 4)])
    op(rec, "conv/2d_same", "conv", [f32(2, 7, 6, 3), f32(3, 3, 3, 4)], dict(padding="same"))
    op(rec, "conv/2d_same_even_kernel", "conv", [f32(1, 5, 5, 2), f32(2, 4, 2, 3)],
       dict(padding="same"))
    op(rec, "conv/2d_same_strides_2_1", "conv", [f32(2, 8, 7, 3), f32(3, 3, 3, 2)],
       dict(strides=(2, 1), padding="same"))
    op(rec, "conv/2d_valid_strides_3", "conv", [f32(2, 10, 8, 2), f32(3, 2, 2, 3)],
       dict(strides=3))
    op(rec, "conv/2d_valid_dilation_2", "conv", [f32(2, 9, 8, 3), f32(3, 3, 3, 2)],
       dict(dilation_rate=2))
    op(rec, "conv/2d_same_dilation_2_3", "conv", [f32(1, 9, 10, 2), f32(3, 2, 2, 3)],
       dict(padding="same", dilation_rate=(2, 3)))
    op(rec, "conv/2d_groups_2", "conv", [f32(2, 6, 5, 4), f32(3, 3, 2, 6)])
    op(rec, "conv/2d_groups_4_same", "conv", [f32(1, 5, 6, 8), f32(3, 3, 2, 4)],
       dict(padding="same"))
    op(rec, "conv/2d_channels_first", "conv", [f32(2, 3, 7, 6), f32(3, 3, 3, 4)],
       dict(padding="same", data_format="channels_first"))
    op(rec, "conv/3d_valid", "conv", [f32(2, 5, 6, 4, 2), f32(2, 3, 2, 2, 3)])
    op(rec, "conv/3d_same_stride_2", "conv", [f32(1, 5, 6, 7, 2), f32(3, 3, 3, 2, 2)],
       dict(strides=2, padding="same"))
    op(rec, "conv/3d_channels_first", "conv", [f32(1, 2, 4, 5, 3), f32(2, 2, 2, 2, 3)],
       dict(data_format="channels_first"))
    op(rec, "conv/2d_float64", "conv",
       [rec.rng.standard_normal((1, 5, 5, 2)), rec.rng.standard_normal((3, 3, 2, 2))])

    op(rec, "conv_transpose/1d_valid", "conv_transpose", [f32(2, 5, 3), f32(3, 2, 3)])
    op(rec, "conv_transpose/2d_valid_stride_2", "conv_transpose",
       [f32(2, 4, 3, 3), f32(3, 3, 2, 3)], dict(strides=2))
    op(rec, "conv_transpose/2d_valid_stride_3_kernel_2", "conv_transpose",
       [f32(1, 3, 3, 2), f32(2, 2, 2, 2)], dict(strides=3))
    op(rec, "conv_transpose/2d_same_stride_2", "conv_transpose",
       [f32(2, 4, 3, 3), f32(3, 3, 2, 3)], dict(strides=2, padding="same"))
    op(rec, "conv_transpose/2d_same_output_padding", "conv_transpose",
       [f32(1, 4, 3, 2), f32(3, 3, 3, 2)], dict(strides=2, padding="same", output_padding=0))
    op(rec, "conv_transpose/2d_valid_output_padding", "conv_transpose",
       [f32(1, 3, 4, 2), f32(3, 3, 2, 2)], dict(strides=2, output_padding=1))
    op(rec, "conv_transpose/2d_same_dilation_2", "conv_transpose",
       [f32(1, 5, 4, 2), f32(3, 3, 3, 2)], dict(padding="same", dilation_rate=2))
    op(rec, "conv_transpose/2d_channels_first", "conv_transpose",
       [f32(2, 3, 4, 3), f32(3, 3, 2, 3)],
       dict(strides=2, padding="same", data_format="channels_first"))
    op(rec, "conv_transpose/3d_same_stride_2", "conv_transpose",
       [f32(1, 3, 2, 3, 2), f32(2, 3, 2, 3, 2)], dict(strides=2, padding="same"))

    op(rec, "depthwise_conv/2d_valid", "depthwise_conv", [f32(2, 6, 5, 3), f32(3, 3, 3, 2)])
    op(rec, "depthwise_conv/2d_same_stride_2", "depthwise_conv",
       [f32(2, 7, 6, 3), f32(3, 3, 3, 1)], dict(strides=2, padding="same"))
    op(rec, "depthwise_conv/2d_same_dilation_2", "depthwise_conv",
       [f32(1, 7, 7, 2), f32(3, 3, 2, 2)], dict(padding="same", dilation_rate=2))
    op(rec, "depthwise_conv/2d_stride_and_dilation", "depthwise_conv",
       [f32(1, 9, 8, 2), f32(3, 3, 2, 2)], dict(strides=2, padding="same", dilation_rate=2))
    op(rec, "depthwise_conv/1d_valid", "depthwise_conv", [f32(2, 8, 3), f32(3, 3, 2)])
    op(rec, "depthwise_conv/2d_channels_first", "depthwise_conv",
       [f32(2, 3, 6, 5), f32(3, 3, 3, 2)], dict(padding="same", data_format="channels_first"))

    op(rec, "separable_conv/2d_valid", "separable_conv",
       [f32(2, 6, 5, 3), f32(3, 3, 3, 2), f32(1, 1, 6, 4)])
    op(rec, "separable_conv/2d_same_stride_2", "separable_conv",
       [f32(2, 7, 6, 3), f32(3, 3, 3, 1), f32(1, 1, 3, 5)], dict(strides=2, padding="same"))
    op(rec, "separable_conv/1d_same", "separable_conv",
       [f32(2, 8, 3), f32(3, 3, 2), f32(1, 6, 4)], dict(padding="same"))


def _shape_op_cases(rec, f32):
    # the ops under ZeroPadding2D (pad) and UpSampling2D (repeat)
    op(rec, "pad/constant", "pad", [f32(2, 3, 4), [[0, 0], [1, 2], [2, 1]]])
    op(rec, "pad/constant_value", "pad", [f32(3, 2), [[1, 1], [0, 2]]],
       dict(constant_values=1.5))
    op(rec, "pad/reflect", "pad", [f32(3, 4), [[2, 1], [1, 3]]], dict(mode="reflect"))
    op(rec, "pad/symmetric", "pad", [f32(3, 4), [[2, 1], [1, 3]]], dict(mode="symmetric"))
    op(rec, "repeat/axis_1", "repeat", [f32(2, 3, 2), 2], dict(axis=1))
    op(rec, "repeat/counts", "repeat", [f32(3, 2), [2, 0, 3]], dict(axis=0))
    op(rec, "repeat/flattened", "repeat", [f32(2, 2), 3])


def _conv_case(rec, case_id, layer, kwargs, x, unfolded_batch=None):
    """A layer case with random weights (kernels and biases: N(0, 0.25)). ``unfolded_batch``:
    x is an extended batch folded into one axis (Keras 3 refuses extra batch axes, tf.keras 2
    accepted them); the test unfolds it and expects the same numbers."""
    count = (3 if layer == "SeparableConv2D" else 2) - (not kwargs.get("use_bias", True))

    def normal(shape):
        return (rec.rng.standard_normal(shape) * 0.5).astype(np.float32)

    layer_case(rec, case_id, layer, kwargs, [x], weights=[normal] * count)
    if unfolded_batch is not None:
        rec.cases[-1]["unfolded_batch"] = list(unfolded_batch)


def _layer_cases(rec, f32):
    conv = functools.partial(_conv_case, rec)
    conv("Conv1D/valid", "Conv1D", dict(filters=4, kernel_size=3), f32(2, 9, 3))
    conv("Conv1D/same_stride_2", "Conv1D",
         dict(filters=3, kernel_size=4, strides=2, padding="same"), f32(2, 9, 3))
    conv("Conv1D/causal", "Conv1D", dict(filters=3, kernel_size=3, padding="causal"),
         f32(2, 8, 2))
    conv("Conv1D/causal_dilation_2", "Conv1D",
         dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2), f32(2, 9, 3))
    conv("Conv1D/groups_2", "Conv1D", dict(filters=4, kernel_size=3, groups=2, use_bias=False),
         f32(2, 7, 4))
    conv("Conv1D/channels_first", "Conv1D",
         dict(filters=3, kernel_size=2, data_format="channels_first"), f32(2, 3, 7))
    conv("Conv1D/extended_batch", "Conv1D", dict(filters=4, kernel_size=3), f32(6, 10, 5),
         unfolded_batch=(2, 3))

    conv("Conv2D/valid", "Conv2D", dict(filters=2, kernel_size=3), f32(4, 8, 8, 3))
    conv("Conv2D/same", "Conv2D", dict(filters=2, kernel_size=3, padding="same"),
         f32(2, 7, 6, 3))
    conv("Conv2D/dilation_2", "Conv2D", dict(filters=2, kernel_size=3, dilation_rate=2),
         f32(2, 9, 8, 3))
    conv("Conv2D/strides_2_same", "Conv2D",
         dict(filters=3, kernel_size=(3, 2), strides=2, padding="same"), f32(2, 7, 8, 2))
    conv("Conv2D/groups_2", "Conv2D", dict(filters=4, kernel_size=3, groups=2),
         f32(2, 6, 6, 4))
    conv("Conv2D/channels_first", "Conv2D",
         dict(filters=3, kernel_size=3, padding="same", data_format="channels_first"),
         f32(2, 2, 6, 5))
    conv("Conv2D/no_bias", "Conv2D", dict(filters=3, kernel_size=2, use_bias=False),
         f32(2, 5, 5, 2))
    conv("Conv2D/relu", "Conv2D", dict(filters=3, kernel_size=3, activation="relu"),
         f32(2, 5, 5, 2))
    conv("Conv2D/extended_batch", "Conv2D", dict(filters=2, kernel_size=3), f32(6, 7, 7, 3),
         unfolded_batch=(2, 3))

    conv("Conv3D/valid", "Conv3D", dict(filters=2, kernel_size=3), f32(2, 5, 5, 5, 1))
    conv("Conv3D/same_stride_2", "Conv3D",
         dict(filters=2, kernel_size=(2, 3, 3), strides=2, padding="same"), f32(2, 4, 5, 6, 2))
    # Channels-first shapes keep the output's last axis apart from the filter count: Keras
    # 3.15's ops.add turns "x + bias reshaped to (1, filters, 1, ...)" into tf.nn.bias_add on
    # the LAST axis when that axis has length `filters` too, so such a layer adds its bias to
    # the wrong axis (tests/test_convolution_layers.py checks nbkeras against the definition).
    conv("Conv3D/channels_first", "Conv3D",
         dict(filters=2, kernel_size=2, data_format="channels_first"), f32(1, 2, 4, 5, 4))

    conv("Conv2DTranspose/valid", "Conv2DTranspose", dict(filters=3, kernel_size=3),
         f32(2, 4, 5, 2))
    conv("Conv2DTranspose/same_stride_2", "Conv2DTranspose",
         dict(filters=2, kernel_size=3, strides=2, padding="same"), f32(2, 4, 3, 3))
    conv("Conv2DTranspose/output_padding", "Conv2DTranspose",
         dict(filters=2, kernel_size=3, strides=2, output_padding=1), f32(1, 3, 3, 2))
    conv("Conv2DTranspose/dilation_2", "Conv2DTranspose",
         dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"), f32(1, 5, 4, 2))
    conv("Conv2DTranspose/channels_first", "Conv2DTranspose",
         dict(filters=2, kernel_size=2, strides=2, data_format="channels_first"),
         f32(2, 3, 3, 4))

    conv("DepthwiseConv2D/valid", "DepthwiseConv2D", dict(kernel_size=3), f32(2, 6, 5, 3))
    conv("DepthwiseConv2D/multiplier_2_same_stride_2", "DepthwiseConv2D",
         dict(kernel_size=3, depth_multiplier=2, strides=2, padding="same"), f32(2, 7, 6, 3))
    conv("DepthwiseConv2D/channels_first", "DepthwiseConv2D",
         dict(kernel_size=2, data_format="channels_first"), f32(2, 3, 5, 6))

    conv("SeparableConv2D/valid", "SeparableConv2D", dict(filters=4, kernel_size=3),
         f32(2, 6, 5, 3))
    conv("SeparableConv2D/multiplier_2_same_stride_2", "SeparableConv2D",
         dict(filters=3, kernel_size=3, depth_multiplier=2, strides=2, padding="same"),
         f32(2, 7, 6, 2))
    conv("SeparableConv2D/channels_first", "SeparableConv2D",
         dict(filters=2, kernel_size=2, data_format="channels_first"), f32(1, 3, 5, 4))

    layer_case(rec, "ZeroPadding2D/default", "ZeroPadding2D", {}, [f32(2, 3, 4, 2)])
    layer_case(rec, "ZeroPadding2D/asymmetric", "ZeroPadding2D",
               dict(padding=((1, 2), (0, 3))), [f32(2, 3, 4, 2)])
    layer_case(rec, "ZeroPadding2D/channels_first", "ZeroPadding2D",
               dict(padding=(2, 1), data_format="channels_first"), [f32(1, 2, 3, 3)])
    layer_case(rec, "UpSampling2D/default", "UpSampling2D", {}, [f32(2, 3, 4, 2)])
    layer_case(rec, "UpSampling2D/size_2_3", "UpSampling2D", dict(size=(2, 3)),
               [f32(1, 2, 3, 2)])
    layer_case(rec, "UpSampling2D/channels_first", "UpSampling2D",
               dict(size=3, data_format="channels_first"), [f32(1, 2, 2, 3)])


def _shape_case(rec, case_id, layer, args, kwargs, input_shape, then=None):
    """The output shape of ``keras.layers.<layer>(*args, **kwargs)`` on a symbolic
    ``keras.Input(batch_shape=input_shape)`` (and of ``keras.layers.<then>()`` after it), or
    the ValueError Keras raises."""
    meta = dict(layer=layer, args=args, kwargs=kwargs, input_shape=list(input_shape), then=then)
    try:
        y = getattr(keras.layers, layer)(*args, **kwargs)(keras.Input(batch_shape=input_shape))
        meta["output_shape"] = list(y.shape)
        if then is not None:
            meta["then_shape"] = list(getattr(keras.layers, then)()(y).shape)
    except ValueError as error:
        meta["error"] = str(error)
    rec.add(case_id, **meta)


def _shape_cases(rec):
    # The seed examples (tf.keras 2 documentation and a Keras 1 tutorial), as Keras 3 runs them.
    _shape_case(rec, "shape/seed_conv2d_64_3_3", "Conv2D", [64, 3, 3], {}, (None, 3, 32, 32),
               then="Flatten")
    _shape_case(rec, "shape/conv2d_2_3", "Conv2D", [2, 3], {}, (4, 28, 28, 3))
    _shape_case(rec, "shape/conv2d_2_3_dilation_2", "Conv2D", [2, 3], dict(dilation_rate=2),
               (4, 28, 28, 3))
    _shape_case(rec, "shape/conv2d_2_3_same", "Conv2D", [2, 3], dict(padding="same"),
               (4, 28, 28, 3))
    _shape_case(rec, "shape/conv2d_2_3_extended_batch", "Conv2D", [2, 3], {}, (4, 7, 28, 28, 3))
    _shape_case(rec, "shape/conv1d_32_3", "Conv1D", [32, 3], {}, (4, 10, 128))
    _shape_case(rec, "shape/conv1d_32_3_extended_batch", "Conv1D", [32, 3], {}, (4, 7, 10, 128))
    _shape_case(rec, "shape/conv3d_2_3", "Conv3D", [2, 3], {}, (4, 28, 28, 28, 1))


def _winograd_cases(rec, f32):
    """3x3 stride-1 layers with at least 8 channels each way: nbkeras computes them with
    Winograd's F(2x2, 3x3) (kernels/winograd.py). Odd output sizes leave partial tiles."""
    conv = functools.partial(_conv_case, rec)
    conv("Conv2D/winograd_valid", "Conv2D", dict(filters=16, kernel_size=3), f32(2, 9, 10, 8))
    conv("Conv2D/winograd_same", "Conv2D", dict(filters=8, kernel_size=3, padding="same"),
         f32(3, 7, 7, 12))
    conv("Conv2D/winograd_no_bias_relu", "Conv2D",
         dict(filters=12, kernel_size=3, use_bias=False, activation="relu"), f32(2, 6, 5, 16))
    conv("Conv2D/winograd_channels_first", "Conv2D",
         dict(filters=8, kernel_size=3, padding="same", data_format="channels_first"),
         f32(2, 9, 6, 7))


def build():
    rec = Recorder("convolution", seed=20261205)

    def f32(*shape):
        return rec.rng.standard_normal(shape).astype(np.float32)

    _op_cases(rec, f32)
    _shape_op_cases(rec, f32)
    _layer_cases(rec, f32)
    _shape_cases(rec)
    _winograd_cases(rec, f32)  # last, so the random inputs of the cases above stay the same
    return rec
