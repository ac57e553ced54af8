"""nbkeras: the tf.keras API, derived chapter by chapter, on Numba kernels.

``import nbkeras as keras`` runs Keras code unchanged where nbkeras supports it.
"""

from nbkeras import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    initializers,
    kernels,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    utils,
)
from nbkeras.autodiff import GradientTape
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers import Input
from nbkeras.models import Model, Sequential
from nbkeras.ops.operation import Operation
from nbkeras.tensor import Tensor, Variable

__version__ = "0.1.0"
