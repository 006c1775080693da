"""Gymnasium spaces for text that may hold any Unicode character."""

from __future__ import annotations

import multiprocessing as mp
import string
from types import ModuleType
from typing import Any

from gymnasium import spaces
from gymnasium.vector.utils import create_shared_memory

__all__ = ["SAMPLE_MAX_LENGTH", "UnicodeText"]

_SAMPLE_CHARSET = string.ascii_letters + string.digits + string.punctuation + " \n\téüßøλдあ中✓"

SAMPLE_MAX_LENGTH = 4096
"""Random samples are at most this long (the space itself accepts up to ``max_length``)."""


class UnicodeText(spaces.Text):
    """A :class:`gymnasium.spaces.Text` that contains every ``str`` within its length bounds.

    Gymnasium's ``Text`` only contains strings over its charset (alphanumeric
    by default); observations and actions here are arbitrary model and tool
    output. :meth:`sample` draws from a small mixed-script charset, with a
    length of at most :data:`SAMPLE_MAX_LENGTH` unless a mask gives one: a
    multi-megabyte random string tests nothing a short one does not, and
    generating it takes seconds.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, seed: int | None = None) -> None:
        super().__init__(max_length=max_length, min_length=min_length, charset=_SAMPLE_CHARSET, seed=seed)

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        if mask is not None or probability is not None:
            return super().sample(mask=mask, probability=probability)
        length = int(self.np_random.integers(self.min_length, min(self.max_length, SAMPLE_MAX_LENGTH) + 1))
        return super().sample(mask=(length, None))

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"UnicodeText({self.min_length}, {self.max_length})"

    def __eq__(self, other: Any) -> bool:
        return (
            isinstance(other, UnicodeText)
            and self.min_length == other.min_length
            and self.max_length == other.max_length
        )

    __hash__ = None  # type: ignore[assignment]  # mutable RNG state, like gymnasium's spaces


# Gymnasium's AsyncVectorEnv with shared_memory=True (its default) reads a Text observation
# out of shared memory once, when the vector env is built, so every later observation would
# read as that stale value (and characters outside the sample charset as garbage). Fail at
# construction, saying what works instead.


@create_shared_memory.register(UnicodeText)
def _refuse_shared_memory(space: UnicodeText, n: int = 1, ctx: ModuleType = mp) -> Any:
    raise TypeError(
        "ClawGym observations are text, which gymnasium cannot pass through shared memory: "
        "use AsyncVectorEnv(env_fns, shared_memory=False), or "
        'gym.make_vec(id, num_envs, vectorization_mode="async", vector_kwargs={"shared_memory": False})'
    )
