"""Saving and loading: ``.keras`` files and ``.weights.h5`` files.

Round trips (predictions, every variable, the optimizer's state, training resumed bit for bit),
the HDF5 layout Keras writes (groups by class, ``vars/`` datasets ``0, 1, ...``), custom
objects, safe mode, atomic saves, and every error of the file API.
"""

import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers
from nbkeras.saving import saving_lib


def rng_data(n=24, shape=(8, 8, 1), classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, *shape), dtype=np.float32),
            rng.integers(0, classes, n).astype(np.int64))


def small_cnn(seed=1):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu", name="conv"),
        layers.BatchNormalization(name="bn"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(3, activation="softmax", name="out"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def h5_tree(data):
    """``{path: (shape, dtype) or attributes}`` of an HDF5 file's bytes."""
    tree = {}
    with h5py.File(io.BytesIO(data), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                tree[name] = (obj.shape, str(obj.dtype))
            else:
                tree[name + "/"] = dict(obj.attrs)
        f.visititems(visit)
    return tree


def keras_weights_tree(path):
    with zipfile.ZipFile(path) as archive:
        return h5_tree(archive.read("model.weights.h5"))


# -- round trips -----------------------------------------------------------------------------------
def test_sequential_round_trip_restores_weights_and_optimizer(tmp_path):
    x, y = rng_data()
    model = small_cnn()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "cnn.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is keras.Sequential and loaded.compiled
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(model.weights, loaded.weights, strict=True):  # BN's moving stats too
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # iteration, learning rate, then m and v of each of the 6 trainable variables
    assert len(loaded.optimizer.variables) == len(model.optimizer.variables) == 2 + 2 * 6
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert int(loaded.optimizer.iterations) == 6


def test_training_resumed_from_a_file_matches_the_unsaved_model(tmp_path):
    x, y = rng_data()
    model = small_cnn()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    h1 = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False).history
    h2 = loaded.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False).history
    assert h1 == h2
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_functional_two_inputs_two_outputs(tmp_path):
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    h = layers.Concatenate()([a, b])
    model = keras.Model([a, b], [layers.Dense(1, name="o1")(h), layers.Dense(2, name="o2")(h)])
    model.compile("sgd", ["mse", "mse"])
    path = tmp_path / "f.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    xs = [np.ones((4, 3), np.float32), np.full((4, 2), 0.5, np.float32)]
    for p, q in zip(model.predict(xs, verbose=0), loaded.predict(xs, verbose=0), strict=True):
        np.testing.assert_array_equal(p, q)
    tree = keras_weights_tree(path)
    assert tree["layers/input_layer/vars/"] == {"name": "a"}
    assert tree["layers/input_layer_1/vars/"] == {"name": "b"}
    assert tree["layers/dense_1/vars/"] == {"name": "o2"}
    assert tree["layers/dense_1/vars/0"] == ((5, 2), "float32")


def test_file_layout_is_keras(tmp_path):
    x, y = rng_data()
    model = small_cnn()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["metadata.json", "config.json",
                                               "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
    assert metadata["keras_version"] == "3.15.1" and "@" in metadata["date_saved"]
    assert list(config) == ["module", "class_name", "config", "registered_name",
                            "build_config", "compile_config"]
    assert config["build_config"] == {"input_shape": [None, 8, 8, 1]}
    tree = keras_weights_tree(tmp_path / "m.keras")
    # groups by class (the layers' names are only attributes), empty vars for pooling/flatten,
    # no group for the Sequential's InputLayer, BN's four variables, Adam's slots interleaved
    assert tree["layers/conv2d/vars/"] == {"name": "conv"}
    assert tree["layers/max_pooling2d/vars/"] == {"name": model.layers[2].name}
    assert [k for k in tree if k.startswith("layers/batch_normalization/vars/")][1:] == [
        f"layers/batch_normalization/vars/{i}" for i in range(4)]
    assert not any(k.startswith("layers/input_layer") for k in tree)
    assert tree["optimizer/vars/"] == {"name": model.optimizer.name}
    assert tree["optimizer/vars/0"] == ((), "int64")
    assert tree["optimizer/vars/1"] == ((), "float32")
    assert tree["optimizer/vars/2"] == tree["optimizer/vars/3"] == ((3, 3, 1, 4), "float32")
    assert tree["vars/"] == {"name": model.name}


def test_renamed_layers_load_by_position(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="first")])
    model.save_weights(tmp_path / "w.weights.h5")
    other = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="renamed")])
    other.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(other.layers[0].kernel.numpy(),
                                  model.layers[0].kernel.numpy())


