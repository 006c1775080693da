"""The task model: a frozen, serializable description of one Claw task.

A task is ``<instruction, initial workspace, tools, verifier>``. This module
holds data only; loading lives in :mod:`clawgym_env.envs.loaders` and running
in :class:`clawgym_env.envs.ClawEnv`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from clawgym_env.errors import TaskError
from clawgym_env.sandbox.base import DEFAULT_MOUNT_PATH

__all__ = ["DEFAULT_MOUNT_PATH", "RubricRule", "Task", "Verifier", "check_relative_path"]

FileContent = bytes | str


def check_relative_path(path: str, *, what: str = "file path") -> str:
    """Normalise a workspace-relative POSIX path; raise :class:`TaskError` if it escapes.

    ``"./a//b.txt"`` becomes ``"a/b.txt"``; absolute paths, ``..`` components and
    empty paths are rejected.
    """
    if not isinstance(path, str) or not path.strip():
        raise TaskError(f"{what} must be a non-empty string, got {path!r}")
    pure = PurePosixPath(path)
    if pure.is_absolute():
        raise TaskError(f"{what} {path!r} must be relative to the workspace, not absolute")
    parts = [p for p in pure.parts if p not in ("", ".")]
    if not parts or ".." in parts:
        raise TaskError(f"{what} {path!r} escapes the workspace (contains '..' or is empty)")
    return "/".join(parts)


def _freeze_files(files: Mapping[str, FileContent], what: str) -> Mapping[str, bytes]:
    frozen: dict[str, bytes] = {}
    for raw_path, content in files.items():
        path = check_relative_path(raw_path, what=what)
        if isinstance(content, str):
            content = content.encode("utf-8")
        elif not isinstance(content, bytes | bytearray):
            raise TaskError(f"{what} {raw_path!r} must hold bytes or str, got {type(content).__name__}")
        if path in frozen:
            raise TaskError(f"{what} {raw_path!r} is given twice")
        frozen[path] = bytes(content)
    return MappingProxyType(dict(sorted(frozen.items())))


def _encode_files(files: Mapping[str, bytes]) -> dict[str, dict[str, str]]:
    encoded: dict[str, dict[str, str]] = {}
    for path, content in files.items():
        try:
            encoded[path] = {"text": content.decode("utf-8")}
        except UnicodeDecodeError:
            encoded[path] = {"base64": base64.b64encode(content).decode("ascii")}
    return encoded


def _decode_files(encoded: Mapping[str, Any]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path, entry in encoded.items():
        if isinstance(entry, str):
            files[path] = entry.encode("utf-8")
        elif isinstance(entry, Mapping) and "text" in entry:
            files[path] = str(entry["text"]).encode("utf-8")
        elif isinstance(entry, Mapping) and "base64" in entry:
            files[path] = base64.b64decode(entry["base64"])
        else:
            raise TaskError(f"file {path!r}: expected a string or {{'text'|'base64': ...}}, got {entry!r}")
    return files


@dataclass(frozen=True)
class Verifier:
    """A code verifier in the ClawGym ``reward/`` format.

    After the episode the files are copied to ``<workspace>/reward/`` (replacing
    anything the agent left there) and ``bash <workspace>/reward/<entrypoint>``
    runs in a fresh sandbox; the last line of its stdout is the score.
    """

    files: Mapping[str, bytes]
    """The ``reward/`` directory: path relative to it -> content. Must contain :attr:`entrypoint`."""
    entrypoint: str = "reward.sh"
    """The script run with ``bash``; it prints the score on its last stdout line."""
    executables: frozenset[str] = frozenset()
    """Paths in :attr:`files` that are executable."""
    timeout_s: float = 120.0
    """Wall-clock seconds the script may run; past that the score is 0.0."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", _freeze_files(self.files, "verifier file"))
        object.__setattr__(self, "executables", frozenset(self.executables))
        entry = check_relative_path(self.entrypoint, what="verifier entrypoint")
        object.__setattr__(self, "entrypoint", entry)
        if entry not in self.files:
            raise TaskError(f"verifier has no entrypoint {entry!r} among its files {sorted(self.files)}")
        unknown = self.executables - set(self.files)
        if unknown:
            raise TaskError(f"verifier executables {sorted(unknown)} are not among its files")
        if self.timeout_s <= 0:
            raise TaskError(f"verifier timeout_s must be > 0, got {self.timeout_s}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": _encode_files(self.files),
            "entrypoint": self.entrypoint,
            "executables": sorted(self.executables),
            "timeout_s": self.timeout_s,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verifier:
        return cls(
            files=_decode_files(data["files"]),
            entrypoint=data.get("entrypoint", "reward.sh"),
            executables=frozenset(data.get("executables", ())),
            timeout_s=float(data.get("timeout_s", 120.0)),
        )


@dataclass(frozen=True)
class RubricRule:
    """One criterion for an LLM judge (scored 0, 0.25, 0.5, 0.75 or 1.0)."""

    name: str
    """A short identifier."""
    description: str
    """What the judge checks."""
    weight: float = 1.0
    """Relative weight in ``s_rubric = sum(w q) / sum(w)``."""
    levels: Mapping[str, str] = field(default_factory=dict)
    """Optional: what earns each score, keyed ``"0"``, ``"0.25"``, ... ``"1.0"``."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "description": self.description, "weight": self.weight}
        if self.levels:
            data["levels"] = dict(self.levels)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RubricRule:
        return cls(
            name=str(data["name"]),
            description=str(data["description"]),
            weight=float(data.get("weight", 1.0)),
            levels=dict(data.get("levels", {})),
        )


@dataclass(frozen=True)
class Task:
    """One Claw task: instruction, initial workspace, verifier and what describes them.

    Instances are immutable (mappings are read-only views) and serialize to
    JSON with :meth:`to_dict`; :attr:`content_hash` identifies the content.
    """

    id: str
    """Unique id within its dataset, e.g. ``"task_0042"``; the gymnasium id is ``"{namespace}/{id}"``."""
    instruction: str
    """The user's request (``user_query`` in the ClawGym format)."""
    verifier: Verifier
    """How the final workspace is scored."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """The initial workspace: path relative to :attr:`workspace_path` -> content."""
    executables: frozenset[str] = frozenset()
    """Paths in :attr:`files` that are executable."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """Category, grading type, difficulty, ...; passed verbatim to the verifier's payload."""
    rubric: tuple[RubricRule, ...] = ()
    """Criteria for an LLM judge, if the task has any."""
    reference_solution: tuple[Mapping[str, Any], ...] | None = None
    """A list of tool calls ``{"name": ..., "arguments": {...}}`` that solves the task, if known."""
    workspace_path: str = DEFAULT_MOUNT_PATH
    """Where the workspace is mounted in the sandbox."""
    input_mount_dir: str | None = None
    """Where the ClawGym ``input_files/`` were mounted (kept for round trips); ``None`` if none."""
    source: str | None = None
    """Where the task was loaded from (a directory, or ``file.jsonl:LINE``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise TaskError(f"task id must be a non-empty string, got {self.id!r}")
        if "/" in self.id or self.id != self.id.strip():
            raise TaskError(f"task id {self.id!r} must not contain '/' or surrounding spaces")
        if not isinstance(self.instruction, str) or not self.instruction.strip():
            raise TaskError(f"task {self.id}: instruction must be a non-empty string")
        if not isinstance(self.verifier, Verifier):
            raise TaskError(f"task {self.id}: verifier must be a Verifier, got {type(self.verifier).__name__}")
        object.__setattr__(self, "files", _freeze_files(self.files, f"task {self.id}: file"))
        object.__setattr__(self, "executables", frozenset(self.executables))
        unknown = self.executables - set(self.files)
        if unknown:
            raise TaskError(f"task {self.id}: executables {sorted(unknown)} are not among its files")
        if not isinstance(self.metadata, Mapping):
            raise TaskError(f"task {self.id}: metadata must be a mapping, got {type(self.metadata).__name__}")
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        object.__setattr__(self, "rubric", tuple(self.rubric))
        if self.reference_solution is not None:
            object.__setattr__(self, "reference_solution", _check_solution(self.id, self.reference_solution))
        mount = PurePosixPath(self.workspace_path)
        if not mount.is_absolute() or ".." in mount.parts or mount == PurePosixPath("/"):
            raise TaskError(
                f"task {self.id}: workspace_path must be an absolute path below '/': {self.workspace_path!r}"
            )

    @property
    def category(self) -> str:
        """``metadata["category"]`` or ``""``."""
        return str(self.metadata.get("category") or "")

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON form (ignores :attr:`source`)."""
        data = self.to_dict()
        data.pop("source", None)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def __hash__(self) -> int:
        return hash(self.content_hash)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict; :meth:`from_dict` inverts it."""
        return {
            "id": self.id,
            "instruction": self.instruction,
            "files": _encode_files(self.files),
            "executables": sorted(self.executables),
            "verifier": self.verifier.to_dict(),
            "metadata": _plain(self.metadata),
            "rubric": [rule.to_dict() for rule in self.rubric],
            "reference_solution": None
            if self.reference_solution is None
            else [_plain(step) for step in self.reference_solution],
            "workspace_path": self.workspace_path,
            "input_mount_dir": self.input_mount_dir,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        """Rebuild a task from :meth:`to_dict` output."""
        try:
            return cls(
                id=data["id"],
                instruction=data["instruction"],
                verifier=Verifier.from_dict(data["verifier"]),
                files=_decode_files(data.get("files", {})),
                executables=frozenset(data.get("executables", ())),
                metadata=dict(data.get("metadata", {})),
                rubric=tuple(RubricRule.from_dict(r) for r in data.get("rubric", ())),
                reference_solution=None
                if data.get("reference_solution") is None
                else tuple(data["reference_solution"]),
                workspace_path=data.get("workspace_path", DEFAULT_MOUNT_PATH),
                input_mount_dir=data.get("input_mount_dir"),
                source=data.get("source"),
            )
        except KeyError as exc:
            raise TaskError(f"task dict is missing the required key {exc.args[0]!r}") from None


def _check_solution(task_id: str, steps: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    checked = []
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping) or not isinstance(step.get("name"), str):
            raise TaskError(f"task {task_id}: reference_solution[{index}] must be {{'name': str, 'arguments': dict}}")
        arguments = step.get("arguments", {})
        if not isinstance(arguments, Mapping):
            raise TaskError(f"task {task_id}: reference_solution[{index}].arguments must be a dict")
        checked.append(MappingProxyType({"name": step["name"], "arguments": dict(arguments)}))
    return tuple(checked)


def _plain(value: Any) -> Any:
    """Deep-copy read-only mappings into plain JSON-friendly containers."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
