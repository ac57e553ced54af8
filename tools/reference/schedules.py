"""Reference curves of keras.optimizers.schedules: each schedule evaluated at steps 0..STEPS.

The step is passed as an int64 tensor, as an optimizer passes its iteration counter. Each case
records the float32 values, the output dtype and ``get_config()``; one case per option
(staircase, cycle, warm-up, restarts with t_mul = 1 and 2, m_mul, alpha).
"""

import keras
import numpy as np
import tensorflow as tf

from reference._recorder import Recorder

STEPS = 30


def curve(rec, case_id, class_name, config):
    schedule = getattr(keras.optimizers.schedules, class_name)(**config)
    values = [schedule(tf.constant(step, tf.int64)) for step in range(STEPS + 1)]
    rec.array(case_id, "values", np.array([keras.ops.convert_to_numpy(v) for v in values]))
    rec.add(case_id, class_name=class_name, config=config, steps=STEPS,
            output_dtype=values[0].dtype.name, get_config=schedule.get_config(),
            serialized=keras.optimizers.schedules.serialize(schedule))


def build():
    rec = Recorder("schedules", seed=0)
    curve(rec, "exponential/smooth", "ExponentialDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5})
    curve(rec, "exponential/staircase", "ExponentialDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5,
           "staircase": True})
    curve(rec, "exponential/slow", "ExponentialDecay",
          {"initial_learning_rate": 0.01, "decay_steps": 7, "decay_rate": 0.96})
    curve(rec, "piecewise/three_values", "PiecewiseConstantDecay",
          {"boundaries": [4, 10], "values": [1.0, 0.5, 0.1]})
    curve(rec, "piecewise/float_boundaries", "PiecewiseConstantDecay",
          {"boundaries": [2.5, 7.0, 20.0], "values": [0.3, 0.2, 0.1, 0.05]})
    curve(rec, "polynomial/linear", "PolynomialDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 10})
    curve(rec, "polynomial/power", "PolynomialDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 10, "end_learning_rate": 0.01,
           "power": 2.0})
    curve(rec, "polynomial/cycle", "PolynomialDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 8, "end_learning_rate": 0.02,
           "power": 0.5, "cycle": True})
    curve(rec, "inverse_time/smooth", "InverseTimeDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5})
    curve(rec, "inverse_time/staircase", "InverseTimeDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.7,
           "staircase": True})
    curve(rec, "cosine/plain", "CosineDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 20})
    curve(rec, "cosine/alpha", "CosineDecay",
          {"initial_learning_rate": 0.1, "decay_steps": 12, "alpha": 0.1})
    curve(rec, "cosine/warmup", "CosineDecay",
          {"initial_learning_rate": 0.0, "decay_steps": 15, "warmup_target": 0.1,
           "warmup_steps": 6})
    curve(rec, "cosine/warmup_alpha", "CosineDecay",
          {"initial_learning_rate": 0.01, "decay_steps": 10, "alpha": 0.2,
           "warmup_target": 0.05, "warmup_steps": 4})
    curve(rec, "cosine_restarts/default", "CosineDecayRestarts",
          {"initial_learning_rate": 0.1, "first_decay_steps": 4})
    curve(rec, "cosine_restarts/t_mul_one", "CosineDecayRestarts",
          {"initial_learning_rate": 0.1, "first_decay_steps": 5, "t_mul": 1.0, "m_mul": 0.7})
    curve(rec, "cosine_restarts/all_options", "CosineDecayRestarts",
          {"initial_learning_rate": 0.1, "first_decay_steps": 3, "t_mul": 1.5, "m_mul": 0.5,
           "alpha": 0.1})
    return rec
