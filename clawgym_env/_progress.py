"""A minimal progress bar for long command-line work (stderr, redrawn in place).

Library code never prints; command-line entry points (``clawgym``, the
``python -m`` scripts) pass :meth:`ProgressBar.update` as a callback.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """``label [#####.....] done/total  elapsed, eta`` on one line of ``stream`` (default stderr)."""

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.done = 0

    def update(self, done: int, total: int | None = None) -> None:
        """Show ``done`` items finished (of ``total``, if it changed)."""
        if total is not None:
            self.total = max(total, 1)
        self.done = done
        filled = int(self.width * min(done, self.total) / self.total)
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (self.total - done) if done else 0.0
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total}"
            f"  {elapsed:.0f}s elapsed, ~{eta:.0f}s left "
        )
        if done >= self.total:
            self.stream.write("\n")
        self.stream.flush()

    def advance(self, count: int = 1) -> None:
        self.update(self.done + count)
