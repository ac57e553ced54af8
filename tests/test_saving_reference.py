"""Keras-written files in nbkeras, and nbkeras-written files shaped as Keras writes them.

tests/reference/saving/ holds the files Keras 3.15 wrote for the models of
tools/reference/_saving_zoo.py (tools/reference/saving.py): nbkeras loads them, predicts what
Keras predicted, holds Keras' weights and optimizer state, and one more epoch of training gives
Keras' weights. In the other direction (Keras loading nbkeras' files) the test needs Keras:
``make interop``; here nbkeras' files are compared with Keras' member by member, key by key and
HDF5 path by HDF5 path. Last, the config survey: every class nbkeras shares with Keras writes
Keras' config keys and values, and reads them back.
"""

import importlib
import io
import json
import pathlib
import sys
import zipfile

import h5py
import numpy as np
import pytest

import nbkeras as keras
from nbkeras.saving import serialization_lib
from nbkeras.utils import load_reference
from nbkeras.utils.keras_reference import assert_matches_keras, reference_dir

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
from reference import _saving_zoo  # noqa: E402

CASES = load_reference("saving")
MODEL_CASES = [c for c in CASES if c["kind"] == "model"]
CONFIG_CASES = [c for c in CASES if c["kind"] == "config"]
FILES = reference_dir() / "saving"
CUSTOM = _saving_zoo.custom_objects(keras)  # registered as nbk_reference>Scale, >FocalLoss


def arrays(case, what):
    return [case.array(f"{what}/{i}") for i in range(case[f"n_{what}"])]


def inputs(case):
    return _saving_zoo.inputs(arrays(case, "x"))


def as_list(predictions):
    return predictions if isinstance(predictions, list) else [predictions]


@pytest.fixture(params=MODEL_CASES, ids=lambda c: c.id)
def model_case(request):
    return request.param


