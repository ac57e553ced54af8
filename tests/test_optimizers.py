"""keras.optimizers against trajectories frozen from real Keras (tests/reference/optimizers.*).

Every case replays Keras' random variables and gradients through ``apply_gradients`` and checks
both variables after every step at rtol 2e-5, then the optimizer's variables (paths, dtypes,
shapes, values) and its config. The update rules built from + - * / sqrt and scalar powf repeat
Keras' float32 operations in Keras' order, so for those cases the test demands identical bits.
"""

import re
import warnings

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops
from nbkeras.optimizers import schedules
from nbkeras.utils.keras_reference import assert_matches_keras, case, load

RTOL = 2e-5
CASES = [c for c in load("optimizers") if c["kind"] == "trajectory"]

# Every other case agrees with Keras bit for bit at every step. These sum many float32 terms
# (norms for clipping, Adafactor's means: TensorFlow adds in its own tree order, nbkeras in
# float64) or raise a tensor to a power elementwise (Ftrl: TensorFlow's vectorised pow is not the
# C library's powf); they agree to a few parts in 10^7 of the largest weight.
NOT_BIT_EXACT = {"ftrl/default", "ftrl/regularized", "adafactor/relative_step_caps",
                 "schedule/adafactor_exponential", "clip/sgd_clipnorm", "clip/adam_clipnorm",
                 "clip/sgd_global_clipnorm"}


# Adafactor's weights come out bit-exact on these shapes, its row and column means (and the
# velocity built from them) only to a few ulp.
SLOTS_NOT_BIT_EXACT = NOT_BIT_EXACT | {"adafactor/default", "adafactor/absolute_step"}


def bit_exact(case_id):
    return case_id not in NOT_BIT_EXACT


def learning_rate(value):
    """Decode the reference encoding of a schedule or a callable learning rate."""
    if isinstance(value, dict) and "schedule" in value:
        return getattr(schedules, value["schedule"])(**value["config"])
    if isinstance(value, dict) and "callable" in value:
        return lambda: value["callable"]
    return value


def make_optimizer(c):
    kwargs = dict(c["kwargs"])
    if "learning_rate" in kwargs:
        kwargs["learning_rate"] = learning_rate(kwargs["learning_rate"])
    optimizer = getattr(keras.optimizers, c["class_name"])(**kwargs)
    if c["exclude_from_weight_decay"]:
        optimizer.exclude_from_weight_decay(var_names=c["exclude_from_weight_decay"])
    return optimizer


def replay(c):
    """Run the case; returns the optimizer, the variables, and each variable's trajectory."""
    optimizer = make_optimizer(c)
    variables = {}
    for name in ("bias", "kernel"):
        variables[name] = keras.Variable(c.array(f"{name}/initial"), name=name)
        if c["constraint"] == "non_neg":
            variables[name].constraint = lambda w: ops.maximum(w, 0.0)
    trajectory = {name: [] for name in variables}
    for step in range(c["steps"]):
        optimizer.apply_gradients(
            [(c.array(f"{name}/grads")[step], v) for name, v in variables.items()])
        for name, v in variables.items():
            trajectory[name].append(v.numpy())
    return optimizer, variables, {k: np.stack(v) for k, v in trajectory.items()}


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_trajectory_matches_keras(c):
    optimizer, _, trajectory = replay(c)
    for name, got in trajectory.items():
        expected = c.array(f"{name}/values")
        for step in range(c["steps"]):
            assert_matches_keras(got[step], expected[step], RTOL, f"{c.id} {name} step {step}")
        if bit_exact(c.id):
            np.testing.assert_array_equal(got, expected, err_msg=f"{c.id} {name}: not bit-exact")
    assert int(optimizer.iterations) == c["iterations"]  # fewer under gradient accumulation


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_optimizer_variables_match_keras(c):
    optimizer, _, _ = replay(c)
    ours = optimizer.variables
    prefix = c["name"] + "/"
    expected = [(s["path"].removeprefix(prefix), s["dtype"], tuple(s["shape"]))
                for s in c["optimizer_variables"]]
    got = [(v.path.removeprefix(optimizer.name + "/"), v.dtype, v.shape) for v in ours]

    def unnumbered(entries):  # Nadam's unnamed cache is "variable_<global count>" in both
        return [(re.sub(r"^variable_\d+$", "variable", p), d, s) for p, d, s in entries]

    assert unnumbered(got) == unnumbered(expected)
    for i, v in enumerate(ours):
        keras_value = c.array(f"optimizer_variable/{i}")
        if v.dtype.startswith("int") or c.id not in SLOTS_NOT_BIT_EXACT:
            np.testing.assert_array_equal(v.numpy(), keras_value, err_msg=f"{c.id} {v.path}")
        else:
            assert_matches_keras(v.numpy(), keras_value, RTOL, f"{c.id} {v.path}")


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_config_matches_keras(c):
    optimizer = make_optimizer(c)
    config = optimizer.get_config()
    expected = dict(c["config"])
    if isinstance(c["kwargs"].get("learning_rate"), dict):
        # schedules and callables: compare what they are, not how each library encodes them
        lr = c["kwargs"]["learning_rate"]
        if "schedule" in lr:
            assert config["learning_rate"]["class_name"] == lr["schedule"]
        else:
            assert callable(config["learning_rate"])
        del config["learning_rate"], expected["learning_rate"]
    del config["name"], expected["name"]
    assert config == expected
    clone = type(optimizer).from_config(optimizer.get_config())
    assert clone.get_config() == optimizer.get_config()


