"""The Layer base class: building, weights, naming, input checks, losses, symbolic calls."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils import naming


@pytest.fixture(autouse=True)
def fresh_names():
    naming.reset_names()
    yield


class Linear(layers.Layer):
    """A user-written layer, as in the Keras guide."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)


def test_unique_default_names_follow_keras():
    names = [layers.Dense(2).name, layers.Dense(2).name, Linear().name, layers.Dense(2).name]
    assert names == ["dense", "dense_1", "linear", "dense_2"]
    assert layers.Dense(2, name="head").name == "head"
    with pytest.raises(ValueError, match="without '/'"):
        layers.Dense(2, name="a/b")


def test_build_on_first_call_and_weight_paths():
    layer = layers.Dense(3)
    assert not layer.built and layer.weights == []
    y = layer(np.ones((2, 5), np.float32))
    assert layer.built and y.shape == (2, 3)
    assert [w.path for w in layer.weights] == ["dense/kernel", "dense/bias"]
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert layer.count_params() == 5 * 3 + 3


def test_explicit_build_marks_built():
    layer = Linear(2)
    layer.build((None, 3))
    assert layer.built and layer.w.shape == (3, 2) and layer.path == "linear"


def test_count_params_needs_a_built_layer():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(3).count_params()


def test_set_weights_checks_count_and_shapes():
    layer = layers.Dense(4)
    layer.build((None, 3))
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.zeros((3, 4))])
    with pytest.raises(ValueError, match=r"'dense/kernel' has shape \(3, 4\).*\(4, 4\)"):
        layer.set_weights([np.zeros((4, 4)), np.zeros(4)])
    layer.set_weights([np.ones((3, 4)), np.arange(4.0)])
    np.testing.assert_array_equal(layer.get_weights()[1], [0, 1, 2, 3])
    assert layer.get_weights()[0].dtype == np.float32


def test_wrong_channel_count_names_layer_and_shapes():
    layer = layers.Dense(4)
    layer.build((None, 3))
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 5), np.float32))
    message = str(info.value)
    assert "'dense'" in message and "(2, 5)" in message and "(None, 3)" in message
    assert "axis -1" in message and "value 3" in message


def test_wrong_rank_names_layer_and_shape():
    with pytest.raises(ValueError, match=r"'dense'.*min_ndim=2, found ndim=1.*\(3,\)"):
        layers.Dense(4)(np.zeros(3, np.float32))


def test_trainable_flag_propagates_to_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not layer.kernel.trainable
    layer.trainable = True
    assert layer.kernel.trainable and len(layer.trainable_weights) == 2


def test_sub_layers_are_tracked():
    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.first = layers.Dense(3)
            self.second = layers.Dense(2)

        def call(self, x):
            return self.second(self.first(x))

    block = Block()
    y = block(np.ones((4, 5), np.float32))
    assert y.shape == (4, 2)
    assert [w.path for w in block.weights] == [
        "block/dense/kernel", "block/dense/bias", "block/dense_1/kernel", "block/dense_1/bias"]
    block.trainable = False
    assert block.trainable_weights == [] and not block.first.trainable


def test_layers_in_lists_and_dicts_are_tracked_like_keras():
    # Keras wraps list and dict attributes, so layers added later (append, item assignment)
    # and layers nested in containers are the layer's state too, in the order they were added
    class Stack(layers.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = []
            for units in (3, 2):
                self.blocks.append(layers.Dense(units))
            self.heads = {"first": layers.Dense(2)}
            self.heads["second"] = layers.Dense(1)
            self.nested = [(layers.Dense(1),)]
            self.nested += [layers.Dense(1)]

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            y = self.heads["first"](x) + self.heads["second"](x)
            return self.nested[1](self.nested[0][0](y))

    stack = Stack()
    stack(np.ones((2, 4), np.float32))
    assert [w.path for w in stack.weights] == [
        f"stack/dense{suffix}/{name}" for suffix in ("", "_1", "_2", "_3", "_4", "_5")
        for name in ("kernel", "bias")]
    assert len(stack.trainable_weights) == 12
    assert isinstance(stack.blocks, list) and isinstance(stack.heads, dict)


def test_inputs_are_converted_and_cast():
    layer = Linear(2)
    y = layer(np.ones((1, 3)))  # float64 data is cast to the layer's float32
    assert y.dtype == "float32"
    with pytest.raises(ValueError, match="only tensors"):
        layer([[1.0, 2.0, 3.0]])


def test_symbolic_call_records_a_node_and_runs_no_kernel():
    x = keras.Input(shape=(16,))
    assert x.shape == (None, 16) and x.dtype == "float32"
    dense = layers.Dense(32)
    y = dense(x)
    assert isinstance(y, keras.KerasTensor) and y.shape == (None, 32)
    history = y._keras_history
    assert history.operation is dense and history.node_index == 0
    node = dense._inbound_nodes[0]
    assert node.input_tensors == [x] and node.outputs == [y]
    assert node.parent_nodes == [x._keras_history.operation._inbound_nodes[0]]
    assert dense.input is x and dense.output is y
    # built from the symbolic shape, so the weights exist with the right shape
    assert dense.kernel.shape == (16, 32)
    z = dense(keras.Input(shape=(16,)))
    assert z._keras_history.node_index == 1
    with pytest.raises(ValueError, match="symbolic"):
        np.asarray(y)


def test_symbolic_call_checks_inputs():
    dense = layers.Dense(3)
    dense(keras.Input(shape=(4,)))
    with pytest.raises(ValueError, match=r"'dense'.*value 4.*\(None, 5\)"):
        dense(keras.Input(shape=(5,)))


def test_layer_without_output_shape_cannot_be_called_symbolically():
    class NoShape(layers.Layer):
        def call(self, x):
            return x

    with pytest.raises(NotImplementedError, match="compute_output_shape"):
        NoShape()(keras.Input(shape=(2,)))


def test_training_flag_is_inherited_by_inner_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x, training=None):
            return self.probe(x)

    Outer()(np.ones((1, 1), np.float32), training=True)
    Outer()(np.ones((1, 1), np.float32))
    assert seen == [True, None]


