"""``keras.metrics.Metric``: the stateful protocol every metric follows.

A metric owns a few non-trainable variables (its *state*). ``update_state`` folds one batch into
them, ``result`` computes the value from them alone, ``reset_state`` zeroes them, and calling the
metric does ``update_state`` then ``result``. Because the state holds sums rather than averages,
the value after several batches is the value of all their samples taken together.
"""

import numpy as np

from nbkeras import dtypes
from nbkeras.tensor import Variable
from nbkeras.utils import naming


class Metric:
    """Base class of all metrics (``keras.metrics.Metric``).

    Subclasses create their state in ``__init__`` with ``add_variable`` and implement
    ``update_state(...)`` and ``result()``. ``dtype`` (default floatx, float32) is the dtype of
    the values the metric computes with; ``name`` defaults to the snake-case class name, made
    unique (``precision``, ``precision_1``, ...).
    """

    _keras_module = "keras.metrics"  # where Keras' configs say the class lives
    # "up" or "down": whether larger values are better, for callbacks that monitor the
    # metric with mode="auto" (EarlyStopping, ModelCheckpoint); None when it is not known
    _direction = None

    def __init__(self, dtype=None, name=None):
        self.name = name or naming.auto_name(type(self).__name__)
        self._dtype = dtypes.standardize_dtype(dtype)
        self._variables = []
        self._metrics = []

    def __setattr__(self, attribute, value):
        # A metric kept as an attribute of another metric contributes its variables (Keras
        # tracks sub-metrics the same way).
        if isinstance(value, Metric) and "_metrics" in self.__dict__:
            self._metrics.append(value)
        super().__setattr__(attribute, value)

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        """The state variables, this metric's own first, then those of its sub-metrics."""
        found = list(self._variables)
        for metric in self._metrics:
            found.extend(metric.variables)
        return found

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """Create a zero-initialised, non-trainable state variable of ``shape`` (dtype floatx
        unless given); its path is ``<metric name>/<name>``."""
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() in __init__ before "
                "add_variable"
            )
        if initializer not in ("zeros", "Zeros"):
            raise ValueError(
                f"{type(self).__name__}.add_variable: only initializer='zeros' is supported "
                f"(metric state starts empty), got {initializer!r}"
            )
        dtype = dtypes.standardize_dtype(dtype)
        variable = Variable(
            np.zeros(tuple(shape), dtype=dtype), trainable=False, aggregation=aggregation,
            name=name,
        )
        variable.path = f"{self.name.replace('/', '>')}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer="zeros", dtype=None, name=None):
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def update_state(self, *args, **kwargs):
        """Fold one batch into the state variables."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_state")

    def result(self):
        """The metric's value, computed from the state variables only."""
        raise NotImplementedError(f"{type(self).__name__} does not implement result")

    def reset_state(self):
        """Zero every state variable (``fit`` does this at the start of each epoch)."""
        for variable in self.variables:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__
