"""``keras.layers``: the Layer base class and the layers built on it."""

from nbkeras.layers.core.dense import Dense
from nbkeras.layers.input_layer import Input, InputLayer
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
