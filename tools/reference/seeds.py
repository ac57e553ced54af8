"""Reference runs of the book's seed examples, executed with TensorFlow as their authors wrote them.

gradient_descent/quadratic: minimise f(x) = x^2 - 2x + 1 from x = 0 with tf.GradientTape and
plain gradient descent at learning rate 0.01, stopping once |df/dx| < 1e-5 (chapter 1).
sigmoid/documented_example: keras.activations.sigmoid on the 7 values of the Keras docs.
sigmoid/nine_copies: the same input -5 nine times; TensorFlow's CPU kernel evaluates full packets
of 8 floats with a SIMD polynomial and the leftover element with a scalar routine (preface).
"""

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
    return rec
