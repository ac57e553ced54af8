"""nbkeras: the tf.keras API, derived chapter by chapter, on Numba kernels.

``import nbkeras as keras`` runs Keras code unchanged where nbkeras supports it.
"""

from nbkeras import activations, backend, config, kernels, losses, metrics, ops, utils
from nbkeras.autodiff import GradientTape
from nbkeras.tensor import Tensor, Variable

__version__ = "0.1.0"

__all__ = [
    "GradientTape", "Tensor", "Variable", "activations", "backend", "config", "kernels", "losses",
    "metrics", "ops", "utils",
]
