"""``keras.callbacks.CSVLogger``: one row per epoch in a CSV file.

The columns are ``epoch`` and the sorted keys of the first epoch's logs; when none of them is
a validation key, a ``val_<key>`` column is added for each, filled with ``NA`` (so a later fit
with validation can append to the same file). The file is written with Python's csv module in
its Excel dialect (lines end in ``\\r\\n``), flushed after every row, and closed at the end of
training. Keys that appear only in later epochs are not written.
"""

import collections.abc
import csv

import numpy as np

from nbkeras.callbacks.callback import Callback


class CSVLogger(Callback):
    """Write every epoch's logs to ``filename``, columns separated by ``separator``;
    ``append=True`` adds to an existing file (with no second header)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = str(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            mode = "a"
            try:
                with open(self.filename) as f:
                    self.append_header = not f.readline()
            except FileNotFoundError:
                pass
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")  # csv writes its own \r\n
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _cell(value):
    """A value as Keras writes it: strings and numbers as they are, a sequence in brackets."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
            isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value
