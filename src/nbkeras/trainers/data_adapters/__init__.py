"""Turning what fit, evaluate and predict receive into batches (``get_data_adapter``)."""

import inspect
import warnings

from nbkeras.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from nbkeras.trainers.data_adapters.generator_data_adapter import GeneratorDataAdapter
from nbkeras.trainers.data_adapters.py_dataset_adapter import PyDataset, PyDatasetAdapter


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                     shuffle=False, class_weight=None):
    """The adapter for ``x``: arrays (with ``y`` and ``sample_weight``), a PyDataset, or a
    generator / iterator of batches."""
    if isinstance(x, PyDataset):
        if y is not None:
            raise ValueError(
                "When providing `x` as a PyDataset, `y` should not be passed. Instead, the "
                "targets should be included as part of the PyDataset."
            )
        if sample_weight is not None:
            raise ValueError(
                "When providing `x` as a PyDataset, `sample_weight` should not be passed. "
                "Instead, the sample weights should be included as part of the PyDataset."
            )
        return PyDatasetAdapter(x, shuffle=shuffle, class_weight=class_weight)
    if inspect.isgenerator(x) or (hasattr(x, "__next__") and hasattr(x, "__iter__")):
        if y is not None:
            raise ValueError(
                "When providing `x` as a generator, `y` should not be passed. Instead, the "
                "targets should be included as part of the generator."
            )
        if sample_weight is not None:
            raise ValueError(
                "When providing `x` as a generator, `sample_weights` should not be passed. "
                "Instead, the sample weights should be included as part of the generator."
            )
        if class_weight is not None:
            raise ValueError(
                "Argument `class_weight` is not supported for Python generator inputs. "
                f"Received: class_weight={class_weight}"
            )
        if shuffle:
            warnings.warn(
                "`shuffle=True` was passed, but will be ignored since the data `x` was provided "
                "as a generator. The generator is expected to yield already-shuffled data.",
                stacklevel=3)
        return GeneratorDataAdapter(x)
    if x is None:
        raise ValueError("No input data: pass `x` (arrays, a PyDataset or a generator)")
    return ArrayDataAdapter(x, y, sample_weight=sample_weight, batch_size=batch_size,
                            steps=steps_per_epoch, shuffle=shuffle, class_weight=class_weight)


__all__ = ["ArrayDataAdapter", "GeneratorDataAdapter", "PyDataset", "PyDatasetAdapter",
           "get_data_adapter"]
