"""The models of the "saving" family, written once for both frameworks.

``MODELS[name](keras)`` builds and compiles a model with the given keras module (real Keras in
tools/reference/saving.py and tools/interop_check.py, nbkeras in the tests and
tools/interop_write.py); ``custom_objects(keras)`` defines, for that module, the registered
custom layer and the chapter's FocalLoss that the "custom" model uses. No dropout: a resumed
fit must see the same functions in both frameworks.

``constructor_arguments(keras)`` gives arguments for the classes of the config survey (the
classes that cannot be made with no arguments).
"""

import numpy as np

PACKAGE = "nbk_reference"
"""The package the custom objects are registered under (``nbk_reference>Scale``)."""

_DEFINED = {}


def custom_objects(keras):
    """``{"Scale": ..., "FocalLoss": ...}`` for this keras module, registered once."""
    key = keras.__name__
    if key in _DEFINED:
        return _DEFINED[key]

    @keras.saving.register_keras_serializable(package=PACKAGE)
    class Scale(keras.layers.Layer):
        """Multiplies each feature by a learned weight and a fixed factor."""

        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w * self.factor

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @keras.saving.register_keras_serializable(package=PACKAGE)
    class FocalLoss(keras.losses.Loss):
        """Binary focal loss, as the losses chapter writes it."""

        def __init__(self, gamma=2.0, alpha=0.25, **kwargs):
            super().__init__(**kwargs)
            self.gamma = gamma
            self.alpha = alpha

        def call(self, y_true, y_pred):
            eps = keras.backend.epsilon()
            y_pred = keras.ops.clip(y_pred, eps, 1.0 - eps)
            p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
            alpha_t = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
            return keras.ops.mean(-alpha_t * (1 - p_t) ** self.gamma * keras.ops.log(p_t),
                                  axis=-1)

        def get_config(self):
            return {**super().get_config(), "gamma": self.gamma, "alpha": self.alpha}

    @keras.saving.register_keras_serializable(package=PACKAGE)
    class TwoTower(keras.Model):
        """A subclassed model: its layers are attributes (one of them a list), so the weights
        file's paths follow the attribute names in sorted order."""

        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.towers = [keras.layers.Dense(units, activation="tanh"),
                           keras.layers.Dense(units, activation="relu")]
            self.norm = keras.layers.LayerNormalization()
            self.head = keras.layers.Dense(1)

        def call(self, x):
            h = keras.ops.concatenate([tower(x) for tower in self.towers], axis=-1)
            return self.head(self.norm(h))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    _DEFINED[key] = {"Scale": Scale, "FocalLoss": FocalLoss, "TwoTower": TwoTower}
    return _DEFINED[key]


def cnn(keras):
    """A Sequential CNN with BatchNormalization on 8x8x1 images, Adam."""
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu", name="conv"),
        layers.BatchNormalization(name="bn"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(3, activation="softmax", name="probabilities"),
    ], name="cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def functional(keras):
    """Two inputs, two outputs (a regression and a classification), SGD with momentum."""
    layers = keras.layers
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = layers.Dense(6, activation="tanh", name="hidden")(layers.Concatenate()([a, b]))
    value = layers.Dense(1, name="value")(h)
    label = layers.Dense(3, activation="softmax", name="label")(h)
    model = keras.Model([a, b], [value, label], name="two_by_two")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5])
    return model


def custom(keras):
    """A registered custom layer and the chapter's FocalLoss, RMSprop."""
    objects = custom_objects(keras)
    model = keras.Sequential([
        keras.Input((4,)),
        objects["Scale"](factor=1.5, name="scale"),
        keras.layers.Dense(1, activation="sigmoid", name="p"),
    ], name="custom")
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
                  loss=objects["FocalLoss"](gamma=2.0, alpha=0.75))
    return model


def subclassed(keras):
    """A registered subclassed model, built by a call, Adam."""
    model = custom_objects(keras)["TwoTower"](units=4, name="two_tower")
    model(np.zeros((1, 3), np.float32))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    return model


MODELS = {"cnn": cnn, "functional": functional, "custom": custom, "subclassed": subclassed}


def make_data(rng):
    """Inputs and targets of each model (float32; labels int32)."""
    f32 = np.float32
    return {
        "cnn": {"x": [rng.random((32, 8, 8, 1)).astype(f32)],
                "y": [rng.integers(0, 3, (32,)).astype(np.int32)]},
        "functional": {"x": [rng.standard_normal((24, 3)).astype(f32),
                             rng.standard_normal((24, 2)).astype(f32)],
                       "y": [rng.standard_normal((24, 1)).astype(f32),
                             rng.integers(0, 3, (24,)).astype(np.int32)]},
        "custom": {"x": [rng.standard_normal((20, 4)).astype(f32)],
                   "y": [rng.integers(0, 2, (20, 1)).astype(f32)]},
        "subclassed": {"x": [rng.standard_normal((16, 3)).astype(f32)],
                       "y": [rng.standard_normal((16, 1)).astype(f32)]},
    }


