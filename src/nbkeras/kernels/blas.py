"""How many threads BLAS may use: small matrix products run on the calling thread.

OpenBLAS splits any product of more than 2^18 multiply-adds over all its threads, and after each
call its threads keep spinning (yielding the core) for a while before they sleep. Two costs
follow on a small machine. A product a little over that limit (a Dense layer's 64 x 1600 x 10)
waits for a second thread to be woken and scheduled, and while the spinning threads hold a core
everything else (the elementwise kernels, the Python between the ops) runs slower. NumPy and
SciPy (whose BLAS Numba's ``np.dot`` calls) each bring their own OpenBLAS and thread pool, so
both can spin at once.

Measured on the project's 2-core machine with other processes running: the CNN train_on_batch
step of the benchmarks took 101-105 ms with OpenBLAS free to thread, 38-49 ms with
``OPENBLAS_NUM_THREADS=1``. So a product of fewer than ``SMALL_PRODUCT`` multiply-adds runs
inside ``single_threaded()``, and larger ones (where a second core pays for its wake-up) keep
BLAS' own setting. BLAS computes each output element on one thread, so the thread count never
changes a bit of the result.
"""

from threadpoolctl import ThreadpoolController

SMALL_PRODUCT = 1 << 23
"""Multiply-adds below which a product runs on one thread (about 0.1-0.2 ms of one core)."""

_libraries = None


def _blas_libraries():
    """threadpoolctl's handles of every BLAS loaded in the process. SciPy's is loaded here
    first, so that both NumPy's and Numba's are found."""
    global _libraries
    if _libraries is None:
        import scipy.linalg.cython_blas  # noqa: F401  (the BLAS behind Numba's np.dot)

        _libraries = [lib for lib in ThreadpoolController().lib_controllers
                      if lib.user_api == "blas"]
    return _libraries


class single_threaded:
    """A context in which every BLAS runs on the calling thread; the previous thread counts
    come back on exit (about 3 microseconds for both)."""

    __slots__ = ("_previous",)

    def __enter__(self):
        self._previous = []
        for lib in _blas_libraries():
            threads = lib.get_num_threads()
            self._previous.append(threads)
            if threads != 1:
                lib.set_num_threads(1)
        return self

    def __exit__(self, *exc_info):
        for lib, threads in zip(_blas_libraries(), self._previous, strict=True):
            if threads != 1:
                lib.set_num_threads(threads)
        return False


class _Unchanged:
    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


_UNCHANGED = _Unchanged()


def threads_for(multiply_adds):
    """The context to run a product of ``multiply_adds`` in: ``single_threaded()`` when it is
    small, else BLAS as it is."""
    return single_threaded() if multiply_adds < SMALL_PRODUCT else _UNCHANGED
