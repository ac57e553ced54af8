"""Collects reference cases and writes them as JSON (metadata) + NPZ (arrays)."""

import json

import numpy as np


class Recorder:
    def __init__(self, family, seed=0):
        self.family = family
        self.cases = []
        self.arrays = {}
        self.rng = np.random.default_rng(seed)

    def array(self, case_id, name, value):
        key = f"{case_id}/{name}"
        if key in self.arrays:
            raise ValueError(f"duplicate array {key}")
        self.arrays[key] = np.asarray(value)
        return key

    def add(self, case_id, **meta):
        if any(c["id"] == case_id for c in self.cases):
            raise ValueError(f"duplicate case id {case_id}")
        self.cases.append({"id": case_id, **meta})

    def save(self, directory, versions):
        header = {
            "family": self.family,
            "generated_by": "tools/make_reference.py",
            "versions": versions,
            "cases": self.cases,
        }
        (directory / f"{self.family}.json").write_text(json.dumps(header, indent=1) + "\n")
        np.savez_compressed(directory / f"{self.family}.npz", **self.arrays)


def jsonable(value, rec, key):
    """A result as JSON, with arrays stored in ``rec``'s npz under ``key`` (``{"array": key}``);
    nested dicts and lists keep their structure, their arrays keyed ``key/<k>`` and ``key/<i>``."""
    if isinstance(value, dict):
        return {k: jsonable(v, rec, f"{key}/{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, rec, f"{key}/{i}") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray) and value.ndim > 0:
        rec.arrays[key] = value
        return {"array": key}
    if isinstance(value, (np.generic, np.ndarray)):
        return value.item()
    return value