def inputs(arrays):
    return arrays[0] if len(arrays) == 1 else list(arrays)


FIT = {"epochs": 1, "batch_size": 8, "shuffle": False, "verbose": 0}
"""How every model trains, before the save and after the load."""


def constructor_arguments(keras):
    """``{class name: kwargs}`` for the survey's classes that need arguments."""
    layers = keras.layers
    return {
        # layers
        "Activation": {"activation": "relu"},
        "ActivityRegularization": {},
        "AdaptiveAveragePooling1D": {"output_size": 2},
        "AdaptiveAveragePooling2D": {"output_size": 2},
        "AdaptiveAveragePooling3D": {"output_size": 2},
        "AdaptiveMaxPooling1D": {"output_size": 2},
        "AdaptiveMaxPooling2D": {"output_size": 2},
        "AdaptiveMaxPooling3D": {"output_size": 2},
        "AveragePooling1D": {"pool_size": 2},
        "AveragePooling2D": {"pool_size": 2},
        "AveragePooling3D": {"pool_size": 2},
        "MaxPooling1D": {"pool_size": 2},
        "MaxPooling2D": {"pool_size": 2},
        "MaxPooling3D": {"pool_size": 2},
        "Bidirectional": {"layer": layers.LSTM(2)},
        "CategoryEncoding": {"num_tokens": 4},
        "Conv1D": {"filters": 2, "kernel_size": 3},
        "Conv2D": {"filters": 2, "kernel_size": 3},
        "Conv3D": {"filters": 2, "kernel_size": 3},
        "Conv1DTranspose": {"filters": 2, "kernel_size": 3},
        "Conv2DTranspose": {"filters": 2, "kernel_size": 3},
        "Conv3DTranspose": {"filters": 2, "kernel_size": 3},
        "ConvLSTM1D": {"filters": 2, "kernel_size": 3},
        "ConvLSTM2D": {"filters": 2, "kernel_size": 3},
        "ConvLSTM3D": {"filters": 2, "kernel_size": 3},
        "Dense": {"units": 2},
        "DepthwiseConv1D": {"kernel_size": 3},
        "DepthwiseConv2D": {"kernel_size": 3},
        "Discretization": {"bin_boundaries": [0.0, 1.0]},
        "Dot": {"axes": 1},
        "Dropout": {"rate": 0.5},
        "AlphaDropout": {"rate": 0.5},
        "GaussianDropout": {"rate": 0.5},
        "GaussianNoise": {"stddev": 0.5},
        "SpatialDropout1D": {"rate": 0.5},
        "SpatialDropout2D": {"rate": 0.5},
        "SpatialDropout3D": {"rate": 0.5},
        "EinsumDense": {"equation": "ab,bc->ac", "output_shape": 4},
        "Embedding": {"input_dim": 10, "output_dim": 3},
        "GRU": {"units": 2},
        "GRUCell": {"units": 2},
        "LSTM": {"units": 2},
        "LSTMCell": {"units": 2},
        "SimpleRNN": {"units": 2},
        "SimpleRNNCell": {"units": 2},
        "RNN": {"cell": layers.SimpleRNNCell(2)},
        "StackedRNNCells": {"cells": [layers.SimpleRNNCell(2), layers.SimpleRNNCell(3)]},
        "GroupNormalization": {"groups": 2},
        "GroupedQueryAttention": {"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 1},
        "Hashing": {"num_bins": 4},
        "IntegerLookup": {"vocabulary": [1, 2, 3]},
        "Lambda": None,  # its function is code: tested on its own
        "MultiHeadAttention": {"num_heads": 2, "key_dim": 2},
        "Permute": {"dims": (2, 1)},
        "RepeatVector": {"n": 3},
        "Rescaling": {"scale": 0.5},
        "Reshape": {"target_shape": (2, 3)},
        "SeparableConv1D": {"filters": 2, "kernel_size": 3},
        "SeparableConv2D": {"filters": 2, "kernel_size": 3},
        "SpectralNormalization": {"layer": layers.Dense(2)},
        "TimeDistributed": {"layer": layers.Dense(2)},
        "Wrapper": None,
        "InputLayer": {"shape": (3,)},
        # schedules
        "CosineDecay": {"initial_learning_rate": 0.1, "decay_steps": 10},
        "CosineDecayRestarts": {"initial_learning_rate": 0.1, "first_decay_steps": 10},
        "ExponentialDecay": {"initial_learning_rate": 0.1, "decay_steps": 10,
                             "decay_rate": 0.5},
        "InverseTimeDecay": {"initial_learning_rate": 0.1, "decay_steps": 10,
                             "decay_rate": 0.5},
        "PiecewiseConstantDecay": {"boundaries": [5, 10], "values": [0.1, 0.01, 0.001]},
        "PolynomialDecay": {"initial_learning_rate": 0.1, "decay_steps": 10},
        # others
        "Constant": {"value": 0.5},
        "Mean": {},
        "MeanMetricWrapper": None,
        "LossFunctionWrapper": None,
    }


SURVEY_MODULES = ["initializers", "regularizers", "constraints", "losses", "metrics",
                  "optimizers", "optimizers.schedules", "layers"]
"""The keras modules whose classes' configs the survey records."""


# -- layouts: where composite layers keep their variables in the HDF5 file -------------------------
def _sequence_input(keras):
    return keras.Input((5, 3))


def layout_recurrent(keras):
    """LSTM, GRU and SimpleRNN, a Bidirectional LSTM, a stacked-cell RNN."""
    layers = keras.layers
    x = _sequence_input(keras)
    h = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(x)
    h = layers.GRU(3, return_sequences=True)(h)
    h = layers.RNN(layers.StackedRNNCells([layers.SimpleRNNCell(2), layers.LSTMCell(2)]),
                   return_sequences=True)(h)
    h = layers.SimpleRNN(2)(h)
    return keras.Model(x, h)


def layout_attention(keras):
    """MultiHeadAttention, GroupedQueryAttention, Attention, AdditiveAttention,
    LayerNormalization, EinsumDense, TimeDistributed."""
    layers = keras.layers
    x = _sequence_input(keras)
    h = layers.MultiHeadAttention(num_heads=2, key_dim=2)(x, x)
    h = layers.LayerNormalization()(h)
    g = layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1)(h, h)
    a = layers.Attention()([h, g])
    b = layers.AdditiveAttention()([h, g])
    h = layers.Concatenate()([a, b])
    h = layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d")(h)
    h = layers.TimeDistributed(layers.Dense(2))(h)
    return keras.Model(x, h)


