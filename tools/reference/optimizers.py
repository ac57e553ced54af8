"""Reference trajectories of keras.optimizers: every optimizer and option, step by step.

Each trajectory case builds two variables, ``bias`` of shape (5,) and ``kernel`` of shape (3, 4)
(a 2-D variable exercises Adafactor's factored moments), draws a fresh random gradient for each of
them at every step, applies the pairs with ``optimizer.apply_gradients`` and records both variables
after every step. At the end it records every optimizer variable (name, dtype, value) and the
config. The case's ``kwargs`` are the constructor arguments, with two encodings for what JSON cannot
hold: ``{"schedule": class name, "config": {...}}`` for a LearningRateSchedule and
``{"callable": value}`` for ``learning_rate=lambda: value``.

Seed cases (``seed/...``) replay the documented Keras examples: minimise var**2 / 2 with
Adam/RMSprop/SGD, and f(x) = x**2 - 2x + 1 with SGD and Adam.
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder

STEPS = 8
SHAPES = {"bias": (5,), "kernel": (3, 4)}


def _learning_rate(value):
    if isinstance(value, dict) and "schedule" in value:
        cls = getattr(keras.optimizers.schedules, value["schedule"])
        return cls(**value["config"])
    if isinstance(value, dict) and "callable" in value:
        return lambda: value["callable"]
    return value


def trajectory(rec, case_id, class_name, kwargs=None, grad_scale=1.0, constraint=None,
               exclude_from_weight_decay=None, steps=STEPS):
    """Run ``class_name(**kwargs)`` for ``steps`` steps on random variables and gradients."""
    kwargs = dict(kwargs or {})
    call_kwargs = dict(kwargs)
    if "learning_rate" in call_kwargs:
        call_kwargs["learning_rate"] = _learning_rate(call_kwargs["learning_rate"])
    optimizer = getattr(keras.optimizers, class_name)(**call_kwargs)
    if exclude_from_weight_decay:
        optimizer.exclude_from_weight_decay(var_names=exclude_from_weight_decay)
    variables = {}
    for name, shape in SHAPES.items():
        initial = rec.rng.standard_normal(shape).astype(np.float32)
        rec.array(case_id, f"{name}/initial", initial)
        variables[name] = keras.Variable(initial, name=name)
        if constraint == "non_neg":
            # set afterwards: keras 3.15 drops Variable(constraint=...) silently
            variables[name].constraint = keras.constraints.NonNeg()
    grads = {name: [] for name in SHAPES}
    values = {name: [] for name in SHAPES}
    for _ in range(steps):
        pairs = []
        for name, shape in SHAPES.items():
            g = (rec.rng.standard_normal(shape) * grad_scale).astype(np.float32)
            grads[name].append(g)
            pairs.append((tf.constant(g), variables[name]))
        optimizer.apply_gradients(pairs)
        for name in SHAPES:
            values[name].append(variables[name].numpy())
    for name in SHAPES:
        rec.array(case_id, f"{name}/grads", np.stack(grads[name]))
        rec.array(case_id, f"{name}/values", np.stack(values[name]))
    slots = []
    for i, v in enumerate(optimizer.variables):
        rec.array(case_id, f"optimizer_variable/{i}", keras.ops.convert_to_numpy(v))
        slots.append({"path": v.path, "dtype": v.dtype, "shape": list(v.shape)})
    config = optimizer.get_config()
    if isinstance(config["learning_rate"], dict):
        config["learning_rate"] = kwargs["learning_rate"]
    elif "learning_rate" in kwargs and isinstance(kwargs["learning_rate"], dict):
        config["learning_rate"] = kwargs["learning_rate"]
    rec.add(case_id, kind="trajectory", class_name=class_name, kwargs=kwargs, steps=steps,
            iterations=int(optimizer.iterations), grad_scale=grad_scale, constraint=constraint,
            exclude_from_weight_decay=exclude_from_weight_decay,
            optimizer_variables=slots, config=config, name=optimizer.name)


def seed_quadratic(rec, case_id, optimizer, x0, steps):
    """Minimise var**2 / 2 from x0, as the Keras docstrings do; records var after each step."""
    var = keras.Variable(x0, name="var")
    xs = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = var**2 / 2.0
        optimizer.apply_gradients([(tape.gradient(loss, var), var)])
        xs.append(var.numpy())
    rec.array(case_id, "x", np.array(xs, np.float32))
    rec.add(case_id, kind="seed", x0=x0, steps=steps, config=optimizer.get_config(),
            class_name=type(optimizer).__name__)


def seed_polynomial(rec, case_id, optimizer, steps):
    """Minimise f(x) = x**2 - 2x + 1 from x = 0 with apply_gradients (the book's seed)."""
    x = keras.Variable(0.0, name="x")
    xs = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            y = x**2 - 2 * x + 1
        optimizer.apply_gradients([(tape.gradient(y, x), x)])
        xs.append(x.numpy())
    rec.array(case_id, "x", np.array(xs, np.float32))
    rec.add(case_id, kind="seed", x0=0.0, steps=steps, config=optimizer.get_config(),
            class_name=type(optimizer).__name__)


def build():
    rec = Recorder("optimizers", seed=20261123)
    exponential = {"schedule": "ExponentialDecay",
                   "config": {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5}}
    cosine_warmup = {"schedule": "CosineDecay",
                     "config": {"initial_learning_rate": 0.0, "decay_steps": 5,
                                "warmup_target": 0.05, "warmup_steps": 3}}
    piecewise = {"schedule": "PiecewiseConstantDecay",
                 "config": {"boundaries": [2, 5], "values": [0.1, 0.03, 0.01]}}

    cases = [
        ("sgd/default", "SGD", {}),
        ("sgd/learning_rate", "SGD", {"learning_rate": 0.1}),
        ("sgd/momentum", "SGD", {"learning_rate": 0.05, "momentum": 0.9}),
        ("sgd/nesterov", "SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
        ("rmsprop/default", "RMSprop", {}),
        ("rmsprop/rho", "RMSprop", {"learning_rate": 0.01, "rho": 0.8}),
        ("rmsprop/momentum", "RMSprop", {"learning_rate": 0.01, "momentum": 0.5}),
        ("rmsprop/centered", "RMSprop", {"learning_rate": 0.01, "centered": True}),
        ("rmsprop/centered_momentum", "RMSprop",
         {"learning_rate": 0.01, "momentum": 0.9, "centered": True, "epsilon": 1e-3}),
        ("adagrad/default", "Adagrad", {}),
        ("adagrad/initial_accumulator_value", "Adagrad",
         {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-4}),
        ("adadelta/default", "Adadelta", {}),
        ("adadelta/rho", "Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}),
        ("adam/default", "Adam", {}),
        ("adam/hyperparameters", "Adam",
         {"learning_rate": 0.1, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
        ("adam/amsgrad", "Adam", {"learning_rate": 0.01, "amsgrad": True}),
        ("adamax/default", "Adamax", {}),
        ("adamax/hyperparameters", "Adamax", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.9}),
        ("nadam/default", "Nadam", {}),
        ("nadam/hyperparameters", "Nadam", {"learning_rate": 0.01, "beta_1": 0.85,
                                            "beta_2": 0.98, "epsilon": 1e-5}),
        ("adamw/default", "AdamW", {}),
        ("adamw/weight_decay", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
        ("adamw/amsgrad", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.05, "amsgrad": True}),
        ("lion/default", "Lion", {}),
        ("lion/hyperparameters", "Lion", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95}),
        ("ftrl/default", "Ftrl", {}),
        ("ftrl/regularized", "Ftrl",
         {"learning_rate": 0.1, "learning_rate_power": -0.3, "initial_accumulator_value": 0.2,
          "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
          "l2_shrinkage_regularization_strength": 0.03, "beta": 0.5}),
        ("ftrl/power_zero", "Ftrl", {"learning_rate": 0.05, "learning_rate_power": 0.0}),
        ("adafactor/default", "Adafactor", {}),
        ("adafactor/absolute_step", "Adafactor",
         {"learning_rate": 0.01, "relative_step": False, "clip_threshold": 0.5,
          "beta_2_decay": -0.6, "epsilon_2": 1e-2}),
        ("adafactor/relative_step_caps", "Adafactor", {"learning_rate": 2.0}),
        # gradient clipping: gradients are scaled up so that the clip is active
        ("clip/sgd_clipnorm", "SGD", {"learning_rate": 0.1, "clipnorm": 1.0}, 10.0),
        ("clip/adam_clipnorm", "Adam", {"learning_rate": 0.01, "clipnorm": 0.5}, 10.0),
        ("clip/sgd_clipvalue", "SGD", {"learning_rate": 0.1, "clipvalue": 0.3}, 3.0),
        ("clip/rmsprop_clipvalue", "RMSprop", {"learning_rate": 0.01, "clipvalue": 0.5}, 3.0),
        ("clip/sgd_global_clipnorm", "SGD", {"learning_rate": 0.1, "global_clipnorm": 1.0}, 10.0),
        ("clip/adam_global_clipnorm", "Adam",
         {"learning_rate": 0.01, "global_clipnorm": 2.0}, 10.0),
        ("clip/inactive_clipnorm", "SGD", {"learning_rate": 0.1, "clipnorm": 100.0}),
        # decoupled weight decay on optimizers other than AdamW
        ("weight_decay/sgd", "SGD", {"learning_rate": 0.1, "weight_decay": 0.5}),
        ("weight_decay/sgd_momentum", "SGD",
         {"learning_rate": 0.05, "momentum": 0.9, "weight_decay": 0.1}),
        ("weight_decay/adam", "Adam", {"learning_rate": 0.01, "weight_decay": 0.2}),
        ("weight_decay/rmsprop", "RMSprop", {"learning_rate": 0.01, "weight_decay": 0.3}),
        ("weight_decay/lion", "Lion", {"learning_rate": 0.01, "weight_decay": 0.5}),
        # learning rate as a schedule (called with the iteration count before the update)
        ("schedule/sgd_exponential", "SGD", {"learning_rate": exponential}),
        ("schedule/sgd_momentum_piecewise", "SGD", {"learning_rate": piecewise, "momentum": 0.5}),
        ("schedule/adam_cosine_warmup", "Adam", {"learning_rate": cosine_warmup}),
        ("schedule/adamw_exponential", "AdamW", {"learning_rate": exponential,
                                                 "weight_decay": 0.1}),
        ("schedule/adafactor_exponential", "Adafactor", {"learning_rate": exponential}),
        ("schedule/nadam_exponential", "Nadam", {"learning_rate": exponential}),
        # learning rate as a callable without arguments
        ("callable/sgd", "SGD", {"learning_rate": {"callable": 0.05}}),
        ("callable/adam", "Adam", {"learning_rate": {"callable": 0.02}}),
    ]
    for case in cases:
        case_id, class_name, kwargs = case[:3]
        grad_scale = case[3] if len(case) > 3 else 1.0
        trajectory(rec, case_id, class_name, kwargs, grad_scale=grad_scale)
    trajectory(rec, "constraint/sgd_non_neg", "SGD", {"learning_rate": 0.3},
               constraint="non_neg")
    trajectory(rec, "weight_decay/adamw_exclude_bias", "AdamW",
               {"learning_rate": 0.01, "weight_decay": 0.5}, exclude_from_weight_decay=["bias"])
    # the remaining base-class options (after the cases above, so that their random draws stay
    # as they were): moving averages of the weights, gradient accumulation, loss scaling
    later_cases = [
        ("ema/sgd", "SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9}),
        ("ema/adam_overwrite", "Adam", {"learning_rate": 0.05, "use_ema": True,
                                        "ema_momentum": 0.8, "ema_overwrite_frequency": 3}),
        ("accumulation/adam", "Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 3}),
        ("accumulation/sgd_momentum_schedule", "SGD",
         {"learning_rate": exponential, "momentum": 0.5, "gradient_accumulation_steps": 2}),
        ("accumulation/adamw_ema_clipnorm", "AdamW",
         {"learning_rate": 0.01, "weight_decay": 0.1, "gradient_accumulation_steps": 2,
          "use_ema": True, "ema_momentum": 0.5, "clipnorm": 1.0}),
        ("loss_scale/sgd", "SGD", {"learning_rate": 0.1, "loss_scale_factor": 4.0}),
        ("loss_scale/adam", "Adam", {"learning_rate": 0.01, "loss_scale_factor": 128.0}, 128.0),
    ]
    for case in later_cases:
        case_id, class_name, kwargs = case[:3]
        grad_scale = case[3] if len(case) > 3 else 1.0
        trajectory(rec, case_id, class_name, kwargs, grad_scale=grad_scale)

    opt = keras.optimizers
    seed_quadratic(rec, "seed/adam", opt.Adam(learning_rate=0.1), 10.0, 2)
    seed_quadratic(rec, "seed/rmsprop", opt.RMSprop(learning_rate=0.1), 10.0, 2)
    seed_quadratic(rec, "seed/sgd", opt.SGD(learning_rate=0.1), 1.0, 2)
    seed_quadratic(rec, "seed/sgd_momentum", opt.SGD(learning_rate=0.1, momentum=0.9), 1.0, 2)
    seed_polynomial(rec, "seed/polynomial_sgd", opt.SGD(learning_rate=0.1), 40)
    seed_polynomial(rec, "seed/polynomial_adam", opt.Adam(learning_rate=0.1), 60)
    return rec
