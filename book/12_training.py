# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Training
#
# `compile` chooses the optimizer, the loss and the metrics; `fit` runs the loop that the earlier
# chapters ran by hand: for each batch, the forward pass under a `GradientTape`, the loss, the
# gradients, the optimizer's update, and the metrics. This chapter writes that loop out, shows
# that `fit` computes the same numbers to the last bit, and then goes through what `fit` adds:
# the epoch's running metrics, the progress bar, validation, sample and class weights, several
# outputs, and the Keras 2 idioms of the seeds.
#
# The numbers are checked against real Keras: `tests/reference/training.json` holds runs of
# Keras 3.15 started from known weights, and the cells below repeat some of them.

# %%
import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.utils import load_reference, show_source
from nbkeras.utils.keras_reference import assert_matches_keras

np.set_printoptions(precision=4, suppress=True)
reference = {case.id: case for case in load_reference("training")}
arrays = {name[len("data/"):]: value
          for name, value in reference["sequential_mse"]._arrays.items()
          if name.startswith("data/")}


def wrap(text, width=76):
    return textwrap.fill(str(text), width, subsequent_indent="    ")


digits = load_digits()
x_all = (digits.data / 16.0).astype("float32")  # 1797 images of 8 x 8, scaled to [0, 1]
y_all = digits.target.astype("int32")
x_train, x_test, y_train, y_test = train_test_split(x_all, y_all, test_size=0.2,
                                                    random_state=0, stratify=y_all)
print(x_train.shape, x_test.shape, np.bincount(y_train))

# %% [markdown]
# ## compile, then fit
#
# A small network for the digits: 64 pixels in, two hidden ReLU layers, a softmax over the ten
# classes. `compile` takes names or objects: `"adam"` is `Adam()` with Keras' defaults, and
# `"sparse_categorical_crossentropy"` the loss for integer labels.

# %%
def digits_mlp(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(64,)),
                             layers.Dense(128, activation="relu"),
                             layers.Dense(64, activation="relu"),
                             layers.Dense(10, activation="softmax")], name="digits_mlp")


model = digits_mlp()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
print(model.optimizer, model.loss)
history = model.fit(x_train, y_train, batch_size=32, epochs=5, verbose=0)
print({key: [round(v, 4) for v in values] for key, values in history.history.items()})
print("test:", model.evaluate(x_test, y_test, verbose=0))

# %% [markdown]
# `"accuracy"` is not one metric but three: Keras picks it from the shapes of the first batch.
# One output unit means binary accuracy; labels of a lower rank than the predictions (here (32,)
# against (32, 10)) mean sparse categorical accuracy; otherwise categorical accuracy. The loss
# is never looked at. The resolved metric, and every other name of the epoch's logs:

# %%
print([type(m).__name__ for m in model._compile_metrics.metrics], model.metrics_names)
show_source(keras.trainers.compile_utils.get_metric)

# %% [markdown]
# ### The seeds' compile calls
#
# The seeds compile a 64-way softmax classifier on 10 features in several ways: a loss object
# (`SparseCategoricalCrossentropy(from_logits=True)`, which contradicts the softmax: Keras
# warns, and so does nbkeras) or the same loss by name, `"acc"` as the metric, and
# `Adam(learning_rate=0.01)` with `categorical_crossentropy` and the metric objects
# `Accuracy()` and `Precision()`. (One seed writes `layers.Activate`, a typo of `Activation`.)
# One epoch on random data shows the names each choice gives the logs, with Keras 3.15's:

# %%
seed_keys = next(c for c in load_reference("seeds")
                 if c.id == "compile/seed_metrics")["history_keys"]
