# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Case study: handwritten digits
#
# The chapters so far took Keras apart one piece at a time. This one puts the pieces back
# together the way a Keras user would: real data, a small convolutional network, `fit` with
# validation and callbacks, curves from the History, an honest test score, a look at what the
# model gets wrong, a saved file that loads back, and, at the end, the same model trained the
# three ways Keras offers, which land on the same weights to the last bit.
#
# Everything here is the public API: `import nbkeras as keras` and the code below is the code
# one would write for Keras 3.

# %%
import os
import tempfile
import zipfile

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nbkeras as keras
from nbkeras import layers
from nbkeras.utils import load_reference
from nbkeras.utils.keras_reference import assert_matches_keras

np.set_printoptions(precision=4, suppress=True)
workdir = tempfile.mkdtemp()  # checkpoints and saved models go here, not into the book

# %% [markdown]
# ## The data
#
# scikit-learn ships the UCI handwritten digits with the library (no download): 1797 images of
# 8 x 8 pixels, each pixel an integer count from 0 to 16. Scaled to [0, 1] and given a channel
# axis, they have the `(height, width, channels)` layout that `Conv2D` expects. A fifth of them,
# drawn by a fixed seed and stratified so that every digit keeps its share, is set aside as the
# test split: the model never sees it until the very end.

# %%
digits = load_digits()
x_all = (digits.images / 16.0).astype("float32")[..., np.newaxis]
y_all = digits.target.astype("int32")
x_train, x_test, y_train, y_test = train_test_split(x_all, y_all, test_size=0.2,
                                                    random_state=0, stratify=y_all)
print("train:", x_train.shape, "test:", x_test.shape)
print("images per digit in the training split:", np.bincount(y_train))

# %%
fig, axes = plt.subplots(2, 10, figsize=(10, 2.4))
for axis, image, label in zip(axes.flat, x_train, y_train, strict=False):
    axis.imshow(image[..., 0], cmap="gray_r")
    axis.set_title(str(label))
    axis.axis("off")
plt.suptitle("The first twenty training images and their labels")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The model
#
# Two blocks of a 3 x 3 convolution with ReLU, batch normalisation and 2 x 2 max pooling take
# the image from 8 x 8 x 1 to 2 x 2 x 64; `Flatten`, `Dropout` and a softmax `Dense` turn that
# into ten class probabilities. `padding="same"` keeps the small images from shrinking away
# under the convolutions. `keras.utils.set_random_seed` fixes the initial weights and Dropout's
# masks, so that the whole chapter gives the same numbers on every run.

# %%
def digits_cnn(seed=0, dropout=0.3):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(dropout),
        layers.Dense(10, activation="softmax"),
    ], name="digits_cnn")


model = digits_cnn()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

# %% [markdown]
# ### The same network in Keras
#
# Before trusting a long run, check a short one against Keras itself. `make reference` trained
# this architecture in Keras 3.15 (without its Dropout, whose random masks no two frameworks
# share) for three epochs on 40 random images with a validation split, and recorded its initial
# weights, its History and its final weights. Started from Keras' weights, nbkeras' `fit`
# gives the same History and the same weights, including BatchNormalization's moving
# statistics:

# %%
case = {c.id: c for c in load_reference("training")}["digits_cnn"]
images, labels = case._arrays["data/images40"], case._arrays["data/digits40"]
twin = digits_cnn(dropout=0.0)
twin.set_weights([case.array(f"w/{i}") for i in range(case["n_weights"])])
twin.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.5),
             loss="sparse_categorical_crossentropy", metrics=["accuracy"])
twin_history = twin.fit(images, labels, batch_size=8, epochs=3, validation_split=0.2,
                        shuffle=False, verbose=0)
for key, values in twin_history.history.items():
    assert_matches_keras(np.array(values), np.array(case["history"][key]), 2e-4, key)
    print(f"{key:>12}: nbkeras {np.round(values, 4)}, Keras {np.round(case['history'][key], 4)}")
for i, weight in enumerate(twin.get_weights()):
    assert_matches_keras(weight, case.array(f"final/{i}"), 2e-4, f"final weight {i}")
print("final weights match Keras':", len(twin.get_weights()), "arrays")

# %% [markdown]
# ## Training with validation and callbacks
#
# `validation_split=0.1` holds out the last tenth of the training arrays (Keras takes it from
# the end, before shuffling), and reports `val_loss` and `val_accuracy` after every epoch. Two
# callbacks watch `val_loss`:
#
# - `EarlyStopping(patience=5, restore_best_weights=True)` stops once five epochs in a row
#   have not improved on the best validation loss, and puts back the weights of the best epoch;
# - `ModelCheckpoint(..., save_best_only=True)` writes the model to a `.keras` file each time
#   the validation loss improves, so the best model is on disk even if training were cut short.
#
# `verbose=2` prints one line per epoch.

# %%
checkpoint_path = os.path.join(workdir, "digits_cnn.best.keras")
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
    keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss", save_best_only=True),
]
history = model.fit(x_train, y_train, batch_size=32, epochs=40, validation_split=0.1,
                    callbacks=callbacks, verbose=2)

# %% [markdown]
# Early stopping decided when to stop; which epoch was best, and how many ran:

# %%
val_loss = history.history["val_loss"]
best_epoch = int(np.argmin(val_loss))
print("epochs run:", len(val_loss), "| stopped at epoch index:", callbacks[0].stopped_epoch)
print(f"best epoch: {best_epoch + 1}, val_loss {val_loss[best_epoch]:.4f}, "
      f"val_accuracy {history.history['val_accuracy'][best_epoch]:.4f}")