def test_subclassed_model_paths_follow_attributes(tmp_path):
    class Net(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.zz = layers.Dense(units)
            self.aa = layers.Dense(2)

        def call(self, x):
            return self.aa(self.zz(x))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    net = Net()
    net(np.zeros((1, 4), np.float32))
    net.save(tmp_path / "n.keras")
    tree = keras_weights_tree(tmp_path / "n.keras")
    # Keras walks attributes in sorted order: `aa` first, then `layers` (where `zz`, the first
    # Dense in the list, is still unvisited), as a Keras-written file of this model shows
    assert "aa/vars/0" in tree and "layers/dense/vars/0" in tree and "zz/vars/" not in tree
    loaded = keras.models.load_model(tmp_path / "n.keras", custom_objects={"Net": Net})
    x = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), net.predict(x, verbose=0))


def test_compile_false_and_uncompiled(tmp_path):
    model = small_cnn()
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert not loaded.compiled
    plain = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    plain.save(tmp_path / "p.keras")
    with zipfile.ZipFile(tmp_path / "p.keras") as archive:
        assert json.loads(archive.read("config.json"))["compile_config"] is None or \
            json.loads(archive.read("config.json"))["compile_config"] == {}
    assert not keras.models.load_model(tmp_path / "p.keras").compiled


# -- weights files ---------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")  # fresh: unbuilt
def test_save_and_load_weights(tmp_path):
    x, y = rng_data()
    model = small_cnn()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    tree = h5_tree((tmp_path / "w.weights.h5").read_bytes())
    assert "optimizer/vars/13" in tree and "layers/dense/vars/1" in tree
    fresh = small_cnn(seed=2)
    fresh.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    # a .keras file's weights load too
    model.save(tmp_path / "m.keras")
    again = small_cnn(seed=3)
    again.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_shape_mismatch_names_layer_weight_and_shapes(tmp_path):
    small = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="a"), layers.Dense(1)])
    small.save_weights(tmp_path / "w.weights.h5")
    wide = keras.Sequential([keras.Input((3,)), layers.Dense(5, name="b"), layers.Dense(1)])
    before = wide.get_weights()
    with pytest.raises(ValueError, match=r"(?s)2 objects could not be loaded.*Layer 'b'.*"
                                         r"'kernel' has shape \(3, 5\).*\(3, 4\)"):
        wide.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(before, wide.get_weights(), strict=True):  # nothing half-assigned
        np.testing.assert_array_equal(a, b)


