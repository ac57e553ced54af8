# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Saving and loading
#
# A trained model is worth keeping. `model.save("model.keras")` writes everything needed to
# carry on where training stopped: the architecture, every weight (BatchNormalization's moving
# statistics included), the compile arguments and the optimizer's state.
# `keras.models.load_model` reads it back, in nbkeras or in Keras itself: the files move both
# ways, and this chapter shows why they can.
#
# The chapter takes the format apart (a zip of two JSON files and an HDF5 file), walks the HDF5
# groups Keras lays out, runs a round trip, loads a file Keras 3.15 wrote and resumes its
# training, saves custom objects (the seeds' FocalLoss among them), and looks at what goes
# wrong: bad files, bad names, and a save that fails half-way. The Keras-written files live in
# `tests/reference/saving/` (made by `make reference` from `tools/reference/_saving_zoo.py`);
# `make interop` checks the other direction, nbkeras' files opened by Keras.

# %%
import io
import json
import os
import tempfile
import textwrap
import warnings
import zipfile

import h5py
import numpy as np
from sklearn.datasets import load_digits

import nbkeras as keras
from nbkeras import layers
from nbkeras.saving import file_utils, saving_lib, serialization_lib
from nbkeras.utils import load_reference, show_source
from nbkeras.utils.keras_reference import assert_matches_keras, reference_dir

np.set_printoptions(precision=4, suppress=True)
reference = {case.id: case for case in load_reference("saving")}
keras_files = reference_dir() / "saving"
work = tempfile.TemporaryDirectory()
folder = work.name


def path(name):
    return os.path.join(folder, name)


def wrap(text, width=76):
    """A message on the page: the temporary folder's name shortened to ``work/``."""
    text = str(text).replace(folder + os.sep, "work/")
    return "\n".join(textwrap.fill(line, width, subsequent_indent="    ")
                     for line in text.splitlines() if line.strip())


def error_of(function):
    try:
        function()
    except Exception as error:  # noqa: BLE001 - the chapter prints what each mistake raises
        return f"{type(error).__name__}: {wrap(error)}"
    return "no error"


digits = load_digits()
x_all = (digits.images / 16.0).astype("float32")[..., None]  # 1797 images, 8 x 8 x 1
y_all = digits.target.astype("int32")
x_train, y_train, x_test, y_test = x_all[:1500], y_all[:1500], x_all[1500:], y_all[1500:]
print(x_train.shape, x_test.shape)

# %% [markdown]
# ## The case study: a small CNN for the digits
#
# Convolution, batch normalization, pooling, dropout and a softmax: a layer with weights, one
# with moving statistics, two with none, and one with random state.

# %%
def digits_cnn(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(16, 3, activation="relu", padding="same", name="conv"),
        layers.BatchNormalization(name="bn"),
        layers.MaxPooling2D(name="pool"),
        layers.Dropout(0.25, name="drop"),
        layers.Flatten(name="flat"),
        layers.Dense(10, activation="softmax", name="classes"),
    ], name="digits_cnn")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


model = digits_cnn()
history = model.fit(x_train, y_train, epochs=3, batch_size=32, verbose=0)
print({k: [round(v, 4) for v in values] for k, values in history.history.items()})
print("test accuracy:", round(model.evaluate(x_test, y_test, verbose=0)[1], 4))
model.save(path("digits_cnn.keras"))

# %% [markdown]
# ## The format taken apart
#
# A `.keras` file is a zip archive with three members, stored uncompressed, in this order:

# %%
with zipfile.ZipFile(path("digits_cnn.keras")) as archive:
    for info in archive.infolist():
        stored = "stored" if info.compress_type == zipfile.ZIP_STORED else "compressed"
        print(f"{info.filename:18s} {info.file_size:7,d} bytes  {stored}")
    metadata = json.loads(archive.read("metadata.json"))
    config = json.loads(archive.read("config.json"))
    weights_bytes = archive.read("model.weights.h5")
print(sorted(metadata), metadata["keras_version"])

# %% [markdown]
# `metadata.json` names the Keras version the file follows and the date it was saved
# (`%Y-%m-%d@%H:%M:%S`, local time). `config.json` is `serialize_keras_object(model)`, what
# `model.to_json()` returns: the model's class and module, its config (for a Sequential model:
# its name, the layers' own entries, the input shape), the shape it was built for, and the
# arguments of `compile`. Each layer's entry has the same four keys again, then its build shape:

# %%
print(list(config), config["class_name"], config["build_config"])
print(list(config["config"]))
print(json.dumps(config["config"]["layers"][1], indent=1)[:1500])

# %% [markdown]
# The compile arguments are there as `compile` received them, with the optimizer as a config of
# its own: `load_model` calls `compile` again with them. The metrics are listed by name; their
# running totals are not saved (Keras does not save them either).

# %%
print(json.dumps(config["compile_config"], indent=1))

# %% [markdown]
# `model.weights.h5` is an HDF5 file, which h5py reads. Its groups are not named after the
# layers' names but after their **classes**, numbered in the order of the model's layers
# (`dense`, `dense_1`, ...); the name the user gave survives only as the attribute `name` of the
# group `vars/`, whose datasets `0`, `1`, ... are the layer's own variables (trainable ones
# first). Layers without weights still get an empty `vars/`; the Sequential model's InputLayer
# gets none. The optimizer's variables come under `optimizer/`: the iteration count, the
# learning rate, then Adam's two slots per trainable variable, interleaved. The model's own
# variables (none here) would be in the root's `vars/`.

# %%
def walk(h5_bytes):
    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                print(f"  {name:32s} {str(obj.shape):14s} {obj.dtype}")
            elif dict(obj.attrs):
                print(f"{name + '/':34s} name={obj.attrs['name']!r}")
        f.visititems(visit)


walk(weights_bytes)

# %% [markdown]
# Because the groups follow the classes and the positions, a model whose layers were renamed
# still loads, and two models built in two sessions (`dense_3` in one, `dense_7` in the other)
# write the same paths.
#
# How are those paths found? The same way Keras finds them: the model's own variables first,
# then, for a Sequential or functional model, its `layers`, then every other attribute of the
# object in sorted order, public names before private ones, skipping what every plain `Layer`
# has. A layer inside a list is named by its class; a layer held by an attribute, by the
# attribute's name: that is where `layers/bidirectional/forward_layer/cell/vars` comes from.
# Each object is written once, at the first path that reaches it.

# %%
show_source(saving_lib._walk_saveable, saving_lib._container_items, saving_lib._saveables)

# %%
show_source(keras.layers.Layer.save_own_variables, keras.layers.Layer.load_own_variables)

# %% [markdown]
# ## A round trip
#
# `load_model` rebuilds the model from `config.json`, compiles it again from the compile
# config, then loads every variable, the optimizer's included. The loaded model predicts the
# same numbers and holds the same optimizer state, to the bit:

# %%
loaded = keras.models.load_model(path("digits_cnn.keras"))
print(type(loaded).__name__, loaded.name, loaded.compiled, loaded.optimizer)
print("same predictions:", np.array_equal(loaded.predict(x_test, verbose=0),
                                          model.predict(x_test, verbose=0)))
print("same weights (moving statistics too):",
      all(np.array_equal(a, b) for a, b in zip(model.get_weights(), loaded.get_weights(),
                                               strict=True)))
print("same optimizer state:", all(
    np.array_equal(a.numpy(), b.numpy())
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables, strict=True)),
    "iterations", int(loaded.optimizer.iterations))

# %% [markdown]
# Training resumed from the file continues as the unsaved model would have, with one exception
# that Keras shares: the random state of `Dropout` is not in the file (Keras keeps no seed
# generator state in its weights files), so the two models drop different units. Without
# dropout, one more epoch gives the same weights to the last bit (`shuffle=False`, so both see
# the same batches):

# %%
def without_dropout(seed=0):
    keras.utils.set_random_seed(seed)
    plain = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(8, 3, activation="relu"),
                              layers.BatchNormalization(), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    plain.compile("adam", "sparse_categorical_crossentropy")
    return plain


plain = without_dropout()
plain.fit(x_train, y_train, epochs=1, batch_size=64, shuffle=False, verbose=0)
plain.save(path("plain.keras"))
again = keras.models.load_model(path("plain.keras"))
h1 = plain.fit(x_train, y_train, epochs=2, batch_size=64, shuffle=False, verbose=0).history
h2 = again.fit(x_train, y_train, epochs=2, batch_size=64, shuffle=False, verbose=0).history
print(h1 == h2, all(np.array_equal(a, b) for a, b in zip(plain.get_weights(),
                                                        again.get_weights(), strict=True)))

