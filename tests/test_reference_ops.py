"""Every keras.ops case frozen from real Keras: output, dtype and tf.GradientTape gradients."""

import pytest

from nbkeras.utils.keras_reference import check_op_case, load

RTOL = 1e-6  # float32 agreement; transcendentals differ from TF's Eigen kernels by a few ulp


@pytest.mark.parametrize("case", load("ops"), ids=lambda c: c.id)
def test_op_matches_keras(case):
    check_op_case(case, rtol=RTOL)
