"""The runtime of a generated task's ``reward/check.py``: named atomic checks over the final workspace.

This file's source is copied, with the task's check list appended, into
every generated ``check.py`` (see :mod:`clawgym_env.envs.suite.checks`). It
runs inside the sandbox under whatever ``python3`` is there, so it uses the
standard library only and Python 3.7 syntax.

``python3 check.py WORKSPACE`` evaluates ``CHECKS`` in order and prints a JSON
object mapping each check's name to ``1.0`` (passed) or ``0.0``; the released
``reward.sh`` averages it. A check whose ``requires`` are not all passed
scores ``0.0`` without running: that is how "the inputs are unchanged" only
counts once the outputs exist, so an untouched workspace scores 0. A check
that raises (missing file, bad JSON, ...) fails; it never crashes the script.

Check kinds (``args`` are the keyword arguments of the function of that name):
paths are relative to the workspace; text is compared after turning
``\\r\\n`` into ``\\n``.
"""

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys

_WORD = re.compile("[A-Za-z0-9\u00c0-\u024f]+(?:['\u2019-][A-Za-z0-9\u00c0-\u024f]+)*")
"""A word: letters or digits, with inner apostrophes or hyphens (a bullet's "-" is not a word)."""
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def _path(root, relative):
    return os.path.join(root, *relative.split("/"))


def _read(root, relative):
    with open(_path(root, relative), "rb") as handle:
        return handle.read().decode("utf-8").replace("\r\n", "\n")


def _squash(text, ignore_case=False, normalize_space=True):
    if normalize_space:
        text = " ".join(text.split())
    return text.lower() if ignore_case else text


def _number(value):
    """A float from a number or a string such as ``"$1,234.50"``, ``"12%"``, ``"-3"``; else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", "").replace("\u2212", "-")
    for symbol in ("$", "\u20ac", "\u00a3", "%"):
        text = text.replace(symbol, "")
    text = text.strip()
    return float(text) if _NUMBER.match(text) else None


def _same(actual, expected, tolerance=0.0, ignore_case=False, unordered=False):
    """Deep equality with a numeric tolerance; strings compared stripped."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return False
        return all(_same(actual[k], expected[k], tolerance, ignore_case, unordered) for k in expected)
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return False
        if not unordered:
            return all(_same(a, e, tolerance, ignore_case, unordered) for a, e in zip(actual, expected))
        remaining = list(actual)
        for item in expected:
            for index, candidate in enumerate(remaining):
                if _same(candidate, item, tolerance, ignore_case, unordered):
                    del remaining[index]
                    break
            else:
                return False
        return True
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, (int, float)):
        number = _number(actual)
        return number is not None and abs(number - expected) <= tolerance + 1e-9
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return False
        a, e = actual.strip(), expected.strip()
        return a.lower() == e.lower() if ignore_case else a == e
    return actual == expected


def _pointer(data, pointer):
    """The value at a JSON pointer such as ``/totals/0/amount`` (``""`` is the whole document)."""
    if pointer in ("", "/"):
        return data
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _csv(root, path, delimiter):
    text = _read(root, path)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]


def _cell_same(actual, expected, tolerance, ignore_case):
    expected_number = _number(expected)
    if expected_number is not None:
        actual_number = _number(actual)
        return actual_number is not None and abs(actual_number - expected_number) <= tolerance + 1e-9
    a, e = actual.strip(), str(expected).strip()
    return a.lower() == e.lower() if ignore_case else a == e


def _rows_same(actual, expected, tolerance, ignore_case, ordered):
    if len(actual) != len(expected):
        return False

    def row_same(a, e):
        return len(a) == len(e) and all(_cell_same(x, y, tolerance, ignore_case) for x, y in zip(a, e))

    if ordered:
        return all(row_same(a, e) for a, e in zip(actual, expected))
    remaining = list(actual)
    for row in expected:
        for index, candidate in enumerate(remaining):
            if row_same(candidate, row):
                del remaining[index]
                break
        else:
            return False
    return True


def _perfect_matching(options, size):
    """Whether each expected item can take a distinct actual item among its ``options`` (augmenting paths)."""
    owner = [-1] * size

    def assign(i, seen):
        for j in options[i]:
            if j not in seen:
                seen.add(j)
                if owner[j] == -1 or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return all(assign(i, set()) for i in range(len(options)))


