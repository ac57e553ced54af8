"""What the zoo-run tests (test_training, test_callbacks) share: comparing a run's results with
the structure tools/reference recorded from Keras (``reference._recorder.jsonable``): dicts and
lists element by element, ``{"array": key}`` against the npz array, floats within ``rtol``,
everything else exactly."""

import numpy as np

from nbkeras.utils.keras_reference import assert_matches_keras


def compare(actual, expected, case, what, rtol):
    """``actual`` (our result) against the recorded structure ``expected`` of ``case``."""
    if isinstance(expected, dict) and set(expected) == {"array"}:
        assert_matches_keras(np.asarray(actual), case._arrays[expected["array"]], rtol, what)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{what}: {type(actual).__name__}, Keras dict"
        assert list(actual) == list(expected), f"{what}: keys {list(actual)}, Keras " \
                                               f"{list(expected)}"
        for key in expected:
            compare(actual[key], expected[key], case, f"{what}[{key!r}]", rtol)
    elif isinstance(expected, list):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), \
            f"{what}: {actual!r}, Keras {expected!r}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            compare(a, e, case, f"{what}[{i}]", rtol)
    elif isinstance(expected, float):
        assert isinstance(actual, float), f"{what}: {type(actual).__name__}, Keras float"
        assert_matches_keras(actual, expected, rtol, what)
    else:
        assert actual == expected, f"{what}: {actual!r}, Keras {expected!r}"