def test_add_weight_keras_2_positional_style_and_name_error():
    class Legacy(layers.Layer):
        def build(self, input_shape):
            self.v = self.add_weight((2, 3), "ones", name="v")

        def call(self, x):
            return x

    layer = Legacy()
    layer.build((None, 1))
    np.testing.assert_array_equal(layer.v.numpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match="keyword argument"):
        Legacy().add_weight("kernel", (2, 2))


def test_unknown_keyword_arguments_are_rejected():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(2, foo=1)


def test_input_dim_is_kept_as_keras_2_did():
    layer = layers.Dense(64, input_dim=64)
    assert layer._input_shape_arg == (64,)


def test_user_layer_config_records_the_constructor_arguments_like_keras():
    # Keras 3 records the arguments of a subclass that does not write get_config (defaults
    # included) when they are plain values, so from_config rebuilds the same layer
    layer = Linear(units=7, name="lin")
    assert layer.get_config() == {
        "name": "lin", "units": 7, "trainable": True,
        "dtype": {"module": "keras", "class_name": "DTypePolicy",
                  "config": {"name": "float32"}, "registered_name": None}}
    assert Linear.from_config(layer.get_config()).units == 7
    assert Linear(2).get_config()["units"] == 2  # positional arguments too
    assert layers.Add(name="sum").get_config()["name"] == "sum"

    class WithObject(layers.Layer):
        def __init__(self, table, **kwargs):
            super().__init__(**kwargs)
            self.table = table

    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        WithObject(np.zeros(3)).get_config()


def test_get_config_round_trip():
    layer = layers.Dense(3, use_bias=False, kernel_initializer="he_normal", name="d")
    config = layer.get_config()
    assert config["kernel_initializer"]["class_name"] == "HeNormal"
    clone = layers.Dense.from_config(config)
    assert clone.name == "d" and clone.units == 3 and not clone.use_bias
    assert clone.get_config() == config


@pytest.mark.parametrize("make_and_call, message", [
    (lambda: layers.Concatenate()([np.zeros((2, 3)), np.zeros((3, 3))]),
     r"matching shapes except for the concatenation axis"),
    (lambda: layers.Add()([np.zeros((2, 3)), np.zeros((2, 4))]), r"incompatible shapes"),
    (lambda: layers.Add()(np.zeros((2, 3))), r"list of inputs"),
    (lambda: layers.Reshape((5, -1))(np.zeros((2, 12))), r"12 entries do not divide by 5"),
    (lambda: layers.Reshape((5, 2))(keras.Input(shape=(12,))), r"total size must be unchanged"),
    (lambda: layers.Reshape((-1, -1)), r"at most one entry"),
    (lambda: layers.Embedding(0, 3), r"input_dim must be a positive integer"),
    (lambda: layers.BatchNormalization(axis=3)(np.zeros((2, 3), np.float32)), r"out of bounds"),
    (lambda: layers.Flatten(data_format="nchw"), r"channels_first"),
    (lambda: layers.Dense(0), r"positive integer"),
    (lambda: layers.Dropout(0.5, noise_shape=(2, 0)), r"positive ints"),
])
def test_bad_arguments_raise_clear_errors(make_and_call, message):
    with pytest.raises(ValueError, match=message):
        make_and_call()
