"""Every public name imports, and importing the package stays light."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = [
    "clawgym_env",
    "clawgym_env.agents",
    "clawgym_env.envs",
    "clawgym_env.errors",
    "clawgym_env.rewards",
    "clawgym_env.rl",
    "clawgym_env.sandbox",
    "clawgym_env.tools",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_import(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported, f"{name} has no __all__"
    for attribute in exported:
        assert hasattr(module, attribute), f"{name}.__all__ names {attribute!r}, which does not exist"


def test_import_does_not_pull_heavy_modules() -> None:
    code = "import sys, clawgym_env; print(sorted(m for m in ('docker', 'torch', 'ray') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_rl_imports_stay_light() -> None:
    code = (
        "import sys, clawgym_env.rl; "
        "print(sorted(m for m in ('torch', 'ray', 'verl', 'openai', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_verl_integration_names_import() -> None:
    pytest.importorskip("verl", reason="clawgym_env.rl.verl needs verl: pip install 'clawgym-env[verl]'")
    test_all_names_import("clawgym_env.rl.verl")
