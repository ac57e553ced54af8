"""Reference cases for keras.initializers: samples, configs and the seeding behaviour.

TensorFlow's random streams cannot be reproduced, so the random initializers are compared by
distribution: each case stores a few thousand of Keras' samples, which the tests compare with
nbkeras' samples by a two-sample Kolmogorov-Smirnov test (and with the derived variance).
Constant initializers are compared value for value. Each case also stores Keras' get_config(),
and what Keras does on repeated calls: an int seed repeats, an unseeded instance repeats (its
seed is drawn once, at construction), a SeedGenerator moves on.
"""

import keras
import numpy as np

from reference._recorder import Recorder

SHAPE = (16, 128)  # fan_in 16, fan_out 128: the fans differ, so fan_in/out/avg are told apart

RANDOM = [
    ("random_normal", "RandomNormal", {}),
    ("random_normal_custom", "RandomNormal", {"mean": 1.0, "stddev": 0.5}),
    ("random_uniform", "RandomUniform", {}),
    ("random_uniform_custom", "RandomUniform", {"minval": -2.0, "maxval": 1.0}),
    ("truncated_normal", "TruncatedNormal", {}),
    ("truncated_normal_custom", "TruncatedNormal", {"mean": -1.0, "stddev": 2.0}),
    ("glorot_uniform", "GlorotUniform", {}),
    ("glorot_normal", "GlorotNormal", {}),
    ("he_normal", "HeNormal", {}),
    ("he_uniform", "HeUniform", {}),
    ("lecun_normal", "LecunNormal", {}),
    ("lecun_uniform", "LecunUniform", {}),
    ("variance_scaling_fan_out_untruncated", "VarianceScaling",
     {"scale": 3.0, "mode": "fan_out", "distribution": "untruncated_normal"}),
    ("variance_scaling_fan_avg_uniform", "VarianceScaling",
     {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"}),
    ("orthogonal", "Orthogonal", {"gain": 2.0}),
]

CONSTANT = [
    ("zeros", "Zeros", {}, (3, 4)),
    ("ones", "Ones", {}, (2, 3)),
    ("constant", "Constant", {"value": 0.25}, (2, 2)),
    ("identity", "Identity", {"gain": 3.0}, (3, 4)),
]

# names accepted by keras.initializers.get, and the class each gives
NAMES = ["glorot_uniform", "GlorotUniform", "he_normal", "he_uniform", "lecun_normal",
         "lecun_uniform", "glorot_normal", "uniform", "normal", "random_normal",
         "random_uniform", "truncated_normal", "zeros", "zero", "ones", "one", "constant",
         "identity", "orthogonal", "variance_scaling", "IdentityInitializer",
         "OrthogonalInitializer"]


def build():
    rec = Recorder("initializers", seed=20261124)
    for case_id, cls, kwargs in RANDOM:
        make = getattr(keras.initializers, cls)
        samples = keras.ops.convert_to_numpy(make(**kwargs, seed=1234)(SHAPE))
        rec.array(case_id, "samples", samples)
        seeded = make(**kwargs, seed=7)
        unseeded = make(**kwargs)
        generator = make(**kwargs, seed=keras.random.SeedGenerator(3))
        behaviour = {
            "int_seed_repeats": bool(np.array_equal(seeded((4, 4)), seeded((4, 4)))),
            "same_int_seed_same_values": bool(np.array_equal(
                seeded((4, 4)), make(**kwargs, seed=7)((4, 4)))),
            "unseeded_instance_repeats": bool(np.array_equal(unseeded((4, 4)),
                                                             unseeded((4, 4)))),
            "seed_generator_repeats": bool(np.array_equal(generator((4, 4)),
                                                          generator((4, 4)))),
        }
        rec.add(case_id, initializer=cls, kwargs=kwargs, shape=list(SHAPE),
                config=make(**kwargs).get_config(), dtype=samples.dtype.name, **behaviour)
    for case_id, cls, kwargs, shape in CONSTANT:
        initializer = getattr(keras.initializers, cls)(**kwargs)
        rec.array(case_id, "values", keras.ops.convert_to_numpy(initializer(shape)))
        rec.add(case_id, initializer=cls, kwargs=kwargs, shape=list(shape),
                config=initializer.get_config())
    classes = {}
    for name in NAMES:
        try:
            classes[name] = type(keras.initializers.get(name)).__name__
        except Exception as error:  # Keras 3.15: get("constant") fails reading its config
            classes[name] = f"error: {type(error).__name__}"
    rec.add("get/names", classes=classes)
    errors = {}
    for bad in ["glorot", "he_norm", "Xavier"]:
        try:
            keras.initializers.get(bad)
        except ValueError:
            errors[bad] = "ValueError"
    rec.add("get/unknown_names", errors=errors)
    return rec
