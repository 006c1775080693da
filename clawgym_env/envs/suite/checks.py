"""Declaring a generated task's code checks, and rendering them into ``reward/check.py``.

A family adds named atomic checks with :class:`CheckList`'s methods, one per
check kind of :mod:`._checkrt` (the runtime that ships inside ``check.py``).
Each method returns the check's name, so later checks can ``require`` it::

    checks = CheckList()
    report = checks.file_exists("report_exists", "out/report.md")
    checks.md_items("top_three_listed", "out/report.md", "Top sellers", ["Ann", "Bo", "Cy"], requires=[report])
    checks.files_unchanged("inputs_untouched", {"data/sales.csv": sha}, requires=[report])

The expected values are data computed from the generated ground truth; the
logic lives once, in the runtime. :func:`render_check_py` writes the
self-contained, stdlib-only script; the task's ``reward.sh`` is the released
ClawGym template, so an exported task runs unchanged in the reference harness.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from clawgym_env.envs.suite import _checkrt

__all__ = ["CheckList", "render_check_py", "sha256_of"]


def sha256_of(content: str | bytes) -> str:
    """The hex SHA-256 of ``content`` (UTF-8 for text), as ``file_sha256`` checks compare it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


class CheckList:
    """An ordered list of named checks; see the module docstring.

    Names must be unique snake_case identifiers; ``requires`` may only name
    checks added before. Every method mirrors the runtime function of the
    same name (see :mod:`._checkrt` for the exact semantics).
    """

    def __init__(self) -> None:
        self._checks: list[dict[str, Any]] = []
        self._names: set[str] = set()

    def __len__(self) -> int:
        return len(self._checks)

    @property
    def names(self) -> list[str]:
        return [check["name"] for check in self._checks]

    def to_list(self) -> list[dict[str, Any]]:
        """The checks as plain JSON data, in order."""
        return json.loads(json.dumps(self._checks))

    def add(self, name: str, kind: str, *, requires: Iterable[str] = (), **args: Any) -> str:
        """Add a check of ``kind`` with its keyword ``args``; return ``name``."""
        if not name.replace("_", "").isalnum() or not name[0].isalpha() or name != name.lower():
            raise ValueError(f"check name {name!r} must be a snake_case identifier")
        if name in self._names:
            raise ValueError(f"check {name!r} is defined twice")
        if kind not in _checkrt.KINDS:
            raise ValueError(f"unknown check kind {kind!r}; kinds: {', '.join(sorted(_checkrt.KINDS))}")
        needed = list(requires)
        unknown = [r for r in needed if r not in self._names]
        if unknown:
            raise ValueError(f"check {name!r} requires {unknown}, which are not defined before it")
        check: dict[str, Any] = {"name": name, "kind": kind, "args": _plain(args)}
        if needed:
            check["requires"] = needed
        self._checks.append(check)
        self._names.add(name)
        return name

    # One method per runtime kind, so that families get argument names checked by Python.

    def file_exists(self, name: str, path: str, *, requires: Iterable[str] = ()) -> str:
        return self.add(name, "file_exists", requires=requires, path=path)

    def dir_exists(self, name: str, path: str, *, requires: Iterable[str] = ()) -> str:
        return self.add(name, "dir_exists", requires=requires, path=path)

    def file_absent(self, name: str, path: str, *, requires: Iterable[str] = ()) -> str:
        return self.add(name, "file_absent", requires=requires, path=path)

    def file_sha256(self, name: str, path: str, content: str | bytes, *, requires: Iterable[str] = ()) -> str:
        """The file holds exactly ``content``."""
        return self.add(name, "file_sha256", requires=requires, path=path, sha256=sha256_of(content))

    def file_changed(self, name: str, path: str, original: str | bytes, *, requires: Iterable[str] = ()) -> str:
        """The file exists and no longer holds ``original`` (gate checks of an in-place edit on it)."""
        return self.add(name, "file_changed", requires=requires, path=path, sha256=sha256_of(original))

    def files_unchanged(self, name: str, files: Mapping[str, str | bytes], *, requires: Iterable[str] = ()) -> str:
        """Every file in ``files`` (path -> original content) still holds its original content."""
        digests = {path: sha256_of(content) for path, content in sorted(files.items())}
        return self.add(name, "files_unchanged", requires=requires, files=digests)

    def text_equals(
        self, name: str, path: str, text: str, *, ignore_case: bool = False, requires: Iterable[str] = ()
    ) -> str:
        return self.add(name, "text_equals", requires=requires, path=path, text=text, ignore_case=ignore_case)

    def text_contains(
        self,
        name: str,
        path: str,
        needles: Sequence[str],
        *,
        mode: str = "all",
        ignore_case: bool = False,
        normalize_space: bool = True,
        requires: Iterable[str] = (),
    ) -> str:
        if mode not in ("all", "any"):
            raise ValueError("mode must be 'all' or 'any'")
        return self.add(
            name,
            "text_contains",
            requires=requires,
            path=path,
            needles=list(needles),
            mode=mode,
            ignore_case=ignore_case,
            normalize_space=normalize_space,
        )

    def text_absent(
        self, name: str, path: str, needles: Sequence[str], *, ignore_case: bool = False, requires: Iterable[str] = ()
    ) -> str:
        """The file exists and holds none of ``needles``."""
        return self.add(
            name, "text_absent", requires=requires, path=path, needles=list(needles), ignore_case=ignore_case
        )

    def text_regex(
        self,
        name: str,
        path: str,
        pattern: str,
        *,
        flags: str = "",
        min_count: int = 1,
        max_count: int | None = None,
        requires: Iterable[str] = (),
    ) -> str:
        return self.add(
            name,
            "text_regex",
            requires=requires,
            path=path,
            pattern=pattern,
            flags=flags,
            min_count=min_count,
            max_count=max_count,
        )

    def lines_equal(
        self,
        name: str,
        path: str,
        lines: Sequence[str],
        *,
        ordered: bool = True,
        ignore_case: bool = False,
        requires: Iterable[str] = (),
    ) -> str:
        """The file's non-blank lines, stripped, are exactly ``lines``."""
        return self.add(
            name,
            "lines_equal",
            requires=requires,
            path=path,
            lines=list(lines),
            ordered=ordered,
            ignore_case=ignore_case,
        )

    def line_count(
        self,
        name: str,
        path: str,
        *,
        min: int | None = None,
        max: int | None = None,
        requires: Iterable[str] = (),
    ) -> str:
        return self.add(name, "line_count", requires=requires, path=path, min=min, max=max)

    def word_count(
        self,
        name: str,
        path: str,
        *,
        min: int | None = None,
        max: int | None = None,
        heading: str | None = None,
        requires: Iterable[str] = (),
    ) -> str:
        return self.add(name, "word_count", requires=requires, path=path, min=min, max=max, heading=heading)

    def json_valid(self, name: str, path: str, *, requires: Iterable[str] = ()) -> str:
        return self.add(name, "json_valid", requires=requires, path=path)

    def json_equals(
        self,
        name: str,
        path: str,
        pointer: str,
        value: Any,
        *,
        tolerance: float = 0.0,
        ignore_case: bool = False,
        unordered: bool = False,
        requires: Iterable[str] = (),
    ) -> str:
        """The value at JSON ``pointer`` equals ``value`` (numbers within ``tolerance``; lists in order
        unless ``unordered``)."""
        return self.add(
            name,
            "json_equals",
            requires=requires,
            path=path,
            pointer=pointer,
            value=value,
            tolerance=tolerance,
            ignore_case=ignore_case,
            unordered=unordered,
        )

    def json_length(self, name: str, path: str, pointer: str, length: int, *, requires: Iterable[str] = ()) -> str:
        return self.add(name, "json_length", requires=requires, path=path, pointer=pointer, length=length)

    def json_keys(
        self,
        name: str,
        path: str,
        pointer: str,
        keys: Sequence[str],
        *,
        exact: bool = False,
        requires: Iterable[str] = (),
    ) -> str:
        return self.add(name, "json_keys", requires=requires, path=path, pointer=pointer, keys=list(keys), exact=exact)

    def jsonl_records(
        self,
        name: str,
        path: str,
        records: Sequence[Any],
        *,
        tolerance: float = 0.0,
        ordered: bool = True,
        ignore_case: bool = False,
        requires: Iterable[str] = (),
    ) -> str:
        return self.add(
            name,
            "jsonl_records",
            requires=requires,
            path=path,
            records=list(records),
            tolerance=tolerance,
            ordered=ordered,
            ignore_case=ignore_case,
        )

    def csv_header(
        self,
        name: str,
        path: str,
        columns: Sequence[str],
        *,
        delimiter: str = ",",
        ignore_case: bool = False,
        requires: Iterable[str] = (),
    ) -> str:
        return self.add(
            name,
            "csv_header",
            requires=requires,
            path=path,
            columns=list(columns),
            delimiter=delimiter,
            ignore_case=ignore_case,
        )

    def csv_rows(
        self,
        name: str,
        path: str,
        rows: Sequence[Sequence[Any]],
        *,
        delimiter: str = ",",
        ordered: bool = True,
        tolerance: float = 0.0,
        ignore_case: bool = False,
        header: bool = True,
        requires: Iterable[str] = (),
    ) -> str:
        """The data rows (after the header line when ``header``) are ``rows``; numeric cells within
        ``tolerance``."""
        return self.add(
            name,
            "csv_rows",
            requires=requires,
            path=path,
            rows=[[_cell(value) for value in row] for row in rows],
            delimiter=delimiter,
            ordered=ordered,
            tolerance=tolerance,
            ignore_case=ignore_case,
            header=header,
        )

    def csv_column(
        self,
        name: str,
        path: str,
        column: str,
        values: Sequence[Any],
        *,
        delimiter: str = ",",
        ordered: bool = True,
        tolerance: float = 0.0,
        ignore_case: bool = False,
        requires: Iterable[str] = (),
    ) -> str:
        return self.add(
            name,
            "csv_column",
            requires=requires,
            path=path,
            column=column,
            values=[_cell(value) for value in values],
            delimiter=delimiter,
            ordered=ordered,
            tolerance=tolerance,
            ignore_case=ignore_case,
        )

    def md_section(
        self,
        name: str,
        path: str,
        heading: str,
        needles: Sequence[str] = (),
        *,
        ignore_case: bool = True,
        requires: Iterable[str] = (),
    ) -> str:
        """A Markdown heading ``heading`` exists and its section holds every needle."""
        return self.add(
            name,
            "md_section",
            requires=requires,
            path=path,
            heading=heading,
            needles=list(needles),
            ignore_case=ignore_case,
        )

    def md_items(
        self,
        name: str,
        path: str,
        heading: str,
        items: Sequence[str],
        *,
        ordered: bool = True,
        match: str = "exact",
        ignore_case: bool = True,
        requires: Iterable[str] = (),
    ) -> str:
        """The bullet/numbered items under ``heading`` are ``items`` (``match="contains"``: each
        actual item contains the expected text)."""
        if match not in ("exact", "contains"):
            raise ValueError("match must be 'exact' or 'contains'")
        return self.add(
            name,
            "md_items",
            requires=requires,
            path=path,
            heading=heading,
            items=list(items),
            ordered=ordered,
            match=match,
            ignore_case=ignore_case,
        )

    def number_near(
        self,
        name: str,
        path: str,
        pattern: str,
        value: float,
        *,
        tolerance: float = 0.0,
        ignore_case: bool = True,
        requires: Iterable[str] = (),
    ) -> str:
        """The first match of regex ``pattern`` has a number in group 1 within ``tolerance`` of ``value``."""
        return self.add(
            name,
            "number_near",
            requires=requires,
            path=path,
            pattern=pattern,
            value=value,
            tolerance=tolerance,
            ignore_case=ignore_case,
        )

    def dir_files(
        self, name: str, path: str, names: Sequence[str], *, exact: bool = True, requires: Iterable[str] = ()
    ) -> str:
        return self.add(name, "dir_files", requires=requires, path=path, names=sorted(names), exact=exact)

    def command(
        self,
        name: str,
        cmd: str,
        *,
        exit_code: int = 0,
        stdout_contains: Sequence[str] = (),
        timeout: int = 60,
        cwd: str = ".",
        requires: Iterable[str] = (),
    ) -> str:
        """``bash -c cmd`` in the workspace exits with ``exit_code`` and prints every string given."""
        return self.add(
            name,
            "command",
            requires=requires,
            cmd=cmd,
            exit_code=exit_code,
            stdout_contains=list(stdout_contains),
            timeout=timeout,
            cwd=cwd,
        )


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return value
    return value if isinstance(value, int | str) else str(value)


def _plain(value: Any) -> Any:
    """JSON-compatible copy; rejects what JSON cannot carry (sets, objects, non-finite floats)."""
    return json.loads(json.dumps(value, allow_nan=False))


@functools.lru_cache(maxsize=1)
def _runtime_source() -> str:
    return Path(_checkrt.__file__).read_text(encoding="utf-8")


def render_check_py(task_id: str, checks: CheckList | Sequence[Mapping[str, Any]]) -> str:
    """The complete ``reward/check.py`` for ``checks``: the runtime plus the check list."""
    data = checks.to_list() if isinstance(checks, CheckList) else list(checks)
    if not data:
        raise ValueError(f"task {task_id} has no checks")
    spec = json.dumps(data, indent=1, ensure_ascii=True, sort_keys=False)
    return (
        f"# reward/check.py of {task_id}, generated by ClawGym-Env: python3 check.py WORKSPACE\n"
        + _runtime_source()
        + '\n\nCHECKS = json.loads(\n    r"""\n'
        + spec
        + '\n"""\n)\n\nif __name__ == "__main__":\n    main()\n'
    )
