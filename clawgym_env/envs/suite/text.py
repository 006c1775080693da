"""Deterministic writers for the file formats task families produce.

Every function returns text with ``\\n`` line endings and a final newline, and
depends on nothing but its arguments (no locale, no clock, no dict or set
ordering beyond insertion order), so a generated workspace is byte-identical
everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "csv_text",
    "date_add",
    "iso",
    "json_text",
    "jsonl_text",
    "md_table",
    "money",
    "money_display",
    "parse_date",
    "slug",
    "wrap",
    "yaml_text",
]


def csv_text(rows: Iterable[Sequence[Any]], *, delimiter: str = ",") -> str:
    """Rows as CSV (or TSV with ``delimiter="\\t"``), minimal quoting, ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON with keys in insertion order, non-ASCII kept, and a final newline."""
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def jsonl_text(records: Iterable[Any]) -> str:
    """One compact JSON document per line."""
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def money(amount: float) -> str:
    """``1234.5`` -> ``"1234.50"`` (no separators: what a CSV export holds)."""
    return f"{amount:.2f}"


def money_display(amount: float, currency: str = "$") -> str:
    """``1234.5`` -> ``"$1,234.50"`` (what a person writes in a report)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency}{abs(amount):,.2f}"


def iso(day: dt.date) -> str:
    return day.isoformat()


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def date_add(day: dt.date | str, days: int) -> dt.date:
    """``day`` plus ``days`` (an ISO string is accepted)."""
    base = parse_date(day) if isinstance(day, str) else day
    return base + dt.timedelta(days=days)


def slug(text: str, *, separator: str = "_") -> str:
    """ASCII, lowercase, words joined by ``separator``: ``"Café Menu (v2)"`` -> ``"cafe_menu_v2"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return separator.join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def wrap(text: str, width: int = 88) -> str:
    """Re-flow each paragraph of ``text`` to ``width`` columns."""
    paragraphs = [p.strip() for p in text.strip().split("\n\n")]
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in paragraphs) + "\n"


def yaml_text(data: Any) -> str:
    """A small, deterministic YAML emitter for mappings, lists and scalars (block style)."""
    return "\n".join(_yaml_lines(data, 0)) + "\n"


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9_./@+-][A-Za-z0-9 _./@+()-]*", text) is not None
    reserved = text.lower() in ("yes", "no", "true", "false", "null", "on", "off", "~")
    looks_numeric = re.fullmatch(r"[-+]?[0-9.]+(e[-+]?[0-9]+)?", text.lower()) is not None
    if plain and not reserved and not looks_numeric and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def _yaml_lines(data: Any, depth: int) -> list[str]:
    pad = "  " * depth
    if isinstance(data, Mapping):
        if not data:
            return [pad + "{}"]
        lines: list[str] = []
        for key, value in data.items():
            if isinstance(value, Mapping | list | tuple) and value:
                lines.append(f"{pad}{_yaml_scalar(key)}:")
                lines += _yaml_lines(value, depth + 1)
            else:
                empty = "{}" if isinstance(value, Mapping) else "[]" if isinstance(value, list | tuple) else None
                lines.append(f"{pad}{_yaml_scalar(key)}: {empty or _yaml_scalar(value)}")
        return lines
    if isinstance(data, list | tuple):
        if not data:
            return [pad + "[]"]
        lines = []
        for item in data:
            if isinstance(item, Mapping) and item:
                inner = _yaml_lines(item, depth + 1)
                lines.append(pad + "- " + inner[0].lstrip())
                lines += inner[1:]
            elif isinstance(item, list | tuple) and item:
                lines.append(pad + "-")
                lines += _yaml_lines(item, depth + 1)
            else:
                lines.append(pad + "- " + _yaml_scalar(item))
        return lines
    return [pad + _yaml_scalar(data)]
