"""The clawgym command line, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

W = "/root/.openclaw/workspace"


FIXTURES = Path(__file__).parent / "fixtures" / "released"


def clawgym(*args: str, fixtures: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the CLI; by default with the hand-written fixtures registered as ``Fixture/...``."""
    extra = ["--tasks", str(FIXTURES), "--namespace", "Fixture"] if fixtures else []
    return subprocess.run(
        [sys.executable, "-m", "clawgym_env", *extra, *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_list_shows_builtin_ids_with_a_pattern() -> None:
    result = clawgym("list", "Fixture/task-004*")
    assert result.returncode == 0, result.stderr
    assert "Fixture/task-0042" in result.stdout
    assert result.stdout.rstrip().endswith("env ids")
    assert clawgym("list", "Nothing/*").returncode == 1


def test_info_describes_a_task() -> None:
    result = clawgym("info", "Fixture/task-0042")
    assert result.returncode == 0, result.stderr
    for fragment in ("instruction:", "config/report.json", "verifier: bash reward/reward.sh", "reference solution: 4"):
        assert fragment in result.stdout


def test_run_oracle_prints_transcript_and_reward_one() -> None:
    result = clawgym("run", "Fixture/task-0042", "--agent", "oracle")
    assert result.returncode == 0, result.stderr
    assert "[user]" in result.stdout and "[tool edit(" in result.stdout
    assert "changelog_entry_added" in result.stdout
    assert "reward: 1.0000  (terminated after 5 turns" in result.stdout


def test_run_noop_json_scores_zero() -> None:
    result = clawgym("run", "Fixture/task-0040", "--agent", "noop", "--sandbox", "local", "--json")
    assert result.returncode == 0, result.stderr
    episode = json.loads(result.stdout)
    assert episode["reward"] == 0.0 and episode["turns"] == 1


def test_unknown_id_is_a_clear_error() -> None:
    result = clawgym("info", "Fixture/task-042")
    assert result.returncode != 0
    assert "Did you mean: `task-0042`?" in result.stderr
    assert "Traceback" not in result.stderr


def test_tasks_option_registers_a_dataset(tmp_path: Path) -> None:
    task_dir = tmp_path / "task_0001"
    (task_dir / "reward").mkdir(parents=True)
    (task_dir / "data_entry.json").write_text(
        json.dumps({"task_id": "task_0001", "user_query": "Nothing to do.", "metadata": {}})
    )
    (task_dir / "reward" / "reward.sh").write_text("echo 0.5\n")
    result = clawgym("--tasks", str(tmp_path), "--namespace", "Mine", "run", "Mine/task_0001", "--agent", "noop")
    assert result.returncode == 0, result.stderr
    assert "reward: 0.5000" in result.stdout


def test_malformed_dataset_is_reported_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "task_0001").mkdir()
    result = clawgym("--tasks", str(tmp_path), "list")
    assert result.returncode == 2
    assert "data_entry.json" in result.stderr and "Traceback" not in result.stderr


def test_sandbox_status_lists_every_backend() -> None:
    result = clawgym("sandbox", "status")
    assert result.returncode == 0, result.stderr
    for backend in ("bwrap", "docker", "local"):
        assert backend in result.stdout


def test_list_stats_counts_the_builtin_suites() -> None:
    result = clawgym("list", "--stats", fixtures=False)
    assert result.returncode == 0, result.stderr
    assert "Scenarios" in result.stdout and "Verification" in result.stdout
    assert "64 task families, 5320 tasks in all." in result.stdout


def test_list_shows_requests_of_a_few_builtin_ids() -> None:
    result = clawgym("list", "ClawGym-Bench/task-000*", fixtures=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ClawGym-Bench/task-000") == 10
    assert "instruction" in result.stdout and "10 env ids" in result.stdout


def test_export_writes_the_released_format_and_loads_back(tmp_path: Path) -> None:
    result = clawgym("export", "ClawGym-Bench/task-000[0-2]", str(tmp_path), fixtures=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["task-0000", "task-0001", "task-0002"]
    from clawgym_env.envs.loaders import load_tasks
    from clawgym_env.envs.suite import generate

    for task in load_tasks(tmp_path):
        assert task.content_hash == generate("bench", task.id).task.content_hash


def test_check_proves_one_task_and_reports_failures(tmp_path: Path) -> None:
    proofs = tmp_path / "proofs.jsonl"
    result = clawgym("check", "ClawGym/task-0001", "--jobs", "1", "--json", str(proofs), fixtures=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1/1 tasks proven" in result.stdout
    record = json.loads(proofs.read_text())
    assert (record["oracle"], record["noop"], record["ok"]) == (1.0, 0.0, True)
    broken = tmp_path / "broken" / "task_0001"
    (broken / "reward").mkdir(parents=True)
    (broken / "data_entry.json").write_text(
        json.dumps({"task_id": "task_0001", "user_query": "Nothing to do.", "metadata": {}})
    )
    (broken / "reward" / "reward.sh").write_text("echo 1.0\n")  # scores 1.0 for doing nothing
    (broken / "solution.json").write_text("[]")
    result = clawgym("--tasks", str(tmp_path / "broken"), "--namespace", "Broken", "check", "Broken/*", fixtures=False)
    assert result.returncode == 1
    assert "a no-op episode scores 1.0, not 0.0" in result.stdout
