"""Running kernels on the machine's cores: the thread dealer, and the cuts of large arrays.

The Numba kernels release Python's global lock (``nogil``, see ``_jit.py``), so plain Python
threads run them at the same time. ``deal`` hands units of work to the calling thread and to
``THREADS - 1`` helper threads; convolution, Winograd and attention cut their work into units
themselves. ``unary`` (elementwise kernels), ``reductions.reduce`` / ``along_axis`` (sums, the
softmax family) and the normalisation forwards cut theirs with ``pieces``:

- an elementwise kernel gets contiguous pieces of the flat arrays;
- a kernel over rows (``(outer, n, inner)`` layouts) gets whole rows, ``x3[first:last]``.

Every output element is then computed by exactly one thread, by the same instructions in the
same order as on one thread, so the results are the same bits whatever the number of threads
and whichever thread took which piece. Only arrays of at least ``PARALLEL_ELEMENTS`` elements
are cut: below that, waking a helper costs more than it saves.
"""

import collections
import concurrent.futures
import os
import threading
import time

from nbkeras.kernels import blas

THREADS = min(2, os.cpu_count() or 1)
"""Threads that share the work of one kernel call (the results do not depend on it)."""

PARALLEL_ELEMENTS = 1 << 17
"""Fewest elements (of the largest array a kernel walks) for which a call is cut over
``THREADS`` threads.

Measured on the project's 2-core machine (benchmarks/bench_threads.py: an elementwise kernel
of each cost (relu, sigmoid) and a row softmax, one thread against two, medians): handing a
piece to the helper thread and waiting for it costs about 20-40 microseconds, so two threads
win from about 2^15-2^16 elements for the costly kernels (sigmoid, softmax) and 2^17 for the
cheapest (relu, a product: memory bound). 2^17 (512 KiB of float32) is where every kernel
measured was at least as fast on two threads, which leaves small arrays, and the layers of a
small model, on the calling thread."""

PIECES = 4
"""Most pieces per thread: a helper that waits for a core (other processes run too) leaves
its pieces to the calling thread instead of holding the whole call up."""

PIECE_ELEMENTS = 1 << 16
"""Fewest elements per piece beyond the first ``THREADS`` pieces (each piece costs a few
microseconds of Python)."""

SPIN_SECONDS = 1e-3
"""How long a helper thread stays awake after its last piece, looking for the next call's.

A helper that sleeps between calls takes 0.1 ms to more than 1 ms to wake on the project's VM
(the idle virtual core is halted), longer than a whole elementwise kernel on 1e6 floats: in
measurements the calling thread had often finished every piece alone before the helper
started. Awake (yielding its core between looks, ``time.sleep(0)``), it takes the next piece
within microseconds: consecutive ops of a step (a forward, then its backward) find it ready.
After a millisecond without work it goes back to sleep, so an idle process holds no core."""

_pool = None
_pool_pid = None
_lock = threading.Lock()
_jobs = collections.deque()  # calls waiting for an awake helper
_awake = 0  # helpers awake and looking at _jobs


def _helpers():
    """The helper threads (made again in a forked child, where the parent's threads are
    gone)."""
    global _pool, _pool_pid, _awake
    if _pool is None or _pool_pid != os.getpid():
        _pool = concurrent.futures.ThreadPoolExecutor(
            max(1, THREADS - 1), thread_name_prefix="nbkeras")
        _pool_pid = os.getpid()
        with _lock:
            _jobs.clear()
            _awake = 0
    return _pool


def _run(future, function, argument):
    """Run one job (unless its caller cancelled it). The helper counts itself awake again
    before the caller can see the job finish, so that the caller's next call finds it."""
    global _awake
    if not future.set_running_or_notify_cancel():
        with _lock:
            _awake += 1
        return
    try:
        result = function(argument)
    except BaseException as error:
        with _lock:
            _awake += 1
        future.set_exception(error)
    else:
        with _lock:
            _awake += 1
        future.set_result(result)


def _helper(job):
    """A helper thread's life: run ``job``, then look for more for ``SPIN_SECONDS``."""
    global _awake
    while True:
        _run(*job)
        deadline = time.perf_counter() + SPIN_SECONDS
        job = None
        while job is None:
            with _lock:
                if _jobs:
                    job = _jobs.popleft()
                elif time.perf_counter() > deadline:
                    _awake -= 1
                    return
            if job is None:
                time.sleep(0)  # yields the core and Python's lock


def _start(function, argument):
    """``function(argument)`` on a helper thread (an awake one if there is one); its
    future."""
    global _awake
    pool = _helpers()
    future = concurrent.futures.Future()
    job = (future, function, argument)
    with _lock:
        if _awake > 0:
            _awake -= 1
            _jobs.append(job)
            return future
    pool.submit(_helper, job)  # a sleeping helper, or a new one
    return future


class _Unchanged:
    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


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

    with blas.single_threaded() if single_threaded_blas else _Unchanged():
        helpers = [_start(worker, thread) for thread in range(1, THREADS)]
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
