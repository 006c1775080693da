"""The code verifier runs reward.sh like the reference ClawGym harness does."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from clawgym_env.envs.task import Task, Verifier
from clawgym_env.envs.workspace import create_workspace, remove_workspace
from clawgym_env.rewards import PAYLOAD_FILENAME, CodeVerifier, parse_score
from clawgym_env.rewards.code_verifier import REWARD_TEMPLATE_CODE
from clawgym_env.sandbox import create_sandbox
from clawgym_env.sandbox.base import Limits

W = "/root/.openclaw/workspace"
TEMPLATE = (
    "#!/usr/bin/env bash\nset -euo pipefail\n\n"
    f"python3 {W}/reward/check.py {W} | python3 -c {shlex.quote(REWARD_TEMPLATE_CODE)}\n"
)
CHECK = """
import json, sys
from pathlib import Path
ws = Path(sys.argv[1])
answer = ws / "answer.txt"
print(json.dumps({
    "answer_exists": 1.0 if answer.is_file() else 0.0,
    "answer_correct": 1.0 if answer.is_file() and answer.read_text().strip() == "42" else 0.0,
    "third": 0.0,
}))
"""


def _task(reward_sh: str = TEMPLATE, check: str = CHECK, timeout_s: float = 120.0) -> Task:
    return Task(
        id="t1",
        instruction="Write the answer to answer.txt.",
        verifier=Verifier(files={"reward.sh": reward_sh, "check.py": check}, timeout_s=timeout_s),
        files={"question.txt": "What is six times seven?\n"},
        metadata={"category": "qa"},
    )


@pytest.fixture
def make_workspace():
    made: list[Path] = []

    def make(task: Task, extra: dict[str, str] | None = None) -> Path:
        files = dict(task.files)
        files.update({k: v.encode() for k, v in (extra or {}).items()})
        path = create_workspace(files)
        made.append(path)
        return path

    yield make
    for path in made:
        remove_workspace(path)


def _verifier(backend: str) -> CodeVerifier:
    return CodeVerifier(lambda ws, mount, limits: create_sandbox(backend, ws, mount_path=mount, limits=limits))


def _verbatim_score(backend: str, workspace: Path, task: Task) -> float:
    """What the reference harness computes: ``bash reward.sh``, last stdout line as a float."""
    with create_sandbox(backend, workspace, mount_path=task.workspace_path) as sandbox:
        result = sandbox.run(
            f"bash {W}/reward/reward.sh", env={"OPENCLAW_REWARD_PAYLOAD": f"{W}/{PAYLOAD_FILENAME}"}, merge_stderr=False
        )
    if result.exit_code != 0:
        return 0.0
    return parse_score(result.stdout.decode())[0]


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        ("0.5\n", (0.5, None)),
        ("noise\n  0.25  \n\n", (0.25, None)),
        ("", (0.0, "reward script produced no stdout")),
        ("abc\n", (0.0, "reward script output is not a number: 'abc'")),
        ("nan\n", (0.0, "reward script printed a non-finite score 'nan'")),
        ("1.5\n", (1.0, "score 1.5 outside [0, 1] was clamped to 1.0")),
    ],
)
def test_parse_score_follows_the_reference_rule(stdout: str, expected: tuple[float, str | None]) -> None:
    assert parse_score(stdout) == expected


@pytest.mark.parametrize("answer", [None, "41", "42"])
def test_template_breakdown_and_score_match_verbatim_run(backend: str, make_workspace, answer: str | None) -> None:
    task = _task()
    workspace = make_workspace(task, None if answer is None else {"answer.txt": answer})
    result = _verifier(backend).verify(task, workspace, final_message="done")
    expected_checks = {
        "answer_exists": float(answer is not None),
        "answer_correct": float(answer == "42"),
        "third": 0.0,
    }
    assert dict(result.breakdown) == expected_checks
    assert result.score == sum(expected_checks.values()) / 3
    assert result.s_code == result.score
    assert result.error is None
    # Same number as running reward.sh verbatim (the reference harness's way), to the last digit.
    assert result.score == _verbatim_score(backend, workspace, task)


def test_agent_planted_verifier_files_are_replaced(backend: str, make_workspace) -> None:
    task = _task()
    planted = {"answer.txt": "0", "reward/check.py": "print('{\"x\": 1.0}')", "reward/reward.sh": "echo 1.0"}
    workspace = make_workspace(task, planted)
    result = _verifier(backend).verify(task, workspace)
    assert result.score == pytest.approx(1 / 3)
    assert (workspace / "reward" / "check.py").read_text() == CHECK


def test_payload_is_written_and_exported(backend: str, make_workspace) -> None:
    check = (
        "import json, os\n"
        "p = json.load(open(os.environ['OPENCLAW_REWARD_PAYLOAD']))\n"
        "ok = p['final_message'] == 'all done' and p['task_id'] == 't1' and p['metadata'] == {'category': 'qa'}\n"
        "ok = ok and p['user_query'].startswith('Write the answer') and p['transcript'][0]['type'] == 'session'\n"
        "print(json.dumps({'payload_ok': 1.0 if ok else 0.0}))\n"
    )
    task = _task(check=check)
    workspace = make_workspace(task)
    result = _verifier(backend).verify(task, workspace, final_message="all done", transcript=[{"type": "session"}])
    assert result.breakdown == {"payload_ok": 1.0}
    assert result.score == 1.0
    assert json.loads((workspace / PAYLOAD_FILENAME).read_text())["final_message"] == "all done"


def test_payload_bytes_are_json_dump_defaults(make_workspace) -> None:
    # The reference harness writes the payload with json.dump's defaults: checks that read
    # the raw text (a grep for an escaped name) must see the same bytes.
    task = _task()
    workspace = make_workspace(task)
    _verifier("local").verify(task, workspace, final_message="Café ✓", transcript=[])
    raw = (workspace / PAYLOAD_FILENAME).read_bytes()
    assert raw.isascii()
    assert b'"final_message": "Caf\\u00e9 \\u2713"' in raw


def test_symlink_planted_at_payload_path_is_not_followed(backend: str, make_workspace, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    task = _task()
    workspace = make_workspace(task)
    (workspace / PAYLOAD_FILENAME).symlink_to(victim)
    (workspace / "reward").symlink_to(tmp_path)
    _verifier(backend).verify(task, workspace)
    assert victim.read_text() == "precious"
    assert not (workspace / PAYLOAD_FILENAME).is_symlink()
    assert not (workspace / "reward").is_symlink()


@pytest.mark.parametrize(
    ("reward_sh", "error_start"),
    [
        ("echo 0.9\nexit 3\n", "reward script exited with 3"),
        ("echo 'garbage out'\n", "reward script output is not a number: 'garbage out'"),
        ("true\n", "reward script produced no stdout"),
    ],
)
def test_failures_score_zero_with_reason(backend: str, make_workspace, reward_sh: str, error_start: str) -> None:
    task = _task(reward_sh=reward_sh)
    result = _verifier(backend).verify(task, make_workspace(task))
    assert result.score == 0.0
    assert result.error is not None and result.error.startswith(error_start)


def test_timeout_scores_zero(backend: str, make_workspace) -> None:
    task = _task(reward_sh="sleep 30\necho 1.0\n", timeout_s=1.0)
    result = _verifier(backend).verify(task, make_workspace(task))
    assert (result.score, result.timed_out) == (0.0, True)
    assert result.error == "reward script timed out after 1 s"
    assert result.duration_s < 15


def test_non_template_script_printing_a_dict_exposes_it(backend: str, make_workspace) -> None:
    task = _task(reward_sh='echo \'{"a": 1.0, "b": 0.5}\'\n')
    result = _verifier(backend).verify(task, make_workspace(task))
    assert dict(result.breakdown) == {"a": 1.0, "b": 0.5}
    assert result.score == 0.75


def test_pipefail_in_template_scores_zero_like_the_reference(backend: str, make_workspace) -> None:
    task = _task(check="import sys; print('{\"a\": 1.0}'); sys.exit(1)\n")
    workspace = make_workspace(task)
    result = _verifier(backend).verify(task, workspace)
    assert result.score == 0.0 == _verbatim_score(backend, workspace, task)
    assert result.error is not None and result.error.startswith("reward script exited with 1")


def test_verifier_sandbox_is_closed_even_when_the_script_times_out(make_workspace) -> None:
    made = []

    def factory(ws: Path, mount: str, limits: Limits):
        sandbox = create_sandbox("local", ws, mount_path=mount, limits=limits)
        made.append(sandbox)
        return sandbox

    task = _task(reward_sh="sleep 30\n", timeout_s=0.5)
    CodeVerifier(factory).verify(task, make_workspace(task))
    assert len(made) == 1 and made[0].closed
