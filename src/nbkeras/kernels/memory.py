"""Freed memory stays with the process, so that big arrays do not fault in their pages again.

A training step allocates the same large arrays every step (activations, their cotangents,
convolution columns) and frees them all at its end. glibc's malloc serves blocks above its mmap
threshold with fresh ``mmap`` calls, and gives the top of its heap back to the system when more
than its trim threshold lies free there; both thresholds adapt, but only up to 32 MiB and twice
that. So each step freed a few tens of MiB and took them back from the kernel, page by page:
every first write to a 4 KiB page is a page fault, costly in a virtual machine. Measured on the
project machine, the CNN step of the benchmarks: relu forward 2.7 -> 0.6 ms, relu backward
4.6 -> 1.1 ms, max-pool backward 3.7 -> 1.9 ms with the thresholds below.

``keep_freed_memory`` raises both thresholds once (glibc only; elsewhere it does nothing). The
process keeps what it has freed, up to ``TRIM_THRESHOLD`` of free heap, for the next step; its
peak memory does not change.
"""

import ctypes
import ctypes.util
import sys

MMAP_THRESHOLD = 64 << 20
"""Blocks from this size up still get their own ``mmap`` (and go back to the system when freed)."""

TRIM_THRESHOLD = 512 << 20
"""Free memory at the top of the heap beyond this goes back to the system."""

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)

tuned = False
"""Whether ``keep_freed_memory`` changed malloc's thresholds in this process."""


def keep_freed_memory():
    """Raise glibc malloc's mmap and trim thresholds (once); True if they were set."""
    global tuned
    if tuned or not sys.platform.startswith("linux"):
        return tuned
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return tuned
