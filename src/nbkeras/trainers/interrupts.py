"""Ctrl-C during fit stops training between two steps, never inside one.

A step updates the weights and the optimizer's slots one variable at a time, in Python: a
KeyboardInterrupt raised in the middle would leave some variables updated and the others
not, and ``optimizer.iterations`` behind them. While fit runs a step, SIGINT only sets a flag,
and the KeyboardInterrupt is raised as soon as the step has finished, so the model holds the
weights of a whole number of steps and the History the epochs that ended. Outside a step
(in a callback, in validation) it is raised at once, as usual, and so is a second Ctrl-C.
Outside the main thread, or when someone else's SIGINT handler is installed, nothing changes.
"""

import contextlib
import signal
import threading


class StepGuard:
    """Runs training steps; a Ctrl-C during one is raised when it returns."""

    def __init__(self):
        self.in_step = False
        self.requested = False

    def run_step(self, step, batch):
        self.in_step = True
        try:
            result = step(batch)
        finally:
            self.in_step = False
        if self.requested:
            self.requested = False
            raise KeyboardInterrupt
        return result

    def _handle(self, signum, frame):
        if not self.in_step or self.requested:
            raise KeyboardInterrupt
        self.requested = True


@contextlib.contextmanager
def interrupt_between_steps():
    """A ``StepGuard`` whose SIGINT handler is installed while the context lasts."""
    guard = StepGuard()
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield guard
        return
    signal.signal(signal.SIGINT, guard._handle)
    try:
        yield guard
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
