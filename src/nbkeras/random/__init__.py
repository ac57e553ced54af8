"""``keras.random``: seeded random draws and the SeedGenerator."""

from nbkeras.random.random import (
    dropout,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from nbkeras.random.seed_generator import SeedGenerator, get_random_seed, set_random_seed
