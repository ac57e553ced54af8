"""``keras.Model``: a layer that groups layers, and the base of Sequential and functional models.

There are three ways to make one:

- ``Model(inputs, outputs)`` on symbolic tensors from ``keras.Input`` gives a functional
  model (``models/functional.py``): ``Model.__new__`` hands the call to ``Functional``;
- ``Sequential([...])`` stacks layers (``models/sequential.py``);
- a subclass writes ``__init__`` (its layers, kept as attributes) and ``call``; it is built on
  its first call, when its layers see their input shapes.

Everything a model adds to a layer lives here: ``layers``, ``get_layer``, ``summary``, JSON.
"""

import json
import warnings

from nbkeras.layers.layer import PASS_THROUGH_MASKS, Layer
from nbkeras.models import graph
from nbkeras.trainers.trainer import Trainer


def _functional_arguments(args, kwargs):
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


class Model(Trainer, Layer):
    """A model: layers grouped into one callable with weights, a summary and a config.

    ``Model(inputs, outputs, name=None)`` makes a functional model from ``keras.Input``
    tensors and the tensors computed from them (one tensor, a list or a dict each). A subclass
    defines ``__init__`` (calling ``super().__init__(**kwargs)``) and
    ``call(inputs, training=None, mask=None)``.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_arguments(args, kwargs):
            from nbkeras.models.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        if inputs is not None or outputs is not None:
            raise ValueError(
                f"{type(self).__name__}: a subclass of Model that passes `inputs` and "
                "`outputs` to Model.__init__ is not supported; build the functional model "
                "with keras.Model(inputs, outputs), or write call()"
            )
        super().__init__(name=name, **kwargs)
        self.supports_masking = True
        self._init_trainer_state()

    def call(self, *args, **kwargs):
        raise NotImplementedError(
            f"Model {type(self).__name__} does not have a `call()` method implemented."
        )

    def compute_mask(self, inputs, previous_mask=None):
        return None  # the outputs carry the masks their own layers attached

    # -- layers -------------------------------------------------------------------------------
    @property
    def layers(self):
        """The model's own layers (not those nested inside them), in the order they were
        assigned (subclassed models) or of the graph (functional models)."""
        return list(self._layers)

    @layers.setter
    def layers(self, _):
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Please use another "
            "name."
        )

    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or at position ``index`` of ``layers``."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, "
                f"name={name}."
            )
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[x.name for x in layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # -- building -------------------------------------------------------------------------------
    def build(self, input_shape=None):
        """Mark the model built. A subclassed model creates its weights on its first call, when
        its layers see real inputs: ``build`` cannot run ``call`` without data, and warns when
        layers are left unbuilt."""
        if any(not layer.built for layer in self._layers):
            warnings.warn(
                f"`build()` was called on layer '{self.name}', however the layer does not "
                "have a `build()` method implemented and it looks like it has unbuilt state. "
                "This will cause the layer to be marked as built, despite not being actually "
                "built, which may cause failures down the line. Make sure to implement a "
                "proper `build()` method.", stacklevel=2)

    build._is_default_build = True

    def build_from_config(self, config):
        """Rebuild a subclassed model's weights from its saved build config: its ``call`` runs
        once on zeros of the recorded shape (unknown sizes taken as 1)."""
        if not config or "input_shape" not in config or self.built:
            return
        import numpy as np

        from nbkeras.layers.layer import _as_shape_structure

        shapes = _as_shape_structure(config["input_shape"])
        zeros = graph.map_structure(
            lambda s: np.zeros([1 if d is None else d for d in s], np.float32), shapes
        ) if not _is_shape(shapes) else np.zeros([1 if d is None else d for d in shapes],
                                                 np.float32)
        self(zeros, training=False)
        self._build_shapes_dict = dict(config)

    # -- summary and config ---------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print the table of layers (name and class, output shape, parameter count; and what
        each layer is connected to for a branching functional model), then the parameter
        totals, exactly as Keras 3 prints them (drawn with the ``rich`` library).

        ``line_length``: the table's width (default: the terminal's less 4, at most 88 or 108);
        ``positions``: the columns' right edges as fractions of it; ``print_fn``: a function
        called once with the whole text instead of printing; ``expand_nested``: also list the
        layers of nested models; ``show_trainable``: a column saying whether each layer is
        trainable; ``layer_range``: two names (or regexes) of the first and last layer shown.
        """
        from nbkeras.utils import summary_utils

        summary_utils.print_summary(self, line_length=line_length, positions=positions,
                                    print_fn=print_fn, expand_nested=expand_nested,
                                    show_trainable=show_trainable, layer_range=layer_range)

    # -- saving -----------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the model to a ``.keras`` file: architecture, weights, compile arguments and
        optimizer state (``keras.saving.save_model``). ``overwrite=False`` asks before
        replacing a file. The save is atomic: if it fails, the old file is left intact."""
        from nbkeras.saving import saving_api

        return saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped,
                                     **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save the weights (and the optimizer's variables) to a ``.weights.h5`` file, in
        Keras' HDF5 layout."""
        from nbkeras.saving import saving_api

        return saving_api.save_weights(self, filepath, overwrite=overwrite,
                                       max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights from a ``.weights.h5`` or ``.keras`` file into this (built) model.
        ``skip_mismatch=True`` leaves the layers that do not fit as they are, with a warning."""
        from nbkeras.saving import saving_api

        return saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs):
        """The model's configuration as a JSON string (``keras.models.model_from_json``
        reads it back); ``kwargs`` go to ``json.dumps``."""
        from nbkeras.saving import serialization_lib

        return json.dumps(serialization_lib.serialize_keras_object(self), **kwargs)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from ``get_config()``: a functional config rebuilds the graph; any other
        config is passed to the constructor."""
        from nbkeras.models.functional import Functional, functional_from_config

        functional_keys = ("name", "layers", "input_layers", "output_layers")
        if all(key in config for key in functional_keys) and (
                cls in (Model, Functional) or issubclass(cls, Functional)):
            return functional_from_config(cls, config, custom_objects=custom_objects)
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"Unable to revive model from config. When overriding the `get_config()` "
                f"method, make sure that the returned config contains all items used as "
                f"arguments in the constructor to {cls}, which is the default behavior. You "
                "can override this default behavior by defining a `from_config(cls, "
                f"config)` class method.\n\nReceived config={config}\n\nError encountered "
                f"during deserialization: {error}"
            ) from None

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


PASS_THROUGH_MASKS.add(Model.compute_mask)


def _is_shape(value):
    return isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value)
