"""Training runs frozen from real Keras (family "training"), and the code that runs them.

Both sides run the same source: tools/reference/training.py runs every case of ``CASES`` with
real Keras and records what ``run`` returns (with the model's initial weights); the tests run
it with nbkeras, starting from Keras' initial weights, and compare. Every run uses
``shuffle=False`` and no dropout, so the two frameworks see the same batches and compute the
same functions.

A case is a function ``case(keras, data)`` of the keras module and the case's arrays (made by
``make_data``) that returns ``{"model", "compile", "fit", "then"}``: the model, the keyword
arguments of ``compile`` and ``fit``, and what to do after fit (``"evaluate"``,
``"evaluate_dict"``, ``"predict"``, ``"train_on_batch"``, ``"test_on_batch"``,
``"predict_on_batch"``), each with its arguments.
"""

import numpy as np


def make_data(rng):
    """The arrays every case draws from (float32; labels int32)."""
    f32 = np.float32
    x = rng.standard_normal((10, 3)).astype(f32)
    return {
        "x10": x,
        "y10": (x @ np.array([[0.5], [-1.0], [0.25]], f32) + 0.1).astype(f32),
        "w10": rng.uniform(0.5, 2.0, (10,)).astype(f32),
        "x24": rng.standard_normal((24, 4)).astype(f32),
        "labels24": rng.integers(0, 3, (24,)).astype(np.int32),
        "binary24": rng.integers(0, 2, (24, 1)).astype(f32),
        "reg24": rng.standard_normal((24, 2)).astype(f32),
        "xval": rng.standard_normal((6, 4)).astype(f32),
        "labels_val": rng.integers(0, 3, (6,)).astype(np.int32),
        "a16": rng.standard_normal((16, 3)).astype(f32),
        "b16": rng.standard_normal((16, 2)).astype(f32),
        "quadratic": np.linspace(-2.0, 2.0, 8, dtype=f32).reshape(8, 1),
        "images40": rng.uniform(0.0, 1.0, (40, 8, 8, 1)).astype(f32),
        "digits40": rng.integers(0, 10, (40,)).astype(np.int32),
    }


def _mlp(keras, inputs, outputs, hidden=5, activation="softmax", name=None):
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=(inputs,)),
                             layers.Dense(hidden, activation="tanh"),
                             layers.Dense(outputs, activation=activation)], name=name)


def sequential_mse(keras, data):
    """Batches of 4, 4, 2: the epoch loss is the size-weighted mean of the batch losses."""
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    return {"model": model,
            "compile": {"optimizer": keras.optimizers.SGD(0.1), "loss": "mse",
                        "metrics": ["mae", "mse"]},
            "fit": {"x": data["x10"], "y": data["y10"], "batch_size": 4, "epochs": 3},
            "then": [("evaluate", {"x": data["x10"], "y": data["y10"], "batch_size": 3}),
                     ("evaluate_dict", {"x": data["x10"], "y": data["y10"]}),
                     ("predict", {"x": data["x10"], "batch_size": 3})]}


def sample_weighted(keras, data):
    """sample_weight: the batch loss divides by the batch size, weighted metrics by the
    summed weights."""
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, activation="tanh"),
                              keras.layers.Dense(1)])
    return {"model": model,
            "compile": {"optimizer": keras.optimizers.SGD(0.05), "loss": "mse",
                        "metrics": ["mse"], "weighted_metrics": ["mse", "mae"]},
            "fit": {"x": data["x10"], "y": data["y10"], "sample_weight": data["w10"],
                    "batch_size": 4, "epochs": 2},
            "then": [("evaluate_dict", {"x": data["x10"], "y": data["y10"],
                                        "sample_weight": data["w10"], "batch_size": 4})]}


