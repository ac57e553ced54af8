"""Running kernels on the machine's cores: Numba's threads for the parallel forms of the
elementwise and softmax-family kernels, the thread dealer for the rest, and the cuts of large
arrays.

The elementwise kernels (``elementwise.unary``) and the softmax family (``reductions.along_axis``)
have parallel forms: one Numba function per argument pattern whose ``prange`` loop calls the
ordinary kernel on each piece of the arrays. Numba runs it on its own threads (OpenMP here), which
take work without Python's global lock and spin a few milliseconds after each loop before they
sleep, so a helper is awake for the next kernel of a training step, as PyTorch's OpenMP threads
are. ``numba_parallel`` says when those forms may run.

The Numba kernels release Python's global lock (``nogil``, see ``_jit.py``), so plain Python
threads run them at the same time too. ``deal`` hands units of work to the calling thread and to
``THREADS - 1`` helper threads; convolution, Winograd and attention cut their work into units
themselves. ``reductions.reduce`` (sums), the normalisation forwards, and the two families above
where Numba has no thread-safe threading layer, cut theirs with ``pieces``:

- an elementwise kernel (``elementwise.THREADED``) gets contiguous pieces of the flat arrays;
- a kernel over rows (``(outer, n, inner)`` layouts) gets whole rows, ``x3[first:last]``.

Every output element is then computed by exactly one thread, by the same instructions in the
same order as on one thread, so the results are the same bits whatever the number of threads
and whichever thread took which piece. Only arrays of at least ``PARALLEL_ELEMENTS`` elements
are cut: below that, waking a helper costs more than it saves.
"""

import collections
import concurrent.futures
import contextlib
import os
import threading

from nbkeras.kernels import blas

THREADS = min(2, os.cpu_count() or 1)
"""Threads that share the work of one kernel call (the results do not depend on it)."""

PARALLEL_ELEMENTS = 1 << 19
"""Fewest elements (of the largest array a kernel walks) for which a call is cut over
``THREADS`` threads by the thread dealer: 2^19 float32, 2 MiB (the parallel forms on Numba's
threads pay off sooner: ``NUMBA_PARALLEL_ELEMENTS``).

Measured on the project's 2-core VM (``crossover`` in benchmarks/bench_foundation.py: relu,
sigmoid and a softmax over rows of 1000 at 2^12 ... 2^20 elements, one thread against two,
interleaved, the best of three medians; December 2026, with other processes sharing the
machine): handing pieces to the helper thread and waiting for it costs 10-20 microseconds
even when there is nothing to do, and a helper that sleeps takes 0.1 ms to over 1 ms to
wake. Below 2^18 elements two threads lost in every run, for every kernel (2-19x slower at
2^12-2^16). From 2^19 on, the costly kernels won whenever the second core was free: at 2^20
the sigmoid's forward and backward went from 1.04 to 0.73 ms and the softmax's from 2.2 to
1.4 ms. Memory-bound kernels (relu, products: 0.1 ms for 2^20 elements, from the L3 cache)
gained nothing at any size measured; cut from 2^19 on like the others, they lose a few
tens of microseconds."""

NUMBA_PARALLEL_ELEMENTS = 1 << 16
"""Fewest elements for which a kernel with a parallel form runs it on Numba's threads: 2^16
float32, 256 KiB. Numba's helper spins for a few milliseconds after each loop, so it is
awake when the next call comes: measured on the project's 2-core VM (``crossover`` in
benchmarks/bench_foundation.py, December 2026, quiet), two threads against one took 0.91 and
0.63 of the time (sigmoid, softmax) at 2^16 elements, 0.85 and 0.79 at 2^15, 1.41 and 0.92 at
2^14, and 0.56 and 0.51 at 2^20."""

PIECES = 4
"""Most pieces per thread: a helper that waits for a core (other processes run too) leaves
its pieces to the calling thread instead of holding the whole call up."""

PIECE_ELEMENTS = 1 << 16
"""Fewest elements per piece beyond the first ``THREADS`` pieces (each piece costs a few
microseconds of Python)."""

_pool = None
_pool_pid = None

_numba_parallel = None
"""Whether the parallel forms may run (None: not asked yet; see ``numba_parallel``)."""


def numba_parallel():
    """Whether the kernels' parallel forms (``@kernel(parallel=True)``) may run: more than one
    thread, and a Numba threading layer that is safe to enter from several threads at once
    (OpenMP or TBB). Numba's fallback layer, the workqueue, ends the process when two threads
    start parallel loops at the same time (the thread dealer's helpers or a user's threads
    would), so with it, or with none, the callers cut their work for ``deal`` instead. The
    first call starts Numba's threads."""
    global _numba_parallel
    if THREADS == 1:
        return False
    if _numba_parallel is None:
        import numba
        from numba.np.ufunc import parallel

        try:
            parallel._launch_threads()
            _numba_parallel = numba.threading_layer() in ("omp", "tbb")
        except (ImportError, ValueError):  # no threading layer could be loaded
            _numba_parallel = False
    return _numba_parallel


def _after_fork_in_child():
    # GNU OpenMP is not fork-safe: a child whose parent started its threads would hang in its
    # first parallel loop. Such a child deals its work out with Python threads instead.
    global _numba_parallel
    if _numba_parallel:
        import numba

        _numba_parallel = False if numba.threading_layer() == "omp" else None


