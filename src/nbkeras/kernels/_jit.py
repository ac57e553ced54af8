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

OPTIONS = {"error_model": "numpy", "nogil": True, "fastmath": False}
"""Numba options of every kernel, besides ``cache=True``. ``nogil``: a kernel releases Python's
global lock while it runs, so kernels can run in several threads at once (convolution does).

``fastmath`` is given (False) even though it is Numba's default: a kernel that does not set it
*inherits* it from whichever kernel's compilation first needs it (Numba's
``inherit_if_not_set("fastmath")``). ``exp_block`` compiled first for the contracted
``tanh_block`` was contracted too, and so were gelu, mish and eight other kernels that call it
afterwards in that process and in every process that loaded them from the cache (17 of 4099
gelu values changed in their last bits): the bits depended on which kernel had run first. A
test compiles the two orders in fresh caches."""


def _allow_512_bit_vectors():
    """Let LLVM vectorise in 512-bit registers (16 float32) on a CPU with AVX-512, instead of
    the 256-bit ones (8 float32) that its tuning for Intel's AVX-512 CPUs prefers; returns the
    CPU features set, or None where nothing changed.

    LLVM holds back because the first AVX-512 CPUs (Skylake-SP, 2017) lowered their clock for
    512-bit arithmetic, so short bursts of it could cost more than they saved. The loops here
    are long: measured on the project's VM (an AVX-512 Xeon; December 2026, 14 processes of
    each build alternated, one thread, the best of 100 calls each, median of the ratios), the
    float32 exp, sigmoid, log, tanh, softplus and gelu of 1e6 elements took 0.73-0.82x the
    time and the softmax forward 0.83x; kernels bound by memory (products, relu) and arrays of
    2048 elements were not slower (0.93-0.98x). PyTorch runs its AVX-512 kernels on the same
    CPU. The bits do not change: each lane computes its element with the same instructions
    whatever the register width, and the sums keep their documented order (no ``fastmath``, so
    LLVM never reorders them); a test compares the two widths' results bit for bit.

    Numba takes the CPU features once, when it sets up its compiler, and for every function of
    the process (a user's own ``@njit`` functions get the wider vectors too: only a setting of
    the whole compiler exists). So this does nothing when the user chose the target themselves
    (``NUMBA_CPU_FEATURES`` or ``NUMBA_CPU_NAME``, as for a cache shared between machines) or
    when Numba's compiler was already set up before nbkeras was imported."""
    from numba.core.codegen import get_host_cpu_features
    from numba.core.registry import cpu_target

    if numba.config.CPU_FEATURES is not None or numba.config.CPU_NAME is not None:
        return None
    if "_toplevel_target_context" in vars(cpu_target):  # Numba's compiler is set up already
        return None
    features = get_host_cpu_features()
    if "+avx512f" not in features.split(","):
        return None
    numba.config.CPU_FEATURES = features + ",-prefer-256-bit"
    return numba.config.CPU_FEATURES


WIDE_VECTOR_FEATURES = _allow_512_bit_vectors()
"""The CPU features nbkeras gave Numba (``_allow_512_bit_vectors``), or None."""


def kernel(function=None, *, float64_accumulator=False, integer=False, contract=False,
           parallel=False):
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
    - ``parallel=True`` (``@kernel(parallel=True)``), for the parallel forms only: a ``prange``
      loop over pieces of the arrays, each piece one call of an ordinary kernel, run on Numba's
      own threads (see ``threads.numba_parallel``).

    Constants inside kernels are written ``t(0.5)`` with ``t = x.dtype.type``: a bare ``0.5``
    (or even ``1``) would silently turn float32 arithmetic into float64. A kernel that sums many
    float32 terms declares ``float64_accumulator=True``; a test checks that every other kernel's
    float32 machine code never widens a value to double. A kernel on integers only declares
    ``integer=True``; a test checks that its code never converts to floating point (Numba
    computes int64 mixed with uint64 in float64).
    """

    def compile_(function):
        options = dict(OPTIONS, fastmath={"contract"}) if contract else dict(OPTIONS)
        if parallel:
            options["parallel"] = True
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
