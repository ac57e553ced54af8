"""The trainer's own behaviour beyond the frozen Keras runs (tests/test_training.py): batching,
shuffling, determinism across processes, validation, generators and PyDatasets, callbacks'
hooks, the Keras 2 idioms the seeds use, and the errors."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers


def mlp(outputs=1, activation=None):
    return keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="relu"),
                             layers.Dense(outputs, activation=activation)])


def data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3)).astype(np.float32), rng.standard_normal((n, 1)).astype(
        np.float32)


class Recorder(keras.callbacks.Callback):
    """Every hook call, with the keys of its logs."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        if name.startswith("on_") and not name.startswith("on_batch"):
            def hook(*args):
                logs = args[-1] if args else None
                self.calls.append((name, *args[:-1], sorted(logs or {})))
            return hook
        return super().__getattribute__(name)


class BatchSpy(keras.layers.Layer):
    """Records the first feature of every sample of every batch it is called on."""

    def __init__(self, seen, **kwargs):
        super().__init__(**kwargs)
        object.__setattr__(self, "seen", seen)  # an attribute list would be a tracked copy

    def call(self, inputs):
        self.seen.append(inputs.numpy()[:, 0].tolist())
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


def spy_model(seen):
    model = keras.Sequential([keras.Input(shape=(1,)), BatchSpy(seen), layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_batches_partial_last_and_steps_per_epoch_carry_on():
    seen = []
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    spy_model(seen).fit(x, x, batch_size=4, shuffle=False, verbose=0)
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    seen.clear()
    spy_model(seen).fit(x, x, batch_size=3, steps_per_epoch=2, epochs=3, shuffle=False,
                        verbose=0)
    assert seen == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9], [0, 1, 2], [3, 4, 5]]
    seen.clear()
    spy_model(seen).fit(x, x, steps_per_epoch=3, shuffle=False, verbose=0)
    assert [len(b) for b in seen] == [4, 4, 2]  # batch_size = ceil(N / steps)


def test_shuffle_draws_a_permutation_per_epoch_from_numpys_global_generator():
    seen = []
    x = np.arange(8, dtype=np.float32).reshape(8, 1)
    model = spy_model(seen)
    keras.utils.set_random_seed(7)
    model.fit(x, x, batch_size=8, epochs=2, verbose=0)
    np.random.seed(7)  # noqa: NPY002 (the generator fit draws from)
    orders = [np.random.permutation(8).tolist() for _ in range(2)]  # noqa: NPY002
    assert seen == orders


def test_validation_split_takes_the_last_samples_before_shuffling():
    seen = []
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    spy_model(seen).fit(x, x, batch_size=10, validation_split=0.3, epochs=2, verbose=0)
    train, validation = seen[0], seen[1]
    assert sorted(train) == list(range(7)) and validation == [7, 8, 9]


def test_same_seed_same_history_and_weights_in_two_processes():
    script = textwrap.dedent("""
        import numpy as np
        import nbkeras as keras
        keras.utils.set_random_seed(3)
        x = np.random.standard_normal((40, 3)).astype("float32")
        y = (x.sum(axis=1) > 0).astype("int32")
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8, "relu"),
                                  keras.layers.Dropout(0.2), keras.layers.Dense(2, "softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0)
        print(repr(history.history))
        print([w.tobytes().hex() for w in model.get_weights()])
    """)
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and "val_accuracy" in runs[0]


def test_hooks_in_keras_order_with_logs():
    x, y = data(8)
    model = mlp()
    model.compile("sgd", "mse", metrics=["mae"])
    recorder = Recorder()
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), callbacks=[recorder],
              verbose=0)
    keys = ["loss", "mae"]
    epoch = [("on_epoch_begin", 0, []),
             ("on_train_batch_begin", 0, []), ("on_train_batch_end", 0, keys),
             ("on_train_batch_begin", 1, []), ("on_train_batch_end", 1, keys),
             ("on_test_begin", []),
             ("on_test_batch_begin", 0, []), ("on_test_batch_end", 0, keys),
             ("on_test_batch_begin", 1, []), ("on_test_batch_end", 1, keys),
             ("on_test_end", keys),
             ("on_epoch_end", 0, ["loss", "mae", "val_loss", "val_mae"])]
    second = [(c[0], 1, *c[2:]) if c[0].startswith("on_epoch") else c for c in epoch]
    assert recorder.calls == ([("on_train_begin", [])] + epoch + second
                              + [("on_train_end", ["loss", "mae", "val_loss", "val_mae"])])
    assert recorder.params == {"verbose": 0, "epochs": 2, "steps": 2}
    recorder.calls.clear()
    model.predict(x, batch_size=8, callbacks=[recorder], verbose=0)
    assert recorder.calls == [("on_predict_begin", []), ("on_predict_batch_begin", 0, []),
                              ("on_predict_batch_end", 0, ["outputs"]), ("on_predict_end", [])]