def test_reference_covers_every_optimizer_option_and_schedule():
    """The parametrized tests above cannot pass by having nothing to check: every optimizer,
    every option of the issue, and every schedule has Keras data of the required length."""
    assert {c["class_name"] for c in CASES} == {cls.__name__ for cls in
                                                  keras.optimizers.ALL_OBJECTS}
    used = {key for c in CASES for key, value in c["kwargs"].items() if value not in (None, False)}
    assert {"momentum", "nesterov", "centered", "amsgrad", "clipnorm", "clipvalue",
            "global_clipnorm", "weight_decay", "use_ema", "ema_overwrite_frequency",
            "gradient_accumulation_steps", "loss_scale_factor"} <= used
    learning_rates = [c["kwargs"].get("learning_rate") for c in CASES]
    assert any(isinstance(lr, dict) and "schedule" in lr for lr in learning_rates)
    assert any(isinstance(lr, dict) and "callable" in lr for lr in learning_rates)
    assert all(c["steps"] >= 6 for c in CASES)
    assert {c["class_name"] for c in SCHEDULE_CASES} == set(schedules.learning_rate_schedule
                                                            .SCHEDULES)
    assert all(c["steps"] >= 12 for c in SCHEDULE_CASES)


@pytest.mark.parametrize("case_id", ["seed/adam", "seed/rmsprop", "seed/sgd",
                                     "seed/sgd_momentum"])
def test_seed_examples_bit_exact(case_id):
    c = case("optimizers", case_id)
    config = {k: v for k, v in c["config"].items() if k != "name"}
    config["learning_rate"] = 0.1
    optimizer = getattr(keras.optimizers, c["class_name"])(**config)
    var = keras.Variable(c["x0"])
    xs = []
    for _ in range(c["steps"]):
        with keras.GradientTape() as tape:
            loss = var**2 / 2.0
        optimizer.apply_gradients([(tape.gradient(loss, var), var)])
        xs.append(var.numpy())
    np.testing.assert_array_equal(np.array(xs, np.float32), c.array("x"))


@pytest.mark.parametrize("case_id", ["seed/polynomial_sgd", "seed/polynomial_adam"])
def test_polynomial_seed_with_minimize_bit_exact(case_id):
    c = case("optimizers", case_id)
    optimizer = getattr(keras.optimizers, c["class_name"])(learning_rate=0.1)
    x = keras.Variable(0.0)
    xs = []
    for _ in range(c["steps"]):
        optimizer.minimize(lambda: x**2 - 2 * x + 1, [x])
        xs.append(x.numpy())
    np.testing.assert_array_equal(np.array(xs, np.float32), c.array("x"))


# -- schedules ------------------------------------------------------------------------------