rng = np.random.default_rng(0)
features, labels = rng.standard_normal((20, 10)).astype("float32"), np.arange(20) % 64
for label, loss, optimizer, metrics, y in [
    ("acc", keras.losses.SparseCategoricalCrossentropy(from_logits=True), "adam", ["acc"],
     labels),
    ("acc", "sparse_categorical_crossentropy", "adam", ["acc"], labels),
    ("accuracy_precision", "categorical_crossentropy", keras.optimizers.Adam(learning_rate=0.01),
     [keras.metrics.Accuracy(), keras.metrics.Precision()], np.eye(64)[labels]),
]:
    keras.utils.set_random_seed(0)
    seed_model = keras.Sequential()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras 3 warns about input_shape on a layer
        seed_model.add(layers.Dense(64, kernel_initializer="uniform", input_shape=(10,)))
    seed_model.add(layers.Activation("softmax"))
    seed_model.compile(loss=loss, optimizer=optimizer, metrics=metrics)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keys = sorted(seed_model.fit(features, y, epochs=1, verbose=0).history)
    print(f"loss {loss if isinstance(loss, str) else type(loss).__name__}: {keys}\n"
          f"  Keras 3.15: {seed_keys[label]}")
    assert keys == seed_keys[label]
    for category, message in sorted({(w.category.__name__, str(w.message)) for w in caught}):
        print(wrap(f"  {category}: {message}"))

# %% [markdown]
# ## The loop that fit replaces
#
# Here is one epoch written by hand, with the same pieces `fit` uses: the model called with
# `training=True` inside a tape; the loss of the batch (the compiled loss plus the model's own
# penalties, of which this model has none); the gradients and `apply_gradients`, written as the
# seeds write it; a `Mean`
# of the losses weighted by batch size (so that the epoch's loss is the mean over all samples,
# not over batches); and the accuracy's running state.

# %%
def train_by_hand(model, optimizer, x, y, batch_size, epochs):
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    loss_mean = keras.metrics.Mean(name="loss")
    accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    history = {"accuracy": [], "loss": []}
    for _ in range(epochs):
        loss_mean.reset_state()
        accuracy.reset_state()
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            with keras.GradientTape() as tape:
                predictions = model(xb, training=True)
                loss = loss_fn(yb, predictions)
            loss_mean.update_state(loss, sample_weight=len(xb))
            gradients = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
            accuracy.update_state(yb, predictions)
        history["accuracy"].append(float(accuracy.result()))
        history["loss"].append(float(loss_mean.result()))
    return history


by_hand = digits_mlp()
manual = train_by_hand(by_hand, keras.optimizers.Adam(), x_train, y_train, 32, 3)
by_fit = digits_mlp()
by_fit.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy", metrics=["accuracy"])
fitted = by_fit.fit(x_train, y_train, batch_size=32, epochs=3, shuffle=False, verbose=0)
print("history identical:", manual == fitted.history)
print("weights identical:", all(np.array_equal(a, b) for a, b in
                                zip(by_hand.get_weights(), by_fit.get_weights(), strict=True)))

# %% [markdown]
# (`shuffle=False` keeps the batches in order; by default `fit` draws a new order every epoch,
# `np.random.permutation(N)` from NumPy's global generator, which `keras.utils.set_random_seed`
# seeds.) This is `fit`'s loop, from the package: callbacks around every batch and epoch,
# `train_step` for each batch, and validation at the end of an epoch.

# %%
show_source(keras.Model.fit)

# %% [markdown]
# and `train_step`, the part the hand-written loop wrote out:

# %%
show_source(keras.Model.train_step)

# %% [markdown]
# ### The same numbers as Keras
#
# The epoch loss is $\sum_b n_b L_b / N$: each batch's mean loss weighted by its size. With 10
# samples in batches of 4, 4 and 2 the last batch counts half as much as the others. This run of
# the reference (a two-layer network, SGD 0.1, mean squared error) started in Keras from the
# weights stored with it; nbkeras starts from the same weights:

# %%
case = reference["sequential_mse"]
model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="relu"),
                          layers.Dense(1)])
model.set_weights([case.array(f"w/{i}") for i in range(case["n_weights"])])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae", "mse"])
history = model.fit(arrays["x10"], arrays["y10"], batch_size=4, epochs=3, shuffle=False,
                    verbose=0)
for key, values in history.history.items():
    assert_matches_keras(values, case["history"][key], 2e-4, key)
    print(f"{key:4s} nbkeras {np.round(values, 6)}  Keras {np.round(case['history'][key], 6)}")
for i, w in enumerate(model.get_weights()):
    assert_matches_keras(w, case.array(f"final/{i}"), 2e-4, f"weight {i}")
print("iterations:", int(model.optimizer.iterations), "Keras:", case["iterations"])

