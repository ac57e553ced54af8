"""``keras.layers``: the Layer base class and the layers built on it."""

from nbkeras.layers.activations.activation import Activation
from nbkeras.layers.attention.additive_attention import AdditiveAttention
from nbkeras.layers.attention.attention import Attention
from nbkeras.layers.attention.grouped_query_attention import (
    GroupedQueryAttention,
    GroupQueryAttention,
)
from nbkeras.layers.attention.multi_head_attention import MultiHeadAttention
from nbkeras.layers.convolutional.conv1d import Conv1D, Convolution1D
from nbkeras.layers.convolutional.conv2d import Conv2D, Convolution2D
from nbkeras.layers.convolutional.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from nbkeras.layers.convolutional.conv3d import Conv3D, Convolution3D
from nbkeras.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from nbkeras.layers.convolutional.separable_conv2d import SeparableConv2D
from nbkeras.layers.core.dense import Dense
from nbkeras.layers.core.einsum_dense import EinsumDense
from nbkeras.layers.core.embedding import Embedding
from nbkeras.layers.input_layer import Input, InputLayer
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.layers.merging.add import Add, add
from nbkeras.layers.merging.concatenate import Concatenate, concatenate
from nbkeras.layers.normalization.batch_normalization import BatchNormalization
from nbkeras.layers.normalization.layer_normalization import LayerNormalization
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
from nbkeras.layers.pooling.global_max_pooling1d import GlobalMaxPool1D, GlobalMaxPooling1D
from nbkeras.layers.pooling.global_max_pooling2d import GlobalMaxPool2D, GlobalMaxPooling2D
from nbkeras.layers.pooling.max_pooling1d import MaxPool1D, MaxPooling1D
from nbkeras.layers.pooling.max_pooling2d import MaxPool2D, MaxPooling2D
from nbkeras.layers.pooling.max_pooling3d import MaxPool3D, MaxPooling3D
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.layers.reshaping.flatten import Flatten
from nbkeras.layers.reshaping.reshape import Reshape
from nbkeras.layers.reshaping.up_sampling2d import UpSampling2D
from nbkeras.layers.reshaping.zero_padding2d import ZeroPadding2D
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
