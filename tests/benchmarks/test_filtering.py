"""The difficulty-aware filter on a constructed table."""

from __future__ import annotations

import pytest

from clawgym_env.benchmarks.filtering import keep_task, select_tasks

STRONG = {"easy": 1.0, "hard-for-all": 0.1, "separating": 0.8, "edge-strong": 0.2, "edge-small": 0.9, "tie": 0.5}
SMALL = {"easy": 0.9, "hard-for-all": 0.0, "separating": 0.3, "edge-strong": 0.0, "edge-small": 0.6, "tie": 0.5}


def test_the_rule_on_a_constructed_table() -> None:
    assert select_tasks(STRONG, SMALL) == ["edge-small", "edge-strong", "separating"]
    assert select_tasks(STRONG, SMALL, min_strong=0.5, max_small=0.5) == ["separating"]
    assert not keep_task(0.5, 0.5) and keep_task(0.61, 0.6) and keep_task(0.2, 0.0) and not keep_task(0.19, 0.0)


def test_both_models_must_score_the_same_pool() -> None:
    with pytest.raises(ValueError, match="scored by only one model"):
        select_tasks(STRONG, {k: v for k, v in SMALL.items() if k != "tie"})
