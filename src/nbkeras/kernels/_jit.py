"""The one place where the Numba compilation settings are chosen."""

import numba

KERNELS = []
"""Every compiled kernel, in definition order (tests inspect their LLVM IR)."""

FLOAT64_ACCUMULATORS = set()
"""Names of the kernels that accumulate float32 data in float64 on purpose."""

CONTRACTED = set()
"""Names of the kernels compiled with ``contract``: products and sums may fuse into FMA."""

INTEGER_KERNELS = set()
"""Names of the kernels that compute on integers only (the string hashes): their machine code
must hold no conversion to or from floating point at all."""

OPTIONS = {"error_model": "numpy", "nogil": True}
"""Numba options of every kernel, besides ``cache=True``. ``nogil``: a kernel releases Python's
global lock while it runs, so kernels can run in several threads at once (convolution does)."""


def kernel(function=None, *, float64_accumulator=False, integer=False, contract=False):
    """Compile ``function`` with nbkeras' Numba settings (``@kernel`` or ``@kernel(...)``).

    - ``cache=True``: the machine code is stored on disk; a second process loads it instead of
      compiling again (see README: NUMBA_CACHE_DIR for read-only installs).
    - no ``fastmath``: IEEE semantics, so NaN and inf checks keep working and results do not
      depend on how LLVM reorders a sum. The one flag used is ``contract`` (``contract=True``),
      for the polynomial helpers of the float32 exponential, logarithm, tanh and erfc: LLVM may
      then fuse a product and the sum after it into one FMA instruction, rounded once. It
      reorders nothing and keeps NaN and inf; the dense-sweep ulp bounds hold as before, and
      exp, log, tanh, erfc and the sigmoid ran 16-27% faster (one thread, the builds with and
      without it side by side). TensorFlow's own float32 exp has the same bits
      as the build without it on 67.7% of 2 million inputs, and as the build with it on 67.8%:
      nothing of TensorFlow's is lost. Sums, dot products and every kernel whose order of
      roundings is documented stay uncontracted (``CONTRACTED`` lists the contracted ones).
    - ``error_model="numpy"``: 1/0 gives inf, as in NumPy, instead of raising ZeroDivisionError.
    - ``nogil=True``: the kernel runs without holding Python's global interpreter lock.

    Constants inside kernels are written ``t(0.5)`` with ``t = x.dtype.type``: a bare ``0.5``
    (or even ``1``) would silently turn float32 arithmetic into float64. A kernel that sums many
    float32 terms declares ``float64_accumulator=True``; a test checks that every other kernel's
    float32 machine code never widens a value to double. A kernel on integers only declares
    ``integer=True``; a test checks that its code never converts to floating point (Numba
    computes int64 mixed with uint64 in float64).
    """

    def compile_(function):
        options = dict(OPTIONS, fastmath={"contract"}) if contract else OPTIONS
        compiled = numba.njit(cache=True, **options)(function)
        KERNELS.append(compiled)
        if float64_accumulator:
            FLOAT64_ACCUMULATORS.add(function.__name__)
        if integer:
            INTEGER_KERNELS.add(function.__name__)
        if contract:
            CONTRACTED.add(function.__name__)
        return compiled

    return compile_ if function is None else compile_(function)


def _identity(x):
    return x


def start_numba():
    """Make Numba set up its compiler now, at import, instead of at the first kernel call.

    Numba builds its typing and lowering tables the first time any jitted function runs, even
    one it loads from the cache: measured here, 0.3-0.45 s and 40 MB, once per process. Left to
    the first call, that lands in the first step of ``fit`` (a third of a 10-epoch digits MLP
    fit). A framework does such work at import (TensorFlow and PyTorch take longer to import
    than nbkeras with it); ``make bench`` reports the import and fit times together as well."""
    import numpy as np

    numba.njit(cache=True, **OPTIONS)(_identity)(np.zeros(1, np.float32))
