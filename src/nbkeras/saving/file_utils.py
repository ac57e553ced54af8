"""Atomic file writes: a save either replaces the old file whole, or leaves it as it was.

Keras writes a model file straight into its destination, so an exception half-way through (a
layer whose ``get_config`` fails, a full disk) leaves a truncated file where a good one used to
be. nbkeras writes into a temporary file in the same folder, then renames it over the target
with ``os.replace``, which POSIX and Windows both perform as one step on the same file system.
"""

import contextlib
import os
import tempfile


def _permissions_for(filepath):
    """The mode the saved file should get: that of the file it replaces, or what a plain
    ``open(filepath, "w")`` would give (0o666 less the umask)."""
    try:
        return os.stat(filepath).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(filepath):
    """``with atomic_write(path) as tmp:`` write the file at ``tmp``; on a clean exit it
    replaces ``path`` at once, and on an exception it is deleted and ``path`` is untouched.

    The temporary name is ``.<random>.tmp.<name of path>`` in the same folder: it ends with the
    target's own name, so writers that check the suffix (``.weights.h5``, ``.keras``) accept
    it, and the rename never crosses file systems."""
    filepath = os.fspath(filepath)
    folder, name = os.path.split(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"Cannot save to filepath={filepath}: the folder {folder!r} does not exist"
        )
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=f".tmp.{name}", dir=folder)
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, _permissions_for(filepath))
        os.replace(temporary, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def ask_to_proceed_with_overwrite(filepath):
    """Keras' prompt for ``overwrite=False`` when the file exists: True to overwrite."""
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True