SCHEDULE_CASES = load("schedules")
# pow, cos and log of float32 scalars are the C library's routines in both TensorFlow and here
SCHEDULES_NOT_BIT_EXACT = set()


@pytest.mark.parametrize("c", SCHEDULE_CASES, ids=lambda c: c.id)
def test_schedule_matches_keras(c):
    schedule = getattr(schedules, c["class_name"])(**c["config"])
    steps = keras.Variable(np.int64(0))
    values = []
    for step in range(c["steps"] + 1):
        steps.assign(np.int64(step))
        value = schedule(steps)
        assert value.dtype == c["output_dtype"]
        values.append(value.numpy())
    values = np.array(values)
    assert_matches_keras(values, c.array("values"), RTOL, c.id)
    if c.id not in SCHEDULES_NOT_BIT_EXACT:
        np.testing.assert_array_equal(values, c.array("values"))
    assert schedule.get_config() == c["get_config"]
    assert schedules.serialize(schedule) == c["serialized"]
    clone = schedules.deserialize(schedules.serialize(schedule))
    assert float(clone(7)) == float(schedule(7))


# -- the API around the update rules ---------------------------------------------------------

def test_bad_learning_rate_is_named():
    with pytest.raises(ValueError, match=r"learning_rate.*-0\.1"):
        keras.optimizers.SGD(learning_rate=-0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        keras.optimizers.Adam(learning_rate=1)  # Keras 3 wants a float, as here
    opt = keras.optimizers.Adam(learning_rate=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        opt.learning_rate = -1.0


def test_only_one_clip_argument():
    with pytest.raises(ValueError, match=r"clipnorm=1\.0, global_clipnorm=2\.0"):
        keras.optimizers.SGD(clipnorm=1.0, global_clipnorm=2.0)
    with pytest.raises(ValueError, match="clipvalue"):
        keras.optimizers.Adam(clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match="clipnorm"):
        keras.optimizers.Adam(clipnorm=-1.0)


@pytest.mark.parametrize("frequency", [-1, 2.5])
def test_bad_ema_overwrite_frequency_is_named(frequency):
    # Keras 3.15 rejects these too; -1 would otherwise overwrite the weights at every step
    with pytest.raises(ValueError, match=rf"ema_overwrite_frequency={frequency}"):
        keras.optimizers.SGD(use_ema=True, ema_overwrite_frequency=frequency)


def test_gradient_shape_must_match_variable():
    kernel = keras.Variable(np.ones((3, 4), np.float32), name="kernel")
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match=r"'kernel' has shape \(4, 3\).*\(3, 4\)"):
        opt.apply_gradients([(np.ones((4, 3), np.float32), kernel)])


def test_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        keras.optimizers.get("adm")
    for name in ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam", "adamw",
                 "lion", "ftrl", "adafactor", "Adam", "RMSprop"]:
        assert type(keras.optimizers.get(name)).__name__.lower() == name.lower()
    opt = keras.optimizers.SGD()
    assert keras.optimizers.get(opt) is opt
    assert keras.optimizers.get(None) is None
    clone = keras.optimizers.get(keras.optimizers.serialize(keras.optimizers.Adam(0.25)))
    assert isinstance(clone, keras.optimizers.Adam) and float(clone.learning_rate) == 0.25


def test_unknown_keyword_and_none_gradients():
    with pytest.raises(ValueError, match="not recognized"):
        keras.optimizers.SGD(learning_rte=0.1)
    a, b = keras.Variable([1.0, 2.0], name="a"), keras.Variable([3.0], name="b")
    opt = keras.optimizers.SGD(0.5)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(np.ones(2, np.float32), a), (None, b)])
    np.testing.assert_array_equal(a.numpy(), [0.5, 1.5])
    with pytest.raises(ValueError, match="no gradients"):
        opt.apply_gradients([(None, a)])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(np.ones(1, np.float32), keras.Variable([1.0], name="c"))])


