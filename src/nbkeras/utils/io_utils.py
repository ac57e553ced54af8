"""Console output of the training loop (``keras.utils.io_utils``)."""

import sys


def print_msg(message, line_break=True):
    """Write ``message`` to stdout at once (a progress bar redraws itself with ``\\b``/``\\r``,
    so nothing may be buffered)."""
    sys.stdout.write(message + "\n" if line_break else message)
    sys.stdout.flush()
