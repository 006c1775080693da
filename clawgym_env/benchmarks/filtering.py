"""Difficulty-aware filtering, the rule the research used to build its benchmark from a candidate pool.

Given per-task scores of a strong and a small model, keep task ``t`` iff::

    s_strong(t) >= min_strong   and   s_small(t) <= max_small   and   s_strong(t) > s_small(t)

(0.2 and 0.6 by default): solvable by the strong model, not trivial for the small one, and
separating the two.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

__all__ = ["keep_task", "mean_scores", "select_tasks"]


def mean_scores(rows: Iterable[Mapping[str, object]]) -> dict[str, float]:
    """Each env id's score averaged over its runs, from ``clawgym eval`` result rows."""
    scores: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        scores[str(row["env_id"])].append(float(row["score"]))  # type: ignore[arg-type]
    return {env_id: math.fsum(values) / len(values) for env_id, values in scores.items()}


def keep_task(s_strong: float, s_small: float, *, min_strong: float = 0.2, max_small: float = 0.6) -> bool:
    """Whether one task passes the rule (see the module docstring)."""
    return s_strong >= min_strong and s_small <= max_small and s_strong > s_small


def select_tasks(
    strong: Mapping[str, float], small: Mapping[str, float], *, min_strong: float = 0.2, max_small: float = 0.6
) -> list[str]:
    """The ids that pass, in sorted order; both models must have scored every id of either table."""
    missing = sorted(set(strong) ^ set(small))
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ValueError(f"{len(missing)} task ids are scored by only one model ({shown}); score both on the same pool")
    return sorted(t for t in strong if keep_task(strong[t], small[t], min_strong=min_strong, max_small=max_small))
