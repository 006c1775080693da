"""The benchmark runner: resumable JSONL, concurrency, summary arithmetic, and ``clawgym eval``."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from clawgym_env.agents import OracleAgent
from clawgym_env.benchmarks.runner import read_rows, run_eval, summarize, task_metadata
from clawgym_env.cli import main

IDS = [f"ClawGym-Bench/task-{i:04d}" for i in range(3)]


def test_runs_resume_and_replace_broken_episodes(tmp_path: Path) -> None:
    out = tmp_path / "oracle.jsonl"
    seen: list[tuple[int, int]] = []
    rows = run_eval(
        IDS,
        OracleAgent(),
        out,
        agent="oracle",
        runs=2,
        jobs=2,
        metadata=task_metadata,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert sorted((r["env_id"], r["run"]) for r in rows) == sorted((i, run) for i in IDS for run in range(2))
    assert all(r["score"] == 1.0 and r["category"] and r["turns"] >= 2 for r in rows)
    assert seen[-1] == (6, 6)
    lines = out.read_text().splitlines()

    # Nothing left to do: a re-run plays nothing.
    again = run_eval(IDS, OracleAgent(), out, agent="oracle", runs=2, jobs=2)
    assert out.read_text().splitlines() == lines and len(again) == 6

    # A torn last line and an infrastructure failure are played again; the new rows win.
    broken = json.loads(lines[0])
    broken.update(score=0.0, failure="SandboxError: scripted", failure_kind="sandbox")
    out.write_text("\n".join([*lines[1:-1], json.dumps(broken)]) + "\n" + lines[-1][:20])
    rows = run_eval(IDS, OracleAgent(), out, agent="oracle", runs=2, jobs=1)
    assert len(read_rows(out)) == 7  # five intact, the failure, and two replays
    assert len(rows) == 6 and all(r["score"] == 1.0 and r["failure"] is None for r in rows)


def test_summary_is_mean_and_std_over_runs_overall_and_per_category() -> None:
    def row(env_id: str, run: int, score: float, category: str) -> dict[str, object]:
        return {"env_id": env_id, "run": run, "score": score, "s_code": score / 2, "category": category}

    rows = [row("a", 0, 1.0, "x"), row("b", 0, 0.0, "y"), row("a", 1, 1.0, "x"), row("b", 1, 1.0, "y")]
    summary = summarize(rows)
    overall = summary["overall"]
    assert (overall.tasks, overall.runs) == (2, 2)
    assert overall.mean == pytest.approx(0.75) and overall.std == pytest.approx(statistics.stdev([0.5, 1.0]))
    assert overall.code_mean == pytest.approx(0.375)
    assert summary["x"].mean == 1.0 and summary["x"].std == 0.0
    assert summary["y"].mean == pytest.approx(0.5) and summary["y"].std == pytest.approx(statistics.stdev([0.0, 1.0]))


def test_clawgym_eval_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", *IDS, "--agent", "noop", "--out", str(tmp_path / "noop.jsonl")])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "| overall | 3 | 1 | 0.0000 ± 0.0000 |" in text
    assert main(["eval", "--agent", "oracle"]) == 2
    assert "--suite" in capsys.readouterr().err
