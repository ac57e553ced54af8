"""Freeze real-Keras reference cases into tests/reference/ (run by `make reference`).

Runs in its own virtual environment with tensorflow-cpu==2.21.0 and keras==3.15.1 (never the
project's .venv: nbkeras' tests must not need TensorFlow). Each module in tools/reference/
builds the cases of one family; this script writes tests/reference/<family>.json (what to call,
with which options) and tests/reference/<family>.npz (inputs, cotangents, Keras' outputs and
gradients). nbkeras is never imported here: every expected number comes from Keras.

    .venv-reference/bin/python tools/make_reference.py [family ...]
"""

import importlib
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

# One module per family in tools/reference/ (modules starting with "_" are helpers).
FAMILIES = sorted(
    p.stem for p in (ROOT / "tools" / "reference").glob("*.py") if not p.stem.startswith("_")
)
EXPECTED_VERSIONS = {"tensorflow": "2.21.0", "keras": "3.15.1"}


def main(argv):
    import keras
    import tensorflow as tf

    found = {"tensorflow": tf.__version__, "keras": keras.__version__}
    if found != EXPECTED_VERSIONS:
        sys.exit(f"make_reference: expected {EXPECTED_VERSIONS}, found {found}")
    tf.config.experimental.enable_op_determinism()
    families = argv or FAMILIES
    out_dir = ROOT / "tests" / "reference"
    out_dir.mkdir(parents=True, exist_ok=True)
    for family in families:
        if family not in FAMILIES:
            sys.exit(f"make_reference: unknown family {family!r}; expected one of {FAMILIES}")
        module = importlib.import_module(f"reference.{family}")
        recorder = module.build()
        recorder.save(out_dir, versions=found)
        print(f"{family}: {len(recorder.cases)} cases, {len(recorder.arrays)} arrays")


if __name__ == "__main__":
    main(sys.argv[1:])
