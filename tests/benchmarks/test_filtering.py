"""The difficulty-aware filter on a constructed table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clawgym_env.benchmarks.filtering import keep_task, select_tasks
from clawgym_env.cli import main

STRONG = {"easy": 1.0, "hard-for-all": 0.1, "separating": 0.8, "edge-strong": 0.2, "edge-small": 0.9, "tie": 0.5}
SMALL = {"easy": 0.9, "hard-for-all": 0.0, "separating": 0.3, "edge-strong": 0.0, "edge-small": 0.6, "tie": 0.5}


def test_the_rule_on_a_constructed_table() -> None:
    assert select_tasks(STRONG, SMALL) == ["edge-small", "edge-strong", "separating"]
    assert select_tasks(STRONG, SMALL, min_strong=0.5, max_small=0.5) == ["separating"]
    assert not keep_task(0.5, 0.5) and keep_task(0.61, 0.6) and keep_task(0.2, 0.0) and not keep_task(0.19, 0.0)


def test_both_models_must_score_the_same_pool() -> None:
    with pytest.raises(ValueError, match="scored by only one model"):
        select_tasks(STRONG, {k: v for k, v in SMALL.items() if k != "tie"})


def test_clawgym_bench_filter_reads_two_eval_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def write(name: str, table: dict[str, float]) -> Path:
        path = tmp_path / name
        rows = [{"env_id": t, "run": r, "agent": name, "score": s} for t, s in table.items() for r in range(2)]
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        return path

    strong, small = write("strong.jsonl", STRONG), write("small.jsonl", SMALL)
    assert main(["bench", "filter", str(strong), str(small), "--out", str(tmp_path / "kept.txt")]) == 0
    assert (tmp_path / "kept.txt").read_text().split() == ["edge-small", "edge-strong", "separating"]
    assert "kept 3 of 6 tasks" in capsys.readouterr().out
    assert main(["bench", "filter", str(strong), str(tmp_path / "missing.jsonl")]) == 2