# %% [markdown]
# `compile=False` gives the architecture and the weights only, an uncompiled model:

# %%
bare = keras.models.load_model(path("digits_cnn.keras"), compile=False)
print(bare.compiled, bare.optimizer)

# %% [markdown]
# ## Weights alone
#
# `save_weights` writes the same HDF5 file on its own, `.weights.h5` (the optimizer's variables
# included once it is built), and `load_weights` reads it, or the weights of a `.keras` file,
# into a model built by code. A fresh compiled model has no optimizer slots yet, so its
# optimizer is skipped with Keras' warning; the layers load.

# %%
model.save_weights(path("digits_cnn.weights.h5"))
fresh = digits_cnn(seed=1)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fresh.load_weights(path("digits_cnn.weights.h5"))
print(wrap(caught[0].message))
print("same predictions:", np.array_equal(fresh.predict(x_test, verbose=0),
                                          model.predict(x_test, verbose=0)))

# %% [markdown]
# A model whose layers do not fit raises, naming the layer, the weight and both shapes, and
# nothing is assigned to a layer that does not fit. With `skip_mismatch=True` the layers that fit
# load and the others keep their weights, with a warning that lists them:

# %%
wider = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(16, 3, padding="same"),
                          layers.BatchNormalization(), layers.MaxPooling2D(),
                          layers.Dropout(0.25), layers.Flatten(), layers.Dense(12)])
print(error_of(lambda: wider.load_weights(path("digits_cnn.weights.h5")))[:700])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wider.load_weights(path("digits_cnn.weights.h5"), skip_mismatch=True)
print(wrap(str(caught[0].message).splitlines()[0]))
print("the convolution loaded:", np.array_equal(wider.layers[0].kernel.numpy(),
                                                model.layers[0].kernel.numpy()))

# %% [markdown]
# ## A file Keras wrote
#
# `tests/reference/saving/cnn.keras` was written by Keras 3.15 on TensorFlow: a CNN with
# batch normalization, trained one epoch with Adam. nbkeras loads it with Keras' weights and
# Adam's state, predicts what Keras predicted, and one more epoch of training ends on the
# weights Keras reached after the same epoch:

# %%
case = reference["cnn"]
x_k = case.array("x/0")
y_k = case.array("y/0")
from_keras = keras.models.load_model(keras_files / "cnn.keras")
print(from_keras.name, [type(layer).__name__ for layer in from_keras.layers],
      "iterations", int(from_keras.optimizer.iterations))
assert_matches_keras(from_keras.predict(x_k, verbose=0), case.array("predictions/0"),
                     rtol=1e-5, what="predictions")
history = from_keras.fit(x_k, y_k, epochs=1, batch_size=8, shuffle=False, verbose=0).history
print("loss after one more epoch:", round(history["loss"][0], 6), "Keras:",
      round(case["history"]["loss"][0], 6))
for mine, i in zip(from_keras.get_weights(), range(case["n_weights"]), strict=True):
    assert_matches_keras(mine, case.array(f"weights_after/{i}"), rtol=2e-4, what=f"weight {i}")
print("all", case["n_weights"], "weights match Keras' after the resumed epoch")

# %% [markdown]
# And nbkeras writes that model back as Keras wrote it: the same members, the same config, the
# same groups, datasets, shapes, dtypes and attributes. (Keras marks a dtype policy that occurs
# more than once with a `shared_object_id`, a Python `id()`; nbkeras writes each copy in full,
# which Keras reads the same.) The tests compare every reference file this way;
# `make interop` loads nbkeras' files in Keras and checks predictions and resumed training.

# %%
def tree(h5_bytes):
    found = {}
    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        f.visititems(lambda name, obj: found.setdefault(
            name, (obj.shape, str(obj.dtype)) if isinstance(obj, h5py.Dataset)
            else dict(obj.attrs)))
    return found


def unshared(value):
    if isinstance(value, dict):
        return {k: unshared(v) for k, v in value.items() if k != "shared_object_id"}
    return [unshared(v) for v in value] if isinstance(value, list) else value