def class_weighted(keras, data):
    """class_weight becomes per-sample weights (class 2 missing: weight 1)."""
    return {"model": _mlp(keras, 4, 3),
            "compile": {"optimizer": keras.optimizers.Adam(0.01),
                        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            "fit": {"x": data["x24"], "y": data["labels24"], "class_weight": {0: 2.0, 1: 0.5},
                    "batch_size": 8, "epochs": 2},
            "then": [("evaluate", {"x": data["x24"], "y": data["labels24"]})]}


def validation_split(keras, data):
    """The last 25% of the samples validate, every epoch."""
    return {"model": _mlp(keras, 4, 3),
            "compile": {"optimizer": "rmsprop", "loss": "sparse_categorical_crossentropy",
                        "metrics": ["accuracy", "acc"]},
            "fit": {"x": data["x24"], "y": data["labels24"], "validation_split": 0.25,
                    "batch_size": 6, "epochs": 3},
            "then": []}


def validation_data_freq(keras, data):
    """validation_data checked after epochs 2 and 4 only."""
    return {"model": _mlp(keras, 4, 3),
            "compile": {"optimizer": keras.optimizers.SGD(0.1, momentum=0.9),
                        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            "fit": {"x": data["x24"], "y": data["labels24"],
                    "validation_data": (data["xval"], data["labels_val"]),
                    "validation_freq": 2, "batch_size": 8, "epochs": 4},
            "then": []}


def initial_epoch(keras, data):
    """initial_epoch=2, epochs=4: epochs 2 and 3 run."""
    return {"model": _mlp(keras, 4, 3),
            "compile": {"optimizer": keras.optimizers.Adam(0.02),
                        "loss": "sparse_categorical_crossentropy"},
            "fit": {"x": data["x24"], "y": data["labels24"], "initial_epoch": 2,
                    "epochs": 4, "batch_size": 12},
            "then": [("evaluate", {"x": data["x24"], "y": data["labels24"]})]}


def regularized(keras, data):
    """Weight and activity regularizers are in the loss, not in the metrics."""
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.l2(0.1),
                     activity_regularizer=keras.regularizers.l1(0.01)),
        layers.Dense(2, kernel_regularizer=keras.regularizers.l1_l2(0.01, 0.02))])
    return {"model": model,
            "compile": {"optimizer": keras.optimizers.SGD(0.05), "loss": "mse",
                        "metrics": ["mse"]},
            "fit": {"x": data["x24"], "y": data["reg24"], "batch_size": 10, "epochs": 3},
            "then": [("evaluate_dict", {"x": data["x24"], "y": data["reg24"]})]}


def confusion_metrics(keras, data):
    """AUC, Precision, Recall on a sigmoid output (string and object forms)."""
    return {"model": _mlp(keras, 4, 1, activation="sigmoid"),
            "compile": {"optimizer": keras.optimizers.Adam(0.01), "loss": "binary_crossentropy",
                        "metrics": ["AUC", keras.metrics.Precision(name="precision"),
                                    keras.metrics.Recall(name="recall"), "accuracy"]},
            "fit": {"x": data["x24"], "y": data["binary24"], "batch_size": 8, "epochs": 3},
            "then": [("evaluate", {"x": data["x24"], "y": data["binary24"]}),
                     ("evaluate_dict", {"x": data["x24"], "y": data["binary24"]})]}


def custom_functions(keras, data):
    """A custom loss function, a custom metric function and the seeds' learning-rate metric
    (written for Keras 3: ``optimizer.learning_rate``)."""
    optimizer = keras.optimizers.Adam(learning_rate=0.005)

    def my_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.abs(y_true - y_pred) * 2.0, axis=-1)

    def max_error(y_true, y_pred):
        return keras.ops.max(keras.ops.abs(y_true - y_pred), axis=-1)

    def get_lr_metric(optimizer):
        def lr(y_true, y_pred):
            return optimizer.learning_rate
        return lr

    return {"model": _mlp(keras, 4, 2, activation="linear"),
            "compile": {"optimizer": optimizer, "loss": my_loss,
                        "metrics": [max_error, get_lr_metric(optimizer)]},
            "fit": {"x": data["x24"], "y": data["reg24"], "batch_size": 8, "epochs": 2},
            "then": [("evaluate_dict", {"x": data["x24"], "y": data["reg24"]})]}


def two_outputs(keras, data):
    """A functional model with two outputs, loss_weights and per-output metrics."""
    layers = keras.layers
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = layers.Dense(4, activation="tanh", name="trunk")(layers.Concatenate()([a, b]))
    cls = layers.Dense(1, activation="sigmoid", name="cls")(h)
    reg = layers.Dense(2, name="reg")(h)
    model = keras.Model([a, b], [cls, reg], name="two_outputs")
    y_cls = (data["a16"][:, :1] > 0).astype(np.float32)
    return {"model": model,
            "compile": {"optimizer": keras.optimizers.SGD(0.1),
                        "loss": {"cls": "binary_crossentropy", "reg": "mse"},
                        "loss_weights": {"cls": 1.0, "reg": 0.5},
                        "metrics": {"cls": ["accuracy"], "reg": ["mae"]}},
            "fit": {"x": [data["a16"], data["b16"]], "y": [y_cls, data["b16"]],
                    "validation_split": 0.25, "batch_size": 4, "epochs": 2},
            "then": [("evaluate", {"x": [data["a16"], data["b16"]], "y": [y_cls, data["b16"]]}),
                     ("evaluate_dict", {"x": [data["a16"], data["b16"]],
                                        "y": [y_cls, data["b16"]]}),
                     ("predict", {"x": [data["a16"], data["b16"]]})]}


