"""``keras.Sequential``: layers applied one after the other.

Once the input shape is known (an ``Input`` first, a first layer given ``input_shape=`` as in
Keras 2, ``build(input_shape)``, or the first call), the model calls its layers on a symbolic
``Input`` of that shape and keeps the functional model that results: each layer's output shape
follows from the previous one (``Dense(32)`` after ``Input(16)`` outputs (None, 32)), and a call
runs that graph. Adding or removing a layer builds it again.
"""

import copy
import inspect

from nbkeras.keras_tensor import standardize_shape
from nbkeras.layers.input_layer import InputLayer
from nbkeras.layers.layer import Layer
from nbkeras.models.functional import Functional
from nbkeras.models.model import Model
from nbkeras.saving import serialization_lib


class Sequential(Model):
    """A stack of layers, each taking the previous one's output (``keras.Sequential``).

    ``layers``: the layers to add, in order (an ``Input`` may come first); ``trainable``: the
    model's trainable flag; ``name``: default ``sequential``, ``sequential_1``, ...
    """

    _keras_module = "keras"

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        object.__setattr__(self, "_functional", None)
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Put ``layer`` (a layer, a model, or the tensor of ``keras.Input``) on top of the
        stack; the model is built again when its input shape is known."""
        if not self._layers:
            shape = getattr(layer, "_input_shape_arg", None)
            if shape is not None:  # Keras 2: the first layer carries the input shape
                self.add(InputLayer(shape=shape))
        history = getattr(layer, "_keras_history", None)
        if history is not None and isinstance(history.operation, InputLayer):
            layer = history.operation
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer)})"
            )
        if any(other.name == layer.name and other is not layer for other in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name."
            )
        if isinstance(layer, InputLayer) and self._layers and isinstance(self._layers[0],
                                                                         InputLayer):
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input "
                f"shape {self._layers[0].batch_shape}. You cannot add a different Input "
                "layer to it."
            )
        self._layers.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self._unbuild()

    def pop(self, rebuild=True):
        """Remove the top layer and return it."""
        layer = self._layers.pop()
        self._unbuild()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _unbuild(self):
        self.built = False
        object.__setattr__(self, "_functional", None)

    def _maybe_rebuild(self):
        self._unbuild()
        if len(self._layers) < 2:
            return
        first = self._layers[0]
        if isinstance(first, InputLayer):
            self.build(first.batch_shape)
        elif isinstance(first, Model) and _has_input_shape(first):
            self.build(first.input_shape)

    def build(self, input_shape=None):
        """Call the layers on an ``Input`` of shape ``input_shape`` (the batch size included,
        None for any), which creates their weights and fixes every output shape."""
        try:
            input_shape = standardize_shape(input_shape)
        except (ValueError, TypeError):
            return  # not one input tensor: the layers build on the first call instead
        if not self._layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. Call "
                "`model.add(layer)`."
            )
        if isinstance(self._layers[0], InputLayer):
            if self._layers[0].batch_shape != input_shape:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {self._layers[0].batch_shape}. You cannot build it with "
                    f"input_shape {input_shape}"
                )
        else:
            self._layers.insert(0, InputLayer(batch_shape=input_shape,
                                              dtype=self._layers[0].compute_dtype))
        inputs = self._layers[0].output
        x = inputs
        for layer in self._layers[1:]:
            try:
                x = layer(x)
            except NotImplementedError:
                # A layer that cannot infer its output shape (nbkeras does not trace call()):
                # the model, and the layers after it, build on the first call instead.
                object.__setattr__(self, "_deferred_build", True)
                return
            except TypeError as error:
                _explain_call_signature(layer, error)
        functional = Functional(inputs=inputs, outputs=x)
        object.__setattr__(functional, "_owner", self)  # errors name the Sequential model
        object.__setattr__(self, "_functional", functional)
        self.built = True

    def _record_built(self, input_shape, shapes_dict=None):
        if self.__dict__.get("_deferred_build"):
            object.__setattr__(self, "_deferred_build", False)
            return  # build() could not reach every layer: not built until the first call
        super()._record_built(input_shape, shapes_dict)

    def call(self, inputs, training=None, mask=None):
        if self._functional is not None:
            return self._functional.call(inputs, training=training, mask=mask)
        for layer in self.layers:  # no single input shape: apply the layers in turn
            kwargs = {"training": training} if training is not None else {}
            inputs = layer(inputs, **kwargs)
        return inputs

    def _maybe_build(self, inputs):
        if not self.built:
            from nbkeras.layers.layer import _shape_of

            if self._layers and isinstance(self._layers[0], InputLayer):
                self.build(self._layers[0].batch_shape)  # may defer again, to this call
            else:
                self.build(_shape_of(inputs))

    def compute_output_spec(self, inputs, training=None, mask=None):
        if self._functional is not None:
            return self._functional.compute_output_spec(inputs)
        for layer in self.layers:
            inputs = layer.compute_output_spec(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        if self._functional is not None:
            return self._functional.compute_output_shape(input_shape)
        for layer in self.layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    @property
    def layers(self):
        """The layers added, without the InputLayer the model starts with (as in Keras)."""
        layers = list(self._layers)
        return layers[1:] if layers and isinstance(layers[0], InputLayer) else layers

    @layers.setter
    def layers(self, _):
        raise AttributeError(
            "`Sequential.layers` attribute is reserved and should not be used. Use `add()` and "
            "`pop()` to change the layers in this model."
        )

    def _defined(self, attribute, what):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        return getattr(self._functional, attribute)

    @property
    def input_shape(self):
        return self._defined("input_shape", "input shape")

    @property
    def output_shape(self):
        return self._defined("output_shape", "output shape")

    @property
    def inputs(self):
        return self._defined("inputs", "inputs")

    @property
    def outputs(self):
        return self._defined("outputs", "outputs")

    @property
    def input(self):
        return self._defined("input", "input")

    @property
    def output(self):
        return self._defined("output", "output")

    @property
    def output_names(self):
        return self._defined("output_names", "outputs")

    # -- config ---------------------------------------------------------------------------------
    def get_config(self):
        """``name``, ``trainable``, ``dtype``, each layer's config (the InputLayer first, when
        there is one) and, once built, ``build_input_shape``: Keras' keys."""
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": {"module": "keras", "class_name": "DTypePolicy",
                      "config": {"name": self.dtype}, "registered_name": None},
            "layers": copy.deepcopy([serialization_lib.serialize_keras_object(layer)
                                     for layer in self._layers]),
        }
        if self._layers and isinstance(self._layers[0], InputLayer):
            config["build_input_shape"] = self._layers[0].batch_shape
        return config

    def get_build_config(self):
        if self.built and self._layers and isinstance(self._layers[0], InputLayer):
            return {"input_shape": self._layers[0].batch_shape}
        return super().get_build_config()

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None and not self.built:
            shape = tuple(config["input_shape"])
            self.build(shape)
            if not self.built:  # a layer could not infer its output shape: build by a call
                import numpy as np

                self(np.zeros([1 if d is None else d for d in shape], np.float32),
                     training=False)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "name" not in config or "layers" not in config:
            raise ValueError(
                "A Sequential model configuration must be a dictionary containing the 'name' "
                f"and 'layers' keys. Received: config={config}"
            )
        model = cls(name=config["name"], trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(serialization_lib.deserialize_keras_object(
                layer_config, custom_objects=custom_objects))
        shape = config.get("build_input_shape")
        if model._functional is None and isinstance(shape, (list, tuple)) and shape:
            model.build(tuple(shape))
        return model


def _has_input_shape(model):
    try:
        model.input_shape  # noqa: B018
    except AttributeError:
        return False
    return True


def _explain_call_signature(layer, error):
    parameters = [p for p in inspect.signature(layer.call).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in parameters if p.default is p.empty]
    if not parameters:
        raise ValueError(
            "Layers added to a Sequential model should have a single positional argument, the "
            f"input tensor. Layer {type(layer).__name__} has no positional arguments."
        ) from error
    if len(required) > 1:
        raise ValueError(
            "Layers added to a Sequential model can only have a single required positional "
            f"argument, the input tensor. Layer {type(layer).__name__} has multiple required "
            f"positional arguments: {[p.name for p in required]}"
        ) from error
    raise error
