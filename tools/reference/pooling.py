"""Reference cases for pooling: keras.ops.max_pool / average_pool and the layers
MaxPooling1D/2D/3D (MaxPool2D is the same class), AveragePooling1D/2D/3D,
GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D.

Besides random inputs, the cases pin down the conventions: the seed grids [[1..9]] and [[1..16]],
ties (TensorFlow's 1-D/2-D max pooling routes the gradient to the first maximum in scan order,
its 3-D pooling to every tied maximum), windows of -inf and NaN (the max starts from the lowest
finite float), and "same" average pooling at the border (divides by the real elements only).
"""

import numpy as np

from reference._recorder import Recorder
from reference.layers import layer_case
from reference.ops import op


def _grid(n):
    return np.arange(1, n * n + 1, dtype=np.float32).reshape(1, n, n, 1)


def _op_cases(rec, f32):
    op(rec, "max_pool/seed_3x3_pool_2_stride_1", "max_pool", [_grid(3), 2, 1])
    op(rec, "max_pool/seed_4x4_pool_2", "max_pool", [_grid(4), 2])
    op(rec, "max_pool/seed_3x3_same", "max_pool", [_grid(3), 2], dict(padding="same"))
    op(rec, "max_pool/2d_valid", "max_pool", [f32(2, 6, 7, 3), 2])
    op(rec, "max_pool/2d_same_stride_1", "max_pool", [f32(2, 5, 4, 3), 3, 1, "same"])
    op(rec, "max_pool/2d_pool_3x2_strides_2x1", "max_pool", [f32(2, 7, 6, 2), (3, 2), (2, 1)])
    op(rec, "max_pool/2d_channels_first", "max_pool", [f32(2, 3, 6, 5), 2],
       dict(padding="same", data_format="channels_first"))
    op(rec, "max_pool/1d_same", "max_pool", [f32(2, 7, 3), 3, 2, "same"])
    op(rec, "max_pool/3d_valid", "max_pool", [f32(2, 4, 5, 4, 2), 2])
    op(rec, "max_pool/3d_same_stride_1", "max_pool", [f32(1, 3, 4, 3, 2), 2, 1, "same"])
    ties = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0]], np.float32).reshape(1, 3, 3, 1)
    op(rec, "max_pool/2d_ties_same", "max_pool", [ties, 2, 1, "same"])
    op(rec, "max_pool/2d_ties_valid", "max_pool", [np.ones((1, 4, 4, 2), np.float32), 2, 1])
    op(rec, "max_pool/1d_ties", "max_pool",
       [np.array([2, 2, 1, 2, 2, 2], np.float32).reshape(1, 6, 1), 2, 1])
    op(rec, "max_pool/3d_ties", "max_pool", [np.ones((1, 3, 3, 3, 2), np.float32), 2, 1])
    op(rec, "max_pool/1d_minus_infinity_and_nan", "max_pool",
       [np.array([-np.inf, -np.inf, 3, 0, np.nan, np.nan, np.nan, 1], np.float32)
        .reshape(1, 8, 1), 2, 1, "same"])
    op(rec, "max_pool/2d_minus_infinity_border", "max_pool",
       [np.full((1, 3, 3, 1), -np.inf, np.float32), 3, 1, "same"])

    op(rec, "average_pool/seed_3x3_same", "average_pool", [_grid(3), 2], dict(padding="same"))
    op(rec, "average_pool/seed_3x3_same_stride_1", "average_pool", [_grid(3), 2, 1, "same"])
    op(rec, "average_pool/2d_valid", "average_pool", [f32(2, 6, 7, 3), 2])
    op(rec, "average_pool/2d_same_pool_3_stride_2", "average_pool",
       [f32(2, 7, 6, 2), 3, 2, "same"])
    op(rec, "average_pool/2d_channels_first", "average_pool", [f32(2, 3, 5, 6), (2, 3)],
       dict(strides=1, data_format="channels_first"))
    op(rec, "average_pool/1d_same", "average_pool", [f32(2, 7, 3), 3, 2, "same"])
    op(rec, "average_pool/3d_same", "average_pool", [f32(1, 3, 5, 4, 2), 2, None, "same"])
    op(rec, "average_pool/3d_valid_stride_1", "average_pool", [f32(2, 3, 4, 3, 2), 2, 1])
    op(rec, "average_pool/2d_float64", "average_pool",
       [rec.rng.standard_normal((1, 4, 5, 2)), 2, 1, "same"])