def test_stop_training_ends_after_the_batch():
    class Stop(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y = data(16)
    model = mlp()
    model.compile("sgd", "mse")
    history = model.fit(x, y, batch_size=4, epochs=5, callbacks=[Stop()], verbose=0)
    assert history.epoch == [0] and int(model.optimizer.iterations) == 2


@pytest.mark.filterwarnings("ignore:Your input ran out of data")  # Keras warns the same
def test_generators_and_pydatasets():
    x, y = data(12)
    model = mlp()
    model.compile("sgd", "mse")

    def batches():
        for i in range(0, 12, 4):
            yield x[i:i + 4], y[i:i + 4]

    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        model.fit(batches(), epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 3

    class Data(keras.utils.PyDataset):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.ends = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return x[index * 4:(index + 1) * 4], y[index * 4:(index + 1) * 4]

        def on_epoch_end(self):
            self.ends += 1

    dataset = Data()
    model.fit(dataset, epochs=2, verbose=0)
    assert int(model.optimizer.iterations) == 9 and dataset.ends == 3  # Keras: one extra
    with pytest.raises(ValueError, match="`validation_split` is only supported for tensors"):
        model.fit(batches(), validation_split=0.2, shuffle=False, verbose=0)


def test_keras_2_idioms_of_the_seeds():
    opt = keras.optimizers.RMSprop()
    model = keras.Sequential([layers.Dense(10)])
    model.compile(opt, loss="mse")
    model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), verbose=0)
    assert [w.shape for w in opt.get_weights()] == [(), (20, 10), (10,)]
    opt.set_weights([np.array(10), np.ones([20, 10]), np.zeros([10])])
    assert int(opt.iterations) == 10
    assert float(keras.backend.get_value(opt.lr)) == pytest.approx(0.001)
    keras.backend.set_value(opt.lr, 0.5)
    assert float(opt.learning_rate) == 0.5
    with pytest.raises(ValueError, match="got 2 arrays, but the optimizer has 4 variables"):
        opt.set_weights([np.array(1), np.ones([20, 10])])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sgd = keras.optimizers.SGD(lr=0.1, decay=0.5)
    assert any("decay" in str(w.message) for w in caught)
    v = keras.Variable([1.0])
    for expected in (0.1, 0.1 / 1.5, 0.1 / 2.0):  # lr / (1 + decay * iterations)
        before = float(v.numpy()[0])
        sgd.apply([np.array([1.0], np.float32)], [v])
        assert before - float(v.numpy()[0]) == pytest.approx(expected, rel=1e-6)


def test_lr_metric_from_the_seeds():
    optimizer = keras.optimizers.Adam(learning_rate=0.01)

    def get_lr_metric(optimizer):
        def lr(y_true, y_pred):
            return optimizer.lr
        return lr

    model = mlp(3, "softmax")
    model.compile(optimizer, "sparse_categorical_crossentropy",
                  metrics=["accuracy", get_lr_metric(optimizer)])
    x, _ = data(8)
    history = model.fit(x, np.arange(8) % 3, epochs=2, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "lr"]
    assert history.history["lr"] == pytest.approx([0.01, 0.01])


def test_custom_train_step_is_used_by_fit():
    class Custom(keras.Sequential):
        def train_step(self, data):
            x, y = data
            with keras.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply(grads, self.trainable_weights)
            self.steps_taken = getattr(self, "steps_taken", 0) + 1
            return {"custom_loss": loss}

    model = Custom([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = data(8)
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert model.steps_taken == 4 and list(history.history) == ["custom_loss"]


ERRORS = [
    ("fit before compile", lambda m, x, y: mlp().fit(x, y),
     "You must call `compile\\(\\)` before using the model"),
    ("x and y lengths", lambda m, x, y: m.fit(x, y[:7], verbose=0),
     "Data cardinality is ambiguous.*'x' sizes: 10\n'y' sizes: 7"),
    ("a Python list", lambda m, x, y: m.fit(x.tolist(), y, verbose=0),
     "Unrecognized data type: x=\\[\\["),
    ("class_weight and sample_weight", lambda m, x, y: m.fit(
        x, y, class_weight={0: 1.0}, sample_weight=np.ones(10), verbose=0),
     "cannot `class_weight` and `sample_weight` at the same time"),
    ("wrong feature size", lambda m, x, y: m.predict(np.ones((2, 5), np.float32), verbose=0),
     "expected shape \\(None, 3\\).*shape \\(2, 5\\)"),
    ("validation_freq float", lambda m, x, y: m.fit(x, y, validation_freq=2.0, verbose=0),
     "Expected `validation_freq` to be a list or int"),
    ("too large validation_split", lambda m, x, y: m.fit(x, y, validation_split=0.9,
                                                         verbose=0),
     "Training data contains 10 samples, which is not sufficient"),
    ("unknown evaluate argument", lambda m, x, y: m.evaluate(x, y, colour=1),
     "Arguments not recognized: \\{'colour': 1\\}"),
]


@pytest.mark.parametrize("what,call,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(what, call, message):
    model = mlp()
    model.compile("sgd", "mse")
    x, y = data(10)
    with pytest.raises(ValueError, match=message):
        call(model, x, y)


def test_multi_output_errors():
    a = keras.Input(shape=(3,), name="a")
    h = layers.Dense(2)(a)
    model = keras.Model(a, [layers.Dense(1, name="p")(h), layers.Dense(1, name="q")(h)])
    x, y = data(6)
    model.compile("sgd", loss="mse", metrics=["accuracy"])
    with pytest.raises(ValueError, match="`metrics` has 1 entries for a model with 2 outputs"):
        model.fit(x, [y, y], verbose=0)
    model.compile("sgd", loss={"p": "mse"}, metrics=[])
    with pytest.raises(ValueError, match=r"Expected keys \['p', 'q'\] in loss dict"):
        model.fit(x, [y, y], verbose=0)
    model.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match="`class_weight` is only supported for Models with a "
                                         "single output"):
        model.fit(x, [y, y], class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'sgdm'.*"
                                         "momentum=0.9"):
        model.compile("sgdm", "mse")
    model.compile("sgd", "msee")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 'msee'; did you "
                                         "mean 'mse'.*valid names are"):
        model.fit(x, [y, y], verbose=0)
