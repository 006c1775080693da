"""ToolSet: construction, schemas and the never-raise execute contract."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clawgym_env.tools as tools_pkg
from clawgym_env.errors import SandboxClosedError
from clawgym_env.tools import Tool, ToolCall, ToolContext, ToolError, ToolSet

CODING = ("read", "write", "edit", "exec", "process", "apply_patch")


class EchoTool(Tool):
    name = "echo"
    description = "Echo the text argument."
    parameters: Mapping[str, Any] = {"type": "object", "properties": {"text": {"type": "string"}}}

    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        if arguments.get("text") == "fail":
            raise ToolError("asked to fail", details={"why": "test"})
        if arguments.get("text") == "bug":
            raise KeyError("oops")
        return str(arguments.get("text", "")), {}


def test_every_exported_name_imports() -> None:
    for name in tools_pkg.__all__:
        assert getattr(tools_pkg, name) is not None


def test_coding_profile_names_and_schemas() -> None:
    toolset = ToolSet.coding()
    assert toolset.names == CODING
    schemas = toolset.schemas()
    assert [s["function"]["name"] for s in schemas] == list(CODING)
    params = {s["function"]["name"]: s["function"]["parameters"] for s in schemas}
    assert set(params["read"]["properties"]) == {"path", "offset", "limit"}
    assert set(params["write"]["properties"]) == {"path", "content"}
    assert set(params["edit"]["properties"]) == {"path", "oldText", "newText"}
    assert {"command", "workdir", "env", "timeout", "background", "yieldMs"} <= set(params["exec"]["properties"])
    assert {"action", "sessionId", "data", "offset", "limit"} <= set(params["process"]["properties"])
    assert params["apply_patch"]["required"] == ["input"]
    for schema in schemas:
        assert schema["type"] == "function" and schema["function"]["description"]


def test_from_names_subset_with_tools() -> None:
    assert ToolSet.from_names(["read", "exec"]).names == ("read", "exec")
    with pytest.raises(ValueError, match=re.escape("unknown tool 'bash'; valid tools: read, write, edit, exec")):
        ToolSet.from_names(["bash"])
    extended = ToolSet.coding().with_tools(EchoTool())
    assert extended.names[-1] == "echo" and "echo" in extended and len(extended) == 7
    assert extended.subset(["echo", "read"]).names == ("echo", "read")
    with pytest.raises(ValueError, match="tool 'nope' is not in this set"):
        extended.subset(["nope"])
    with pytest.raises(ValueError, match="two tools are named 'echo'"):
        extended.with_tools(EchoTool())


def test_execute_error_paths(run, runner_factory, local_sandbox) -> None:
    runner = runner_factory(local_sandbox, ToolSet.coding().with_tools(EchoTool()))
    unknown = runner.err("reed", path="x")
    assert unknown.output == (
        "Unknown tool 'reed'. Did you mean 'read'? Available tools: read, write, edit, exec, process, apply_patch, echo"
    )
    assert unknown.details["error_type"] == "unknown_tool"
    failed = runner.err("echo", text="fail")
    assert failed.output == "asked to fail" and failed.details["why"] == "test"
    bug = runner.err("echo", text="bug")
    assert bug.output == "echo failed with an internal error (KeyError: 'oops')"
    assert bug.details["internal_error"] is True
    ok = runner.ok("echo", text="hi")
    assert ok.output == "hi" and ok.details["duration_s"] >= 0
    parse = runner.tools.execute(ToolCall(name="read", parse_error="bad JSON"), runner.ctx)
    assert parse.is_error and parse.output == "Could not parse the tool call: bad JSON"
    not_obj = runner.tools.execute(ToolCall(name="read", arguments=[1, 2]), runner.ctx)  # type: ignore[arg-type]
    assert not_obj.output == "The arguments of read must be a JSON object, got list."


def test_os_errors_become_messages(run, workspace: Path) -> None:
    (workspace / "file").write_text("x")
    result = run.err("write", path="file/child.txt", content="x")
    assert result.output == "write failed: Not a directory: file"
    assert str(workspace) not in result.output


def test_sandbox_errors_propagate(local_sandbox) -> None:
    ctx = ToolContext(local_sandbox)
    local_sandbox.close()
    with pytest.raises(SandboxClosedError):
        ToolSet.coding().execute(ToolCall(name="exec", arguments={"command": "ls"}), ctx)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "path",
        "file_path",
        "offset",
        "limit",
        "content",
        "oldText",
        "newText",
        "command",
        "action",
        "sessionId",
        "data",
        "input",
        "timeout",
        "background",
        "yieldMs",
        "env",
        "workdir",
    ]
) | st.text(max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from([*CODING, "", "nope", "READ"]) | st.text(max_size=10),
    arguments=st.dictionaries(_keys, _json_values, max_size=5),
)
def test_execute_never_raises(local_sandbox, name: str, arguments: dict[str, Any]) -> None:
    if name == "exec" or arguments.get("action") in ("poll",):
        arguments = {k: v for k, v in arguments.items() if k not in ("yieldMs", "timeout")}
        arguments["command"] = "true"  # never run random shell text on the host
    ctx = ToolContext(local_sandbox)
    try:
        result = ToolSet.coding().execute(ToolCall(name=name, arguments=arguments), ctx)
    finally:
        ctx.close()
    assert isinstance(result.output, str)
    assert result.details.get("error_type") != "internal_error", result.output