os.register_at_fork(after_in_child=_after_fork_in_child)


def run_parallel(parallel_form, code, *arrays, grain):
    """Call a parallel form: ``parallel_form(code, *arrays, grain)`` runs the kernel numbered
    ``code`` on pieces of ``grain`` rows or elements (one place, so a test can see the cut)."""
    parallel_form(code, *arrays, grain)


def _helpers():
    """The helper threads (made again in a forked child, where the parent's threads are
    gone)."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = concurrent.futures.ThreadPoolExecutor(
            max(1, THREADS - 1), thread_name_prefix="nbkeras")
        _pool_pid = os.getpid()
    return _pool


# The calling thread works too, and units are taken, not assigned: on a loaded machine a helper
# thread may wait milliseconds for a core, and a fixed half of the work would wait with it
# (measured: a 2-thread GEMM after an idle moment took 30 ms instead of 1 ms while other
# processes kept the second core busy). Here whoever is running takes the next unit, and a
# helper that never gets a core is simply not waited for.
def deal(lanes, work, single_threaded_blas=True):
    """Call ``work(unit, thread)`` for every unit of every lane (a list of lists of units).

    The units of one lane run one at a time, in their order (a lane may add into one running
    sum, or write overlapping memory); different lanes run at the same time, on this thread
    (``thread`` 0) and on ``THREADS - 1`` helpers (1, 2, ...), with single-threaded BLAS (unless
    ``single_threaded_blas`` is False: work that calls no BLAS skips the switch). Which thread
    runs a unit varies from call to call, so ``work`` must give the same bits whatever its
    ``thread``: ``thread`` only picks a scratch buffer. One lane, or one thread, runs here in
    order with BLAS left as it is.
    """
    lanes = [collections.deque(lane) for lane in lanes if len(lane)]
    if THREADS == 1 or len(lanes) <= 1:
        for lane in lanes:
            for unit in lane:
                work(unit, 0)
        return
    locks = [threading.Lock() for _ in lanes]

    def worker(thread):
        count = len(lanes)
        first = thread * count // THREADS  # threads start far apart
        for k in range(count):
            lane, lock = lanes[(first + k) % count], locks[(first + k) % count]
            # a lane held by another thread is that thread's to finish: skip it
            while lane and lock.acquire(blocking=False):
                try:
                    if lane:
                        work(lane.popleft(), thread)
                finally:
                    lock.release()

    pool = _helpers()
    with blas.single_threaded() if single_threaded_blas else contextlib.nullcontext():
        helpers = [pool.submit(worker, thread) for thread in range(1, THREADS)]
        try:
            worker(0)
        finally:
            for helper in helpers:  # one that has not started finds nothing left: cancel it
                if not helper.cancel():
                    helper.result()  # (re-raises a helper's exception)


def in_threads(worker, units):
    """Run ``worker(share)`` for each share 0 .. THREADS - 1 of the work (each share on
    whichever thread is free: see ``deal``); just ``worker(0)`` when there is one thread or
    fewer than two ``units`` of work."""
    if THREADS == 1 or units <= 1:
        worker(0)
        return
    deal([[share] for share in range(THREADS)], lambda share, thread: worker(share))


def pieces(count, elements, grain=1, numba=False):
    """Cut ``range(count)`` (rows, or flat elements) into contiguous ``(first, last)`` pieces,
    each a multiple of ``grain`` long but the last, for a kernel call that walks ``elements``
    elements in all; one piece when that is fewer than ``PARALLEL_ELEMENTS`` (for a parallel
    form on Numba's threads, ``numba=True``: ``NUMBA_PARALLEL_ELEMENTS``) or there is one
    thread."""
    smallest = NUMBA_PARALLEL_ELEMENTS if numba else PARALLEL_ELEMENTS
    if THREADS == 1 or elements < smallest or count < 2:
        return [(0, count)]
    wanted = min(THREADS * PIECES, count, max(THREADS, elements // PIECE_ELEMENTS))
    size = -(-count // wanted)
    size = -(-size // grain) * grain
    return [(first, min(first + size, count)) for first in range(0, count, size)]


def over_pieces(cuts, call):
    """``call(first, last)`` for every piece of ``cuts`` (from ``pieces``), each on whichever
    thread is free (no BLAS inside: its thread count is left alone)."""
    if len(cuts) == 1:
        call(*cuts[0])
        return
    deal([[piece] for piece in cuts], lambda piece, thread: call(*piece),
         single_threaded_blas=False)


def by_rows(kernel_function, *args, rows):
    """``kernel_function(*args)`` with the arrays at positions ``rows`` cut along their first
    axis (all of the same length) into ``pieces``, one call per piece; the other arguments
    are passed whole. Each output row is written by one call, so the result does not depend on
    the cut."""
    count = args[rows[0]].shape[0]
    elements = max(a.size for a in args if hasattr(a, "size"))
    cuts = pieces(count, elements)
    if len(cuts) == 1:
        kernel_function(*args)
        return

    def call(first, last):
        kernel_function(*(a[first:last] if k in rows else a for k, a in enumerate(args)))

    over_pieces(cuts, call)
