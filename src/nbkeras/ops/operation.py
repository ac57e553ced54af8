"""Ops on symbolic tensors: ``keras.ops.relu(x)`` or ``x * 2`` on a ``keras.Input``.

In a functional model the ops of ``keras.ops`` are graph steps like the layers. Called on a
KerasTensor, an op computes nothing: it makes an ``Operation`` (an object of Keras' class for
that op, ``Relu``, ``Multiply``, ``NotEqual``, ...), which records a ``Node`` as a layer call
does and returns KerasTensors of the output's shape and dtype. A model call then runs the
Operation like a layer, on the values; ``get_config`` writes it as Keras does (module
``keras.src.ops.numpy`` and so on, the op's options in its config), and a Keras file holding such
steps loads. A layer's mask computed in a graph makes steps too (``Layer.__call__`` runs
``compute_mask`` on the KerasTensors): an ``Embedding(mask_zero=True)`` followed by an LSTM has
a ``NotEqual`` step whose output the LSTM's call takes as ``mask``, here as in Keras.

How an op takes part: its function starts with

    if type(x) is KerasTensor:
        return symbolic_call("relu", locals())

(``any_symbolic(...)`` for an op on a list of tensors or on three or more: the inline test costs
about 45 ns per call, the helper's call about 300 ns, and every eager op of a training step
pays it). ``KERAS_OPERATIONS`` names its Keras class, the module Keras keeps it in, and which of its
parameters are the tensors of the call (``call``); the other parameters are the class's
constructor options, written in its config (Keras' constructor takes the same names as the
function, in the same order: a test compares the table with Keras' classes).

The output's shape comes from running the op itself twice on small arrays standing in for the
inputs, with every unknown size (None) set to 5 in the first run and to 7 in the second: a size
that changes between the runs is unknown in the output too. Floats stand in as numbers in
[0.5, 1.5), integers as 0 and booleans as True, so logarithms, divisions and indices stay
valid.
"""

import inspect

import numpy as np

from nbkeras import dtypes
from nbkeras.keras_tensor import KerasTensor
from nbkeras.ops.node import Node
from nbkeras.tensor import Tensor
from nbkeras.utils import naming, tree

TRIAL_SIZES = (5, 7)
"""The sizes that unknown (None) dimensions take in the two runs that find an output's
shape."""


def any_symbolic(*values):
    """True if a value (or an item of a list or tuple among them) is a KerasTensor."""
    for value in values:
        if type(value) is KerasTensor:
            return True
        if isinstance(value, (list, tuple)) and any_symbolic(*value):
            return True
    return False


