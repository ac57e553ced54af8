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
