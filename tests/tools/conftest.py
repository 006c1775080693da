"""Fixtures for the tool tests: a workspace, sandboxes over it and a tool context."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clawgym_env.sandbox import create_sandbox
from clawgym_env.sandbox.base import Sandbox
from clawgym_env.tools import ToolCall, ToolContext, ToolResult, ToolSet


def _bwrap_reason() -> str | None:
    try:
        from clawgym_env.sandbox.bwrap import bwrap_unavailable_reason
    except ImportError as error:  # the backend module is not there yet
        return f"bwrap backend not importable: {error}"
    return bwrap_unavailable_reason()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "workspace"
    path.mkdir()
    return path


@pytest.fixture
def local_sandbox(workspace: Path) -> Iterator[Sandbox]:
    sandbox = create_sandbox("local", workspace)
    try:
        yield sandbox
    finally:
        sandbox.close()


@pytest.fixture(params=["local", pytest.param("bwrap", marks=pytest.mark.bwrap)])
def any_sandbox(request: pytest.FixtureRequest, workspace: Path) -> Iterator[Sandbox]:
    """A real sandbox of each backend that can run here (skipped with the reason otherwise)."""
    if request.param == "bwrap":
        reason = _bwrap_reason()
        if reason:
            pytest.skip(f"bwrap unavailable: {reason}")
    sandbox = create_sandbox(request.param, workspace)
    try:
        yield sandbox
    finally:
        sandbox.close()


class Runner:
    """Calls tools by name on one context (test helper)."""

    def __init__(self, sandbox: Sandbox, tools: ToolSet | None = None) -> None:
        self.sandbox = sandbox
        self.ctx = ToolContext(sandbox)
        self.tools = tools or ToolSet.coding()

    def __call__(self, name: str, **arguments: Any) -> ToolResult:
        return self.tools.execute(ToolCall(name=name, arguments=arguments, id="t"), self.ctx)

    def ok(self, name: str, **arguments: Any) -> ToolResult:
        result = self(name, **arguments)
        assert not result.is_error, result.output
        return result

    def err(self, name: str, **arguments: Any) -> ToolResult:
        result = self(name, **arguments)
        assert result.is_error, result.output
        return result


@pytest.fixture
def run(local_sandbox: Sandbox) -> Iterator[Runner]:
    runner = Runner(local_sandbox)
    try:
        yield runner
    finally:
        runner.ctx.close()


@pytest.fixture
def srun(any_sandbox: Sandbox) -> Iterator[Runner]:
    runner = Runner(any_sandbox)
    try:
        yield runner
    finally:
        runner.ctx.close()


@pytest.fixture
def runner_factory() -> type[Runner]:
    """The :class:`Runner` class, to build runners over custom tool sets."""
    return Runner
