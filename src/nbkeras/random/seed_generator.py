"""Seeds for random draws, as ``keras.random.SeedGenerator``.

Keras draws every random number from a *seed pair* ``[seed, counter]``. Where the pair comes from
decides what repeats:

- an ``int`` seed gives the pair ``[seed, 0]`` every time: the same draw on every call;
- a ``SeedGenerator`` hands out ``[seed, 0]``, ``[seed, 1]``, ... : fresh draws, and the same
  sequence of draws for the same seed (this is how ``Dropout(seed=...)`` gets a new mask per step);
- ``None`` takes the next pair of a global generator, which ``set_random_seed`` resets.

The pair seeds NumPy's PCG64 generator (``np.random.default_rng``), exactly as Keras' NumPy
backend does, so a seeded nbkeras draw equals Keras' NumPy-backend draw bit for bit. TensorFlow's
Philox streams cannot be reproduced; their *distributions* are (KERAS_NOTES 0.2).
"""

import random as python_random

import numpy as np

from nbkeras.tensor import Variable
from nbkeras.utils import naming

_global_generator = None
_global_seed = None


class SeedGenerator:
    """A stateful source of seed pairs ``[seed, counter]`` (uint32).

    ``seed=None`` picks a random seed from Python's ``random`` module (seeded by
    ``set_random_seed``). The state is a non-trainable ``Variable`` of shape (2,), which a layer
    lists in ``layer.variables`` (not in ``layer.weights``).
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments {sorted(kwargs)}")
        self.name = name if name is not None else naming.unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(f"SeedGenerator: seed must be an integer, got seed={seed!r}")
        self.state = Variable(
            np.array([int(seed) & 0xFFFFFFFF, 0], dtype=np.uint32),
            trainable=False,
            name="seed_generator_state",
        )
        self.state.path = f"{self.name}/seed_generator_state"

    def next(self, ordered=True):
        """The current seed pair; then advance the state (the counter, or a scramble of the
        whole pair for the global generator, as Keras does)."""
        current = self.state.numpy()
        if ordered:
            self.state.assign(current + np.array([0, 1], dtype=np.uint32))
        else:
            # uint32 arithmetic wraps around, as in Keras' NumPy backend
            self.state.assign((current + np.uint32(1)) * np.uint32(5387) % np.uint32(933199))
        return current

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name}, state={self.state.numpy().tolist()}>"


def make_default_seed():
    """A random seed in [1, 1e9] from Python's ``random`` (what an unseeded initializer keeps)."""
    return python_random.randint(1, int(1e9))


def global_seed_generator():
    global _global_generator
    if _global_generator is None:
        _global_generator = SeedGenerator()
    return _global_generator


def draw_seed(seed):
    """The seed pair (a uint32 array of 2) for ``seed``: an int, a SeedGenerator or None."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.array([int(seed) & 0xFFFFFFFF, 0], dtype=np.uint32)
    if seed is None:
        return global_seed_generator().next(ordered=False)
    raise ValueError(
        "seed must be an integer or a keras.random.SeedGenerator, "
        f"got seed={seed!r} (of type {type(seed).__name__})"
    )


def set_random_seed(seed):
    """Seed Python's ``random``, NumPy's global generator and nbkeras' global SeedGenerator
    (``keras.utils.set_random_seed``): afterwards, unseeded layers and initializers repeat."""
    global _global_generator, _global_seed
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"set_random_seed: expected an integer seed, got {seed!r}")
    _global_seed = seed
    _global_generator = None  # recreated from Python's random on first use
    python_random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - Keras seeds NumPy's legacy global generator too


def get_random_seed():
    """The seed given to ``set_random_seed``, or None."""
    return _global_seed