def test_skip_mismatch_loads_what_fits(tmp_path):
    source = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(2)])
    source.save_weights(tmp_path / "w.weights.h5")
    target = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(7)])
    head = target.layers[1].get_weights()
    with pytest.warns(UserWarning, match="1 objects could not be loaded"):
        target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(),
                                  source.layers[0].kernel.numpy())
    for a, b in zip(head, target.layers[1].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_unbuilt_optimizer_is_skipped_with_keras_warning(tmp_path):
    x, y = rng_data()
    model = small_cnn()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    fresh = small_cnn(seed=4)
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        fresh.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


# -- custom objects and safe mode ------------------------------------------------------------------
class Scale(layers.Layer):
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


def scale_model():
    model = keras.Sequential([keras.Input((3,)), Scale(3.0), layers.Dense(2)])
    model.layers[0].w.assign(np.array([1.0, 2.0, 3.0], np.float32))
    return model


def test_custom_layer_needs_custom_objects(tmp_path):
    model = scale_model()
    model.save(tmp_path / "s.keras")
    with pytest.raises(ValueError, match="Could not locate class 'Scale'.*custom_objects"):
        keras.models.load_model(tmp_path / "s.keras")
    with pytest.raises(TypeError):  # what Keras raises: code written for Keras catches it
        keras.models.load_model(tmp_path / "s.keras")
    x = np.ones((2, 3), np.float32)
    loaded = keras.models.load_model(tmp_path / "s.keras", custom_objects={"Scale": Scale})
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with keras.saving.custom_object_scope({"Scale": Scale}):
        scoped = keras.models.load_model(tmp_path / "s.keras")
    assert scoped.layers[0].factor == 3.0


def test_registered_layer_loads_without_custom_objects(tmp_path):
    @keras.saving.register_keras_serializable(package="nbk_test")
    class Scale2(Scale):
        pass

    model = keras.Sequential([keras.Input((3,)), Scale2(4.0)])
    model.save(tmp_path / "r.keras")
    with zipfile.ZipFile(tmp_path / "r.keras") as archive:
        entry = json.loads(archive.read("config.json"))["config"]["layers"][1]
    assert entry["registered_name"] == "nbk_test>Scale2"
    assert "nbk_test>Scale2" in keras.saving.get_custom_objects()
    loaded = keras.models.load_model(tmp_path / "r.keras")
    assert type(loaded.layers[0]) is Scale2 and loaded.layers[0].factor == 4.0


def test_lambda_needs_safe_mode_off(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Lambda(lambda t: t * 2)])
    model.save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match="Lambda.*safe_mode=False"):
        keras.models.load_model(tmp_path / "l.keras")
    loaded = keras.models.load_model(tmp_path / "l.keras", safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 3), np.float32), verbose=0),
                                  [[2.0, 2.0, 2.0]])


# -- atomic saves ----------------------------------------------------------------------------------
class Broken(layers.Layer):
    """A layer whose state cannot be written (or whose config cannot be), on demand."""

    fail_in = None

    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,), name="w")

    def call(self, x):
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def save_own_variables(self, store):
        if Broken.fail_in == "variables":
            raise RuntimeError("disk on fire")
        super().save_own_variables(store)

    def get_config(self):
        if Broken.fail_in == "config":
            raise RuntimeError("config on fire")
        return super().get_config()


@pytest.mark.parametrize(("fail_in", "suffix"), [("variables", ".keras"),
                                                  ("config", ".keras"),
                                                  ("variables", ".weights.h5")])
def test_failed_save_leaves_old_file_intact(tmp_path, fail_in, suffix, monkeypatch):
    model = keras.Sequential([keras.Input((3,)), Broken()])
    path = tmp_path / f"m{suffix}"
    save = model.save if suffix == ".keras" else model.save_weights
    monkeypatch.setattr(Broken, "fail_in", None)
    save(path)
    good = path.read_bytes()
    monkeypatch.setattr(Broken, "fail_in", fail_in)
    with pytest.raises(RuntimeError, match="on fire"):
        save(path)
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == [path.name]  # no temporary file left behind


def test_save_keeps_the_file_mode(tmp_path):
    path = tmp_path / "m.keras"
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.save(path)
    os.chmod(path, 0o640)
    model.save(path)
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_overwrite_false_asks(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.save(path)
    before = path.read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    keras.Sequential([keras.Input((3,)), layers.Dense(2)]).save(path, overwrite=False)
    assert path.read_bytes() == before


# -- errors ---------------------------------------------------------------------------------------
def test_load_model_errors(tmp_path):
    with pytest.raises(ValueError, match=r"File not found: filepath=.*nope\.keras"):
        keras.models.load_model(tmp_path / "nope.keras")
    (tmp_path / "junk.keras").write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="junk.keras is not a zip archive"):
        keras.models.load_model(tmp_path / "junk.keras")
    with zipfile.ZipFile(tmp_path / "empty.keras", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match=r"has no config.json.*\['readme.txt'\]"):
        keras.models.load_model(tmp_path / "empty.keras")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(ValueError, match="File format not supported: filepath=.*a.txt"):
        keras.models.load_model(tmp_path / "a.txt")


