"""GradientTape semantics, as tf.GradientTape defines them."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops


def test_variables_are_watched_automatically():
    w = keras.Variable([1.0, 2.0])
    with keras.GradientTape() as tape:
        y = ops.sum(w * w)
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), [2.0, 4.0])
    assert tape.watched_variables() == (w,)


def test_tensors_need_watch():
    x = ops.convert_to_tensor([3.0])
    with keras.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [6.0])


def test_non_trainable_variable_is_not_watched():
    w = keras.Variable(2.0, trainable=False)
    with keras.GradientTape() as tape:
        y = w * 3.0
    assert tape.gradient(y, w) is None
    assert tape.watched_variables() == ()


def test_watch_accessed_variables_false():
    w = keras.Variable(2.0)
    with keras.GradientTape(watch_accessed_variables=False) as tape:
        y = w * 3.0
    assert tape.gradient(y, w) is None


def test_non_scalar_target_is_summed():
    x = keras.Variable([1.0, 2.0, 3.0])
    with keras.GradientTape() as tape:
        y = x * x  # shape (3,)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0, 6.0])


def test_list_of_targets_adds_their_gradients():
    x = keras.Variable(2.0)
    with keras.GradientTape() as tape:
        a, b = x * x, x * 3.0
    assert float(tape.gradient([a, b], x)) == 7.0


def test_structure_of_sources_is_kept():
    a, b = keras.Variable(1.0), keras.Variable(2.0)
    with keras.GradientTape(persistent=True) as tape:
        y = a * b
    grads = tape.gradient(y, {"a": a, "b": b})
    assert set(grads) == {"a", "b"} and float(grads["a"]) == 2.0 and float(grads["b"]) == 1.0
    assert isinstance(tape.gradient(y, (a, b)), tuple)
    assert isinstance(tape.gradient(y, [a, b]), list)


def test_unconnected_source_gets_none_or_zero():
    x, unused = keras.Variable(1.0), keras.Variable([1.0, 2.0])
    with keras.GradientTape(persistent=True) as tape:
        y = x * 2.0
    assert tape.gradient(y, [x, unused])[1] is None
    zero = tape.gradient(y, unused, unconnected_gradients="zero")
    np.testing.assert_array_equal(zero.numpy(), [0.0, 0.0])
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="nan")


def test_non_persistent_tape_answers_once():
    x = keras.Variable(1.0)
    with keras.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent"):
        tape.gradient(y, x)


def test_persistent_tape_answers_repeatedly():
    x = keras.Variable(3.0)
    with keras.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * y
    assert float(tape.gradient(y, x)) == 6.0
    assert float(tape.gradient(z, x)) == 108.0  # 4 x^3
    assert float(tape.gradient(z, y)) == 18.0  # an intermediate as a source


def test_stop_recording_and_stop_gradient():
    x = keras.Variable(2.0)
    with keras.GradientTape() as tape:
        with tape.stop_recording():
            hidden = x * x
        y = hidden * x + ops.stop_gradient(x * x) * x
    assert float(tape.gradient(y, x)) == 8.0  # both products are constants times x


def test_gradient_of_target_itself():
    x = keras.Variable([1.0, 2.0])
    with keras.GradientTape() as tape:
        tape.watch(x)
    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), [1.0, 1.0])


def test_output_gradients_weight_the_target():
    x = keras.Variable([1.0, 2.0])
    with keras.GradientTape(persistent=True) as tape:
        y = x * 3.0
    g = tape.gradient(y, x, output_gradients=np.array([2.0, -1.0]))
    np.testing.assert_array_equal(g.numpy(), [6.0, -3.0])
    with pytest.raises(ValueError, match=r"output_gradients has shape \(3,\).*target has shape"):
        tape.gradient(y, x, output_gradients=np.ones(3))


def test_float32_in_float32_out():
    x = keras.Variable(np.ones((2, 3), np.float32))
    with keras.GradientTape() as tape:
        y = ops.sum(ops.softmax(x * 2.0) + ops.sqrt(x) * 0.5)
    assert tape.gradient(y, x).dtype == "float32"


def test_integer_inputs_get_no_gradient():
    labels = ops.convert_to_tensor([0, 2])
    w = keras.Variable(np.ones((2, 3), np.float32))
    with keras.GradientTape(persistent=True) as tape:
        tape.watch(labels)  # ignored, as in TensorFlow: integers have no gradient
        y = ops.sum(ops.take_along_axis(w, ops.reshape(labels, (2, 1)), axis=1))
    assert tape.gradient(y, labels) is None
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), [[1, 0, 0], [0, 0, 1]])


def test_variable_read_keeps_gradient_flowing():
    w = keras.Variable(3.0)
    with keras.GradientTape() as tape:
        y = ops.convert_to_tensor(w) * w.value
    assert float(tape.gradient(y, w)) == 6.0


def test_gradient_results_are_immutable_copies():
    x = keras.Variable([1.0, 2.0])
    with keras.GradientTape() as tape:
        y = x + 0.0
    g = tape.gradient(y, x)
    array = g.numpy()
    array[0] = 99.0
    assert float(g[0]) == 1.0


def test_nested_tapes_record_independently():
    x = keras.Variable(2.0)
    with keras.GradientTape() as outer:
        with keras.GradientTape() as inner:
            y = x * x
        z = y * 3.0
    assert float(inner.gradient(y, x)) == 4.0
    assert float(outer.gradient(z, x)) == 12.0


def test_watch_rejects_numpy_arrays():
    with keras.GradientTape() as tape, pytest.raises(ValueError, match="Tensor or Variable"):
        tape.watch(np.ones(2))


def test_seed_example_minimises_quadratic():
    # f(x) = x^2 - 2x + 1 has its minimum at x = 1
    x = keras.Variable(0.0)
    for _ in range(2000):
        with keras.GradientTape() as tape:
            y = x**2 - 2 * x + 1
        dy_dx = tape.gradient(y, x)
        if abs(dy_dx) < 1e-5:
            break
        x.assign_sub(0.01 * dy_dx)
    assert abs(float(x) - 1.0) < 1e-5


def test_gradient_uses_the_value_read_before_an_assign():
    # TensorFlow differentiates with the value a variable had when the tape read it
    w = keras.Variable([1.0, 2.0])
    x = ops.convert_to_tensor([3.0, 4.0])
    with keras.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = w * x
    w.assign([10.0, 20.0])
    w.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(w.numpy(), [11.0, 21.0])


def test_optimizer_step_keeps_the_values_a_persistent_tape_read():
    w = keras.Variable([1.0, 2.0])
    x = ops.convert_to_tensor([3.0, 4.0])
    with keras.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ops.sum(w * x)
    keras.optimizers.SGD(1.0).apply_gradients([(tape.gradient(y, w), w)])
    np.testing.assert_array_equal(w.numpy(), [-2.0, -2.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 2.0])


def test_a_released_tape_costs_the_update_no_copy():
    # the usual training step: gradient() releases the records, the update is in place
    w = keras.Variable(np.ones(1000, np.float32))
    memory = w._value
    with keras.GradientTape() as tape:
        y = ops.sum(w * w)
    keras.optimizers.SGD(0.1).apply_gradients([(tape.gradient(y, w), w)])
    w.assign_sub(np.ones(1000, np.float32))
    assert w._value is memory