from_keras = keras.models.load_model(keras_files / "cnn.keras")
from_keras.save(path("cnn_by_nbkeras.keras"))
contents = {}
for label, name in [("Keras", keras_files / "cnn.keras"),
                    ("nbkeras", path("cnn_by_nbkeras.keras"))]:
    with zipfile.ZipFile(name) as archive:
        contents[label] = (archive.namelist(), unshared(json.loads(archive.read("config.json"))),
                           tree(archive.read("model.weights.h5")))
print("members:", contents["nbkeras"][0] == contents["Keras"][0],
      "config:", contents["nbkeras"][1] == contents["Keras"][1],
      "HDF5 tree:", contents["nbkeras"][2] == contents["Keras"][2])

# %% [markdown]
# Measured with `make interop` (nbkeras writes, Keras 3.15 reads, in its own environment):
# the four reference models (Sequential, functional with two inputs and two outputs, a
# registered custom layer with FocalLoss, a registered subclassed model) written fresh by
# nbkeras, and four models of composite layers (recurrent cells, Bidirectional, attention,
# wrappers, a nested Sequential), open in Keras with nbkeras' weights exactly and predict
# nbkeras' outputs to 1e-6; their `.weights.h5` files load into the same models built in Keras;
# Keras resumes training from nbkeras' rewrite of its own files and lands on its own after-epoch
# weights (to 1.2e-7); four graphs with ops' steps (chapter 11: operators, reductions and
# reshapes, gathers, a masked Embedding's `NotEqual`) rebuild in Keras step by step and predict
# nbkeras' outputs (to 1.2e-7); and Keras refuses nbkeras' Lambda file in safe mode: 17 checks
# of 17.
# (`make interop` also resumes, in Keras, a fit that nbkeras' `BackupAndRestore` backed up:
# chapter 13.)
#
# ## Configs, class by class
#
# A file is only as good as the configs in it. Every layer, loss, metric, optimizer, schedule,
# initializer, regularizer and constraint that nbkeras shares with Keras writes Keras' config,
# key for key and value for value (the reference family records one instance of each: 181
# classes), and reads Keras' back. Four Keras 3.15 configs forget an argument, so that Keras
# reloads a `Huber(delta=2.0)` with `delta=1.0`; nbkeras writes it, and Keras' `from_config`
# accepts it:

# %%
mine = serialization_lib.serialize_keras_object(keras.losses.Huber(delta=2.0))
theirs = reference["config/losses/Huber"]["serialized"]
print("nbkeras:", mine["config"])
print("Keras:  ", theirs["config"], "(for Huber() with the default delta)")

# %% [markdown]
# ## Custom objects
#
# A class of your own is saved under its class name, and its module (None for a class defined
# in a notebook). Here is the seeds' focal loss in Keras 3's form (chapter 3: `super().__init__`
# takes the name and reduction, `get_config` adds the two parameters), and a layer that scales
# its inputs by a learned weight:

# %%
class FocalLoss(keras.losses.Loss):
    """Binary focal loss (Lin et al. 2017), as chapter 3 writes it."""

    def __init__(self, gamma=2.0, alpha=0.25, **kwargs):
        super().__init__(**kwargs)
        self.gamma = gamma
        self.alpha = alpha

    def call(self, y_true, y_pred):
        eps = keras.backend.epsilon()
        y_pred = keras.ops.clip(y_pred, eps, 1.0 - eps)
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
        alpha_t = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
        return keras.ops.mean(-alpha_t * (1 - p_t) ** self.gamma * keras.ops.log(p_t), axis=-1)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "alpha": self.alpha}