class Operation:
    """One step of a functional graph that is not a layer: an op of ``keras.ops`` with its
    options (Keras' ``keras.Operation``).

    Called on KerasTensors it records a ``Node`` and returns KerasTensors
    (``symbolic_call``); called on arrays or tensors it computes (``call``).
    """

    _keras_module = "keras.src.ops.operation"

    def __init__(self, name=None):
        self.name = name if name is not None else naming.auto_name(type(self).__name__)
        self._inbound_nodes = []
        self._outbound_nodes = []

    def __call__(self, *args, **kwargs):
        if any_symbolic(*args, *kwargs.values()):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not implement call()")

    def symbolic_call(self, *args, **kwargs):
        """Record ``self(*args, **kwargs)`` as a node of the graph; returns the output
        KerasTensors."""
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors of the shapes and dtypes ``call`` returns for these inputs, in the
        structure it returns them (two trial runs, see the module's docstring)."""
        runs = []
        for size in TRIAL_SIZES:
            trial_args, trial_kwargs = _stand_ins([args, kwargs], size)
            try:
                runs.append(self.call(*trial_args, **trial_kwargs))
            except Exception as error:
                shapes = [x.shape for x in tree.flatten([args, kwargs])
                          if isinstance(x, KerasTensor)]
                error.add_note(
                    f"(raised by {type(self).__name__} '{self.name}' while it found its output "
                    f"shape for KerasTensors of shapes {shapes}, the unknown sizes set to "
                    f"{size})")
                raise
        specs = [_spec(first, second, self)
                 for first, second in zip(tree.flatten(runs[0]), tree.flatten(runs[1]),
                                          strict=True)]
        return tree.pack_as(runs[0], specs)

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<Operation name={self.name}>"


def _stand_ins(structure, size):
    """``structure`` with each KerasTensor replaced by an array of its shape and dtype, its
    unknown sizes set to ``size``."""
    def stand_in(x):
        if not isinstance(x, KerasTensor):
            return x
        shape = tuple(size if d is None else d for d in x.shape)
        dtype = np.dtype(x.dtype)
        if dtype.kind == "f":
            count = int(np.prod(shape, dtype=np.int64))
            values = 0.5 + (np.arange(count, dtype=np.float64) * 0.618034) % 1.0
            return Tensor(values.reshape(shape).astype(dtype))
        if dtype.kind == "b":
            return Tensor(np.ones(shape, dtype))
        return Tensor(np.zeros(shape, dtype))
    return tree.map_structure(stand_in, structure)


def _spec(first, second, operation):
    """The KerasTensor for one output of the two trial runs."""
    first, second = np.asarray(first), np.asarray(second)
    if first.ndim != second.ndim:
        raise ValueError(
            f"{type(operation).__name__} '{operation.name}': the rank of its output depends on "
            f"the unknown sizes of its inputs ({first.shape} and {second.shape} in two trials); "
            "give the inputs known sizes")
    shape = tuple(a if a == b else None for a, b in zip(first.shape, second.shape, strict=True))
    return KerasTensor(shape, dtype=dtypes.standardize_dtype(first.dtype))


class KerasOperation(Operation):
    """An op of ``keras.ops`` as a graph step: ``function`` (its name in ``nbkeras.ops``),
    ``call_parameters`` (the tensors it is called on) and the options of the constructor (the
    function's other parameters, kept in the config)."""

    function_name = None
    call_parameters = ()
    option_parameters = ()

    def __init__(self, name=None, **options):
        unknown = sorted(set(options) - set(self.option_parameters))
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: unknown options {unknown}; expected some of "
                f"{list(self.option_parameters)} (and name)")
        super().__init__(name=name)
        self.options = options

    def call(self, *args, **kwargs):
        from nbkeras import ops

        function = getattr(ops, self.function_name)
        given = dict(zip(self.call_parameters, args, strict=False))
        given.update(kwargs)
        if self.function_name == "getitem" and isinstance(given.get("key"), list):
            given["key"] = tuple(given["key"])  # a tuple key comes back from JSON as a list
        return function(**given, **self.options)

    def get_config(self):
        # the options as the op's function passed them (cast and one_hot standardize their
        # dtype first, as Keras' do); serialization writes tuples as lists
        return {"name": self.name, **self.options}


