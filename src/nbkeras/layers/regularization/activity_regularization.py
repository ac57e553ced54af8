"""``ActivityRegularization``: the identity, plus an L1/L2 penalty on its output in
``layer.losses`` (``l1 * sum|y| + l2 * sum y^2``, divided by the batch size as every activity
regularizer is)."""

from nbkeras import regularizers
from nbkeras.layers.layer import Layer


class ActivityRegularization(Layer):
    """Penalise the activations that pass through (``keras.layers.ActivityRegularization``)."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
