"""The ``Initializer`` base class: a callable ``(shape, dtype) -> tensor`` with a config."""


class Initializer:
    """Base class of the initializers (``keras.initializers.Initializer``).

    A subclass implements ``__call__(shape, dtype=None)``, returning a tensor of that shape and
    dtype (floatx when None), and ``get_config()`` when it has arguments.
    """

    _keras_module = "keras.initializers"

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype=None)"
        )

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"
