"""Tensors and variables: dtypes, conversion, operators, mutation, errors."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops


@pytest.mark.parametrize(
    "value, dtype",
    [
        (1.0, "float32"),
        (1, "int32"),
        ([1.0, 2.0], "float32"),
        ([1, 2], "int32"),
        (np.array([1.0]), "float64"),  # NumPy arrays keep their dtype, as in Keras
        (np.array([1], np.int64), "int64"),
        (np.float32(1.0), "float32"),
        (True, "bool"),
    ],
)
def test_convert_to_tensor_dtype(value, dtype):
    assert ops.convert_to_tensor(value).dtype == dtype


@pytest.mark.parametrize(
    "value, dtype",
    [(1.0, "float32"), (1, "int32"), (np.array([1.0, 2.0]), "float64"), ([1.0], "float32")],
)
def test_variable_dtype_follows_value(value, dtype):
    assert keras.Variable(value).dtype == dtype


def test_variable_api():
    v = keras.Variable(np.zeros((2, 2), np.float32), name="kernel")
    assert v.name == "kernel" and v.shape == (2, 2) and v.trainable
    v.assign([[1.0, 2.0], [3.0, 4.0]])
    v.assign_add(np.ones((2, 2)))
    v.assign_sub(np.full((2, 2), 0.5))
    np.testing.assert_array_equal(v.numpy(), [[1.5, 2.5], [3.5, 4.5]])
    assert v.dtype == "float32"  # assigning float64 data keeps the variable's dtype
    v.trainable = False
    assert not v.trainable
    assert repr(v).startswith("<Variable path=kernel, shape=(2, 2), dtype=float32")


def test_variable_from_initializer_callable():
    v = keras.Variable(lambda shape, dtype: np.full(shape, 0.5), shape=(3,), dtype="float32")
    np.testing.assert_array_equal(v.numpy(), [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="needs a shape"):
        keras.Variable(lambda shape, dtype: 0)


def test_variable_default_names_are_unique():
    a, b = keras.Variable(1.0), keras.Variable(1.0)
    assert a.name != b.name and a.name.startswith("variable") and b.name.startswith("variable")


def test_assign_checks_shape():
    v = keras.Variable([1.0, 2.0], name="w")
    with pytest.raises(ValueError, match=r"value has shape \(3,\).*'w' has shape \(2,\)"):
        v.assign([1.0, 2.0, 3.0])


def test_assign_add_and_sub_broadcast_as_in_keras():
    # Keras adds a value that broadcasts to the variable's shape; assign itself needs the shape
    v = keras.Variable(np.zeros((2, 2), np.float32), name="v")
    v.assign_add(1.0)
    v.assign_add([1.0, 2.0])
    v.assign_sub([[0.5], [0.5]])
    np.testing.assert_array_equal(v.numpy(), [[1.5, 2.5], [1.5, 2.5]])
    with pytest.raises(ValueError, match=r"value has shape \(3,\).*'v' has shape \(2, 2\)"):
        v.assign_add([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"value has shape \(2, 2, 1\)"):
        v.assign_sub(np.ones((2, 2, 1)))
    with pytest.raises(ValueError, match=r"value has shape \(\)"):
        v.assign(1.0)


def test_numpy_is_a_copy_and_tensors_are_immutable():
    t = ops.exp(ops.convert_to_tensor([0.0, 1.0]))
    copy = t.numpy()
    copy[0] = 5.0
    assert float(t[0]) == 1.0
    with pytest.raises(ValueError):
        np.asarray(t)[0] = 5.0  # np.asarray shares memory but read-only


def test_op_results_do_not_change_with_their_inputs():
    # reshape, transpose and slicing return views in NumPy; a tensor must not see a later
    # assign to the variable (or a write to the NumPy array) it came from, as in Keras
    w = keras.Variable([1.0, 2.0])
    data = np.array([1.0, 2.0], np.float32)
    results = [ops.reshape(w, (2, 1)), w[0:1], ops.transpose(w), ops.expand_dims(w, 0),
               ops.reshape(data, (2, 1)), ops.convert_to_tensor(data)[::-1]]
    w.assign([5.0, 6.0])
    data[:] = 7.0
    for result, expected in zip(results, [[1, 2], [1], [1, 2], [1, 2], [1, 2], [2, 1]],
                                strict=True):
        np.testing.assert_array_equal(result.numpy().ravel(), expected)


def test_operators_follow_keras():
    x = ops.convert_to_tensor([1.0, 2.0, 4.0])
    np.testing.assert_array_equal((2 * x + 1).numpy(), [3, 5, 9])
    np.testing.assert_array_equal((1 / x).numpy(), [1, 0.5, 0.25])
    np.testing.assert_array_equal((x**2 - x).numpy(), [0, 2, 12])
    np.testing.assert_array_equal((-x).numpy(), [-1, -2, -4])
    np.testing.assert_array_equal(abs(x - 2).numpy(), [1, 0, 2])
    np.testing.assert_array_equal((x > 1.5).numpy(), [False, True, True])
    np.testing.assert_array_equal((np.ones(3) + x).numpy(), [2, 3, 5])  # ndarray defers to Tensor
    assert (2 * x).dtype == "float32"  # Python scalars are weak: they do not promote
    assert (x + np.ones(3)).dtype == "float64"  # a float64 array is strong
    assert float(x[2]) == 4.0 and len(x) == 3
    assert f"{ops.sum(x):.2f}" == "7.00"


def test_matmul_operator_and_indexing():
    a = ops.convert_to_tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal((a @ np.ones((3, 1), np.float32)).numpy(), [[3], [12]])
    np.testing.assert_array_equal(a[:, 1].numpy(), [1, 4])
    np.testing.assert_array_equal(a[a > 2].numpy(), [3, 4, 5])


def test_str_and_repr():
    x = ops.convert_to_tensor([1.0, 2.0])
    assert str(x) == "Tensor([1. 2.], shape=(2,), dtype=float32)"
    assert repr(x) == (
        "<Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    )


def test_non_numeric_input_names_its_type():
    with pytest.raises(TypeError, match="ops.add: argument 'x1' must be a number.*got str 'a'"):
        ops.add("a", 1.0)
    with pytest.raises(TypeError, match="got dict"):
        ops.convert_to_tensor({"a": 1})
    with pytest.raises(TypeError, match="NoneType"):
        ops.exp(None)


def test_incompatible_shapes_name_both_shapes_and_the_op():
    a, b = np.ones((2, 3), np.float32), np.ones((4,), np.float32)
    for op in ["add", "subtract", "multiply", "divide", "maximum", "minimum", "power"]:
        with pytest.raises(ValueError, match=rf"ops\.{op}: cannot broadcast shapes \(2, 3\) and "
                                             r"\(4,\)"):
            getattr(ops, op)(a, b)
    with pytest.raises(ValueError, match=r"ops.matmul: .*\(2, 3\).*\(4,\)"):
        ops.matmul(a, b)
    with pytest.raises(ValueError, match=r"ops.reshape: cannot reshape \(2, 3\) into \(4, -1\)"):
        ops.reshape(a, (4, -1))
    with pytest.raises(ValueError, match="axis 2 is out of bounds for a tensor of rank 2"):
        ops.sum(a, axis=2)
    for bad_axis in [1.0, "1", [0.5]]:
        with pytest.raises(TypeError, match="ops.sum: axis must be an int or a tuple of ints"):
            ops.sum(a, axis=bad_axis)
    with pytest.raises(ValueError, match=r"cannot squeeze axis 0 of shape \(2, 3\)"):
        ops.squeeze(a, axis=0)
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 0 with size 2"):
        ops.take(a, [7], axis=0)
    with pytest.raises(ValueError, match="shapes .* differ outside axis 0"):
        ops.concatenate([a, np.ones((1, 2), np.float32)])


def test_clip_does_not_truncate_its_bounds():
    # Keras refuses float bounds for an integer tensor rather than rounding them
    ints = ops.convert_to_tensor([1, 5])
    np.testing.assert_array_equal(ops.clip(ints, 0, 3).numpy(), [1, 3])
    np.testing.assert_array_equal(ops.clip(ints, 0.0, 3.0).numpy(), [1, 3])
    with pytest.raises(TypeError, match=r"ops.clip: x_max=3.5 .*int32"):
        ops.clip(ints, 0, 3.5)


def test_integer_ops_keep_keras_dtypes():
    ints = ops.convert_to_tensor([1, 2, 3])
    assert ops.sum(ints).dtype == "int32"
    assert ops.mean(ints).dtype == "float32"
    assert ops.divide(ints, 2).dtype == "float32"
    assert ops.exp(ints).dtype == "float32"
    assert ops.argmax(ops.convert_to_tensor([1.0, 3.0, 3.0])).dtype == "int32"
    assert int(ops.argmax(ops.convert_to_tensor([1.0, 3.0, 3.0]))) == 1  # first of the ties
    rows, columns = ops.where([[True, False], [True, True]])  # Keras: int32 indices
    assert rows.dtype == columns.dtype == "int32"
    np.testing.assert_array_equal(rows.numpy(), [0, 1, 1])
    np.testing.assert_array_equal(columns.numpy(), [0, 0, 1])


def test_float16_floatx_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="'float16' is not supported.*float32 or float64"):
        keras.config.set_floatx("float16")
    assert keras.config.floatx() == "float32"


def test_numpy_scalars_adopt_the_tensor_dtype():
    x = ops.convert_to_tensor([1.0, 2.0])
    assert (x * np.float64(0.5)).dtype == "float32"
    assert ops.add(x, np.float64(1.0)).dtype == "float32"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int32", "int64",
                                   "uint8", "bool"])
def test_numpy_dtype_objects_keep_their_name(dtype):
    # NumPy says np.dtype("float64") == float and np.dtype("int64") == int: a NumPy dtype must
    # not be read as Python's float (floatx) or int (int32), as Keras' standardize_dtype does
    from nbkeras import dtypes

    assert dtypes.standardize_dtype(np.dtype(dtype)) == dtype
    assert ops.convert_to_tensor(np.zeros(2, np.float32), dtype=np.dtype(dtype)).dtype == dtype