# %% [markdown]
# ## The progress bar
#
# With `verbose=1` (the default, `"auto"`), `fit` draws Keras' progress bar: the step count, a
# bar of 20 segments, the time left, the time per step, and each metric's value so far in the
# epoch (running means, four decimals). It is redrawn in place (backspaces and a carriage
# return), so a terminal and a notebook show one line per epoch. The time per step leaves out
# the first step, which in Keras carries the tracing of the step function. The timings differ
# from run to run; everything else is fixed. `verbose=2` prints one line per epoch, which suits
# log files.

# %%
model = digits_mlp()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
_ = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_split=0.2)
_ = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_split=0.2, verbose=2)

# %% [markdown]
# The bytes are Keras': `tests/test_training.py` records what Keras 3.15 prints for fit,
# evaluate and predict with both verbosities and compares nbkeras' output with it, timings
# aside.
#
# ## Validation and the History
#
# `validation_split=0.2` sets aside the *last* 20% of the samples, before any shuffling, and
# evaluates on them after every epoch (in inference mode: Dropout off, BatchNormalization on its
# moving statistics); their metrics get a `val_` prefix. Only the training part is shuffled:

# %%
n, fraction = len(x_train), 0.2
split_at = int(np.floor(n * (1.0 - fraction)))
order = np.random.default_rng(0).permutation(split_at)
fig, ax = plt.subplots(figsize=(8, 1.6))
ax.scatter(np.arange(split_at), np.zeros(split_at), c=order, cmap="viridis", s=4, marker="|")
ax.scatter(np.arange(split_at, n), np.zeros(n - split_at), color="tab:red", s=4, marker="|")
ax.set_yticks([])
ax.set_xlabel("sample index")
ax.set_title(f"training: samples 0..{split_at - 1} (shuffled each epoch, colour = order); "
             f"validation: {split_at}..{n - 1}", fontsize=9)
plt.tight_layout()
plt.show()

# %% [markdown]
# `fit` returns a `History`: the logs of every epoch, key by key (sorted, as every hook's logs
# are). Twenty epochs on the digits, plotted:

# %%
model = digits_mlp()
model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=32, epochs=20, validation_split=0.2,
                    verbose=0)
print(list(history.history), history.epoch[-1], history.params)
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
for key, axis in (("loss", left), ("accuracy", right)):
    axis.plot(history.epoch, history.history[key], label=f"training {key}")
    axis.plot(history.epoch, history.history[f"val_{key}"], label=f"validation {key}")
    axis.set_xlabel("epoch")
    axis.legend()
plt.tight_layout()
plt.show()
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {test_accuracy:.3f}")

# %% [markdown]
# The training loss is the mean over each epoch *while the weights moved*; the validation loss
# is computed once, at the end of the epoch. That is why the two curves start apart.
#
# `validation_data=(x, y)` validates on data of your own, and `validation_freq=2` only every
# second epoch (then the `val_` lists are shorter). `initial_epoch` resumes a count: epochs
# `initial_epoch` to `epochs - 1` run.
#
# ## Weights of samples and classes
#
# `sample_weight` scales each sample's loss. The batch loss is then $\sum_i w_i l_i / n_b$,
# divided by the batch *size*, not by $\sum w_i$; metrics given as `weighted_metrics` divide by
# $\sum w_i$ instead, and plain `metrics` ignore the weights. Both appear in one run (checked
# against Keras):

# %%
case = reference["sample_weighted"]
model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, activation="tanh"),
                          layers.Dense(1)])
model.set_weights([case.array(f"w/{i}") for i in range(case["n_weights"])])
model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mse"],
              weighted_metrics=["mse", "mae"])
history = model.fit(arrays["x10"], arrays["y10"], sample_weight=arrays["w10"], batch_size=4,
                    epochs=2, shuffle=False, verbose=0)
for key, values in history.history.items():
    assert_matches_keras(values, case["history"][key], 2e-4, key)
print({key: np.round(values, 5).tolist() for key, values in history.history.items()})

# %% [markdown]
# A weighted metric with the name of an unweighted one is renamed `weighted_mse`. `class_weight`
# turns a weight per class into sample weights (the class of a sample is its label, or the
# argmax of a one-hot target; classes left out weigh 1). On the digits, making the model care
# four times as much about 8s, which it confuses most:

# %%
def per_class_recall(model):
    predicted = np.argmax(model.predict(x_test, verbose=0), axis=-1)
    return np.array([np.mean(predicted[y_test == c] == c) for c in range(10)])


