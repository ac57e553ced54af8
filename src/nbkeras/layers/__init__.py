"""``keras.layers``: the Layer base class and the layers built on it."""

from nbkeras.layers.activations.activation import Activation
from nbkeras.layers.activations.elu import ELU
from nbkeras.layers.activations.leaky_relu import LeakyReLU
from nbkeras.layers.activations.prelu import PReLU
from nbkeras.layers.activations.relu import ReLU
from nbkeras.layers.activations.softmax import Softmax
from nbkeras.layers.attention.additive_attention import AdditiveAttention
from nbkeras.layers.attention.attention import Attention
from nbkeras.layers.attention.grouped_query_attention import (
    GroupedQueryAttention,
    GroupQueryAttention,
)
from nbkeras.layers.attention.multi_head_attention import MultiHeadAttention
from nbkeras.layers.convolutional.conv1d import Conv1D, Convolution1D
from nbkeras.layers.convolutional.conv1d_transpose import Conv1DTranspose, Convolution1DTranspose
from nbkeras.layers.convolutional.conv2d import Conv2D, Convolution2D
from nbkeras.layers.convolutional.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from nbkeras.layers.convolutional.conv3d import Conv3D, Convolution3D
from nbkeras.layers.convolutional.conv3d_transpose import Conv3DTranspose, Convolution3DTranspose
from nbkeras.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from nbkeras.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from nbkeras.layers.convolutional.separable_conv1d import SeparableConv1D, SeparableConvolution1D
from nbkeras.layers.convolutional.separable_conv2d import SeparableConv2D, SeparableConvolution2D
from nbkeras.layers.core.dense import Dense
from nbkeras.layers.core.einsum_dense import EinsumDense
from nbkeras.layers.core.embedding import Embedding
from nbkeras.layers.core.identity import Identity
from nbkeras.layers.core.lambda_layer import Lambda
from nbkeras.layers.core.masking import Masking
from nbkeras.layers.core.wrapper import Wrapper
from nbkeras.layers.input_layer import Input, InputLayer
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.layers.merging.add import Add, add
from nbkeras.layers.merging.average import Average, average
from nbkeras.layers.merging.concatenate import Concatenate, concatenate
from nbkeras.layers.merging.dot import Dot, dot
from nbkeras.layers.merging.maximum import Maximum, maximum
from nbkeras.layers.merging.minimum import Minimum, minimum
from nbkeras.layers.merging.multiply import Multiply, multiply
from nbkeras.layers.merging.subtract import Subtract, subtract
from nbkeras.layers.normalization.batch_normalization import BatchNormalization
from nbkeras.layers.normalization.group_normalization import GroupNormalization
from nbkeras.layers.normalization.layer_normalization import LayerNormalization
from nbkeras.layers.normalization.rms_normalization import RMSNormalization
from nbkeras.layers.normalization.spectral_normalization import SpectralNormalization
from nbkeras.layers.normalization.unit_normalization import UnitNormalization
from nbkeras.layers.pooling.adaptive_average_pooling1d import AdaptiveAveragePooling1D
from nbkeras.layers.pooling.adaptive_average_pooling2d import AdaptiveAveragePooling2D
from nbkeras.layers.pooling.adaptive_average_pooling3d import AdaptiveAveragePooling3D
from nbkeras.layers.pooling.adaptive_max_pooling1d import AdaptiveMaxPooling1D
from nbkeras.layers.pooling.adaptive_max_pooling2d import AdaptiveMaxPooling2D
from nbkeras.layers.pooling.adaptive_max_pooling3d import AdaptiveMaxPooling3D
from nbkeras.layers.pooling.average_pooling1d import AveragePooling1D, AvgPool1D
from nbkeras.layers.pooling.average_pooling2d import AveragePooling2D, AvgPool2D
from nbkeras.layers.pooling.average_pooling3d import AveragePooling3D, AvgPool3D
from nbkeras.layers.pooling.global_average_pooling1d import (
    GlobalAveragePooling1D,
    GlobalAvgPool1D,
)
from nbkeras.layers.pooling.global_average_pooling2d import (
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
)
from nbkeras.layers.pooling.global_average_pooling3d import (
    GlobalAveragePooling3D,
    GlobalAvgPool3D,
)
from nbkeras.layers.pooling.global_max_pooling1d import GlobalMaxPool1D, GlobalMaxPooling1D
from nbkeras.layers.pooling.global_max_pooling2d import GlobalMaxPool2D, GlobalMaxPooling2D
from nbkeras.layers.pooling.global_max_pooling3d import GlobalMaxPool3D, GlobalMaxPooling3D
from nbkeras.layers.pooling.max_pooling1d import MaxPool1D, MaxPooling1D
from nbkeras.layers.pooling.max_pooling2d import MaxPool2D, MaxPooling2D
from nbkeras.layers.pooling.max_pooling3d import MaxPool3D, MaxPooling3D
from nbkeras.layers.preprocessing.category_encoding import CategoryEncoding
from nbkeras.layers.preprocessing.discretization import Discretization
from nbkeras.layers.preprocessing.hashing import Hashing
from nbkeras.layers.preprocessing.integer_lookup import IntegerLookup
from nbkeras.layers.preprocessing.normalization import Normalization
from nbkeras.layers.preprocessing.rescaling import Rescaling
from nbkeras.layers.regularization.activity_regularization import ActivityRegularization
from nbkeras.layers.regularization.alpha_dropout import AlphaDropout
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.layers.regularization.gaussian_dropout import GaussianDropout
from nbkeras.layers.regularization.gaussian_noise import GaussianNoise
from nbkeras.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from nbkeras.layers.reshaping.cropping1d import Cropping1D
from nbkeras.layers.reshaping.cropping2d import Cropping2D
from nbkeras.layers.reshaping.cropping3d import Cropping3D
from nbkeras.layers.reshaping.flatten import Flatten
from nbkeras.layers.reshaping.permute import Permute
from nbkeras.layers.reshaping.repeat_vector import RepeatVector
from nbkeras.layers.reshaping.reshape import Reshape
from nbkeras.layers.reshaping.up_sampling1d import UpSampling1D
from nbkeras.layers.reshaping.up_sampling2d import UpSampling2D
from nbkeras.layers.reshaping.up_sampling3d import UpSampling3D
from nbkeras.layers.reshaping.zero_padding1d import ZeroPadding1D
from nbkeras.layers.reshaping.zero_padding2d import ZeroPadding2D
from nbkeras.layers.reshaping.zero_padding3d import ZeroPadding3D
from nbkeras.layers.rnn.bidirectional import Bidirectional
from nbkeras.layers.rnn.conv_lstm1d import ConvLSTM1D
from nbkeras.layers.rnn.conv_lstm2d import ConvLSTM2D
from nbkeras.layers.rnn.conv_lstm3d import ConvLSTM3D
from nbkeras.layers.rnn.gru import GRU, GRUCell
from nbkeras.layers.rnn.lstm import LSTM, LSTMCell
from nbkeras.layers.rnn.rnn import RNN
from nbkeras.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from nbkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from nbkeras.layers.rnn.time_distributed import TimeDistributed


def layer_classes():
    """Every layer class of ``keras.layers`` by name (what a saved config names)."""
    return {name: obj for name, obj in globals().items()
            if isinstance(obj, type) and issubclass(obj, Layer)}


def serialize(layer):
    """A layer's config as Keras writes it: ``{"module", "class_name", "config",
    "registered_name"}`` (and ``build_config`` once built)."""
    from nbkeras.saving import serialization_lib

    return serialization_lib.serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer (or model) ``serialize`` described, with new weights."""
    from nbkeras.saving import serialization_lib

    return serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects)