def _heading(line):
    match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
    return (len(match.group(1)), match.group(2).strip()) if match else None


def _section(text, heading):
    """The lines under the first heading whose text equals ``heading`` (case-insensitive), or ``None``."""
    lines = text.split("\n")
    wanted = _squash(heading, ignore_case=True)
    for index, line in enumerate(lines):
        found = _heading(line)
        if found and _squash(found[1], ignore_case=True) == wanted:
            body = []
            for following in lines[index + 1 :]:
                other = _heading(following)
                if other and other[0] <= found[0]:
                    break
                body.append(following)
            return body
    return None


def _items(lines):
    items = []
    for line in lines:
        match = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$", line)
        if match:
            items.append(match.group(1))
    return items


# -- check kinds -------------------------------------------------------------------


def file_exists(root, path):
    return os.path.isfile(_path(root, path))


def dir_exists(root, path):
    return os.path.isdir(_path(root, path))


def file_absent(root, path):
    return not os.path.lexists(_path(root, path))


def file_sha256(root, path, sha256):
    with open(_path(root, path), "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == sha256


def file_changed(root, path, sha256):
    """The file exists and no longer holds the original content (whose hash is ``sha256``)."""
    return os.path.isfile(_path(root, path)) and not file_sha256(root, path, sha256)


def files_unchanged(root, files):
    return all(file_sha256(root, path, digest) for path, digest in files.items())


def text_equals(root, path, text, ignore_case=False):
    def tidy(value):
        return "\n".join(line.rstrip() for line in value.strip().split("\n"))

    a, e = tidy(_read(root, path)), tidy(text)
    return a.lower() == e.lower() if ignore_case else a == e


def text_contains(root, path, needles, mode="all", ignore_case=False, normalize_space=True):
    text = _squash(_read(root, path), ignore_case, normalize_space)
    found = [_squash(needle, ignore_case, normalize_space) in text for needle in needles]
    return all(found) if mode == "all" else any(found)


def text_absent(root, path, needles, ignore_case=False):
    text = _squash(_read(root, path), ignore_case)
    return not any(_squash(needle, ignore_case) in text for needle in needles)


def text_regex(root, path, pattern, flags="", min_count=1, max_count=None):
    bits = 0
    for flag in flags:
        bits |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}[flag]
    count = len(re.findall(pattern, _read(root, path), bits))
    return count >= min_count and (max_count is None or count <= max_count)


def lines_equal(root, path, lines, ordered=True, ignore_case=False):
    actual = [line.strip() for line in _read(root, path).split("\n") if line.strip()]
    expected = [line.strip() for line in lines]
    if ignore_case:
        actual, expected = [a.lower() for a in actual], [e.lower() for e in expected]
    return actual == expected if ordered else sorted(actual) == sorted(expected)


def line_count(root, path, min=None, max=None):
    count = len([line for line in _read(root, path).split("\n") if line.strip()])
    return (min is None or count >= min) and (max is None or count <= max)


def word_count(root, path, min=None, max=None, heading=None):
    text = _read(root, path)
    if heading is not None:
        body = _section(text, heading)
        if body is None:
            return False
        text = "\n".join(body)
    count = len(_WORD.findall(text))
    return (min is None or count >= min) and (max is None or count <= max)


def json_valid(root, path):
    json.loads(_read(root, path))
    return True


def json_equals(root, path, pointer, value, tolerance=0.0, ignore_case=False, unordered=False):
    return _same(_pointer(json.loads(_read(root, path)), pointer), value, tolerance, ignore_case, unordered)


def json_length(root, path, pointer, length):
    found = _pointer(json.loads(_read(root, path)), pointer)
    return isinstance(found, (list, dict)) and len(found) == length


def json_keys(root, path, pointer, keys, exact=False):
    found = _pointer(json.loads(_read(root, path)), pointer)
    if not isinstance(found, dict):
        return False
    return set(found) == set(keys) if exact else set(keys) <= set(found)


def jsonl_records(root, path, records, tolerance=0.0, ordered=True, ignore_case=False):
    lines = [line for line in _read(root, path).split("\n") if line.strip()]
    actual = [json.loads(line) for line in lines]
    return _same(actual, records, tolerance, ignore_case, unordered=not ordered)


