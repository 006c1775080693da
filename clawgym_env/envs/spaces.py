"""Gymnasium spaces for text that may hold any Unicode character."""

from __future__ import annotations

import string
from typing import Any

from gymnasium import spaces

__all__ = ["UnicodeText"]

_SAMPLE_CHARSET = string.ascii_letters + string.digits + string.punctuation + " \n\téüßøλдあ中✓"


class UnicodeText(spaces.Text):
    """A :class:`gymnasium.spaces.Text` that contains every ``str`` within its length bounds.

    Gymnasium's ``Text`` only contains strings over its charset (alphanumeric
    by default); observations and actions here are arbitrary model and tool
    output. :meth:`sample` draws from a small mixed-script charset.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, seed: int | None = None) -> None:
        super().__init__(max_length=max_length, min_length=min_length, charset=_SAMPLE_CHARSET, seed=seed)

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