plain, weighted = digits_mlp(), digits_mlp()
for m, class_weight in ((plain, None), (weighted, {8: 4.0})):
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(x_train, y_train, epochs=5, class_weight=class_weight, verbose=0)
print("recall of each class, 0 to 9:")
print("  plain:       ", np.array2string(per_class_recall(plain), precision=3))
print("  8s weigh 4:  ", np.array2string(per_class_recall(weighted), precision=3))

# %% [markdown]
# ## Several outputs
#
# A model with two outputs takes a loss (and metrics) per output, as a list or a dict keyed by
# the output layers' names, and `loss_weights` to mix them: the loss minimised is
# $\sum_k w_k L_k$, plus the penalties. The History then has each output's *unweighted* loss
# (`cls_loss`, `reg_loss`) and its metrics, prefixed with its name. The validation split
# applies to every input and output alike. This run is checked against Keras:

# %%
case = reference["two_outputs"]
keras.backend.clear_session()
a = keras.Input(shape=(3,), name="a")
b = keras.Input(shape=(2,), name="b")
h = layers.Dense(4, activation="tanh", name="trunk")(layers.Concatenate()([a, b]))
two = keras.Model([a, b], [layers.Dense(1, activation="sigmoid", name="cls")(h),
                           layers.Dense(2, name="reg")(h)], name="two_outputs")
two.set_weights([case.array(f"w/{i}") for i in range(case["n_weights"])])
two.compile(optimizer=keras.optimizers.SGD(0.1),
            loss={"cls": "binary_crossentropy", "reg": "mse"},
            loss_weights={"cls": 1.0, "reg": 0.5},
            metrics={"cls": ["accuracy"], "reg": ["mae"]})
y_cls = (arrays["a16"][:, :1] > 0).astype(np.float32)
history = two.fit([arrays["a16"], arrays["b16"]], [y_cls, arrays["b16"]],
                  validation_split=0.25, batch_size=4, epochs=2, shuffle=False, verbose=0)
for key, values in history.history.items():
    assert_matches_keras(values, case["history"][key], 2e-4, key)
print(list(history.history))
h1 = history.history
print("loss = cls_loss + 0.5 reg_loss:",
      [round(t, 5) for t in h1["loss"]],
      [round(c + 0.5 * r, 5) for c, r in zip(h1["cls_loss"], h1["reg_loss"], strict=True)])

# %% [markdown]
# (The first epoch's terms are means over the epoch of per-batch values, so the identity holds
# to rounding.) `evaluate` returns the loss, then the per-output losses and metrics, in that
# order, or a dict with `return_dict=True`; `predict` returns one array per output:

# %%
evaluation = two.evaluate([arrays["a16"], arrays["b16"]], [y_cls, arrays["b16"]], verbose=0)
assert_matches_keras(evaluation, case["then/0/evaluate"], 2e-4, "evaluate")
print(np.round(evaluation, 5))
print(two.evaluate([arrays["a16"], arrays["b16"]], [y_cls, arrays["b16"]], verbose=0,
                   return_dict=True))
print([p.shape for p in two.predict([arrays["a16"], arrays["b16"]], verbose=0)])

# %% [markdown]
# ## One batch at a time
#
# `train_on_batch`, `test_on_batch` and `predict_on_batch` do one step on the arrays given,
# with the metrics reset first, so the values are those of that batch alone:

# %%
model = digits_mlp()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
print(model.train_on_batch(x_train[:32], y_train[:32]))
print(model.train_on_batch(x_train[32:64], y_train[32:64], return_dict=True))
print(model.test_on_batch(x_test[:32], y_test[:32]), model.predict_on_batch(x_test[:2]).shape)

# %% [markdown]
# ## Your own metrics and losses
#
# A metric may be any function of `(y_true, y_pred)`: it becomes a running mean named after
# the function. The seeds report the learning rate this way. Their `get_lr_metric` returns
# `optimizer.lr`, Keras 2's name; Keras 3 has only `optimizer.learning_rate` (reading `lr`
# raises `AttributeError`, and *setting* `opt.lr` quietly creates an unrelated attribute).
# nbkeras keeps `lr` as an alias that reads and sets the learning rate, so the seed runs as
# written:

# %%
def get_lr_metric(optimizer):
    def lr(y_true, y_pred):
        return optimizer.lr
    return lr