def csv_header(root, path, columns, delimiter=",", ignore_case=False):
    rows = _csv(root, path, delimiter)
    return bool(rows) and _rows_same(rows[:1], [columns], 0.0, ignore_case, True)


def csv_rows(root, path, rows, delimiter=",", ordered=True, tolerance=0.0, ignore_case=False, header=True):
    actual = _csv(root, path, delimiter)
    if header:
        actual = actual[1:]
    return _rows_same(actual, rows, tolerance, ignore_case, ordered)


def csv_column(root, path, column, values, delimiter=",", ordered=True, tolerance=0.0, ignore_case=False):
    rows = _csv(root, path, delimiter)
    header = [cell.strip().lower() for cell in rows[0]]
    index = header.index(column.lower())
    actual = [[row[index] if index < len(row) else ""] for row in rows[1:]]
    return _rows_same(actual, [[v] for v in values], tolerance, ignore_case, ordered)


def md_section(root, path, heading, needles=(), ignore_case=True):
    body = _section(_read(root, path), heading)
    if body is None:
        return False
    text = _squash("\n".join(body), ignore_case)
    return all(_squash(needle, ignore_case) in text for needle in needles)


def md_items(root, path, heading, items, ordered=True, match="exact", ignore_case=True):
    """Bullet or numbered items under ``heading``; ``match`` is ``exact`` or ``contains`` per item."""
    body = _section(_read(root, path), heading)
    if body is None:
        return False
    actual = [_squash(item, ignore_case) for item in _items(body)]
    expected = [_squash(item, ignore_case) for item in items]
    if len(actual) != len(expected):
        return False

    def fits(a, e):
        return e in a if match == "contains" else a == e

    if ordered:
        return all(fits(a, e) for a, e in zip(actual, expected))
    return _perfect_matching([[j for j, a in enumerate(actual) if fits(a, e)] for e in expected], len(actual))


def number_near(root, path, pattern, value, tolerance=0.0, ignore_case=True):
    """The first match of ``pattern`` (its group 1 is the number) is within ``tolerance`` of ``value``."""
    found = re.search(pattern, _read(root, path), re.IGNORECASE if ignore_case else 0)
    number = _number(found.group(1)) if found else None
    return number is not None and abs(number - value) <= tolerance + 1e-9


def dir_files(root, path, names, exact=True):
    entries = set(os.listdir(_path(root, path)))
    return entries == set(names) if exact else set(names) <= entries


def command(root, cmd, exit_code=0, stdout_contains=(), timeout=60, cwd="."):
    """Run ``bash -c cmd`` in the workspace; check its status and that its output holds each string."""
    completed = subprocess.run(
        ["bash", "-c", cmd],
        cwd=_path(root, cwd),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=timeout,
        check=False,
    )
    output = completed.stdout.decode("utf-8", "replace")
    return completed.returncode == exit_code and all(needle in output for needle in stdout_contains)


KINDS = {
    function.__name__: function
    for function in (
        file_exists,
        dir_exists,
        file_absent,
        file_sha256,
        file_changed,
        files_unchanged,
        text_equals,
        text_contains,
        text_absent,
        text_regex,
        lines_equal,
        line_count,
        word_count,
        json_valid,
        json_equals,
        json_length,
        json_keys,
        jsonl_records,
        csv_header,
        csv_rows,
        csv_column,
        md_section,
        md_items,
        number_near,
        dir_files,
        command,
    )
}
"""Every check kind by name."""


def evaluate(root, checks):
    """Each check's name mapped to 1.0 or 0.0, in order; see the module docstring."""
    results = {}
    for check in checks:
        passed = False
        if all(results.get(name) == 1.0 for name in check.get("requires", ())):
            try:
                passed = bool(KINDS[check["kind"]](root, **check.get("args", {})))
            except Exception:  # noqa: BLE001 - a failing check scores 0, it never crashes the verifier
                passed = False
        results[check["name"]] = 1.0 if passed else 0.0
    return results


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/root/.openclaw/workspace"
    print(json.dumps(evaluate(root, CHECKS), indent=2))  # noqa: F821 - appended by the generator