def test_lr_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="`lr` argument is deprecated"):
        opt = keras.optimizers.SGD(lr=0.5)
    assert float(opt.lr) == 0.5 and float(opt.learning_rate) == 0.5
    opt.lr = 0.25
    assert float(opt.learning_rate) == 0.25
    opt.learning_rate = 0.125
    assert opt.get_config()["learning_rate"] == 0.125
    with pytest.warns(UserWarning, match="decay"):
        keras.optimizers.SGD(decay=0.1)


def test_learning_rate_variable_schedule_and_callable():
    opt = keras.optimizers.Adam(learning_rate=0.001)
    assert isinstance(opt.learning_rate, keras.Variable)
    assert opt.learning_rate.path == f"{opt.name}/learning_rate"
    scheduled = keras.optimizers.SGD(schedules.ExponentialDecay(0.1, 1, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.1
    w = keras.Variable([1.0])
    for _ in range(3):
        scheduled.apply_gradients([(np.ones(1, np.float32), w)])
    # the schedule sees the count before the update: 0.1, 0.05, 0.025
    np.testing.assert_allclose(w.numpy(), [1 - 0.175], rtol=1e-6)
    assert float(scheduled.learning_rate) == pytest.approx(0.0125)
    assert [v.path.split("/")[1] for v in scheduled.variables] == ["iteration"]
    called = keras.optimizers.SGD(lambda: 0.5)
    called.apply_gradients([(np.ones(1, np.float32), w)])
    np.testing.assert_allclose(w.numpy(), [0.825 - 0.5], rtol=1e-6)


def test_minimize_and_compute_gradients():
    x = keras.Variable(3.0)
    opt = keras.optimizers.SGD(learning_rate=0.25)
    step = opt.minimize(lambda: (x - 1.0) ** 2, [x])
    assert int(step) == 1 and float(x) == 2.0  # 3 - 0.25 * 2 * (3 - 1)
    with keras.GradientTape() as tape:
        loss = (x - 1.0) ** 2
    opt.minimize(loss, [x], tape=tape)
    assert float(x) == 1.5
    with pytest.raises(ValueError, match="tape"):
        opt.minimize(loss, [x])
    (grad, var), = opt.compute_gradients(lambda: x * x, lambda: [x])
    assert var is x and float(grad) == 3.0


def test_iterations_and_apply_without_variables():
    w = keras.Variable(np.zeros(2, np.float32))
    opt = keras.optimizers.Adam()
    assert int(opt.iterations) == 0 and opt.iterations.dtype == "int64"
    returned = opt.apply_gradients(zip([np.ones(2, np.float32)], [w], strict=True))
    assert returned is opt.iterations and int(returned) == 1
    opt.apply([np.ones(2, np.float32)])
    assert int(opt.iterations) == 2


def test_gradient_accumulation_and_ema():
    w = keras.Variable(np.float32(1.0))
    opt = keras.optimizers.SGD(0.1, gradient_accumulation_steps=2)
    opt.apply_gradients([(np.float32(1.0), w)])
    assert float(w) == 1.0 and int(opt.iterations) == 0
    opt.apply_gradients([(np.float32(3.0), w)])
    assert float(w) == np.float32(1.0) - np.float32(2.0) * np.float32(0.1)
    assert int(opt.iterations) == 1
    v = keras.Variable(np.float32(0.0))
    ema = keras.optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        ema.apply_gradients([(np.float32(-1.0), v)])
    assert float(v) == 3.0
    ema.finalize_variable_values([v])
    assert float(v) == 2.25  # 1, then 0.5*1 + 0.5*2, then 0.5*1.5 + 0.5*3


def test_update_allocates_nothing():
    """An Adam step writes in place: no array of the parameter's size is allocated."""
    import tracemalloc

    size = 1_000_000
    w = keras.Variable(np.zeros(size, np.float32))
    g = np.full(size, 0.5, np.float32)
    opt = keras.optimizers.Adam()
    opt.apply_gradients([(g, w)])  # builds the slots, compiles
    before = [id(v._value) for v in opt.variables]
    tracemalloc.start()
    opt.apply_gradients([(g, w)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 64_000, f"an Adam step allocated {peak} bytes"
    assert [id(v._value) for v in opt.variables] == before


@pytest.mark.parametrize("options", [{"use_ema": True, "ema_overwrite_frequency": 2},
                                     {"gradient_accumulation_steps": 2}], ids=str)
def test_ema_and_accumulation_allocate_nothing(options):
    """The moving average and the gradient accumulators are updated in place too."""
    import tracemalloc

    size = 1_000_000
    w = keras.Variable(np.zeros(size, np.float32))
    g = np.full(size, 0.5, np.float32)
    opt = keras.optimizers.Adam(**options)
    opt.apply_gradients([(g, w)])
    for _ in range(2):  # an accumulating step and an update step (or an EMA overwrite)
        tracemalloc.start()
        opt.apply_gradients([(g, w)])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 64_000, f"a step with {options} allocated {peak} bytes"


def test_custom_schedule_and_warnings_free_run():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.5 ** ops.cast(step, "float32")

        def get_config(self):
            return {}

    w = keras.Variable([1.0])
    opt = keras.optimizers.SGD(Halving())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.apply_gradients([(np.ones(1, np.float32), w)])
    np.testing.assert_allclose(w.numpy(), [1 - 1.75], rtol=1e-6)
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)


def test_update_step_resets_every_gradient_accumulator():
    """Keras zeroes all accumulators on an update step, also those of variables whose gradient
    was None in that call (run with Keras 3.15: b ends at -1 after four steps, not -1.5)."""
    a = keras.Variable(np.zeros(2, np.float32), name="a")
    b = keras.Variable(np.zeros(2, np.float32), name="b")
    opt = keras.optimizers.SGD(1.0, gradient_accumulation_steps=2)
    one = np.ones(2, np.float32)
    opt.apply_gradients([(one, a), (one, b)])
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(one, a), (None, b)])  # update step: b's accumulated 1 is dropped
    assert [v.numpy().tolist() for v in opt.variables[2:]] == [[0.0, 0.0], [0.0, 0.0]]
    opt.apply_gradients([(one, a), (one, b)])
    opt.apply_gradients([(one, a), (one, b)])
    np.testing.assert_array_equal(a.numpy(), [-2.0, -2.0])
    np.testing.assert_array_equal(b.numpy(), [-1.0, -1.0])


def test_update_step_sees_a_gradient_of_the_variables_shape():
    """A custom optimizer written with ops (the pattern of Keras' Optimizer docstring) works
    on a scalar variable: its gradient keeps shape (), it does not become (1,)."""
    shapes = []

    class PlainSGD(keras.optimizers.Optimizer):
        def __init__(self, **kwargs):
            super().__init__(learning_rate=0.25, **kwargs)

        def update_step(self, gradient, variable, learning_rate):
            shapes.append((gradient.shape, gradient.flags.writeable))
            self.assign_sub(variable, ops.multiply(gradient, learning_rate))

    x, v = keras.Variable(3.0), keras.Variable(np.ones((2, 1), np.float32))
    PlainSGD().minimize(lambda: x * x + ops.sum(v * v), [x, v])
    assert shapes == [((), False), ((2, 1), False)]
    assert float(x) == 1.5
    np.testing.assert_array_equal(v.numpy(), [[0.5], [0.5]])


def test_serialized_custom_schedule_names_its_own_module():
    """Keras 3.15 writes a user's schedule as module None (class defined in __main__) or its
    module, registered_name the class name; only built-ins say keras.optimizers.schedules."""
    class Constant(schedules.LearningRateSchedule):
        def __init__(self, value):
            self.value = value

        def __call__(self, step):
            return self.value

        def get_config(self):
            return {"value": self.value}

    assert schedules.serialize(Constant(0.1)) == {
        "module": __name__, "class_name": "Constant", "config": {"value": 0.1},
        "registered_name": "Constant"}
    Constant.__module__ = "__main__"
    config = keras.optimizers.SGD(Constant(0.1)).get_config()["learning_rate"]
    assert config["module"] is None and config["registered_name"] == "Constant"
    clone = schedules.deserialize(config, custom_objects={"Constant": Constant})
    assert isinstance(clone, Constant) and clone.value == 0.1
    assert schedules.serialize(schedules.CosineDecay(0.1, 5))["module"] == \
        "keras.optimizers.schedules"
