"""A random generator whose every method gives the same numbers on every Python and machine.

``random.Random`` only promises reproducible ``random()`` across Python
versions; ``choice``, ``sample``, ``shuffle`` and ``randrange`` have changed
before. Task generation must give byte-identical workspaces everywhere (the
catalog test compares content hashes), so :class:`StableRandom` builds every
method on ``getrandbits`` with its own, fixed algorithms.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["StableRandom", "stable_seed"]

T = TypeVar("T")


def stable_seed(*parts: object) -> int:
    """A 64-bit seed from ``parts`` (their ``str``), the same everywhere (no ``hash()`` randomisation)."""
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


class StableRandom:
    """Deterministic random choices from a seed; see the module docstring."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._random = random.Random(seed)

    def child(self, *parts: object) -> StableRandom:
        """An independent generator for a named sub-part (adding draws here does not shift it)."""
        return StableRandom(stable_seed(self.seed, *parts))

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``."""
        if n <= 0:
            raise ValueError(f"below() needs n > 0, got {n}")
        bits = n.bit_length()
        while True:
            value = self._random.getrandbits(bits)
            if value < n:
                return value

    def randint(self, low: int, high: int) -> int:
        """A uniform integer in ``[low, high]``."""
        if high < low:
            raise ValueError(f"randint({low}, {high}): empty range")
        return low + self.below(high - low + 1)

    def random(self) -> float:
        """A float in ``[0, 1)`` with 53 random bits."""
        return self._random.getrandbits(53) / (1 << 53)

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def chance(self, probability: float) -> bool:
        """``True`` with the given probability."""
        return self.random() < probability

    def choice(self, items: Sequence[T]) -> T:
        if not items:
            raise IndexError("choice() from an empty sequence")
        return items[self.below(len(items))]

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """One item, drawn with probability proportional to its weight."""
        if len(items) != len(weights) or not items:
            raise ValueError("weighted() needs as many weights as items, and at least one")
        total = float(sum(weights))
        point = self.random() * total
        running = 0.0
        for item, weight in zip(items, weights, strict=True):
            running += weight
            if point < running:
                return item
        return items[-1]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A shuffled copy (Fisher-Yates)."""
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """``k`` distinct items, in random order (a partial Fisher-Yates: ``k`` draws, not ``len(items)``)."""
        if not 0 <= k <= len(items):
            raise ValueError(f"sample of {k} from {len(items)} items")
        pool = list(items)
        for i in range(k):
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def money(self, low: float, high: float, *, cents: bool = True) -> float:
        """An amount in ``[low, high]`` rounded to cents (or whole units)."""
        if cents:
            return self.randint(round(low * 100), round(high * 100)) / 100
        return float(self.randint(round(low), round(high)))
