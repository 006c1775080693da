"""Tests for :mod:`clawgym_env.envs.loaders`: both ClawGym task formats, on real temp dirs."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clawgym_env.envs.loaders import (
    TaskLoadWarning,
    jsonl_reward_script,
    load_task,
    load_tasks,
    normalize_hook,
    parse_rubric,
    write_task_dir,
)
from clawgym_env.envs.task import RubricRule, Task
from clawgym_env.errors import TaskError, TaskLoadError

W = "/root/.openclaw/workspace"

# The released reward.sh, written out by hand (not built from the loader's constants).
SCORER = (
    "python3 -c 'import json, sys; raw = sys.stdin.read().strip(); data = json.loads(raw); "
    "print(sum(float(v) for v in data.values()) / len(data) if isinstance(data, dict) and data "
    "else float(data) if isinstance(data, (int, float)) else 0.0)'"
)
REWARD_SH = f"#!/usr/bin/env bash\nset -euo pipefail\n\npython3 {W}/reward/check.py {W} | {SCORER}\n"

CHECK_PY = """\
import json
import sys
from pathlib import Path

workspace = Path(sys.argv[1])
scores = {"summary_exists": 0.0, "total_correct": 0.0}
summary = workspace / "output" / "summary.json"
if summary.is_file():
    scores["summary_exists"] = 1.0
    try:
        if abs(json.loads(summary.read_text())["total"] - 1124.86) < 0.01:
            scores["total_correct"] = 1.0
    except (ValueError, KeyError, TypeError):
        pass