def dict_outputs(keras, data):
    """Dict outputs: history keys use the dict keys; predict returns a dict."""
    layers = keras.layers
    inputs = keras.Input(shape=(3,), name="features")
    h = layers.Dense(4, activation="relu", name="body")(inputs)
    outputs = {"zeta": layers.Dense(1, name="z")(h), "alpha": layers.Dense(2, name="al")(h)}
    model = keras.Model(inputs, outputs, name="dict_outputs")
    return {"model": model,
            "compile": {"optimizer": keras.optimizers.Adam(0.01),
                        "loss": {"zeta": "mae", "alpha": "mse"},
                        "metrics": {"zeta": ["mae"], "alpha": ["mse"]}},
            "fit": {"x": data["a16"], "y": {"zeta": data["a16"][:, :1],
                                            "alpha": data["b16"]},
                    "batch_size": 8, "epochs": 2},
            "then": [("predict", {"x": data["a16"]})]}


def subclassed_batchnorm(keras, data):
    """A subclassed model with BatchNormalization (training=True in fit, False in
    evaluate), built by fit."""

    class Net(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = keras.layers.Dense(5, activation="relu")
            self.norm = keras.layers.BatchNormalization()
            self.out = keras.layers.Dense(3, activation="softmax")

        def call(self, inputs, training=None):
            return self.out(self.norm(self.hidden(inputs), training=training))

    return {"model": Net(name="net"),
            "compile": {"optimizer": keras.optimizers.RMSprop(0.01),
                        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            "fit": {"x": data["x24"], "y": data["labels24"], "batch_size": 8, "epochs": 2},
            "then": [("evaluate", {"x": data["x24"], "y": data["labels24"]}),
                     ("predict", {"x": data["xval"]})]}


def steps_per_epoch(keras, data):
    """steps_per_epoch with arrays: the pass carries on across epochs."""
    return {"model": _mlp(keras, 4, 3),
            "compile": {"optimizer": keras.optimizers.SGD(0.1),
                        "loss": "sparse_categorical_crossentropy"},
            "fit": {"x": data["x24"], "y": data["labels24"], "batch_size": 5,
                    "steps_per_epoch": 3, "epochs": 3},
            "then": []}


def on_batch(keras, data):
    """train_on_batch / test_on_batch / predict_on_batch: one batch, metrics reset each call."""
    return {"model": _mlp(keras, 4, 3),
            "compile": {"optimizer": keras.optimizers.Adam(0.01),
                        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            "fit": None,
            "then": [("train_on_batch", {"x": data["x24"][:8], "y": data["labels24"][:8]}),
                     ("train_on_batch", {"x": data["x24"][8:16], "y": data["labels24"][8:16],
                                         "return_dict": True}),
                     ("train_on_batch", {"x": data["x24"][16:], "y": data["labels24"][16:],
                                         "class_weight": {0: 1.0, 1: 3.0}}),
                     ("test_on_batch", {"x": data["x24"], "y": data["labels24"]}),
                     ("predict_on_batch", {"x": data["xval"]})]}


def fake_model(keras, data):
    """The seeds' FakeModel: fit finds the minimum of a x^2 + b x + c (a=1, b=-2, c=1) with
    SGD and Nesterov momentum; the 'loss' is the function value, whatever the data."""

    class FakeModel(keras.Model):
        def __init__(self, a, b, c):
            super().__init__()
            self.a, self.b, self.c = a, b, c

        def build(self, input_shape=None):
            self.x = self.add_weight(shape=(), initializer="zeros", name="x")
            super().build(input_shape)

        def call(self, features):
            value = self.a * self.x ** 2 + self.b * self.x + self.c
            return keras.ops.zeros_like(features) + value

    def my_loss(y_true, y_pred):
        return keras.ops.mean(y_pred)

    model = FakeModel(1.0, -2.0, 1.0)
    model.build()
    return {"model": model,
            "compile": {"optimizer": keras.optimizers.SGD(learning_rate=0.01, momentum=0.9,
                                                          nesterov=True),
                        "loss": my_loss},
            "fit": {"x": data["quadratic"], "y": data["quadratic"], "batch_size": 1,
                    "epochs": 6},
            "then": []}


def digits_cnn(keras, data):
    """The case study's convolutional network (chapter 16) on 8 x 8 x 1 images, without its
    Dropout (random masks differ between frameworks): Conv2D, BatchNormalization and
    MaxPooling2D twice, with a validation split. SGD with momentum rather than the chapter's
    Adam: Adam divides each step by the root of the gradient's second moment, so a weight whose
    gradient is rounding noise still moves by a full step, and the two frameworks' rounding
    (different convolution algorithms) would decide its value."""
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(10, activation="softmax")], name="digits_cnn")
    return {"model": model,
            "compile": {"optimizer": keras.optimizers.SGD(0.01, momentum=0.5),
                        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            "fit": {"x": data["images40"], "y": data["digits40"], "batch_size": 8, "epochs": 3,
                    "validation_split": 0.2},
            "then": [("evaluate", {"x": data["images40"], "y": data["digits40"]}),
                     ("predict", {"x": data["images40"][:5]})]}


CASES = {
    "sequential_mse": sequential_mse,
    "sample_weighted": sample_weighted,
    "class_weighted": class_weighted,
    "validation_split": validation_split,
    "validation_data_freq": validation_data_freq,
    "initial_epoch": initial_epoch,
    "regularized": regularized,
    "confusion_metrics": confusion_metrics,
    "custom_functions": custom_functions,
    "two_outputs": two_outputs,
    "dict_outputs": dict_outputs,
    "subclassed_batchnorm": subclassed_batchnorm,
    "steps_per_epoch": steps_per_epoch,
    "on_batch": on_batch,
    "fake_model": fake_model,
    "digits_cnn": digits_cnn,
}


def _first_x(spec):
    x = spec["fit"]["x"] if spec["fit"] else spec["then"][0][1]["x"]
    return [v[:2] for v in x] if isinstance(x, list) else x[:2]


def run(keras, case, data, initial_weights=None):
    """Run one case; returns ``(initial weights, results)``. The model is built by a call on
    two samples (inference mode), given ``initial_weights`` if any, compiled and trained."""
    spec = case(keras, data)
    model = spec["model"]
    if not model.built or not model.weights:
        model(_first_x(spec), training=False)
    if initial_weights is not None:
        model.set_weights(initial_weights)
    weights = [np.array(w) for w in model.get_weights()]
    model.compile(**spec["compile"])
    results = {}
    if spec["fit"] is not None:
        history = model.fit(**spec["fit"], shuffle=False, verbose=0)
        results["history"] = history.history
        results["epoch"] = history.epoch
        results["params"] = dict(history.params)
    for i, (method, kwargs) in enumerate(spec["then"]):
        kwargs = dict(kwargs)
        if method == "evaluate_dict":
            out = model.evaluate(**kwargs, verbose=0, return_dict=True)
        elif method in ("evaluate", "predict"):
            out = getattr(model, method)(**kwargs, verbose=0)
        else:
            out = getattr(model, method)(**kwargs)
        results[f"then/{i}/{method}"] = out
    results["iterations"] = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    results["final_weights"] = [np.array(w) for w in model.get_weights()]
    return weights, results


def progress_output(keras, data):
    """What fit (verbose 1 and 2), evaluate and predict print, as one string each. A callback
    sleeps 60 ms after every batch, so that every redraw of the bar is shown (redraws closer
    than 50 ms are skipped)."""
    import contextlib
    import io
    import time

    class Slow(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(0.06)

        def on_test_batch_end(self, batch, logs=None):
            time.sleep(0.06)

        def on_predict_batch_end(self, batch, logs=None):
            time.sleep(0.06)

    printed = {}
    runs = [
        ("fit_verbose_1", "fit", {"x": data["x24"], "y": data["labels24"], "batch_size": 6,
                                  "epochs": 2, "validation_split": 0.25, "verbose": 1}),
        ("fit_verbose_2", "fit", {"x": data["x24"], "y": data["labels24"], "batch_size": 6,
                                  "epochs": 2, "validation_split": 0.25, "verbose": 2}),
        ("fit_one_epoch", "fit", {"x": data["x24"], "y": data["labels24"], "batch_size": 12}),
        ("evaluate_verbose_1", "evaluate", {"x": data["x24"], "y": data["labels24"],
                                            "batch_size": 8, "verbose": 1}),
        ("evaluate_verbose_2", "evaluate", {"x": data["x24"], "y": data["labels24"],
                                            "batch_size": 8, "verbose": 2}),
        ("predict_verbose_1", "predict", {"x": data["x24"], "batch_size": 8, "verbose": 1}),
    ]
    for name, method, kwargs in runs:
        keras.backend.clear_session()
        model = _mlp(keras, 4, 3)
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        yield model
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            kwargs = dict(kwargs)
            if method == "fit":
                kwargs["shuffle"] = False
            getattr(model, method)(**kwargs, callbacks=[Slow()])
        printed[name] = buffer.getvalue()
    yield printed


def summaries_around_training(keras, data):
    """The seeds' regularised model (_model_zoo.seed_regularized), compiled as the seed does:
    its summary before and after one epoch (the optimizer's variables are counted once it is
    built). Yields the model (for its initial weights), then the two texts."""
    from reference import _model_zoo

    model = _model_zoo.seed_regularized(keras)
    yield model
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["AUC"])
    texts = []
    model.summary(print_fn=texts.append)
    x = np.tile(data["x24"], (1, 16))  # (24, 64)
    y = (x[:, :10] > 0).astype(np.float32)
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    model.summary(print_fn=texts.append)
    yield texts