optimizer = keras.optimizers.Adam(learning_rate=0.01)
lr_metric = get_lr_metric(optimizer)
model = digits_mlp()
model.compile(loss=keras.losses.sparse_categorical_crossentropy, optimizer=optimizer,
              metrics=["accuracy", lr_metric])
history = model.fit(x_train, y_train, epochs=2, verbose=0)
print({key: np.round(values, 4).tolist() for key, values in history.history.items()})

# %% [markdown]
# (The seed compiles with `categorical_crossentropy`, for one-hot labels; the digits' labels
# are integers, hence the sparse loss.) In Keras 3 the same metric reads
# `optimizer.learning_rate`; the reference run `custom_functions` records Keras' values for
# that form, together with a custom loss function, and `tests/test_training.py` matches them.
#
# ### The seeds' FakeModel: fit as a minimiser
#
# A model need not have layers. The seeds minimise $f(x) = ax^2 + bx + c$ with $a = 1$,
# $b = -2$, $c = 1$ by making $f$ the model's output and the loss the mean of the output. The
# seed's `build` creates the variable and sets `built` itself (in Keras 3, `add_weight` is the
# way to make a model's variable); its optimizer is Keras 2's
# `SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)`. Keras 3 rejects `lr` and ignores
# `decay` (with a warning); nbkeras runs both as Keras 2 did (`decay` divides the learning
# rate by $1 + \text{decay} \cdot t$) and warns what Keras 3 does instead:

# %%
keras.backend.clear_session()


class FakeModel(keras.models.Model):
    def __init__(self, a, b, c):
        super().__init__()
        self.a = a
        self.b = b
        self.c = c

    def build(self):
        self.x = keras.Variable(0.0, name="x")
        self.built = True

    def call(self, features):
        loss = self.a * (self.x) ** 2 + self.b * (self.x) + self.c
        return ops.ones_like(features) * loss


model = FakeModel(ops.convert_to_tensor(1.0), ops.convert_to_tensor(-2.0),
                  ops.convert_to_tensor(1.0))
model.build()
model.summary()


def myloss(y_true, y_pred):
    return ops.mean(y_pred)


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sgd = keras.optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
for warning in caught:
    print(wrap(f"{warning.category.__name__}: {warning.message}"))
model.compile(loss=myloss, optimizer=sgd)
history = model.fit(ops.zeros((100, 2)), ops.ones(100), batch_size=1, epochs=10, verbose=0)
print(f"x = {float(model.x.numpy()):.4f}, f(x) = {float(model(ops.zeros((1, 1)))[0, 0]):.6f}")

# %% [markdown]
# The seed trains for 1000 epochs; ten (1,000 steps) already put $x$ at the minimum, $x = 1$.
# `model.x` is found by the optimizer because a variable assigned to a model is one of its
# weights. The reference run `fake_model` is this model in Keras 3's spelling (`add_weight`,
# `learning_rate=`, no `decay`), matched in the tests.
#
# ### The seeds' MyModel: Dropout only in training
#
# The seeds' subclassed model applies Dropout only when `training` is true; `fit` calls the
# model with `training=True`, `evaluate` and `predict` with `training=False`:

# %%
keras.backend.clear_session()
keras.utils.set_random_seed(0)
data = np.random.random((1000, 32)).astype("float32")  # noqa: NPY002 (as the seed)
labels = np.random.random((1000, 5)).astype("float32")  # noqa: NPY002


class MyModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense1 = keras.layers.Dense(4, activation="relu")
        self.dense2 = keras.layers.Dense(5, activation="softmax")
        self.dropout = keras.layers.Dropout(0.5)

    def call(self, inputs, training=False):
        x = self.dense1(inputs)
        if training:
            x = self.dropout(x, training=training)
        return self.dense2(x)