class Scale(layers.Layer):
    """Multiplies each feature by a learned weight."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return x * self.w

    def compute_output_shape(self, input_shape):
        return input_shape


x_bin = x_all.reshape(-1, 64)[:400]
y_bin = (y_all[:400] == 0).astype("float32")[:, None]  # "is it a zero?"
keras.utils.set_random_seed(3)
custom = keras.Sequential([keras.Input((64,)), Scale(name="scale"),
                           layers.Dense(1, activation="sigmoid")])
custom.compile("rmsprop", loss=FocalLoss(gamma=2.0, alpha=0.75))
custom.fit(x_bin, y_bin, epochs=2, verbose=0)
custom.save(path("custom.keras"))
with zipfile.ZipFile(path("custom.keras")) as archive:
    saved = json.loads(archive.read("config.json"))
print({k: saved["config"]["layers"][1][k] for k in ("module", "class_name", "registered_name")})
print(saved["compile_config"]["loss"])

# %% [markdown]
# `Scale` has no `get_config`: Keras (and nbkeras) record the arguments it was built with when
# they are plain values. Loading the file without telling Keras what `Scale` is cannot work:

# %%
print(error_of(lambda: keras.models.load_model(path("custom.keras")))[:400])

# %% [markdown]
# Keras raises a TypeError here; nbkeras' error is both a ValueError and a TypeError, so code
# written for either catches it. Three ways to make the classes known: `custom_objects` for one
# load, `custom_object_scope` for a block of code, or registration for good, which also puts a
# package prefix in the saved names:

# %%
objects = {"Scale": Scale, "FocalLoss": FocalLoss}
reloaded = keras.models.load_model(path("custom.keras"), custom_objects=objects)
print(type(reloaded.layers[0]).__name__, reloaded.loss, reloaded.loss.alpha)
with keras.saving.custom_object_scope(objects):
    scoped = keras.models.load_model(path("custom.keras"))
print(np.array_equal(scoped.predict(x_bin, verbose=0), custom.predict(x_bin, verbose=0)))


@keras.saving.register_keras_serializable(package="book")
class RegisteredScale(Scale):
    pass


registered = keras.Sequential([keras.Input((64,)), RegisteredScale()])
registered.save(path("registered.keras"))
print(keras.saving.get_registered_name(RegisteredScale),
      type(keras.models.load_model(path("registered.keras")).layers[0]).__name__)

# %% [markdown]
# A `Lambda` layer saves its function's bytecode. Loading it would run code from the file, so
# `load_model` refuses unless `safe_mode=False`, which is for files you trust:

# %%
lam = keras.Sequential([keras.Input((3,)), layers.Lambda(lambda t: t * 2.0 + 1.0)])
lam.save(path("lambda.keras"))
print(error_of(lambda: keras.models.load_model(path("lambda.keras")))[:460])
trusted = keras.models.load_model(path("lambda.keras"), safe_mode=False)
print(trusted.predict(np.ones((1, 3), "float32"), verbose=0))

# %% [markdown]
# ## The legacy format: one HDF5 file
#
# Before `.keras`, Keras 2 saved a model as one HDF5 file (`model.save("model.h5")`, which
# Keras 3 still writes, with a warning). Its attributes hold the architecture and the compile
# arguments as JSON; its weights are grouped **by layer name**, each group listing its weights
# by name, and matched with the model's layers in order. nbkeras reads it (the Keras 2
# spellings included: `batch_input_shape`, optimizer options Keras 3 dropped) but writes only
# the current formats. Keras 3.15 wrote this one for the reference CNN:

# %%
with h5py.File(keras_files / "cnn.h5", "r") as f:
    print(sorted(f.attrs), "|", list(f))
    print(list(f["model_weights"].attrs["layer_names"]),
          list(f["model_weights/conv"].attrs["weight_names"]))
legacy = keras.models.load_model(keras_files / "cnn.h5")
assert_matches_keras(legacy.predict(x_k, verbose=0), case.array("predictions/0"), rtol=1e-5,
                     what="predictions of the .h5 file")
print(legacy.compiled, legacy.optimizer, "iterations", int(legacy.optimizer.iterations))

# %% [markdown]
# ## When things go wrong
#
# Each mistake gets a ValueError that says what is wrong. Keras says "File not found" for a
# file that exists but is not a zip; nbkeras says what the file is:

# %%
with open(path("notes.keras"), "w") as f:
    f.write("not a model")
with zipfile.ZipFile(path("empty.keras"), "w") as archive:
    archive.writestr("readme.txt", "hello")
mistakes = {
    "a missing file": lambda: keras.models.load_model(path("nope.keras")),
    "a text file called .keras": lambda: keras.models.load_model(path("notes.keras")),
    "a zip without config.json": lambda: keras.models.load_model(path("empty.keras")),
    "a weights file to load_model": lambda: keras.models.load_model(
        path("digits_cnn.weights.h5")),
    "save to .tf": lambda: model.save(path("model.tf")),
    "save_weights to .h5": lambda: model.save_weights(path("model.h5")),
}
for what, mistake in mistakes.items():
    print(f"{what}:\n  {error_of(mistake)[:330]}\n")

# %% [markdown]
# ## A failed save leaves the old file intact
#
# Keras opens the destination and writes into it: a save that fails half-way (a layer whose
# `get_config` raises, a full disk) leaves a truncated file where a good one used to be
# (measured with Keras 3.15: a 13,699-byte file became a 2,016-byte partial zip that no longer
# loads, or an empty file when `get_config` failed). nbkeras computes the config and the weights
# first, writes them to a temporary file in the same folder, and renames it over the target
# only when everything is written: `os.replace` is a single step, so a reader sees the old file
# or the new one, never half of one.

# %%
show_source(file_utils.atomic_write)

# %%
class Fragile(layers.Layer):
    """A layer whose weights cannot be written when ``broken`` is set."""

    broken = False

    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,), name="w")

    def call(self, x):
        return x * self.w

    def compute_output_shape(self, input_shape):
        return input_shape

    def save_own_variables(self, store):
        if Fragile.broken:
            raise OSError("No space left on device")
        super().save_own_variables(store)


fragile = keras.Sequential([keras.Input((3,)), Fragile()])
fragile.save(path("fragile.keras"))
before = open(path("fragile.keras"), "rb").read()
Fragile.broken = True
print(error_of(lambda: fragile.save(path("fragile.keras"))))
after = open(path("fragile.keras"), "rb").read()
print("old file intact:", before == after, "| files in the folder named fragile*:",
      sorted(name for name in os.listdir(folder) if "fragile" in name))
Fragile.broken = False

# %% [markdown]
# ## Size and speed against Keras
#
# The case-study CNN (2,794 parameters) saved and loaded in a fresh process of each framework
# (`benchmarks/bench_saving.py`, medians of 15 runs after one warm-up; recorded on the
# development machine, 2 shared cores, where Keras' times moved by up to 2x between runs and
# nbkeras' by a few milliseconds). The files are the same size: the same HDF5 layout, written
# by the same library (the `.weights.h5` files differ by 4% in HDF5's own bookkeeping).
# nbkeras saves in about a quarter of Keras' time and loads in a fifth to a third of it; the
# first load in a process, where Keras also sets up TensorFlow, is more than ten times faster.

# %%
recorded = json.loads((reference_dir().parent.parent / "benchmarks" / "results" /
                       "saving.json").read_text())
rows = [("keras_size", ".keras file", "bytes"), ("weights_size", ".weights.h5 file", "bytes"),
        ("save", "model.save", "ms"), ("load", "load_model", "ms"),
        ("save_weights", "save_weights", "ms"), ("load_weights", "load_weights", "ms"),
        ("first_save", "first save in a process", "ms"),
        ("first_load", "first load in a process", "ms")]
print(f"{'':26s} {'nbkeras':>10s} {'Keras':>10s} {'ratio':>7s}")
for key, label, unit in rows:
    a, b = recorded["nbkeras"][key], recorded["keras"][key]
    scale = 1e3 if unit == "ms" else 1
    print(f"{label:26s} {a * scale:10,.1f} {b * scale:10,.1f} {a / b:6.2f}x  {unit}")

# %% [markdown]
# ## What nbkeras does differently
#
# - Saves are atomic: a failed `save` or `save_weights` leaves the previous file as it was and
#   no temporary file behind (Keras truncates the file).
# - Errors say what a file is (not a zip, an HDF5 file, a zip without `config.json`), and a
#   weights file that does not fit names the layer, the weight and both shapes; an unknown
#   class is a ValueError that is also the TypeError Keras raises.
# - `skip_mismatch` skips a layer whole: nothing is assigned to a layer that does not fit.
# - Configs keep the arguments Keras 3.15 forgets (`Huber`'s delta, `CosineSimilarity`'s
#   and `SparseCategoricalCrossentropy`'s axis, `Identity`'s gain).
# - No `shared_object_id` marks in `config.json`; no sharded, folder or Hugging Face formats,
#   and the legacy `.h5` format is read, not written (`model.save("x.h5")` says so).
# - Symbolic masks are not graph operations: a Keras functional model whose config holds the
#   `NotEqual` node that `Embedding(mask_zero=True)` adds to Keras' graph does not load.
