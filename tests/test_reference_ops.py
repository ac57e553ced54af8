"""Every keras.ops case frozen from real Keras: output, dtype and tf.GradientTape gradients."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops
from nbkeras.utils.keras_reference import assert_matches_keras, load

RTOL = 1e-6  # float32 agreement; transcendentals differ from TF's Eigen kernels by a few ulp


def _arguments(case):
    args, named = [], {}
    for spec in case["args"]:
        if "array" in spec:
            t = ops.convert_to_tensor(case.array(spec["array"]))
            named[spec["array"]] = t
            args.append(t)
        elif "arrays" in spec:
            tensors = [ops.convert_to_tensor(case.array(n)) for n in spec["arrays"]]
            named.update(zip(spec["arrays"], tensors, strict=True))
            args.append(tensors)
        else:
            args.append(spec["value"])
    return args, named


@pytest.mark.parametrize("case", load("ops"), ids=lambda c: c.id)
def test_op_matches_keras(case):
    args, named = _arguments(case)
    with keras.GradientTape(persistent=True) as tape:
        for name in case["grads"]:
            tape.watch(named[name])
        out = getattr(ops, case["fn"])(*args, **case["kwargs"])
    assert out.dtype == case["output_dtype"]
    expected = case.array("output")
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(out.numpy(), expected)
    else:
        assert_matches_keras(out, expected, RTOL, f"{case.id} output")
    for name, has_gradient in case["grads"].items():
        grad = tape.gradient(out, named[name], output_gradients=case.array("cotangent"))
        if not has_gradient:
            assert grad is None, f"{case.id}: Keras has no gradient for {name}"
            continue
        assert grad is not None, f"{case.id}: no gradient for {name}"
        assert grad.dtype == named[name].dtype
        assert_matches_keras(grad, case.array(f"grad/{name}"), RTOL, f"{case.id} grad {name}")