KERAS_OPERATIONS = {
    # name in keras.ops: (Keras' module under keras.src.ops, the call's tensor parameters)
    "absolute": ("numpy", ("x",)), "add": ("numpy", ("x1", "x2")),
    "adaptive_average_pool": ("nn", ("inputs",)), "adaptive_max_pool": ("nn", ("inputs",)),
    "all": ("numpy", ("x",)), "any": ("numpy", ("x",)), "argmax": ("numpy", ("x",)),
    "argmin": ("numpy", ("x",)), "average_pool": ("nn", ("inputs",)),
    "binary_crossentropy": ("nn", ("target", "output")),
    "broadcast_to": ("numpy", ("x",)), "cast": ("core", ("x",)),
    "categorical_crossentropy": ("nn", ("target", "output")), "celu": ("nn", ("x",)),
    "clip": ("numpy", ("x",)), "concatenate": ("numpy", ("xs",)),
    "conv": ("nn", ("inputs", "kernel")), "conv_transpose": ("nn", ("inputs", "kernel")),
    "depthwise_conv": ("nn", ("inputs", "kernel")), "divide": ("numpy", ("x1", "x2")),
    "dot_product_attention": ("nn", ("query", "key", "value", "bias", "mask", "scale")),
    "elu": ("nn", ("x",)), "equal": ("numpy", ("x1", "x2")), "exp": ("numpy", ("x",)),
    "expand_dims": ("numpy", ("x",)), "floor": ("numpy", ("x",)),
    "floor_divide": ("numpy", ("x1", "x2")), "full_like": ("numpy", ("x", "fill_value")),
    "gelu": ("nn", ("x",)), "getitem": ("numpy", ("x", "key")), "glu": ("nn", ("x",)),
    "greater": ("numpy", ("x1", "x2")), "greater_equal": ("numpy", ("x1", "x2")),
    "hard_shrink": ("nn", ("x",)), "hard_sigmoid": ("nn", ("x",)),
    "hard_silu": ("nn", ("x",)), "hard_tanh": ("nn", ("x",)), "isfinite": ("numpy", ("x",)),
    "isnan": ("numpy", ("x",)), "leaky_relu": ("nn", ("x",)), "less": ("numpy", ("x1", "x2")),
    "less_equal": ("numpy", ("x1", "x2")), "log": ("numpy", ("x",)),
    "log1p": ("numpy", ("x",)), "log_sigmoid": ("nn", ("x",)), "log_softmax": ("nn", ("x",)),
    "logical_and": ("numpy", ("x1", "x2")), "logical_not": ("numpy", ("x",)),
    "logical_or": ("numpy", ("x1", "x2")), "logsumexp": ("math", ("x",)),
    "matmul": ("numpy", ("x1", "x2")), "max": ("numpy", ("x",)),
    "max_pool": ("nn", ("inputs",)), "maximum": ("numpy", ("x1", "x2")),
    "mean": ("numpy", ("x",)), "min": ("numpy", ("x",)), "minimum": ("numpy", ("x1", "x2")),
    "mod": ("numpy", ("x1", "x2")), "moments": ("nn", ("x",)),
    "multiply": ("numpy", ("x1", "x2")), "negative": ("numpy", ("x",)),
    "normalize": ("nn", ("x",)), "not_equal": ("numpy", ("x1", "x2")),
    "one_hot": ("nn", ("x",)), "ones_like": ("numpy", ("x",)),
    "pad": ("numpy", ("x", "constant_values")), "power": ("numpy", ("x1", "x2")),
    "prod": ("numpy", ("x",)), "relu": ("nn", ("x",)), "relu6": ("nn", ("x",)),
    "repeat": ("numpy", ("x",)), "reshape": ("numpy", ("x",)), "round": ("numpy", ("x",)),
    "rsqrt": ("math", ("x",)), "selu": ("nn", ("x",)),
    "separable_conv": ("nn", ("inputs", "depthwise_kernel", "pointwise_kernel")),
    "sigmoid": ("nn", ("x",)), "sign": ("numpy", ("x",)), "silu": ("nn", ("x",)),
    "soft_shrink": ("nn", ("x",)), "softmax": ("nn", ("x",)), "softplus": ("nn", ("x",)),
    "softsign": ("nn", ("x",)), "sparse_categorical_crossentropy": ("nn", ("target", "output")),
    "sparse_plus": ("nn", ("x",)), "sparse_sigmoid": ("nn", ("x",)),
    "sparsemax": ("nn", ("x",)), "sqrt": ("numpy", ("x",)), "square": ("numpy", ("x",)),
    "squareplus": ("nn", ("x",)), "squeeze": ("numpy", ("x",)), "stack": ("numpy", ("x",)),
    "subtract": ("numpy", ("x1", "x2")), "sum": ("numpy", ("x",)),
    "take": ("numpy", ("x", "indices")), "take_along_axis": ("numpy", ("x", "indices")),
    "tanh": ("numpy", ("x",)), "tanh_shrink": ("nn", ("x",)), "threshold": ("nn", ("x",)),
    "transpose": ("numpy", ("x",)), "true_divide": ("numpy", ("x1", "x2")),
    "where": ("numpy", ("condition", "x1", "x2")), "zeros_like": ("numpy", ("x",)),
}
"""The ops that take KerasTensors. Keras' class for an op is its name in CamelCase
(``not_equal`` -> ``NotEqual``), but for ``getitem`` (``GetItem``: what ``x[key]`` records);
``ops.abs`` records ``absolute`` as Keras does."""

_CLASS_NAMES = {"getitem": "GetItem"}

_classes = {}  # name in keras.ops -> its KerasOperation class, made on first use


def operation_class(name):
    """The ``KerasOperation`` subclass for the op ``name`` of ``KERAS_OPERATIONS``."""
    cls = _classes.get(name)
    if cls is None:
        from nbkeras import ops

        module, call_parameters = KERAS_OPERATIONS[name]
        parameters = inspect.signature(getattr(ops, name)).parameters
        class_name = _CLASS_NAMES.get(name, "".join(p.capitalize() for p in name.split("_")))
        cls = type(class_name, (KerasOperation,), {
            "__doc__": f"``keras.ops.{name}`` as a step of a functional graph.",
            "__module__": __name__,
            "_keras_module": f"keras.src.ops.{module}",
            "_keras_registered_name": class_name,
            "function_name": name,
            "call_parameters": call_parameters,
            "option_parameters": tuple(p for p in parameters if p not in call_parameters),
        })
        _classes[name] = cls
    return cls


def operation_classes():
    """Every op's class by its Keras class name (the table a saved config is read with)."""
    return {cls.__name__: cls for cls in map(operation_class, KERAS_OPERATIONS)}


def symbolic_call(name, arguments):
    """``keras.ops.<name>`` on KerasTensors: the op's Operation, recorded in the graph, and its
    output KerasTensors. ``arguments``: the function's parameters and their values (its
    ``locals()`` on entry)."""
    cls = operation_class(name)
    options = {p: arguments[p] for p in cls.option_parameters}
    return cls(**options).symbolic_call(*[arguments[p] for p in cls.call_parameters])
