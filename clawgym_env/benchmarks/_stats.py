"""Summary statistics shared by the benchmark scripts."""

from __future__ import annotations

import statistics

__all__ = ["percentiles"]


def percentiles(samples: list[float]) -> dict[str, float]:
    """``n``, ``p50_ms``, ``p95_ms`` and ``mean_ms`` of durations given in seconds."""
    ordered = sorted(samples)
    p95_index = min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    return {
        "n": len(ordered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[p95_index] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }
