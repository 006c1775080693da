"""The task model: validation, immutability, serialization."""

from __future__ import annotations

import json
import re

import pytest

from clawgym_env.envs.task import RubricRule, Task, Verifier, check_relative_path
from clawgym_env.errors import TaskError


def _verifier() -> Verifier:
    return Verifier(files={"reward.sh": "echo 1.0\n", "check.py": b"print(1)\n"}, executables={"reward.sh"})


def _task(**overrides: object) -> Task:
    fields: dict[str, object] = {
        "id": "task_0001",
        "instruction": "Summarise notes.md into summary.txt.",
        "verifier": _verifier(),
        "files": {"notes.md": "# Notes\n- a\n", "data/raw.bin": b"\x00\xff\x10"},
        "executables": {"notes.md"},
        "metadata": {"category": "writing", "grading_type": "automated"},
        "rubric": (RubricRule("tone", "Friendly tone", 2.0, {"0": "rude", "1.0": "warm"}),),
        "reference_solution": ({"name": "write", "arguments": {"path": "summary.txt", "content": "a"}},),
    }
    fields.update(overrides)
    return Task(**fields)  # type: ignore[arg-type]


def test_round_trip_through_json_preserves_everything() -> None:
    task = _task()
    clone = Task.from_dict(json.loads(json.dumps(task.to_dict())))
    assert clone == task
    assert clone.files["data/raw.bin"] == b"\x00\xff\x10"
    assert clone.content_hash == task.content_hash


def test_content_hash_changes_with_content_but_not_source() -> None:
    task = _task()
    assert _task(source="elsewhere").content_hash == task.content_hash
    assert _task(files={"notes.md": "other"}, executables=set()).content_hash != task.content_hash


def test_task_is_immutable() -> None:
    task = _task()
    with pytest.raises(AttributeError):
        task.id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        task.files["new.txt"] = b""  # type: ignore[index]
    with pytest.raises(TypeError):
        task.metadata["category"] = "x"  # type: ignore[index]


def test_paths_are_normalised() -> None:
    task = _task(files={"./a//b.txt": "x"}, executables=set())
    assert list(task.files) == ["a/b.txt"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/etc/passwd", "file path '/etc/passwd' must be relative to the workspace, not absolute"),
        ("../x", "file path '../x' escapes the workspace (contains '..' or is empty)"),
        ("a/../../x", "file path 'a/../../x' escapes the workspace (contains '..' or is empty)"),
        ("", "file path must be a non-empty string, got ''"),
    ],
)
def test_escaping_paths_are_rejected(path: str, message: str) -> None:
    with pytest.raises(TaskError, match=f"^{re.escape(message)}$"):
        check_relative_path(path)


def test_invalid_fields_name_the_task() -> None:
    with pytest.raises(TaskError, match=r"^task task_0001: instruction must be a non-empty string$"):
        _task(instruction="  ")
    with pytest.raises(TaskError, match=r"executables \['missing.sh'\] are not among its files"):
        _task(executables={"missing.sh"})
    with pytest.raises(TaskError, match="reference_solution\\[0\\] must be"):
        _task(reference_solution=({"arguments": {}},))
    with pytest.raises(TaskError, match="must not contain '/'"):
        _task(id="a/b")


def test_verifier_needs_its_entrypoint() -> None:
    with pytest.raises(TaskError, match=r"^verifier has no entrypoint 'reward.sh' among its files \['check.py'\]$"):
        Verifier(files={"check.py": "x"})


def test_from_dict_reports_missing_keys() -> None:
    with pytest.raises(TaskError, match=r"^task dict is missing the required key 'instruction'$"):
        Task.from_dict({"id": "t", "verifier": _verifier().to_dict()})
