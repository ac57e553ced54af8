"""``DropoutRNNCell``: the dropout masks of a recurrent cell.

A recurrent layer drops the *same* units at every step of a sequence (Gal and Ghahramani's
variational dropout): one mask for the inputs and one for the recurrent state, drawn once per
call of the layer (``RNN.call`` draws them before the loop and forgets them after it) and
reused by every step. A cell that mixes this class in has ``dropout``, ``recurrent_dropout``
and a ``seed_generator``; ``dropout_mask_count`` > 1 draws one mask per gate.
"""

from nbkeras import ops, random


class DropoutRNNCell:
    """Mixin for cells with ``dropout`` and ``recurrent_dropout`` (as Keras' DropoutRNNCell)."""

    def _create_dropout_mask(self, step_input, rate):
        ones = ops.ones_like(step_input)
        count = getattr(self, "dropout_mask_count", None)
        if count is None:
            return random.dropout(ones, rate, seed=self.seed_generator)
        return [random.dropout(ones, rate, seed=self.seed_generator) for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The mask (of ``step_input``'s shape, entries 0 or 1 / (1 - dropout)) for the inputs,
        drawn on the first request of a call; None without input dropout."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        """The same for the recurrent state (``recurrent_dropout``)."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input,
                                                                     self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        """Forget the input mask: the next call draws a new one."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None
