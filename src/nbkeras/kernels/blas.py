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

OWN_THRESHOLD = 1 << 18
"""OpenBLAS' own limit: up to this many multiply-adds it stays on one thread by itself, and
nothing needs switching (a Dense layer of the digits MLP: 32 x 64 x 128 = 2^18)."""

_switches = None


def _thread_switches():
    """(get, set) functions of every BLAS loaded in the process. SciPy's is loaded here first,
    so that both NumPy's and Numba's are found. OpenBLAS' own C functions are called directly:
    threadpoolctl's methods cost 20 microseconds a call, these less than one."""
    global _switches
    if _switches is None:
        import scipy.linalg.cython_blas  # noqa: F401  (the BLAS behind Numba's np.dot)

        _switches = []
        for lib in ThreadpoolController().lib_controllers:
            if lib.user_api != "blas":
                continue
            functions = None
            if lib.internal_api == "openblas" and lib.threading_layer == "pthreads":
                for prefix in ("", "scipy_"):
                    for suffix in ("", "64_", "_64"):
                        get = getattr(lib.dynlib, f"{prefix}openblas_get_num_threads{suffix}",
                                      None)
                        put = getattr(lib.dynlib, f"{prefix}openblas_set_num_threads{suffix}",
                                      None)
                        if get is not None and put is not None and functions is None:
                            functions = (get, put)
            _switches.append(functions or (lib.get_num_threads, lib.set_num_threads))
    return _switches


class single_threaded:
    """A context in which every BLAS runs on the calling thread; the previous thread counts
    come back on exit."""

    __slots__ = ("_previous",)

    def __enter__(self):
        self._previous = previous = []
        for get, put in _thread_switches():
            threads = get()
            previous.append(threads)
            if threads != 1:
                put(1)
        return self

    def __exit__(self, *exc_info):
        for (_, put), threads in zip(_thread_switches(), self._previous, strict=True):
            if threads != 1:
                put(threads)
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
    small enough for one thread but large enough for OpenBLAS to thread it, else BLAS as it
    is."""
    if OWN_THRESHOLD < multiply_adds < SMALL_PRODUCT:
        return single_threaded()
    return _UNCHANGED
