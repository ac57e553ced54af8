"""Running kernels on the machine's cores: the thread dealer, and the cuts of large arrays.

The Numba kernels release Python's global lock (``nogil``, see ``_jit.py``), so plain Python
threads run them at the same time. ``deal`` hands units of work to the calling thread and to
``THREADS - 1`` helper threads; convolution, Winograd and attention cut their work into units
themselves. ``unary`` (elementwise kernels), ``reductions.reduce`` / ``along_axis`` (sums, the
softmax family) and the normalisation forwards cut theirs with ``pieces``:

- an elementwise kernel (of those bound by arithmetic, ``elementwise.THREADED``) gets
  contiguous pieces of the flat arrays;
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
``THREADS`` threads: 2^19 float32, 2 MiB.

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

PIECES = 4
"""Most pieces per thread: a helper that waits for a core (other processes run too) leaves
its pieces to the calling thread instead of holding the whole call up."""

PIECE_ELEMENTS = 1 << 16
"""Fewest elements per piece beyond the first ``THREADS`` pieces (each piece costs a few
microseconds of Python)."""

_pool = None
_pool_pid = None


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


def pieces(count, elements, grain=1):
    """Cut ``range(count)`` (rows, or flat elements) into contiguous ``(first, last)`` pieces,
    each a multiple of ``grain`` long but the last, for a kernel call that walks ``elements``
    elements in all; one piece when that is fewer than ``PARALLEL_ELEMENTS`` or there is one
    thread."""
    if THREADS == 1 or elements < PARALLEL_ELEMENTS or count < 2:
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
