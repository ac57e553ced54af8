"""``keras.layers``: the Layer base class and the layers built on it."""

from nbkeras.layers.activations.activation import Activation
from nbkeras.layers.core.dense import Dense
from nbkeras.layers.core.embedding import Embedding
from nbkeras.layers.input_layer import Input, InputLayer
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.layers.merging.add import Add, add
from nbkeras.layers.merging.concatenate import Concatenate, concatenate
from nbkeras.layers.normalization.batch_normalization import BatchNormalization
from nbkeras.layers.normalization.layer_normalization import LayerNormalization
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.layers.reshaping.flatten import Flatten
from nbkeras.layers.reshaping.reshape import Reshape