def layout_convolutions(keras):
    """Every kind of convolution, PReLU, BatchNormalization, GroupNormalization, a nested
    Sequential and a SpectralNormalization wrapper."""
    layers = keras.layers
    x = keras.Input((6, 6, 2))
    h = layers.Conv2D(3, 3, padding="same")(x)
    h = layers.SeparableConv2D(4, 3, padding="same")(h)
    h = layers.DepthwiseConv2D(3, padding="same")(h)
    h = layers.Conv2DTranspose(2, 3, padding="same")(h)
    h = layers.PReLU()(h)
    h = layers.GroupNormalization(groups=2)(h)
    block = keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(2, 1),
                              layers.BatchNormalization()], name="block")
    h = block(h)
    h = layers.Flatten()(h)
    h = layers.SpectralNormalization(layers.Dense(3))(h)
    return keras.Model(x, h)


def layout_embedding(keras):
    """Embedding, Conv1D, a Dense with a regularizer, Normalization (its statistics)."""
    layers = keras.layers
    tokens = keras.Input((6,), dtype="int32")
    h = layers.Embedding(10, 3)(tokens)
    h = layers.Conv1D(2, 3)(h)
    h = layers.GlobalAveragePooling1D()(h)
    numbers = keras.Input((2,))
    norm = layers.Normalization()
    norm.adapt(np.array([[0.0, 1.0], [2.0, 5.0], [4.0, 3.0]], np.float32))
    h = layers.Concatenate()([h, norm(numbers)])
    h = layers.Dense(2, kernel_regularizer="l2")(h)
    return keras.Model([tokens, numbers], h)


LAYOUTS = {"recurrent": layout_recurrent, "attention": layout_attention,
           "convolutions": layout_convolutions, "embedding": layout_embedding}


def layout_inputs(name, rng):
    f32 = np.float32
    if name == "convolutions":
        return [rng.standard_normal((2, 6, 6, 2)).astype(f32)]
    if name == "embedding":
        return [rng.integers(0, 10, (2, 6)).astype(np.int32),
                rng.standard_normal((2, 2)).astype(f32)]
    return [rng.standard_normal((2, 5, 3)).astype(f32)]
