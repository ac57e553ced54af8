"""Reference cases for the rest of the core layer catalogue (chapter 10): the activation
layers, Identity, Masking, the merges, the reshaping layers (cropping, padding, upsampling
with bilinear interpolation), the 1-D and 3-D transposed, depthwise and separable
convolutions, 3-D global and adaptive pooling, group, unit, RMS and spectral normalization,
and the regularization layers at inference; the ops under them (rms_normalization, normalize,
adaptive pooling, image.resize); Keras masks through the merges and Masking; and Lambda's
configs (a lambda's bytecode and a named function) with its safe-mode refusal.

Layer cases are those of ``reference.layers.layer_case``: Keras' weights replaced by random
ones with ``set_weights``, the output and the tf.GradientTape gradients with respect to the
inputs and every trainable weight, losses, weights after the call, config, symbolic shape.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder
from reference.layers import layer_case
from reference.masking import _embedding, _step, graph_case
from reference.ops import op


def _activation_cases(rec, f32, normal_weights):
    wide = f32(3, 8, scale=3.0)
    layer_case(rec, "ReLU/default", "ReLU", {}, [wide])
    layer_case(rec, "ReLU/max_value", "ReLU", {"max_value": 2.5}, [wide])
    layer_case(rec, "ReLU/all_options", "ReLU",
               {"max_value": 3.0, "negative_slope": 0.2, "threshold": 0.5}, [wide])
    layer_case(rec, "ReLU/negative_slope", "ReLU", {"negative_slope": 0.1}, [wide])
    layer_case(rec, "LeakyReLU/default", "LeakyReLU", {}, [wide])
    layer_case(rec, "LeakyReLU/slope_0.05", "LeakyReLU", {"negative_slope": 0.05}, [wide])
    layer_case(rec, "PReLU/default_shape", "PReLU", {}, [f32(4, 3, 5)],
               weights=[normal_weights])
    layer_case(rec, "PReLU/shared_axes_image", "PReLU", {"shared_axes": [1, 2]},
               [f32(2, 4, 5, 3)], weights=[normal_weights])
    layer_case(rec, "PReLU/regularized", "PReLU",
               {"alpha_initializer": "ones",
                "alpha_regularizer": keras.regularizers.serialize(keras.regularizers.L2(0.1))},
               [f32(3, 4)], weights=[normal_weights])
    layer_case(rec, "ELU/default", "ELU", {}, [wide])
    layer_case(rec, "ELU/alpha_0.5", "ELU", {"alpha": 0.5}, [wide])
    layer_case(rec, "Softmax/default", "Softmax", {}, [f32(3, 5)])
    layer_case(rec, "Softmax/axis_1", "Softmax", {"axis": 1}, [f32(2, 4, 3)])
    layer_case(rec, "Softmax/two_axes", "Softmax", {"axis": [1, 2]}, [f32(2, 3, 4)])
    mask = np.array([[True, True, False, True, False], [False, True, True, True, True],
                     [True, False, False, False, False]])
    layer_case(rec, "Softmax/mask", "Softmax", {}, [f32(3, 5)], call_arrays={"mask": mask})
    layer_case(rec, "Softmax/broadcast_mask", "Softmax", {}, [f32(2, 3, 4)],
               call_arrays={"mask": np.array([[[True, False, True, True]],
                                              [[False, True, True, False]]])})


def _core_cases(rec, f32):
    layer_case(rec, "Identity/basic", "Identity", {}, [f32(2, 3, 4)])
    x = f32(3, 5, 2)
    x[0, 1] = 0.0
    x[1, 3:] = 0.0
    x[2, 0] = 1.5
    layer_case(rec, "Masking/zeros", "Masking", {}, [x])
    layer_case(rec, "Masking/value_1.5", "Masking", {"mask_value": 1.5}, [x])


def _merge_cases(rec, f32):
    layer_case(rec, "Multiply/two", "Multiply", {}, [f32(3, 4), f32(3, 4)])
    layer_case(rec, "Multiply/three_broadcast", "Multiply", {},
               [f32(2, 3, 4), f32(2, 1, 4), f32(2, 3, 1)])
    layer_case(rec, "Average/two", "Average", {}, [f32(3, 4), f32(3, 4)])
    layer_case(rec, "Average/three", "Average", {}, [f32(2, 5), f32(2, 5), f32(2, 5)])
    layer_case(rec, "Maximum/two", "Maximum", {}, [f32(3, 4), f32(3, 4)])
    layer_case(rec, "Maximum/different_ranks", "Maximum", {}, [f32(2, 3, 4), f32(2, 4)])
    layer_case(rec, "Minimum/three", "Minimum", {}, [f32(2, 3), f32(2, 3), f32(2, 3)])
    layer_case(rec, "Subtract/two", "Subtract", {}, [f32(3, 4), f32(3, 4)])
    layer_case(rec, "Subtract/broadcast", "Subtract", {}, [f32(3, 4), f32(3, 1)])
    layer_case(rec, "Dot/vectors", "Dot", {"axes": 1}, [f32(4, 5), f32(4, 5)])
    layer_case(rec, "Dot/cosine", "Dot", {"axes": 1, "normalize": True},
               [f32(4, 5), f32(4, 5)])
    layer_case(rec, "Dot/matrices", "Dot", {"axes": (2, 1)}, [f32(2, 3, 4), f32(2, 4, 5)])
    layer_case(rec, "Dot/same_axis", "Dot", {"axes": 1}, [f32(2, 3, 4), f32(2, 3, 5)])
    layer_case(rec, "Dot/negative_axes", "Dot", {"axes": -1}, [f32(2, 3, 4), f32(2, 5, 4)])
    layer_case(rec, "Dot/cosine_rank3", "Dot", {"axes": (1, 2), "normalize": True},
               [f32(2, 4, 3), f32(2, 5, 4)])
    layer_case(rec, "Dot/vector_and_matrix", "Dot", {"axes": (1, 1)},
               [f32(3, 4), f32(3, 4, 2)])


def _mask_cases(rec):
    ids = np.array([[3, 5, 0, 0, 0], [1, 2, 7, 0, 0], [4, 4, 4, 4, 9]], np.int32)
    other = np.array([[0, 6, 6, 1, 0], [2, 0, 0, 0, 0], [8, 0, 3, 0, 0]], np.int32)
    for merge in ["Multiply", "Maximum", "Minimum", "Subtract", "Average"]:
        graph_case(rec, f"mask/{merge}_two_masks", [
            _embedding(0), _embedding(1), _step(merge, [2, 3]),
            _step("GlobalAveragePooling1D", [4]),
        ], [ids, other])
    graph_case(rec, "mask/Maximum_one_unmasked", [
        _embedding(0), _embedding(1, mask_zero=False), _step("Maximum", [2, 3]),
        _step("GlobalAveragePooling1D", [4]),
    ], [ids, other])
    graph_case(rec, "mask/Multiply_one_unmasked", [
        _embedding(0), _embedding(1, mask_zero=False), _step("Multiply", [2, 3]),
        _step("GlobalAveragePooling1D", [4]),
    ], [ids, other])
    graph_case(rec, "mask/Dot_drops_it", [
        _embedding(0), _embedding(1), _step("Dot", [2, 3], axes=2),
    ], [ids, other])
    graph_case(rec, "mask/Masking_dense_average", [
        _embedding(0, mask_zero=False),
        _step("Masking", [1], mask_value=0.0),
        _step("Dense", [2], units=3),
        _step("GlobalAveragePooling1D", [3]),
    ], [ids])
    graph_case(rec, "mask/activation_layers_keep_it", [
        _embedding(0), _step("ReLU", [1]), _step("LeakyReLU", [2]), _step("ELU", [3]),
        _step("PReLU", [4]), _step("Identity", [5]), _step("UnitNormalization", [6]),
        _step("GroupNormalization", [7], groups=2), _step("GlobalAveragePooling1D", [8]),
    ], [ids])


def _reshaping_cases(rec, f32):
    layer_case(rec, "Permute/swap", "Permute", {"dims": (2, 1)}, [f32(2, 3, 4)])
    layer_case(rec, "Permute/rotate", "Permute", {"dims": (3, 1, 2)}, [f32(2, 3, 4, 5)])
    layer_case(rec, "RepeatVector/3", "RepeatVector", {"n": 3}, [f32(2, 4)])
    layer_case(rec, "Cropping1D/default", "Cropping1D", {}, [f32(2, 6, 3)])
    layer_case(rec, "Cropping1D/asymmetric", "Cropping1D", {"cropping": (2, 0)},
               [f32(2, 6, 3)])
    layer_case(rec, "Cropping2D/int", "Cropping2D", {"cropping": 1}, [f32(2, 5, 6, 2)])
    layer_case(rec, "Cropping2D/pairs", "Cropping2D", {"cropping": ((1, 2), (0, 1))},
               [f32(2, 6, 5, 2)])
    layer_case(rec, "Cropping2D/symmetric_channels_first", "Cropping2D",
               {"cropping": (1, 2), "data_format": "channels_first"}, [f32(2, 3, 5, 6)])
    layer_case(rec, "Cropping3D/default", "Cropping3D", {}, [f32(1, 4, 5, 4, 2)])
    layer_case(rec, "Cropping3D/mixed_channels_first", "Cropping3D",
               {"cropping": ((1, 0), (0, 2), (1, 1)), "data_format": "channels_first"},
               [f32(1, 2, 4, 5, 4)])
    layer_case(rec, "ZeroPadding1D/default", "ZeroPadding1D", {}, [f32(2, 4, 3)])
    layer_case(rec, "ZeroPadding1D/asymmetric", "ZeroPadding1D", {"padding": (2, 1)},
               [f32(2, 4, 3)])
    layer_case(rec, "ZeroPadding3D/default", "ZeroPadding3D", {}, [f32(1, 2, 3, 2, 2)])
    layer_case(rec, "ZeroPadding3D/mixed_channels_first", "ZeroPadding3D",
               {"padding": ((0, 1), (2, 0), (1, 1)), "data_format": "channels_first"},
               [f32(1, 2, 2, 3, 2)])
    layer_case(rec, "UpSampling1D/default", "UpSampling1D", {}, [f32(2, 3, 4)])
    layer_case(rec, "UpSampling1D/size_3", "UpSampling1D", {"size": 3}, [f32(2, 3, 2)])
    layer_case(rec, "UpSampling3D/default", "UpSampling3D", {}, [f32(1, 2, 3, 2, 2)])
    layer_case(rec, "UpSampling3D/sizes_channels_first", "UpSampling3D",
               {"size": (1, 2, 3), "data_format": "channels_first"}, [f32(1, 2, 2, 3, 2)])
    layer_case(rec, "UpSampling2D/bilinear", "UpSampling2D", {"interpolation": "bilinear"},
               [f32(2, 3, 4, 2)])
    layer_case(rec, "UpSampling2D/bilinear_3_2", "UpSampling2D",
               {"size": (3, 2), "interpolation": "bilinear"}, [f32(1, 4, 3, 3)])
    layer_case(rec, "UpSampling2D/bilinear_channels_first", "UpSampling2D",
               {"size": (2, 3), "interpolation": "bilinear", "data_format": "channels_first"},
               [f32(2, 2, 3, 4)])


def _convolution_cases(rec, f32, normal_weights):
    w = [normal_weights, normal_weights]
    layer_case(rec, "Conv1DTranspose/valid", "Conv1DTranspose",
               {"filters": 3, "kernel_size": 3}, [f32(2, 5, 2)], weights=w)
    layer_case(rec, "Conv1DTranspose/same_stride_2", "Conv1DTranspose",
               {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
               [f32(2, 4, 3)], weights=w)
    layer_case(rec, "Conv1DTranspose/output_padding", "Conv1DTranspose",
               {"filters": 2, "kernel_size": 4, "strides": 3, "output_padding": 1,
                "activation": "tanh"}, [f32(1, 4, 2)], weights=w)
    layer_case(rec, "Conv1DTranspose/dilation_channels_first", "Conv1DTranspose",
               {"filters": 2, "kernel_size": 3, "dilation_rate": 2,
                "data_format": "channels_first"}, [f32(2, 3, 5)], weights=w)
    layer_case(rec, "Conv3DTranspose/valid", "Conv3DTranspose",
               {"filters": 2, "kernel_size": 2}, [f32(1, 2, 3, 2, 3)], weights=w)
    layer_case(rec, "Conv3DTranspose/same_stride_2", "Conv3DTranspose",
               {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
               [f32(1, 2, 2, 3, 2)], weights=w)
    layer_case(rec, "Conv3DTranspose/channels_first_no_bias", "Conv3DTranspose",
               {"filters": 2, "kernel_size": (2, 3, 2), "strides": (1, 2, 1),
                "data_format": "channels_first", "use_bias": False}, [f32(1, 3, 2, 3, 4)],
               weights=[normal_weights])
    layer_case(rec, "DepthwiseConv1D/valid", "DepthwiseConv1D", {"kernel_size": 3},
               [f32(2, 7, 3)], weights=w)
    layer_case(rec, "DepthwiseConv1D/same_stride_2_multiplier_2", "DepthwiseConv1D",
               {"kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2},
               [f32(2, 8, 3)], weights=w)
    layer_case(rec, "DepthwiseConv1D/dilation_channels_first", "DepthwiseConv1D",
               {"kernel_size": 2, "dilation_rate": 2, "data_format": "channels_first",
                "activation": "relu"}, [f32(2, 3, 7)], weights=w)
    w3 = [normal_weights] * 3
    layer_case(rec, "SeparableConv1D/valid", "SeparableConv1D",
               {"filters": 4, "kernel_size": 3}, [f32(2, 7, 3)], weights=w3)
    layer_case(rec, "SeparableConv1D/same_stride_2_multiplier_2", "SeparableConv1D",
               {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same",
                "depth_multiplier": 2}, [f32(2, 8, 2)], weights=w3)
    layer_case(rec, "SeparableConv1D/channels_first", "SeparableConv1D",
               {"filters": 2, "kernel_size": 2, "data_format": "channels_first"},
               [f32(2, 3, 6)], weights=w3)


def _pooling_cases(rec, f32):
    x3 = f32(2, 3, 4, 2, 3)
    layer_case(rec, "GlobalAveragePooling3D/default", "GlobalAveragePooling3D", {}, [x3])
    layer_case(rec, "GlobalAveragePooling3D/keepdims_channels_first",
               "GlobalAveragePooling3D", {"keepdims": True, "data_format": "channels_first"},
               [x3])
    layer_case(rec, "GlobalMaxPooling3D/default", "GlobalMaxPooling3D", {}, [x3])
    layer_case(rec, "GlobalMaxPooling3D/keepdims_channels_first", "GlobalMaxPooling3D",
               {"keepdims": True, "data_format": "channels_first"}, [x3])
    for kind in ["Average", "Max"]:
        name = f"Adaptive{kind}Pooling"
        layer_case(rec, f"{name}1D/divides", f"{name}1D", {"output_size": 4}, [f32(2, 8, 3)])
        layer_case(rec, f"{name}1D/overlapping", f"{name}1D", {"output_size": 3},
                   [f32(2, 7, 2)])
        layer_case(rec, f"{name}1D/channels_first", f"{name}1D",
                   {"output_size": 2, "data_format": "channels_first"}, [f32(2, 3, 5)])
        layer_case(rec, f"{name}2D/shrink", f"{name}2D", {"output_size": (3, 2)},
                   [f32(2, 7, 5, 2)])
        layer_case(rec, f"{name}2D/grow", f"{name}2D", {"output_size": (6, 5)},
                   [f32(1, 4, 3, 2)])
        layer_case(rec, f"{name}2D/channels_first", f"{name}2D",
                   {"output_size": 3, "data_format": "channels_first"}, [f32(2, 2, 6, 7)])
        layer_case(rec, f"{name}3D/mixed", f"{name}3D", {"output_size": (2, 3, 2)},
                   [f32(1, 5, 4, 3, 2)])


def _normalization_cases(rec, f32, normal_weights):
    gn = [normal_weights, normal_weights]
    layer_case(rec, "GroupNormalization/groups_2", "GroupNormalization", {"groups": 2},
               [f32(2, 3, 3, 4, scale=2.0, shift=1.0)], weights=gn)
    layer_case(rec, "GroupNormalization/instance", "GroupNormalization", {"groups": -1},
               [f32(2, 5, 3, shift=-2.0)], weights=gn)
    layer_case(rec, "GroupNormalization/one_group", "GroupNormalization",
               {"groups": 1, "epsilon": 1e-5}, [f32(3, 6)], weights=gn)
    layer_case(rec, "GroupNormalization/channels_first", "GroupNormalization",
               {"groups": 3, "axis": 1}, [f32(2, 6, 2, 3)], weights=gn)
    layer_case(rec, "GroupNormalization/no_center_no_scale", "GroupNormalization",
               {"groups": 2, "center": False, "scale": False}, [f32(2, 4, 4)])
    layer_case(rec, "GroupNormalization/regularized", "GroupNormalization",
               {"groups": 2, "gamma_regularizer": "l2", "beta_regularizer": "l1"},
               [f32(2, 3, 4)], weights=gn)
    layer_case(rec, "UnitNormalization/default", "UnitNormalization", {}, [f32(3, 5)])
    layer_case(rec, "UnitNormalization/two_axes", "UnitNormalization", {"axis": [1, 2]},
               [f32(2, 3, 4)])
    layer_case(rec, "UnitNormalization/axis_1", "UnitNormalization", {"axis": 1},
               [f32(2, 3, 4)])
    layer_case(rec, "RMSNormalization/default", "RMSNormalization", {},
               [f32(3, 6, scale=2.0, shift=1.0)], weights=[normal_weights])
    layer_case(rec, "RMSNormalization/two_axes", "RMSNormalization",
               {"axis": [1, 2], "epsilon": 1e-3}, [f32(2, 3, 4)], weights=[normal_weights])
    layer_case(rec, "RMSNormalization/rank3", "RMSNormalization", {"epsilon": 1e-2},
               [f32(2, 4, 3, scale=0.1)], weights=[normal_weights])
    dense = keras.layers.serialize(keras.layers.Dense(3))
    conv = keras.layers.serialize(keras.layers.Conv2D(4, 2))
    embedding = keras.layers.serialize(keras.layers.Embedding(6, 3))
    layer_case(rec, "SpectralNormalization/dense_inference", "SpectralNormalization",
               {"layer": dense}, [f32(4, 5)], weights=[normal_weights] * 3, from_config=True)
    layer_case(rec, "SpectralNormalization/dense_training", "SpectralNormalization",
               {"layer": dense}, [f32(4, 5)], weights=[normal_weights] * 3,
               call_kwargs={"training": True}, from_config=True)
    layer_case(rec, "SpectralNormalization/three_iterations", "SpectralNormalization",
               {"layer": dense, "power_iterations": 3}, [f32(4, 5)],
               weights=[normal_weights] * 3, call_kwargs={"training": True}, from_config=True)
    layer_case(rec, "SpectralNormalization/conv2d_training", "SpectralNormalization",
               {"layer": conv}, [f32(2, 5, 5, 3)], weights=[normal_weights] * 3,
               call_kwargs={"training": True}, from_config=True)
    layer_case(rec, "SpectralNormalization/embedding_training", "SpectralNormalization",
               {"layer": embedding}, [np.array([[1, 4, 2], [0, 5, 5]], np.int32)],
               weights=[normal_weights] * 2, call_kwargs={"training": True}, from_config=True)


def _regularization_cases(rec, f32):
    layer_case(rec, "ActivityRegularization/l1_l2", "ActivityRegularization",
               {"l1": 0.01, "l2": 0.1}, [f32(4, 3)])
    layer_case(rec, "ActivityRegularization/default", "ActivityRegularization", {},
               [f32(2, 3)])
    for layer, x in [("SpatialDropout1D", f32(2, 3, 4)), ("SpatialDropout2D", f32(2, 3, 3, 2)),
                     ("SpatialDropout3D", f32(1, 2, 2, 2, 3))]:
        layer_case(rec, f"{layer}/inference", layer, {"rate": 0.5, "seed": 1}, [x])
        layer_case(rec, f"{layer}/training_rate_0", layer, {"rate": 0.0}, [x],
                   call_kwargs={"training": True})
    layer_case(rec, "SpatialDropout2D/channels_first_inference", "SpatialDropout2D",
               {"rate": 0.3, "data_format": "channels_first"}, [f32(2, 2, 3, 3)])
    layer_case(rec, "GaussianNoise/inference", "GaussianNoise", {"stddev": 0.5, "seed": 3},
               [f32(3, 4)])
    layer_case(rec, "GaussianNoise/training_stddev_0", "GaussianNoise", {"stddev": 0.0},
               [f32(3, 4)], call_kwargs={"training": True})
    layer_case(rec, "GaussianDropout/inference", "GaussianDropout", {"rate": 0.4},
               [f32(3, 4)])
    layer_case(rec, "GaussianDropout/training_rate_0", "GaussianDropout", {"rate": 0.0},
               [f32(3, 4)], call_kwargs={"training": True})
    layer_case(rec, "AlphaDropout/inference", "AlphaDropout", {"rate": 0.2, "seed": 5},
               [f32(3, 4)])
    layer_case(rec, "AlphaDropout/training_rate_0", "AlphaDropout",
               {"rate": 0.0, "noise_shape": (None, 1)}, [f32(3, 4)],
               call_kwargs={"training": True})


def _op_cases(rec, f32):
    op(rec, "rms_normalization/last_axis", "rms_normalization", [f32(3, 5), f32(5)],
       {"epsilon": 1e-4})
    op(rec, "rms_normalization/no_scale_two_axes", "rms_normalization", [f32(2, 3, 4)],
       {"axis": [0, 2]})
    op(rec, "normalize/default", "normalize", [f32(3, 4)])
    op(rec, "normalize/order_1_axis_0", "normalize", [f32(3, 4)], {"axis": 0, "order": 1})
    op(rec, "normalize/zero_row", "normalize",
       [np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]], np.float32)], {"epsilon": 1e-3})
    op(rec, "rsqrt/positive", "rsqrt", [rec.rng.uniform(0.1, 4.0, (3, 4)).astype(np.float32)])
    op(rec, "broadcast_to/rows", "broadcast_to", [f32(3, 1), (2, 3, 4)])
    op(rec, "adaptive_average_pool/2d", "adaptive_average_pool", [f32(2, 7, 5, 3), (3, 2)])
    op(rec, "adaptive_max_pool/1d_channels_first", "adaptive_max_pool", [f32(2, 3, 7), 3],
       {"data_format": "channels_first"})
    op(rec, "image.resize/bilinear_up", "image.resize", [f32(2, 3, 4, 2), (7, 9)])
    op(rec, "image.resize/bilinear_down", "image.resize", [f32(1, 8, 7, 2), (3, 4)])
    op(rec, "image.resize/nearest", "image.resize", [f32(1, 5, 4, 2), (7, 3)],
       {"interpolation": "nearest"})
    op(rec, "image.resize/bilinear_single_image_channels_first", "image.resize",
       [f32(2, 4, 3), (6, 5)], {"data_format": "channels_first"})
    op(rec, "any/axis", "any", [np.array([[0.0, 1.0], [0.0, 0.0]], np.float32)], {"axis": 1})
    op(rec, "all/keepdims", "all", [np.array([[1, 2], [0, 3]], np.int32)],
       {"axis": 0, "keepdims": True})


def _lambda_cases(rec, f32):
    """Lambda's configs as Keras writes them, the outputs Keras computes after reloading each
    config with safe_mode=False, and the refusal under safe mode."""
    def double(x):
        return x * 2.0

    x = f32(3, 4)
    layers = {
        "lambda/python_lambda": keras.layers.Lambda(lambda t: t * t + 1.0),
        "lambda/defaults_and_arguments": keras.layers.Lambda(
            lambda t, power=2, shift=0.0: t ** power - shift, arguments={"shift": 1.5}),
        "lambda/output_shape": keras.layers.Lambda(lambda t: t[:, :2], output_shape=(2,)),
        "lambda/named_function": keras.layers.Lambda(double),
    }
    for case_id, layer in layers.items():
        config = layer.get_config()
        rec.array(case_id, "x", x)
        rec.array(case_id, "output", keras.ops.convert_to_numpy(layer(tf.constant(x))))
        meta = {"config": config, "custom_objects": ["double"] if "named" in case_id else []}
        if "output_shape" in config:
            meta["symbolic_output_shape"] = list(layer.compute_output_shape((None, 4)))
        rec.add(case_id, **meta)
    try:
        keras.layers.Lambda.from_config(layers["lambda/python_lambda"].get_config())
    except ValueError as error:
        rec.add("lambda/safe_mode_error", message=str(error))


SIGNATURE_NAMES = {
    "layers": """ReLU LeakyReLU PReLU ELU Softmax Lambda Identity Masking Wrapper Multiply Average
        Maximum Minimum Subtract Dot add multiply average maximum minimum subtract concatenate
        dot Permute RepeatVector Cropping1D Cropping2D Cropping3D ZeroPadding1D ZeroPadding3D
        UpSampling1D UpSampling2D UpSampling3D Conv1DTranspose Conv2DTranspose Conv3DTranspose
        DepthwiseConv1D SeparableConv1D SeparableConv2D GlobalAveragePooling3D
        GlobalMaxPooling3D AdaptiveAveragePooling1D AdaptiveAveragePooling2D
        AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D
        GroupNormalization UnitNormalization RMSNormalization SpectralNormalization
        ActivityRegularization SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianNoise
        GaussianDropout AlphaDropout Normalization Rescaling Discretization CategoryEncoding
        Hashing IntegerLookup""".split(),
    "utils": ["to_categorical", "normalize", "pad_sequences"],
    "ops": ["rsqrt", "normalize", "rms_normalization", "adaptive_average_pool",
            "adaptive_max_pool", "broadcast_to", "any", "all"],
    "ops.image": ["resize"],
}


def _signature_cases(rec):
    """The parameters (name and default) of each public name: Shift+Tab must show Keras'."""
    import functools
    import inspect

    signatures = {}
    for module, names in SIGNATURE_NAMES.items():
        namespace = functools.reduce(getattr, module.split("."), keras)
        for name in names:
            obj = getattr(namespace, name)
            function = obj.__init__ if inspect.isclass(obj) else obj
            signatures[f"{module}.{name}"] = [
                [p.name, None if p.default is inspect.Parameter.empty else repr(p.default)]
                for p in inspect.signature(function).parameters.values()]
    rec.add("signatures", signatures=signatures)


def build():
    rec = Recorder("more_layers", seed=20261210)
    r = rec.rng

    def f32(*shape, scale=1.0, shift=0.0):
        return (r.standard_normal(shape) * scale + shift).astype(np.float32)

    def normal_weights(shape):
        return r.standard_normal(shape).astype(np.float32)

    _activation_cases(rec, f32, normal_weights)
    _core_cases(rec, f32)
    _merge_cases(rec, f32)
    _mask_cases(rec)
    _reshaping_cases(rec, f32)
    _convolution_cases(rec, f32, normal_weights)
    _pooling_cases(rec, f32)
    _normalization_cases(rec, f32, normal_weights)
    _regularization_cases(rec, f32)
    _op_cases(rec, f32)
    _lambda_cases(rec, f32)
    _signature_cases(rec)
    return rec
