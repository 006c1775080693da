"""The scripts in examples/ run as documented and reach the rewards they claim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clawgym_env.sandbox.bwrap import bwrap_unavailable_reason

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(autouse=True)
def _needs_bwrap() -> None:
    reason = bwrap_unavailable_reason()
    if reason is not None:
        pytest.skip(f"the examples use the default bwrap backend, unavailable here: {reason}")


def run_example(name: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quickstart_solves_task_42() -> None:
    out = run_example("quickstart.py")
    assert "reward: 1.0\n" in out
    checks = [line for line in out.splitlines() if line.startswith("  ") and line.endswith(": 1.0")]
    assert len(checks) >= 4


def test_own_tasks_registers_and_scores_a_task_directory() -> None:
    out = run_example("own_tasks.py")
    assert "registered: ['MyTasks/task_0001']" in out
    assert "no-op: reward 0.0 {'summary_exists': 0.0, 'total_is_right': 0.0}" in out
    assert "solution: reward 1.0 {'summary_exists': 1.0, 'total_is_right': 1.0}" in out