def test_save_errors(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    for name in ["a.tf", "a.keras.zip", "noext"]:
        with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
            model.save(tmp_path / name)
    for name in ["w.h5", "w.weights", "w.keras"]:
        with pytest.raises(ValueError, match=r"The filename must end in `\.weights\.h5`"):
            model.save_weights(tmp_path / name)
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(tmp_path / "a.txt")
    with pytest.raises(FileNotFoundError, match="missing.weights.h5"):
        model.load_weights(tmp_path / "missing.weights.h5")
    unbuilt = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        unbuilt.save_weights(tmp_path / "u.weights.h5")
    assert os.listdir(tmp_path) == []


def test_weight_paths_helper():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)])
    assert list(saving_lib.weight_paths(model)) == ["", "layers/dense", "layers/dense_1"]


def test_layer_without_output_shape_builds_on_first_call_and_round_trips(tmp_path):
    """A layer with no compute_output_shape stops Sequential.build (nbkeras does not trace
    call()): the model is left unbuilt until its first call, fit trains every layer's
    weights, and the file rebuilds the model by a call on zeros."""

    class NoShape(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w

    model = keras.Sequential([keras.Input((3,)), layers.Dense(4), NoShape(), layers.Dense(2)])
    assert not model.built and not model.layers[2].built
    model.compile("adam", "mse")
    x = np.ones((4, 3), np.float32)
    model.fit(x, np.zeros((4, 2), np.float32), verbose=0)
    assert model.built and len(model.optimizer.variables) == 2 + 2 * 5
    model.save(tmp_path / "n.keras")
    loaded = keras.models.load_model(tmp_path / "n.keras", custom_objects={"NoShape": NoShape})
    assert loaded.built
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_custom_loss_in_compile_config_uses_custom_objects(tmp_path):
    class Halved(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1) * 0.5

    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile("sgd", loss=Halved())
    model.save(tmp_path / "h.keras")
    with pytest.raises(ValueError, match="Could not locate class 'Halved'"):
        keras.models.load_model(tmp_path / "h.keras")
    loaded = keras.models.load_model(tmp_path / "h.keras", custom_objects={"Halved": Halved})
    assert type(loaded.loss) is Halved


@pytest.mark.parametrize("with_input_layer", [True, False])
def test_keras_2_style_h5_file(tmp_path, with_input_layer):
    """A file in Keras 2's spelling (batch_input_shape, no modules, dtype strings, weight names
    with ':0', a TF 2.11+ optimizer config), as Keras 2.15 wrote them (older versions had no
    InputLayer in a Sequential config)."""
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4],
                                                "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "dense_input"}},
        {"class_name": "Dense", "config": {
            "name": "dense", "trainable": True, "dtype": "float32",
            "batch_input_shape": [None, 4], "units": 3, "activation": "relu",
            "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None,
            "bias_constraint": None}}]}}
    training = {"loss": "mse", "metrics": None, "weighted_metrics": None, "loss_weights": None,
                "optimizer_config": {"class_name": "Adam", "config": {
                    "name": "Adam", "weight_decay": None, "clipnorm": None,
                    "global_clipnorm": None, "clipvalue": None, "use_ema": False,
                    "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                    "jit_compile": False, "is_legacy_optimizer": False,
                    "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                    "epsilon": 1e-07, "amsgrad": False}}}
    if not with_input_layer:
        config["config"]["layers"].pop(0)
    kernel = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    bias = np.array([0.5, -0.5, 0.0], np.float32)
    with h5py.File(tmp_path / "k2.h5", "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["training_config"] = json.dumps(training)
        f.attrs["keras_version"] = "2.15.0"
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense"]
        dense = weights.create_group("dense")
        dense.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        dense.create_dataset("dense/kernel:0", data=kernel)
        dense.create_dataset("dense/bias:0", data=bias)
    model = keras.models.load_model(tmp_path / "k2.h5")
    assert model.input_shape == (None, 4) and model.compiled
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
    np.testing.assert_array_equal(model.layers[0].bias.numpy(), bias)
    assert model.optimizer.learning_rate.numpy() == np.float32(0.001)