model = MyModel()
model.compile(optimizer=keras.optimizers.RMSprop(0.001), loss="categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit(data, labels, batch_size=32, epochs=5, verbose=2)
model.summary()

# %% [markdown]
# (The labels are random, so there is nothing to learn; the seed only shows the mechanics.
# `"accuracy"` resolves to categorical accuracy here: labels and predictions have the same
# shape.)
#
# ## Your own train_step
#
# `fit` calls `self.train_step(batch)`, so a model can change what a step does and keep
# everything else: the loop, the callbacks, the progress bar, validation. Here a step clips the
# global gradient norm by hand and reports it as a metric:

# %%
class ClippedModel(keras.Sequential):
    def __init__(self, stack, **kwargs):
        super().__init__(stack, **kwargs)
        self.grad_norm = keras.metrics.Mean(name="grad_norm")

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_weights)
        norm = ops.sqrt(sum(ops.sum(ops.square(g)) for g in grads))
        scale = ops.minimum(1.0, 1.0 / norm)
        self.optimizer.apply([g * scale for g in grads], self.trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            elif metric.name == "grad_norm":
                metric.update_state(norm)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


keras.utils.set_random_seed(0)
model = ClippedModel([keras.Input(shape=(64,)), layers.Dense(32, activation="relu"),
                      layers.Dense(10, activation="softmax")])
model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=3, verbose=0)
print({key: np.round(values, 4).tolist() for key, values in history.history.items()})

# %% [markdown]
# `self.metrics` lists the loss tracker, the compiled metrics (as one `compile_metrics`, whose
# result is a dict) and the metric kept as an attribute, so each is reset every epoch and lands
# in the History. (This loss tracker weighs every batch alike; `fit`'s own weighs them by size.)
#
# ## Keras 2 optimizers in the seeds
#
# The seeds read and set an optimizer's state with `get_weights` / `set_weights`. Keras 3 has
# no `get_weights` (read `optimizer.variables`), and its `set_weights` wants every variable,
# the learning rate included. nbkeras accepts both layouts: Keras 2's list (the iteration count,
# then each slot) and Keras 3's. The seed's data needs one change: its labels have shape (5,)
# against predictions of shape (5, 10), which Keras 2 broadcast and Keras 3 rejects, like
# nbkeras:

# %%
opt = keras.optimizers.RMSprop()
m = keras.models.Sequential([keras.layers.Dense(10)])
m.compile(opt, loss="mse")
data = np.arange(100).reshape(5, 20)
try:
    m.fit(data, np.zeros(5), verbose=0)
except ValueError as error:
    print(wrap(f"ValueError: {error}"))
results = m.fit(data, np.zeros((5, 10)), verbose=0)
print([w.shape for w in opt.get_weights()], "Keras 3 variables:",
      [v.name for v in opt.variables])
new_weights = [np.array(10), np.ones([20, 10]), np.zeros([10])]
opt.set_weights(new_weights)
print("iterations:", int(opt.iterations))
print("K.get_value(opt.lr):", float(keras.backend.get_value(opt.lr)))

# %% [markdown]
# `keras.backend.get_value` and `set_value` are gone from Keras 3 too (write
# `keras.ops.convert_to_numpy(v)` and `v.assign(x)`); nbkeras keeps them for the seeds.
# Finally, the seeds compile with `optimizer="sgdm"` and `"nag"`: these were never Keras
# names. The error says what to write:

# %%
model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
for name in ("sgdm", "nag"):
    try:
        model.compile(loss="mse", optimizer=name)
    except ValueError as error:
        print(wrap(f"ValueError: {error}"), "\n")

# %% [markdown]
# ## When something is wrong
#
# Names are checked when they are first needed: the optimizer in `compile`, the loss and the
# metrics at the first batch, when their shapes are known (as in Keras). The other mistakes are
# caught before any step:

# %%
model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
x3, y3 = np.ones((10, 3), np.float32), np.ones((10, 1), np.float32)
attempts = {
    "fit before compile": lambda: model.fit(x3, y3),
    "a misspelt loss": lambda: (model.compile("sgd", "msee"), model.fit(x3, y3, verbose=0)),
    "x and y of different lengths": lambda: (model.compile("sgd", "mse"),
                                             model.fit(x3, y3[:7], verbose=0)),
    "class_weight with sample_weight": lambda: model.fit(
        x3, y3, class_weight={0: 1.0}, sample_weight=np.ones(10), verbose=0),
    "the wrong feature size": lambda: model.predict(np.ones((2, 5), np.float32), verbose=0),
    "validation_split with a generator": lambda: model.fit(
        ((x3, y3) for _ in range(2)), validation_split=0.2, shuffle=False, verbose=0),
}
for what, attempt in attempts.items():
    try:
        attempt()
    except ValueError as error:
        print(f"{what}:\n{wrap(f'  ValueError: {error}')}\n")