# %% [markdown]
# ## Learning curves
#
# The History holds one value per epoch for every metric. The validation accuracy starts low
# and catches up late: during the first epochs BatchNormalization's moving averages, which the
# model uses outside training, still remember their initial values (mean 0, variance 1), and
# with `momentum=0.99` they need a few hundred steps to reach the real statistics.

# %%
epochs = np.arange(1, len(val_loss) + 1)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
left.plot(epochs, history.history["loss"], label="training")
left.plot(epochs, val_loss, label="validation")
left.axvline(best_epoch + 1, color="gray", linestyle=":", label="best epoch")
left.set(xlabel="epoch", ylabel="loss", yscale="log", title="sparse categorical cross-entropy")
left.legend()
right.plot(epochs, history.history["accuracy"], label="training")
right.plot(epochs, history.history["val_accuracy"], label="validation")
right.axvline(best_epoch + 1, color="gray", linestyle=":")
right.set(xlabel="epoch", ylabel="accuracy", ylim=(0.8, 1.005), title="accuracy")
right.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The test split
#
# Only now does the model see the 360 test images. `evaluate` returns the compiled loss and
# metrics; the goal for this chapter is at least 97% accuracy.

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")
assert test_accuracy >= 0.97, test_accuracy

# %% [markdown]
# A confusion matrix counts, for each true digit (row), which digit the model predicted
# (column); the diagonal holds the correct answers.

# %%
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
print(confusion)
print("correct:", np.trace(confusion), "of", confusion.sum())

# %%
fig, axis = plt.subplots(figsize=(5, 4.4))
image = axis.imshow(confusion, cmap="Blues")
for (row, column), count in np.ndenumerate(confusion):
    if count:
        axis.text(column, row, count, ha="center", va="center",
                  color="white" if count > confusion.max() / 2 else "black")
axis.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
         title="Confusion matrix on the test split")
plt.colorbar(image, ax=axis)
plt.tight_layout()
plt.show()

# %% [markdown]
# And the images it got wrong, with what it said and how sure it was:

# %%
wrong = np.flatnonzero(predicted != y_test)
fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(2 * max(len(wrong), 1), 2.4),
                         squeeze=False)
for axis, index in zip(axes.flat, wrong, strict=False):
    axis.imshow(x_test[index, ..., 0], cmap="gray_r")
    axis.set_title(f"true {y_test[index]}, said {predicted[index]}\n"
                   f"p = {probabilities[index, predicted[index]]:.2f}", fontsize=9)
    axis.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Saved, reloaded, the same
#
# ModelCheckpoint left the best epoch's model on disk. Since EarlyStopping restored those same
# weights, the file and the model in memory agree. `model.save` writes the model again, and
# `keras.models.load_model` reads either file back: architecture, weights, the compile
# configuration and the optimizer's state. The reloaded models predict the same probabilities,
# bit for bit.

# %%
saved_path = os.path.join(workdir, "digits_cnn.keras")
model.save(saved_path)
with zipfile.ZipFile(saved_path) as archive:
    print({member.filename: member.file_size for member in archive.infolist()})
print("file size:", os.path.getsize(saved_path), "bytes")

reloaded = keras.models.load_model(saved_path)
best_on_disk = keras.models.load_model(checkpoint_path)
for name, other in [("model.save", reloaded), ("ModelCheckpoint", best_on_disk)]:
    same = np.array_equal(other.predict(x_test, verbose=0), probabilities)
    print(f"{name} file predicts the same: {same}")
print("reloaded optimizer:", type(reloaded.optimizer).__name__,
      "at iteration", int(reloaded.optimizer.iterations.numpy()))

# %% [markdown]
# ## Three ways of training, one result
#
# Keras offers three levels of control over the same update: `fit`, which owns the loop;
# `train_on_batch`, where we own the loop and Keras does the step; and a `GradientTape` loop,
# where we write the step too. From the same initial weights, with the same batches in the same
# order (`shuffle=False`) and the same Dropout masks (the same seed), all three must reach the
# same weights. Two epochs of each:

# %%
def trained_with_fit():
    net = digits_cnn()
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    net.fit(x_train, y_train, batch_size=32, epochs=2, shuffle=False, verbose=0)
    return net


def trained_with_train_on_batch():
    net = digits_cnn()
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    for _ in range(2):
        for start in range(0, len(x_train), 32):
            net.train_on_batch(x_train[start:start + 32], y_train[start:start + 32])
    return net


def trained_with_gradient_tape():
    net = digits_cnn()
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    optimizer = keras.optimizers.Adam()
    for _ in range(2):
        for start in range(0, len(x_train), 32):
            xb, yb = x_train[start:start + 32], y_train[start:start + 32]
            with keras.GradientTape() as tape:
                loss = loss_fn(yb, net(xb, training=True))
            gradients = tape.gradient(loss, net.trainable_weights)
            optimizer.apply(gradients, net.trainable_weights)
    return net


nets = {"fit": trained_with_fit(), "train_on_batch": trained_with_train_on_batch(),
        "GradientTape": trained_with_gradient_tape()}
reference_weights = nets["fit"].get_weights()
for name, net in nets.items():
    same = all(np.array_equal(a, b) for a, b in zip(net.get_weights(), reference_weights,
                                                     strict=True))
    print(f"{name:>15}: weights identical to fit's: {same}")

# %% [markdown]
# `get_weights` includes BatchNormalization's moving mean and variance, which are not trained
# by the gradient but updated by every call with `training=True`: they agree too, because all
# three loops call the model on the same batches in the same order.
