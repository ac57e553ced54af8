"""``save_freq`` as a number of batches, shared by ModelCheckpoint and BackupAndRestore."""


def should_save_on_batch(callback, batch):
    """Whether ``callback`` is due to save after batch ``batch`` of an epoch.

    Counts the batches fit has run in ``callback._batches_seen_since_last_saving``, across
    epochs (a batch index at or below ``callback._last_batch_seen`` means a new epoch began,
    and with ``steps_per_execution`` the indices jump by more than one), and says True, then
    starts again from zero, once ``callback.save_freq`` batches have run since the last save.
    ``save_freq="epoch"`` never saves on a batch."""
    if callback.save_freq == "epoch":
        return False
    last = callback._last_batch_seen
    new_batches = batch + 1 if last is None or batch <= last else batch - last
    callback._batches_seen_since_last_saving += new_batches
    callback._last_batch_seen = batch
    if callback._batches_seen_since_last_saving >= callback.save_freq:
        callback._batches_seen_since_last_saving = 0
        return True
    return False