def _layer_cases(rec, f32):
    layer_case(rec, "MaxPooling1D/default", "MaxPooling1D", {}, [f32(2, 7, 3)])
    layer_case(rec, "MaxPooling1D/same_stride_1", "MaxPooling1D",
               dict(pool_size=3, strides=1, padding="same"), [f32(2, 6, 2)])
    layer_case(rec, "MaxPooling1D/channels_first", "MaxPooling1D",
               dict(data_format="channels_first"), [f32(2, 3, 6)])
    layer_case(rec, "MaxPooling2D/default", "MaxPooling2D", {}, [f32(2, 6, 7, 3)])
    layer_case(rec, "MaxPooling2D/same_pool_3_stride_2", "MaxPooling2D",
               dict(pool_size=3, strides=2, padding="same"), [f32(2, 7, 6, 2)])
    layer_case(rec, "MaxPooling2D/channels_first", "MaxPooling2D",
               dict(pool_size=(2, 3), data_format="channels_first"), [f32(2, 3, 6, 6)])
    layer_case(rec, "MaxPool2D/alias", "MaxPool2D", dict(pool_size=2, strides=1), [f32(1, 4, 4, 2)])
    layer_case(rec, "MaxPooling3D/default", "MaxPooling3D", {}, [f32(2, 4, 5, 4, 2)])
    layer_case(rec, "MaxPooling3D/same_stride_1", "MaxPooling3D",
               dict(pool_size=2, strides=1, padding="same"), [f32(1, 3, 3, 4, 2)])

    layer_case(rec, "AveragePooling1D/pool_2", "AveragePooling1D", dict(pool_size=2),
               [f32(2, 7, 3)])
    layer_case(rec, "AveragePooling1D/same", "AveragePooling1D",
               dict(pool_size=3, strides=2, padding="same"), [f32(2, 8, 2)])
    layer_case(rec, "AveragePooling2D/pool_2", "AveragePooling2D", dict(pool_size=2),
               [f32(2, 6, 7, 3)])
    layer_case(rec, "AveragePooling2D/same_stride_1", "AveragePooling2D",
               dict(pool_size=3, strides=1, padding="same"), [f32(2, 5, 4, 2)])
    layer_case(rec, "AveragePooling2D/channels_first", "AveragePooling2D",
               dict(pool_size=(2, 2), data_format="channels_first"), [f32(2, 3, 4, 6)])
    layer_case(rec, "AveragePooling3D/pool_2", "AveragePooling3D", dict(pool_size=2),
               [f32(2, 4, 4, 5, 2)])
    layer_case(rec, "AveragePooling3D/same", "AveragePooling3D",
               dict(pool_size=(2, 3, 2), padding="same"), [f32(1, 3, 5, 4, 2)])

    layer_case(rec, "GlobalAveragePooling1D/default", "GlobalAveragePooling1D", {},
               [f32(2, 7, 3)])
    layer_case(rec, "GlobalAveragePooling1D/channels_first_keepdims", "GlobalAveragePooling1D",
               dict(data_format="channels_first", keepdims=True), [f32(2, 3, 7)])
    layer_case(rec, "GlobalAveragePooling2D/default", "GlobalAveragePooling2D", {},
               [f32(2, 5, 4, 3)])
    layer_case(rec, "GlobalAveragePooling2D/keepdims", "GlobalAveragePooling2D",
               dict(keepdims=True), [f32(2, 5, 4, 3)])
    layer_case(rec, "GlobalMaxPooling1D/default", "GlobalMaxPooling1D", {}, [f32(2, 7, 3)])
    layer_case(rec, "GlobalMaxPooling2D/default", "GlobalMaxPooling2D", {}, [f32(2, 5, 4, 3)])
    layer_case(rec, "GlobalMaxPooling2D/channels_first_keepdims", "GlobalMaxPooling2D",
               dict(data_format="channels_first", keepdims=True), [f32(2, 3, 5, 4)])


def build():
    rec = Recorder("pooling", seed=20261206)

    def f32(*shape):
        return rec.rng.standard_normal(shape).astype(np.float32)

    _op_cases(rec, f32)
    _layer_cases(rec, f32)
    return rec
