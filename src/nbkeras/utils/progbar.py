"""``keras.utils.Progbar``: Keras' progress bar, byte for byte.

With ``verbose=1`` every update redraws one line: ``"\\b"`` over the previous line's visible
width, ``"\\r"``, then the bar and the information, padded with spaces when it got shorter,
and a newline only on the final update. A terminal, a notebook and a log file all get the
same bytes (as Keras writes them on Linux). The line reads::

    12/57 ━━━━━━━━━━━━━━━━━━━━ 3s 68ms/step - accuracy: 0.7500 - loss: 0.6234

the step count (bold), 20 segments filled in green up to ``step / total`` and grey for the
rest, the estimated time left (on the final update: the time since the start), the time per
step (from the steps after the first, which carries the start-up cost), and each value with
four decimals (``%.4e`` when its magnitude is at most 1e-3). Redraws closer than ``interval``
seconds to the last one are skipped, except the final one. ``verbose=2`` prints only the
final line, ``12/12 - 1s - 68ms/step - ...``.
"""

import math
import time

import numpy as np

from nbkeras.utils import io_utils

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


class Progbar:
    """A progress bar over ``target`` steps (None: unknown, ``"N/Unknown"``).

    ``width``: segments of the bar; ``verbose``: 1 live bar, 2 final line only, 0 nothing;
    ``interval``: the least seconds between redraws; ``stateful_metrics``: names whose values
    are shown as given (all others are averaged over the steps) or, the other way round,
    ``stateless_metrics``: names that are averaged (all others shown as given);
    ``unit_name``: the unit of ``.../step``.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateless_metrics is not None else set(
            stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._values = {}
        self._values_order = []
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _is_averaged(self, key):
        if self.stateful_metrics is not None:
            return key not in self.stateful_metrics
        return key in self.stateless_metrics

    def update(self, current, values=None, finalize=None):
        """Show step ``current`` with ``values``, a list of ``(name, value)`` pairs;
        ``finalize`` (default: ``current >= target``) ends the line."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for key, value in values or []:
            if key not in self._values_order:
                self._values_order.append(key)
            if not self._is_averaged(key) or finalize:
                self._values[key] = [value, 1]
            else:
                steps = max(current - self._seen_so_far, 1)
                total, count = self._values.get(key, [0.0, 0])
                self._values[key] = [total + value * steps, count + steps]
        self._seen_so_far = current
        now = time.time()
        per_step = self._time_per_step(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw(current, now, per_step, finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = f"{current:>{digits}d}/{self.target} - {now - self._start:.0f}s -"
            line += self._format_time(per_step)
            line += "".join(f" - {k}: {self._value_text(k, signed=False)}"
                            for k in self._values_order)
            io_utils.print_msg(line + "\n", line_break=False)
        self._last_update = now

    def _draw(self, current, now, per_step, finalize):
        message = "\b" * self._prev_total_width + "\r"
        if self.target:
            digits = int(math.log10(self.target)) + 1
            filled = int(self.width * current / self.target)
            bar = f"{_BOLD}{current:>{digits}d}/{self.target}{_RESET} "
            hidden = 8  # escape characters, which take no room on screen
            if filled > 0:
                bar += f"{_GREEN}{'━' * filled}{_RESET}"
                hidden += 9
            bar += f"{_GREY}{'━' * (self.width - filled)}{_RESET}"
            hidden += 9
        else:
            bar, hidden = f"{current:7d}/Unknown", 0
        if self.target and not finalize:
            info = f" {_BOLD}{_format_eta(per_step * (self.target - current))}{_RESET}"
        else:
            info = f" {_BOLD}{now - self._start:.0f}s{_RESET}"
        hidden += 8
        info += self._format_time(per_step)
        info += "".join(f" - {k}: {self._value_text(k, signed=True)}"
                        for k in self._values_order)
        width = len(bar) + len(info) - hidden
        message += bar + info
        if self._prev_total_width > width:
            message += " " * (self._prev_total_width - width)
        if finalize:
            message += "\n"
        io_utils.print_msg(message, line_break=False)
        self._prev_total_width = width

    def _value_text(self, key, signed):
        total, count = self._values[key]
        if not isinstance(total, float):
            total = float(np.mean(total))
        average = total / max(1, count)
        # the live bar compares |value| with 1e-3, the verbose=2 line the value itself
        large = abs(average) > 1e-3 if signed else average > 1e-3
        return f"{average:.4f}" if large else f"{average:.4e}"

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _format_time(self, per_step):
        if per_step >= 1 or per_step == 0:
            return f" {per_step:.0f}s/{self.unit_name}"
        if per_step >= 1e-3:
            return f" {per_step * 1000:.0f}ms/{self.unit_name}"
        return f" {per_step * 1e6:.0f}us/{self.unit_name}"

    def _time_per_step(self, current, now):
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step


def _format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"
