"""Reference runs of the book's seed examples, executed with TensorFlow as their authors wrote them.

gradient_descent/quadratic: minimise f(x) = x^2 - 2x + 1 from x = 0 with tf.GradientTape and
plain gradient descent at learning rate 0.01, stopping once |df/dx| < 1e-5 (chapter 1).
sigmoid/documented_example: keras.activations.sigmoid on the 7 values of the Keras docs.
sigmoid/nine_copies: the same input -5 nine times; TensorFlow's CPU kernel evaluates full packets
of 8 floats with a SIMD polynomial and the leftover element with a scalar routine (preface).

Seed examples that no other family covers, run as Keras 3 runs them (or the error it raises):
optimizer_defaults (the seed's five optimizer signatures, chapter 5), optimizer_names and
optimizer_lr_alias (names and `lr=` in the seed's compile calls, chapter 5),
exponential_decay/seed (chapter 6), mse/standalone (the loss called on its own, chapter 3),
conv3d/extended_batch (chapter 9), compile/seed_metrics (history keys, chapter 12).
"""

import inspect

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder


def build():
    rec = Recorder("seeds")
    x = tf.Variable(0.0)
    learning_rate = 0.01
    xs, grads = [], []
    while True:
        with tf.GradientTape() as tape:
            y = x**2 - 2 * x + 1
        dy_dx = tape.gradient(y, x)
        if abs(dy_dx) < 1e-5:
            break
        x.assign_sub(learning_rate * dy_dx)
        xs.append(x.numpy())
        grads.append(dy_dx.numpy())
    case = "gradient_descent/quadratic"
    rec.array(case, "x", np.array(xs, np.float32))
    rec.array(case, "grad", np.array(grads, np.float32))
    rec.add(case, x0=0.0, learning_rate=learning_rate, tolerance=1e-5, steps=len(xs))

    for case, x in [
        ("sigmoid/documented_example", np.array([-20, -5, -1, 0, 1, 5, 20], np.float32)),
        ("sigmoid/nine_copies", np.full(9, -5.0, np.float32)),
    ]:
        rec.array(case, "x", x)
        rec.array(case, "output", keras.ops.convert_to_numpy(keras.activations.sigmoid(x)))
        rec.add(case, fn="activations.sigmoid")

    _seed_examples(rec)
    return rec


def _error(call):
    try:
        call()
    except Exception as error:  # the seeds' Keras 2 idioms: record what Keras 3 says
        return {"type": type(error).__name__, "message": str(error)}
    return None


def _seed_examples(rec):
    seed_parameters = {
        "Adadelta": ["learning_rate", "rho", "epsilon"],
        "Adagrad": ["learning_rate", "initial_accumulator_value", "epsilon"],
        "Adam": ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"],
        "RMSprop": ["learning_rate", "rho", "momentum", "epsilon", "centered"],
        "SGD": ["learning_rate", "momentum", "nesterov"],
    }
    defaults = {}
    for name, parameters in seed_parameters.items():
        signature = inspect.signature(getattr(keras.optimizers, name))
        defaults[name] = {p: signature.parameters[p].default for p in parameters}
        defaults[name]["name"] = signature.parameters["name"].default
    rec.add("optimizer_defaults", defaults=defaults)

    names = {}
    for name in ["sgd", "sgdm", "nag", "rmsprop", "adagrad", "adadelta", "adam", "adamax",
                 "nadam"]:
        error = _error(lambda name=name: keras.optimizers.get(name))
        names[name] = error or type(keras.optimizers.get(name)).__name__
    rec.add("optimizer_names", names=names)
    rec.add("optimizer_lr_alias", error=_error(lambda: keras.optimizers.SGD(lr=0.01)))

    case = "exponential_decay/seed"
    schedule = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=1e-2, decay_steps=10000, decay_rate=0.9)
    steps = np.array([0, 1, 5000, 10000, 20000, 100000])
    rec.array(case, "steps", steps)
    rec.array(case, "output", np.array([float(schedule(int(s))) for s in steps], np.float32))
    rec.add(case, initial_learning_rate=1e-2, decay_steps=10000, decay_rate=0.9)

    case = "mse/standalone"
    ones, zeros = tf.ones((2, 2)), tf.zeros((2, 2))
    rec.array(case, "function", keras.losses.mean_squared_error(ones, zeros).numpy())
    rec.array(case, "default", keras.losses.MeanSquaredError()(ones, zeros).numpy())
    for reduction in ["sum_over_batch_size", "sum", "none"]:
        loss = keras.losses.MeanSquaredError(reduction=reduction)
        rec.array(case, reduction, loss(ones, zeros).numpy())
    rec.add(case, misspelt=_error(
        lambda: keras.losses.MeanSquaredError(resuction="sum_over_batch_size")))

    rec.add("conv3d/extended_batch", input_shape=[4, 7, 28, 28, 28, 1], error=_error(
        lambda: keras.layers.Conv3D(2, 3, activation="relu")(tf.zeros((4, 7, 28, 28, 28, 1)))))

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((20, 10)).astype(np.float32)
    labels = np.arange(20) % 64
    keys = {}
    for label, loss, metrics, y in [
        ("acc", keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["acc"], labels),
        ("accuracy_precision", "categorical_crossentropy",
         [keras.metrics.Accuracy(), keras.metrics.Precision()], np.eye(64)[labels]),
    ]:
        model = keras.Sequential([keras.Input(shape=(10,)),
                                  keras.layers.Dense(64, kernel_initializer="uniform"),
                                  keras.layers.Activation("softmax")])
        model.compile(loss=loss, optimizer="adam", metrics=metrics)
        keys[label] = sorted(model.fit(x, y, epochs=1, verbose=0).history)
    rec.add("compile/seed_metrics", history_keys=keys)
