"""The check runtime that ships in every generated check.py, and the builder that declares checks.

The runtime is exercised directly on workspaces made here (the kinds' exact
semantics), and once through a real verifier run (the rendered script is a
working, stdlib-only program).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clawgym_env.envs.suite import _checkrt
from clawgym_env.envs.suite.checks import CheckList, render_check_py, sha256_of


def evaluate(root: Path, checks: CheckList) -> dict[str, float]:
    return _checkrt.evaluate(str(root), checks.to_list())


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.md").write_text(
        "# Report\n\nIntro text.\n\n## Top sellers\n\n- Ann Lee\n- Bo Chen\n\n## Notes\n\nTotal: $1,234.50 (net)\n"
    )
    (tmp_path / "out" / "data.json").write_text(json.dumps({"total": 12.5, "rows": [{"a": 1}, {"a": 2}], "ok": True}))
    (tmp_path / "out" / "table.csv").write_text("name, amount\nAnn,10.00\nBo,2.5\n")
    (tmp_path / "out" / "events.jsonl").write_text('{"id": 1}\n{"id": 2}\n')
    return tmp_path


def test_each_kind_passes_on_matching_content_and_fails_otherwise(ws: Path) -> None:
    c = CheckList()
    c.file_exists("exists", "out/report.md")
    c.file_exists("missing", "out/nope.md")
    c.dir_exists("dir", "out")
    c.file_absent("absent", "out/nope.md")
    c.file_sha256("sha", "out/events.jsonl", '{"id": 1}\n{"id": 2}\n')
    c.files_unchanged("unchanged", {"out/events.jsonl": '{"id": 1}\n{"id": 2}\n'})
    c.file_changed("changed", "out/events.jsonl", "something else\n")
    c.file_changed("not_changed", "out/events.jsonl", '{"id": 1}\n{"id": 2}\n')
    c.text_contains("contains_ci", "out/report.md", ["ANN LEE", "intro   text"], ignore_case=True)
    c.text_contains("contains_cs", "out/report.md", ["ANN LEE"])
    c.text_absent("absent_text", "out/report.md", ["Zed"])
    c.text_regex("regex", "out/report.md", r"^- \w+ \w+$", flags="m", min_count=2, max_count=2)
    c.md_items("items", "out/report.md", "Top sellers", ["ann lee", "Bo Chen"])
    c.md_items("items_wrong_order", "out/report.md", "Top sellers", ["Bo Chen", "Ann Lee"])
    c.md_items("items_any_order", "out/report.md", "Top sellers", ["Bo Chen", "Ann Lee"], ordered=False)
    c.md_items("items_fragments", "out/report.md", "Top sellers", ["chen", "ann"], ordered=False, match="contains")
    c.md_section("section", "out/report.md", "notes", ["1,234.50"])
    c.number_near("number", "out/report.md", r"Total:\s*([$\d,.]+)", 1234.5)
    c.json_equals("json_total", "out/data.json", "/total", 12.49, tolerance=0.01)
    c.json_equals("json_rows_unordered", "out/data.json", "/rows", [{"a": 2}, {"a": 1}], unordered=True)
    c.json_equals("json_rows_ordered", "out/data.json", "/rows", [{"a": 2}, {"a": 1}])
    c.json_equals("json_bool", "out/data.json", "/ok", True)
    c.json_length("json_len", "out/data.json", "/rows", 2)
    c.json_keys("json_keys", "out/data.json", "", ["total", "ok"])
    c.jsonl_records("jsonl", "out/events.jsonl", [{"id": 1}, {"id": 2}])
    c.csv_header("csv_header", "out/table.csv", ["name", "amount"])
    c.csv_rows("csv_rows", "out/table.csv", [["Ann", 10], ["Bo", 2.5]])
    c.csv_column("csv_column", "out/table.csv", "amount", [10, 2.50])
    c.line_count("lines", "out/events.jsonl", min=2, max=2)
    c.word_count("words_in_section", "out/report.md", max=5, heading="Top sellers")
    c.dir_files("listing", "out", ["report.md", "data.json", "table.csv", "events.jsonl"])
    c.command("cmd", "cat out/table.csv | head -1", stdout_contains=["name"])
    c.command("cmd_fails", "exit 3")
    results = evaluate(ws, c)
    failing = {"missing", "contains_cs", "items_wrong_order", "json_rows_ordered", "cmd_fails", "not_changed"}
    assert {name for name, value in results.items() if value == 0.0} == failing
    assert set(results.values()) <= {0.0, 1.0}


def test_requires_gates_and_errors_score_zero(ws: Path) -> None:
    c = CheckList()
    out = c.file_exists("output_written", "out/missing.json")
    c.files_unchanged("inputs_unchanged", {"out/events.jsonl": '{"id": 1}\n{"id": 2}\n'}, requires=[out])
    c.json_equals("bad_pointer", "out/data.json", "/nope/0", 1)
    c.json_equals("not_json", "out/report.md", "/x", 1)
    assert evaluate(ws, c) == {"output_written": 0.0, "inputs_unchanged": 0.0, "bad_pointer": 0.0, "not_json": 0.0}


def test_declaring_checks_rejects_mistakes() -> None:
    c = CheckList()
    c.file_exists("a", "x")
    with pytest.raises(ValueError, match="defined twice"):
        c.file_exists("a", "y")
    with pytest.raises(ValueError, match="requires \\['b'\\], which are not defined before it"):
        c.file_exists("c", "x", requires=["b"])
    with pytest.raises(ValueError, match="snake_case"):
        c.file_exists("Bad Name", "x")
    with pytest.raises(ValueError, match="unknown check kind"):
        c.add("d", "no_such_kind")
    with pytest.raises(ValueError):
        c.json_equals("e", "x", "", float("nan"))


def test_rendered_check_py_runs_standalone_and_prints_the_breakdown(ws: Path, tmp_path_factory) -> None:
    c = CheckList()
    c.file_exists("report_written", "out/report.md")
    c.text_contains("quote_kept", "out/report.md", ['"""', "\\n", "C:\\temp"])
    script = tmp_path_factory.mktemp("reward") / "check.py"
    script.write_text(render_check_py("t-1", c))
    (ws / "out" / "report.md").write_text('quotes """ and a literal \\n and C:\\temp\n')
    result = subprocess.run([sys.executable, "-I", str(script), str(ws)], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == {"report_written": 1.0, "quote_kept": 1.0}


def test_sha256_of_matches_the_runtime(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_bytes("é\n".encode())
    assert _checkrt.file_sha256(str(tmp_path), "f.txt", sha256_of("é\n"))
