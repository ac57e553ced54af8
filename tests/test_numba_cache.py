"""Numba's on-disk cache works for the package: a second process loads, it does not compile."""

import os
import subprocess
import sys

SCRIPT = """
import numpy as np
from nbkeras import ops
from nbkeras.kernels import elementwise, reductions
ops.sum(ops.relu(ops.matmul(ops.sigmoid(np.ones((2, 3), np.float32)), np.ones((3, 2), np.float32))))
kernels = [elementwise.sigmoid, elementwise.relu, reductions.sum_3d]
print(sum(sum(k.stats.cache_hits.values()) for k in kernels),
      sum(sum(k.stats.cache_misses.values()) for k in kernels))
"""


def _run(cache_dir):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    assert result.stderr == "", result.stderr  # no Numba warning on a cold or a warm cache
    hits, misses = map(int, result.stdout.split())
    return hits, misses


def test_second_process_loads_kernels_from_cache(tmp_path):
    assert _run(tmp_path) == (0, 3)  # cold: each kernel compiles and is written to the cache
    assert _run(tmp_path) == (3, 0)  # warm: each kernel is loaded, none compiles