# -- Keras' files in nbkeras ------------------------------------------------------------------
def test_keras_file_loads_with_keras_weights_and_predictions(model_case):
    model = keras.models.load_model(FILES / f"{model_case.id}.keras")
    for mine, theirs in zip(model.get_weights(), arrays(model_case, "weights"), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    saved_optimizer = arrays(model_case, "optimizer")
    assert len(model.optimizer.variables) == len(saved_optimizer)
    for mine, theirs in zip(model.optimizer.variables, saved_optimizer, strict=True):
        np.testing.assert_array_equal(mine.numpy(), theirs)
    assert int(model.optimizer.iterations) == model_case["iterations"]
    predictions = as_list(model.predict(inputs(model_case), verbose=0))
    for mine, theirs in zip(predictions, arrays(model_case, "predictions"), strict=True):
        assert_matches_keras(mine, theirs, rtol=1e-5, what=f"{model_case.id} predictions")


def test_keras_file_resumes_training_as_keras(model_case):
    model = keras.models.load_model(FILES / f"{model_case.id}.keras")
    history = model.fit(inputs(model_case), _saving_zoo.inputs(arrays(model_case, "y")),
                        **_saving_zoo.FIT).history
    assert sorted(history) == sorted(model_case["history"])
    for key, values in model_case["history"].items():
        assert_matches_keras(np.array(history[key]), np.array(values), rtol=2e-4, what=key)
    after = [model_case.array(f"weights_after/{i}") for i in range(model_case["n_weights"])]
    for mine, theirs in zip(model.get_weights(), after, strict=True):
        assert_matches_keras(mine, theirs, rtol=2e-4, what=f"{model_case.id} weights after")
    optimizer_after = [model_case.array(f"optimizer_after/{i}")
                       for i in range(model_case["n_optimizer"])]
    for mine, theirs in zip(model.optimizer.variables, optimizer_after, strict=True):
        assert_matches_keras(mine.numpy(), theirs, rtol=2e-4, what=f"{mine.path} after")


def test_keras_weights_file_loads_into_an_nbkeras_model(model_case):
    model = _saving_zoo.MODELS[model_case.id](keras)
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        model.load_weights(FILES / f"{model_case.id}.weights.h5")  # its optimizer is unbuilt
    for mine, theirs in zip(model.get_weights(), arrays(model_case, "weights"), strict=True):
        np.testing.assert_array_equal(mine, theirs)


# -- nbkeras' files shaped as Keras' ---------------------------------------------------------------
def h5_tree(data):
    tree = {}
    with h5py.File(io.BytesIO(data) if isinstance(data, bytes) else data, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                tree[name] = (obj.shape, str(obj.dtype), dict(obj.attrs))
            else:
                tree[name + "/"] = dict(obj.attrs)
        f.visititems(visit)
        tree["/"] = dict(f.attrs)
    return tree


def read_zip(path):
    with zipfile.ZipFile(path) as archive:
        return ([(i.filename, i.compress_type) for i in archive.infolist()],
                json.loads(archive.read("config.json")),
                json.loads(archive.read("metadata.json")),
                h5_tree(archive.read("model.weights.h5")))


def unshared(value):
    """``value`` without Keras' ``shared_object_id`` marks (Python ids that Keras puts on a
    DTypePolicy object serialized twice; nbkeras writes each copy in full, which Keras
    reads the same)."""
    if isinstance(value, dict):
        return {k: unshared(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [unshared(v) for v in value]
    return value


def key_paths(value, prefix=""):
    """Every key path of a JSON value (list items by index)."""
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths.add(f"{prefix}/{key}")
            paths |= key_paths(item, f"{prefix}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            paths |= key_paths(item, f"{prefix}/{i}")
    return paths


def test_nbkeras_rewrite_of_a_keras_file_is_the_same_file(model_case, tmp_path):
    """Load Keras' file, save it: the same members, the same config (keys and values), the
    same HDF5 groups, datasets, shapes, dtypes and attributes."""
    keras.backend.clear_session()  # a subclassed model names its layers anew, as in Keras
    model = keras.models.load_model(FILES / f"{model_case.id}.keras")
    model.save(tmp_path / "again.keras")
    members, config, metadata, tree = read_zip(tmp_path / "again.keras")
    k_members, k_config, k_metadata, k_tree = read_zip(FILES / f"{model_case.id}.keras")
    k_config = unshared(k_config)
    assert members == k_members
    assert sorted(metadata) == sorted(k_metadata)
    assert metadata["keras_version"] == k_metadata["keras_version"]
    assert key_paths(config) == key_paths(k_config)
    assert config == k_config
    assert tree == k_tree


def test_fresh_nbkeras_model_file_has_keras_layout(model_case, tmp_path):
    """The same model built and trained in nbkeras: the same HDF5 paths and shapes, the same
    config keys (names aside, which count per process)."""
    keras.backend.clear_session()
    model = _saving_zoo.MODELS[model_case.id](keras)
    data = arrays(model_case, "x"), arrays(model_case, "y")
    model.fit(_saving_zoo.inputs(data[0]), _saving_zoo.inputs(data[1]), **_saving_zoo.FIT)
    model.save(tmp_path / "fresh.keras")
    members, config, _, tree = read_zip(tmp_path / "fresh.keras")
    k_members, k_config, _, k_tree = read_zip(FILES / f"{model_case.id}.keras")
    k_config = unshared(k_config)
    assert members == k_members
    assert key_paths(config) == key_paths(k_config)

    def layout(t):  # the optimizer's name ("adam" or "adam_3") depends on the process
        return {k: (v if isinstance(v, dict) else v[:2]) for k, v in t.items()
                if k != "optimizer/vars/"}

    assert layout(tree) == layout(k_tree)


# -- the config survey -----------------------------------------------------------------------------
_SURVEY_PACKAGES = {"optimizers.schedules": "nbkeras.optimizers.schedules"}


def _nbkeras_class(case):
    module = importlib.import_module(_SURVEY_PACKAGES.get(case["module"],
                                                          f"nbkeras.{case['module']}"))
    return getattr(module, case["class_name"], None)


SURVEYED = [c for c in CONFIG_CASES if _nbkeras_class(c) is not None]


def _without_names(value):
    if isinstance(value, dict):
        return {k: ("<name>" if k == "name" else _without_names(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value


# classes with no config of their own to compare: base classes, function wrappers, Lambda
# (its function is code; tested in test_saving.py), and GroupedQueryAttention (the survey's
# arguments did not construct it in Keras)
NOT_SURVEYED = {"Regularizer", "LossFunctionWrapper", "Reduction", "MeanMetricWrapper",
                "BaseOptimizer", "LearningRateSchedule", "Lambda", "Wrapper",
                "GroupedQueryAttention", "Tensor"}


def test_the_survey_covers_nbkeras():
    surveyed = {(c["module"], c["class_name"]) for c in SURVEYED}
    missing = set()
    for module_name in _saving_zoo.SURVEY_MODULES:
        module = importlib.import_module(_SURVEY_PACKAGES.get(module_name,
                                                              f"nbkeras.{module_name}"))
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, type) and value.__name__ == name and not name.startswith("_") \
                    and (module_name, name) not in surveyed and name not in NOT_SURVEYED:
                missing.add(f"{module_name}.{name}")
    assert not missing
    assert len(SURVEYED) > 170


# Arguments Keras 3.15 leaves out of these configs, so that a loaded Huber(delta=2.0) comes back
# with delta=1.0. nbkeras writes them (Keras' from_config accepts them: they are constructor
# arguments), and reads Keras' configs without them.
KERAS_FORGETS = {
    "config/initializers/Identity": {"gain"},
    "config/losses/Huber": {"delta"},
    "config/losses/CosineSimilarity": {"axis"},
    "config/losses/SparseCategoricalCrossentropy": {"axis"},
}


@pytest.mark.parametrize("case", SURVEYED, ids=lambda c: c.id)
def test_config_is_keras(case):
    cls = _nbkeras_class(case)
    kwargs = _saving_zoo.constructor_arguments(keras).get(case["class_name"], {})
    keras.backend.clear_session()
    mine = serialization_lib.serialize_keras_object(cls(**kwargs))
    extra = KERAS_FORGETS.get(case.id, set())
    assert set(mine["config"]) - set(case["serialized"]["config"]) == extra
    mine["config"] = {k: v for k, v in mine["config"].items() if k not in extra}
    assert _without_names(mine) == _without_names(case["serialized"])
    rebuilt = serialization_lib.deserialize_keras_object(case["serialized"])
    assert type(rebuilt) is cls
    again = serialization_lib.serialize_keras_object(rebuilt)
    again["config"] = {k: v for k, v in again["config"].items() if k not in extra}
    assert again == case["serialized"]


# -- layouts of composite layers -----------------------------------------------------------------
LAYOUT_CASES = [c for c in CASES if c["kind"] == "layout"]


def h5_tree_as_recorded(path):
    tree = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                tree[name] = [list(obj.shape), str(obj.dtype)]
            else:
                tree[name + "/"] = {k: str(v) for k, v in obj.attrs.items()}
        f.visititems(visit)
    return tree


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=lambda c: c.id)
def test_layout_of_composite_layers_is_keras(case, tmp_path):
    """Keras' weights file of a model of composite layers (RNN cells, Bidirectional, attention
    sub-layers, wrappers, a nested Sequential) loads into the same model built in nbkeras,
    which predicts what Keras predicted, and writes the same HDF5 tree."""
    keras.backend.clear_session()
    model = _saving_zoo.LAYOUTS[case.id.split("/")[1]](keras)
    model.load_weights(FILES / case["file"])
    x = _saving_zoo.inputs(arrays(case, "x"))
    assert_matches_keras(model.predict(x, verbose=0), case.array("predictions"), rtol=1e-5,
                         what=case.id)
    model.save_weights(tmp_path / "mine.weights.h5")
    assert h5_tree_as_recorded(tmp_path / "mine.weights.h5") == case["tree"]
    assert json.loads(model.to_json()) == unshared(case["config"])


# -- the legacy Keras 2 format (.h5) -----------------------------------------------------------
def test_legacy_h5_model_loads_with_weights_optimizer_and_predictions(model_case):
    """Keras' legacy single-file HDF5 format (what Keras 2 wrote, and Keras 3 still writes
    for ``model.save("x.h5")``): the model, its weights, its compile arguments and optimizer
    state. A subclassed model cannot be rebuilt from it (no input shape is recorded): its
    weights load into a model that was called first."""
    if model_case.id == "subclassed":
        with pytest.raises(ValueError, match="Call the Model first, then load the weights"):
            keras.models.load_model(FILES / "subclassed.h5")
        model = _saving_zoo.MODELS["subclassed"](keras)
        model.load_weights(FILES / "subclassed.h5")
        for mine, theirs in zip(model.get_weights(), arrays(model_case, "weights"), strict=True):
            np.testing.assert_array_equal(mine, theirs)
        return
    model = keras.models.load_model(FILES / f"{model_case.id}.h5")
    for mine, theirs in zip(model.get_weights(), arrays(model_case, "weights"), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(model.optimizer.variables, arrays(model_case, "optimizer"),
                            strict=True):
        np.testing.assert_array_equal(mine.numpy(), theirs)
    predictions = as_list(model.predict(inputs(model_case), verbose=0))
    for mine, theirs in zip(predictions, arrays(model_case, "predictions"), strict=True):
        assert_matches_keras(mine, theirs, rtol=1e-5, what=f"{model_case.id} predictions")
    fresh = _saving_zoo.MODELS[model_case.id](keras)
    fresh.load_weights(FILES / f"{model_case.id}.h5")
    for mine, theirs in zip(fresh.get_weights(), arrays(model_case, "weights"), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_weights_file_given_to_load_model():
    with pytest.raises(ValueError, match="No model config found in the file at .*weights.h5"):
        keras.models.load_model(FILES / "cnn.weights.h5")


def test_signatures_are_keras_own():
    """Shift+Tab tells the truth: the saving API's parameters, order and defaults."""
    import inspect

    expected = next(c for c in CASES if c["kind"] == "signatures")["signatures"]
    for qualified, signature in expected.items():
        obj = keras
        for part in qualified.split("."):
            obj = getattr(obj, part)
        assert str(inspect.signature(obj)) == signature, qualified