print(json.dumps(scores))
"""

CSV = "date,merchant,category,amount_usd\n2026-03-02,Hotel Zetta,lodging,289.00\n2026-03-03,Blue Bottle,meals,6.50\n"
QUERY = "Please summarise expenses/march_2026.csv into output/summary.json with the grand total."


def entry(task_id: str = "task_0001", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "task_id": task_id,
        "user_query": QUERY,
        "metadata": {"category": "finance", "grading_type": "automated"},
        "input_mount_dir": W,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not _DROP}


_DROP = object()


def make_task_dir(
    root: Path,
    name: str = "task_0001",
    *,
    data_entry: dict[str, Any] | str | bytes | None = None,
    inputs: dict[str, str | bytes] | None = None,
    reward: dict[str, str | bytes] | None = None,
    executables: tuple[str, ...] = (),
) -> Path:
    """Write a task directory shaped like the released ones; ``executables`` are paths under it."""
    task_dir = root / name
    task_dir.mkdir(parents=True)
    if data_entry is None:
        data_entry = entry(name)
    if isinstance(data_entry, dict):
        data_entry = json.dumps(data_entry, indent=2)
    if isinstance(data_entry, str):
        data_entry = data_entry.encode("utf-8")
    (task_dir / "data_entry.json").write_bytes(data_entry)
    files = {}
    for rel, content in ({"expenses/march_2026.csv": CSV} if inputs is None else inputs).items():
        files[f"input_files/{rel}"] = content
    for rel, content in ({"reward.sh": REWARD_SH, "check.py": CHECK_PY} if reward is None else reward).items():
        files[f"reward/{rel}"] = content
    for rel, content in files.items():
        path = task_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        path.chmod(0o755 if rel in executables else 0o644)
    return task_dir


def problems_of(source: Any) -> list[str]:
    with pytest.raises(TaskLoadError) as info:
        load_tasks(source)
    return info.value.problems


# --------------------------------------------------------------------------- format A


def test_task_dir_every_field(tmp_path: Path) -> None:
    task_dir = make_task_dir(
        tmp_path,
        data_entry=entry(metadata={"category": "finance", "grading_type": "automated", "difficulty": "easy"}),
        inputs={"expenses/march_2026.csv": CSV, "bin/report.sh": "#!/bin/sh\necho ok\n", "raw.bin": b"\x00\xff\x10"},
        reward={"reward.sh": REWARD_SH, "check.py": CHECK_PY, "lib/util.py": "X = 1\n", "run_me": "#!/bin/sh\n"},
        executables=("input_files/bin/report.sh", "reward/run_me", "reward/reward.sh"),
    )
    (task) = load_tasks(task_dir)
    assert len(task) == 1
    t = task[0]
    assert t.id == "task_0001"
    assert t.instruction == QUERY
    assert dict(t.files) == {
        "bin/report.sh": b"#!/bin/sh\necho ok\n",
        "expenses/march_2026.csv": CSV.encode(),
        "raw.bin": b"\x00\xff\x10",
    }
    assert t.executables == frozenset({"bin/report.sh"})
    assert dict(t.verifier.files) == {
        "check.py": CHECK_PY.encode(),
        "lib/util.py": b"X = 1\n",
        "reward.sh": REWARD_SH.encode(),
        "run_me": b"#!/bin/sh\n",
    }
    assert t.verifier.entrypoint == "reward.sh"
    assert t.verifier.executables == frozenset({"reward.sh", "run_me"})
    assert t.verifier.timeout_s == 120.0
    assert dict(t.metadata) == {"category": "finance", "grading_type": "automated", "difficulty": "easy"}
    assert t.category == "finance"
    assert t.rubric == ()
    assert t.reference_solution is None
    assert t.workspace_path == W
    assert t.input_mount_dir == W
    assert t.source == str(task_dir)
    assert load_task(task_dir) == t


def test_dataset_dir_sorted_and_hidden_entries_ignored(tmp_path: Path) -> None:
    for name in ("task_0010", "task_0002", "task_0001"):
        make_task_dir(tmp_path, name)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    tasks = load_tasks(tmp_path)
    assert [t.id for t in tasks] == ["task_0001", "task_0002", "task_0010"]
    assert [t.source for t in tasks] == [str(tmp_path / n) for n in ("task_0001", "task_0002", "task_0010")]


@pytest.mark.parametrize(
    ("mount", "expected"),
    [
        (W, "a/b.csv"),
        (W + "/", "a/b.csv"),
        (W + "/sub", "sub/a/b.csv"),
        (W + "/sub/deeper/", "sub/deeper/a/b.csv"),
    ],
)
def test_input_mount_dir_maps_to_workspace_paths(tmp_path: Path, mount: str, expected: str) -> None:
    task_dir = make_task_dir(tmp_path, data_entry=entry(input_mount_dir=mount), inputs={"a/b.csv": "x,y\n"})
    t = load_task(task_dir)
    assert dict(t.files) == {expected: b"x,y\n"}
    assert t.input_mount_dir == mount


def test_input_files_without_mount_dir_are_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    task_dir = make_task_dir(tmp_path, data_entry=entry(input_mount_dir=_DROP))
    with caplog.at_level(logging.WARNING, logger="clawgym_env.envs.loaders"):
        t = load_task(task_dir)
    assert dict(t.files) == {}
    assert t.input_mount_dir is None
    assert any("input_files/ is ignored" in r.getMessage() for r in caplog.records)


def test_no_input_files_and_no_mount_dir(tmp_path: Path) -> None:
    task_dir = make_task_dir(tmp_path, data_entry=entry(input_mount_dir=_DROP), inputs={})
    t = load_task(task_dir)
    assert (dict(t.files), t.input_mount_dir) == ({}, None)


def test_symlink_inside_task_dir_is_followed(tmp_path: Path) -> None:
    task_dir = make_task_dir(tmp_path)
    (task_dir / "shared").mkdir()
    (task_dir / "shared" / "notes.txt").write_text("hello\n")
    (task_dir / "input_files" / "notes.txt").symlink_to("../shared/notes.txt")
    (task_dir / "input_files" / "shared_dir").symlink_to("../shared")
    t = load_task(task_dir)
    assert t.files["notes.txt"] == b"hello\n"
    assert t.files["shared_dir/notes.txt"] == b"hello\n"


def test_solution_json_and_rubric_extensions(tmp_path: Path) -> None:
    rule = [{"name": "total", "description": "The total is right", "weight": 2}]
    task_dir = make_task_dir(
        tmp_path, data_entry=entry(metadata={"category": "finance", "grading_type": "hybrid", "rule": rule})
    )
    steps = [{"name": "read", "arguments": {"path": "expenses/march_2026.csv"}}]
    (task_dir / "solution.json").write_text(json.dumps(steps))
    t = load_task(task_dir)
    assert t.rubric == (RubricRule(name="total", description="The total is right", weight=2.0),)
    assert [dict(s) for s in t.reference_solution or ()] == steps


def _bad(tmp_path: Path, case: str) -> tuple[Path, list[str]]:
    """Build one malformed task of kind ``case``; return it with its expected problems."""
    d = tmp_path / "task_bad"
    ej = f"{d}/data_entry.json"
    if case == "no_entry":
        make_task_dir(tmp_path, "task_bad")
        (d / "data_entry.json").unlink()
        return d, [f"{ej}: file is missing (every task directory needs one)"]
    if case == "no_reward_sh":
        make_task_dir(tmp_path, "task_bad", reward={"check.py": CHECK_PY})
        return d, [f"{d}/reward/reward.sh: file is missing (every task needs the verifier entry point)"]
    if case == "no_reward_dir":
        make_task_dir(tmp_path, "task_bad", reward={})
        return d, [f"{d}/reward/reward.sh: file is missing (every task needs the verifier entry point)"]
    if case == "bad_json":
        make_task_dir(tmp_path, "task_bad", data_entry='{\n  "task_id": "t",\n  "user_query": \n}')
        return d, [f"{ej}: invalid JSON at line 4, column 1: Expecting value"]
    if case == "bad_utf8":
        make_task_dir(tmp_path, "task_bad", data_entry=b'{"task_id": "\xff"}')
        return d, [f"{ej}: not valid UTF-8 (byte 13)"]
    if case == "not_object":
        make_task_dir(tmp_path, "task_bad", data_entry="[1, 2]")
        return d, [f"{ej}: expected a JSON object, got array"]
    if case == "no_user_query":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(user_query=_DROP))
        return d, [f"{ej}: missing required field 'user_query'"]
    if case == "no_metadata":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(metadata=_DROP))
        return d, [f"{ej}: missing required field 'metadata'"]
    if case == "task_id_int":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(task_id=7))
        return d, [f"{ej}: field 'task_id' must be a string, got int"]
    if case == "metadata_list":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(metadata=["finance"]))
        return d, [f"{ej}: field 'metadata' must be an object, got array"]
    if case == "mount_int":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(input_mount_dir=5))
        return d, [f"{ej}: field 'input_mount_dir' must be a string, got int"]
    if case == "mount_without_inputs":
        make_task_dir(tmp_path, "task_bad", inputs={})
        return d, [f"{d}/input_files: missing, but data_entry.json sets input_mount_dir {W!r}"]
    if case == "mount_outside":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(input_mount_dir="/root/.openclaw/workspaces"))
        return d, [f"{ej}: input_mount_dir '/root/.openclaw/workspaces' is outside the workspace {W!r}"]
    if case == "mount_dotdot":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(input_mount_dir=W + "/../etc"))
        return d, [f"{ej}: input_mount_dir '{W}/../etc' must be an absolute path without '..' below {W!r}"]
    if case == "mount_relative":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(input_mount_dir="workspace"))
        return d, [f"{ej}: input_mount_dir 'workspace' must be an absolute path without '..' below {W!r}"]
    if case == "input_symlink_out":
        make_task_dir(tmp_path, "task_bad")
        (d / "input_files" / "leak.txt").symlink_to("/etc/hostname")
        return d, [f"{d}/input_files/leak.txt: symlink escapes the task directory (points to '/etc/hostname')"]
    if case == "reward_symlink_out":
        make_task_dir(tmp_path, "task_bad")
        (tmp_path / "outside.py").write_text("print(1)\n")
        (d / "reward" / "helper.py").symlink_to("../../outside.py")
        return d, [f"{d}/reward/helper.py: symlink escapes the task directory (points to '../../outside.py')"]
    if case == "dangling_symlink":
        make_task_dir(tmp_path, "task_bad")
        (d / "input_files" / "gone.txt").symlink_to("nowhere.txt")
        return d, [f"{d}/input_files/gone.txt: broken or looping symlink (points to 'nowhere.txt')"]
    if case == "empty_query":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(task_id="task_bad", user_query="   "))
        return d, [f"{ej}: task task_bad: instruction must be a non-empty string"]
    if case == "bad_solution":
        make_task_dir(tmp_path, "task_bad")
        (d / "solution.json").write_text('{"name": "read"}')
        return d, [f"{d}/solution.json: expected a JSON array of tool calls, got object"]
    if case == "two_problems":
        make_task_dir(tmp_path, "task_bad", data_entry=entry(user_query=_DROP), reward={"check.py": CHECK_PY})
        return d, [
            f"{ej}: missing required field 'user_query'",
            f"{d}/reward/reward.sh: file is missing (every task needs the verifier entry point)",
        ]
    raise AssertionError(case)


BAD_CASES = [
    "no_entry",
    "no_reward_sh",
    "no_reward_dir",
    "bad_json",
    "bad_utf8",
    "not_object",
    "no_user_query",
    "no_metadata",
    "task_id_int",
    "metadata_list",
    "mount_int",
    "mount_without_inputs",
    "mount_outside",
    "mount_dotdot",
    "mount_relative",
    "input_symlink_out",
    "reward_symlink_out",
    "dangling_symlink",
    "empty_query",
    "bad_solution",
    "two_problems",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_malformed_task_dir_exact_problem(tmp_path: Path, case: str) -> None:
    task_dir, expected = _bad(tmp_path, case)
    assert problems_of(task_dir) == expected
    with pytest.raises(TaskError) as info:
        load_task(task_dir)
    assert str(info.value).startswith(f"{len(expected)} malformed task")
    for problem in expected:
        assert f"  - {problem}\n" in str(info.value)


def test_strict_collects_every_problem_and_lenient_skips(tmp_path: Path) -> None:
    make_task_dir(tmp_path, "task_0001")
    make_task_dir(tmp_path, "task_0002", data_entry=entry("task_0002", user_query=_DROP))
    make_task_dir(tmp_path, "task_0003", data_entry="{oops")
    make_task_dir(tmp_path, "task_0004", reward={"check.py": CHECK_PY}, data_entry=entry("task_0004"))
    make_task_dir(tmp_path, "task_0005", data_entry=entry("task_0005"))
    expected = [
        f"{tmp_path}/task_0002/data_entry.json: missing required field 'user_query'",
        f"{tmp_path}/task_0003/data_entry.json: invalid JSON at line 1, column 2: "
        "Expecting property name enclosed in double quotes",
        f"{tmp_path}/task_0004/reward/reward.sh: file is missing (every task needs the verifier entry point)",
    ]
    with pytest.raises(TaskLoadError, match=r"^3 malformed tasks:\n") as info:
        load_tasks(tmp_path)
    assert info.value.problems == expected

    with pytest.warns(TaskLoadWarning) as record:
        tasks = load_tasks(tmp_path, strict=False)
    assert [t.id for t in tasks] == ["task_0001", "task_0005"]
    assert [str(w.message) for w in record] == [f"skipping malformed task: {p}" for p in expected]


def test_non_directory_child_is_a_problem(tmp_path: Path) -> None:
    make_task_dir(tmp_path, "task_0001")
    (tmp_path / "notes.txt").write_text("hi")
    assert problems_of(tmp_path) == [
        f"{tmp_path}/notes.txt: not a task directory (a dataset directory holds only task directories)"
    ]


def test_duplicate_ids_across_directories(tmp_path: Path) -> None:
    make_task_dir(tmp_path, "a", data_entry=entry("task_x"))
    make_task_dir(tmp_path, "b", data_entry=entry("task_x"))
    assert problems_of(tmp_path) == [f"{tmp_path}/b: duplicate task id 'task_x' (first loaded from {tmp_path}/a)"]
    with pytest.warns(TaskLoadWarning):
        assert [t.source for t in load_tasks(tmp_path, strict=False)] == [str(tmp_path / "a")]


def test_dispatch(tmp_path: Path) -> None:
    a = make_task_dir(tmp_path / "one", "task_a", data_entry=entry("task_a"))
    jsonl = tmp_path / "tasks.jsonl"
    jsonl.write_text(json.dumps(row(origin_template="---\nid: task_b\n---\n")) + "\n")
    assert [t.id for t in load_tasks([jsonl, str(a)])] == ["task_b", "task_a"]
    assert [t.id for t in load_tasks(iter([os.fspath(a)]))] == ["task_a"]
    assert load_tasks([]) == []

    with pytest.raises(TaskError, match=re.escape(f"{tmp_path}/missing: no such file or directory")):
        load_tasks(tmp_path / "missing")
    (tmp_path / "tasks.txt").write_text("{}")
    with pytest.raises(TaskError, match=re.escape(f"{tmp_path}/tasks.txt: not a task directory or a .jsonl file")):
        load_tasks(tmp_path / "tasks.txt")
    with pytest.raises(TaskError, match="cannot load tasks from 42"):
        load_tasks(42)  # type: ignore[arg-type]
    with pytest.raises(TaskError, match="cannot load tasks from 42"):
        load_tasks([a, 42])  # type: ignore[list-item]

    # the same id from a directory and a JSONL file is a problem
    make_task_dir(tmp_path / "two", "task_b", data_entry=entry("task_b"))
    assert problems_of([jsonl, tmp_path / "two"]) == [
        f"{tmp_path}/two/task_b: duplicate task id 'task_b' (first loaded from {jsonl}:1)"
    ]


# --------------------------------------------------------------------------- format B


def row(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "prompt": "Compute the total of data/sales.csv and write it to out/total.txt.",
        "hook_code": f"python3 {W}/reward/test.py {W}",
        "input_files": [
            {"file_path": "data/sales.csv", "content": "region,amount\nnorth,10\nsouth,32\n", "file_type": "csv"},
            {"file_path": "reward/test.py", "content": CHECK_PY},
            {"file_path": "reward/lib/helpers.py", "content": "def ok():\n    return 1.0\n"},
        ],
        "rule": None,
        "origin_template": "---\nid: task_00_sales_total\nname: Sales total\ncategory: data\n---\n## Prompt\n...",
        "macro_category": "Data",
        "action": "create",
        "hook_lang": "python",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not _DROP}


def write_jsonl(path: Path, *rows: Any) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_every_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "clawgym.jsonl", row())
    [t] = load_tasks(path)
    assert t.id == "task_00_sales_total"
    assert t.instruction == "Compute the total of data/sales.csv and write it to out/total.txt."
    assert dict(t.files) == {"data/sales.csv": b"region,amount\nnorth,10\nsouth,32\n"}
    assert t.executables == frozenset()
    expected_sh = f"#!/usr/bin/env bash\nset -euo pipefail\n\npython3 {W}/reward/check.py {W} | {SCORER}\n"
    assert dict(t.verifier.files) == {
        "check.py": CHECK_PY.encode(),
        "lib/helpers.py": b"def ok():\n    return 1.0\n",
        "reward.sh": expected_sh.encode(),
    }
    assert t.verifier.files["reward.sh"] == REWARD_SH.encode()
    assert t.verifier.entrypoint == "reward.sh"
    assert t.verifier.executables == frozenset()
    assert dict(t.metadata) == {"category": "", "grading_type": "automated"}
    assert list(t.metadata) == ["category", "grading_type"]
    assert t.rubric == ()
    assert t.reference_solution is None
    assert t.workspace_path == W
    assert t.input_mount_dir == W
    assert t.source == f"{path}:1"


def test_jsonl_ids_indices_blank_lines_and_no_workspace_files(tmp_path: Path) -> None:
    only_reward = [{"file_path": "reward/check.py", "content": CHECK_PY}]
    path = write_jsonl(
        tmp_path / "t.jsonl",
        row(origin_template=_DROP),
        "",
        "   ",
        row(origin_template="---\nname: x\n  id:   task_indented  \nid: second\n", input_files=only_reward),
        row(origin_template="no front matter", input_files=_DROP, hook_code=_DROP),
    )
    tasks = load_tasks(path)
    assert [t.id for t in tasks] == ["task_00000", "task_indented", "task_00002"]
    assert [t.source for t in tasks] == [f"{path}:1", f"{path}:4", f"{path}:5"]
    assert [t.input_mount_dir for t in tasks] == [W, None, None]
    assert dict(tasks[1].files) == {} and dict(tasks[2].files) == {}
    assert set(tasks[2].verifier.files) == {"reward.sh"}


def test_jsonl_rule_category_and_rubric(tmp_path: Path) -> None:
    rule = [
        {"name": "accuracy", "description": "Total is 42", "weight": 3},
        {"criterion": "Output is a single number"},
    ]
    path = write_jsonl(
        tmp_path / "t.jsonl",
        row(rule=rule, category="Data Analysis"),
        row(rule="", rules="Be terse", category=7, origin_template="id: task_other\n"),
    )
    first, second = load_tasks(path)
    assert dict(first.metadata) == {"category": "Data Analysis", "grading_type": "automated", "rule": rule}
    assert first.category == "Data Analysis"
    assert first.rubric == (
        RubricRule(name="accuracy", description="Total is 42", weight=3.0),
        RubricRule(name="rule_2", description="Output is a single number"),
    )
    assert dict(second.metadata) == {"category": "", "grading_type": "automated"}
    assert second.rubric == (RubricRule(name="rule_1", description="Be terse"),)


def test_unparseable_rubric_never_fails_the_task(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", row(rule=[{"weight": "heavy"}, 3]))
    with caplog.at_level(logging.DEBUG, logger="clawgym_env.envs.loaders"):
        [t] = load_tasks(path)
    assert t.rubric == ()
    assert t.metadata["rule"] == [{"weight": "heavy"}, 3]
    assert any("cannot parse rubric" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        (None, f"python3 {W}/reward/check.py {W}"),
        ("", f"python3 {W}/reward/check.py {W}"),
        (f"python3 {W}/reward/test.py {W}", f"python3 {W}/reward/check.py {W}"),
        (f"python3 reward/test.py {W}", f"python3 {W}/reward/check.py {W}"),
        (f"python3 {W}/reward/check.py", f"python3 {W}/reward/check.py"),
        (f"cd {W} && python3 reward/grade.py", f"cd {W} && python3 reward/grade.py"),
        (f"bash {W}/reward/run.sh", "bash reward/run.sh"),
        ("python3 reward/test.py; python3 reward/test.py", f"python3 {W}/reward/check.py; python3 {W}/reward/check.py"),
    ],
)
def test_hook_normalisation(tmp_path: Path, hook: str | None, expected: str) -> None:
    assert normalize_hook(hook) == expected
    path = write_jsonl(tmp_path / "t.jsonl", row(hook_code=hook) if hook is not None else row(hook_code=_DROP))
    [t] = load_tasks(path)
    assert t.verifier.files["reward.sh"].decode() == (
        "#!/usr/bin/env bash\nset -euo pipefail\n\n" + expected + " | " + SCORER + "\n"
    )


@pytest.mark.parametrize(
    ("stdout", "score"), [('{"a": 1, "b": 0.5}', "0.75"), ("0.25", "0.25"), ("{}", "0.0"), ('"x"', "0.0")]
)
def test_generated_reward_script_scores(stdout: str, score: str) -> None:
    script = jsonl_reward_script(f"printf '%s' '{stdout}'")
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, timeout=30)
    assert result.stdout.splitlines()[-1] == score


def test_jsonl_duplicate_ids_skip_later_rows_with_warning(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", row(), row(prompt="another prompt"))
    with pytest.warns(TaskLoadWarning, match=re.escape(f"{path}:2: skipping duplicate task id 'task_00_sales_total'")):
        tasks = load_tasks(path)
    assert [(t.id, t.source) for t in tasks] == [("task_00_sales_total", f"{path}:1")]


JSONL_BAD = [
    ('{"prompt": "x",}', "invalid JSON at line 1, column 16: Expecting property name enclosed in double quotes"),
    ("[1, 2]", "expected a JSON object, got array"),
    ('"just a string"', "expected a JSON object, got string"),
    (row(prompt=_DROP), "missing required field 'prompt'"),
    (row(prompt=3), "field 'prompt' must be a string, got int"),
    (row(prompt=""), "task task_00_sales_total: instruction must be a non-empty string"),
    (row(hook_code=["python3"]), "field 'hook_code' must be a string, got array"),
    (row(input_files={"a": "b"}), "field 'input_files' must be a list, got object"),
    (row(input_files=["a.txt"]), "input_files[0] must be an object, got string"),
    (row(input_files=[{"file_path": "a.txt"}]), "input_files[0].content must be a string, got null"),
    (
        row(input_files=[{"file_path": "../escape.txt", "content": "x"}]),
        "input_files[0].file_path '../escape.txt' escapes the workspace (contains '..' or is empty)",
    ),
    (
        row(input_files=[{"file_path": "/etc/passwd", "content": "x"}]),
        "input_files[0].file_path '/etc/passwd' must be relative to the workspace, not absolute",
    ),
    (
        row(input_files=[{"file_path": "reward/../../x.py", "content": "x"}]),
        "input_files[0].file_path 'reward/../../x.py' escapes the workspace (contains '..' or is empty)",
    ),
    (
        row(input_files=[{"file_path": "reward/", "content": "x"}]),
        "input_files[0].file_path 'reward/' names no file below reward/",
    ),
    (
        row(input_files=[{"file_path": "a", "content": "x"}, {"file_path": "a/b", "content": "y"}]),
        "workspace path 'a' is both a file and a directory",
    ),
    (row(origin_template="id: bad/id\n"), "task id 'bad/id' must not contain '/' or surrounding spaces"),
]


@pytest.mark.parametrize(("line", "problem"), JSONL_BAD)
def test_malformed_jsonl_line_exact_problem(tmp_path: Path, line: Any, problem: str) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", row(origin_template="id: good\n"), "", line)
    assert problems_of(path) == [f"{path}:3: {problem}"]


def test_jsonl_strict_collects_all_lines_and_lenient_skips(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "t.jsonl",
        "not json",
        row(origin_template="id: ok_1\n"),
        row(prompt=_DROP, origin_template="id: bad_1\n"),
        "42",
        row(origin_template="id: ok_2\n"),
    )
    expected = [
        f"{path}:1: invalid JSON at line 1, column 1: Expecting value",
        f"{path}:3: missing required field 'prompt'",
        f"{path}:4: expected a JSON object, got int",
    ]
    assert problems_of(path) == expected
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        tasks = load_tasks(path, strict=False)
    assert [t.id for t in tasks] == ["ok_1", "ok_2"]
    assert [str(w.message) for w in record] == [f"skipping malformed task: {p}" for p in expected]
    assert all(w.category is TaskLoadWarning for w in record)


def test_jsonl_generated_reward_sh_replaces_a_listed_one(tmp_path: Path) -> None:
    files = [{"file_path": "reward/reward.sh", "content": "echo 1\n"}, {"file_path": "reward/check.py", "content": "x"}]
    [t] = load_tasks(write_jsonl(tmp_path / "t.jsonl", row(input_files=files)))
    assert t.verifier.files["reward.sh"] == jsonl_reward_script(row()["hook_code"]).encode()


# --------------------------------------------------------------------------- rubric parsing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mentions the total", (RubricRule("rule_1", "Mentions the total"),)),
        (["a", "b"], (RubricRule("rule_1", "a"), RubricRule("rule_2", "b"))),
        ('[{"name": "n", "text": "t"}]', (RubricRule("n", "t"),)),
        ({"rules": [{"rule": "r", "weight": 0.5}]}, (RubricRule("rule_1", "r", 0.5),)),
        ({"id": 7, "description": "d"}, (RubricRule("7", "d"),)),
        (
            [{"name": "n", "description": "d", "levels": {"0": "none", "1.0": "all"}}],
            (RubricRule("n", "d", 1.0, {"0": "none", "1.0": "all"}),),
        ),
        (None, ()),
        ([], ()),
        (3, ()),
        ([{"name": "n"}], ()),
        ([{"description": "d", "weight": -1}], ()),
        ([{"description": "d", "weight": float("nan")}], ()),
        (["ok", ""], ()),
    ],
)
def test_parse_rubric(raw: Any, expected: tuple[RubricRule, ...]) -> None:
    assert parse_rubric(raw) == expected


# --------------------------------------------------------------------------- round trip


def _round_trip(task: Task, dest: Path) -> Task:
    written = write_task_dir(task, dest)
    assert written == dest
    back = load_task(dest)
    assert back == dataclasses.replace(task, source=str(dest))
    assert back.content_hash == task.content_hash
    assert write_task_dir(back, dest.with_name(dest.name + "_again")) == dest.with_name(dest.name + "_again")
    return back


def test_round_trip_task_dir(tmp_path: Path) -> None:
    rule = [{"name": "total", "description": "Total right", "weight": 2}]
    src = make_task_dir(
        tmp_path / "src",
        data_entry=entry(
            input_mount_dir=W + "/sub", metadata={"category": "finance", "grading_type": "hybrid", "rule": rule}
        ),
        inputs={"a/b.csv": CSV, "tool.sh": "#!/bin/sh\n", "bytes.bin": b"\x80\x00"},
        reward={"reward.sh": REWARD_SH, "check.py": CHECK_PY, "x/helper": "#!/bin/sh\n"},
        executables=("input_files/tool.sh", "reward/x/helper"),
    )
    (src / "solution.json").write_text(json.dumps([{"name": "read", "arguments": {"path": "sub/a/b.csv"}}]))
    task = load_task(src)
    _round_trip(task, tmp_path / "out")
    assert json.loads((tmp_path / "out" / "data_entry.json").read_text()) == {
        "task_id": "task_0001",
        "user_query": QUERY,
        "metadata": {"category": "finance", "grading_type": "hybrid", "rule": rule},
        "input_mount_dir": W + "/sub",
    }
    assert os.access(tmp_path / "out" / "input_files" / "tool.sh", os.X_OK)
    assert not os.access(tmp_path / "out" / "input_files" / "a" / "b.csv", os.X_OK)
    assert os.access(tmp_path / "out" / "reward" / "x" / "helper", os.X_OK)


def test_round_trip_jsonl_tasks(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "t.jsonl",
        row(),
        row(origin_template="id: no_files\n", input_files=[], rules=["be concise"]),
        row(origin_template="id: with_rule\n", rule={"criteria": ["a", "b"]}, category="ops"),
    )
    for task in load_tasks(path):
        _round_trip(task, tmp_path / task.id)
    no_files = json.loads((tmp_path / "no_files" / "data_entry.json").read_text())
    assert "input_mount_dir" not in no_files
    assert no_files["rubric"] == [{"name": "rule_1", "description": "be concise", "weight": 1.0}]
    assert not (tmp_path / "no_files" / "input_files").exists()


def test_round_trip_handmade_tasks(tmp_path: Path) -> None:
    from clawgym_env.envs.task import Verifier

    verifier = Verifier(files={"reward.sh": "echo 1\n"})
    cases = [
        Task(id="t1", instruction="do it", verifier=verifier),
        Task(id="t2", instruction="do it", verifier=verifier, input_mount_dir=W + "/empty"),
        Task(id="t3", instruction="do it", verifier=verifier, files={"x.txt": "x"}, input_mount_dir=W),
        Task(
            id="t4",
            instruction="do it",
            verifier=verifier,
            metadata={"rule": "from metadata"},
            rubric=(RubricRule("other", "explicit"),),
            reference_solution=({"name": "exec", "arguments": {"command": "ls"}},),
        ),
        Task(id="t5", instruction="do it", verifier=verifier, metadata={"rule": "kept in metadata only"}),
    ]
    for task in cases:
        _round_trip(task, tmp_path / task.id)
    # files without an input_mount_dir: format A has to mount them at the workspace root
    loose = Task(id="t6", instruction="do it", verifier=verifier, files={"x.sh": "x"}, executables={"x.sh"})
    back = load_task(write_task_dir(loose, tmp_path / "t6"))
    assert back == dataclasses.replace(loose, input_mount_dir=W, source=str(tmp_path / "t6"))


def test_write_task_dir_refuses_what_format_a_cannot_hold(tmp_path: Path) -> None:
    from clawgym_env.envs.task import Verifier

    verifier = Verifier(files={"reward.sh": "echo 1\n"})
    task = Task(id="t", instruction="q", verifier=verifier, files={"top.txt": "x"}, input_mount_dir=W + "/sub")
    with pytest.raises(TaskError, match=re.escape("task t: file 'top.txt' lies outside input_mount_dir")):
        write_task_dir(task, tmp_path / "a")
    with pytest.raises(TaskError, match="format A needs workspace_path"):
        write_task_dir(Task(id="t", instruction="q", verifier=verifier, workspace_path="/work"), tmp_path / "b")
    with pytest.raises(TaskError, match="verifier entry point"):
        write_task_dir(
            Task(id="t", instruction="q", verifier=Verifier(files={"run.sh": "x"}, entrypoint="run.sh")),
            tmp_path / "c",
        )
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(TaskError, match="must not exist or be an empty directory"):
        write_task_dir(Task(id="t", instruction="q", verifier=verifier), tmp_path / "full")


# --------------------------------------------------------------------------- fuzzing


def _check_outcome(source: Path) -> None:
    for strict in (True, False):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tasks = load_tasks(source, strict=strict)
        except TaskError:
            continue
        for task in tasks:
            assert isinstance(task, Task)
            assert task.verifier.entrypoint in task.verifier.files
            task.to_dict()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blob=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_random_data_entry_bytes_never_crash(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        make_task_dir(Path(tmp), data_entry=blob)
        _check_outcome(Path(tmp) / "task_0001")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
fields = st.sampled_from(["prompt", "hook_code", "input_files", "rule", "rules", "origin_template", "category"])


@st.composite
def corrupted_lines(draw: st.DrawFn) -> str:
    base = row()
    kind = draw(st.sampled_from(["field", "file_entry", "text"]))
    if kind == "field":
        for _ in range(draw(st.integers(1, 3))):
            base[draw(fields)] = draw(json_values)
    elif kind == "file_entry":
        entry_value = draw(st.dictionaries(st.sampled_from(["file_path", "content"]), json_values | st.text()))
        base["input_files"] = [*base["input_files"], entry_value]
    line = json.dumps(base, allow_nan=True)
    if kind == "text":
        for _ in range(draw(st.integers(1, 4))):
            pos = draw(st.integers(0, len(line)))
            cut = draw(st.integers(0, 5))
            line = line[:pos] + draw(st.text(max_size=4)) + line[pos + cut :]
    return line


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(corrupted_lines(), min_size=1, max_size=3))
def test_corrupted_jsonl_lines_never_crash(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        _check_outcome(path)
