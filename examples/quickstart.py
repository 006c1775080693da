"""Play ClawGym/task-0042 by hand through the Gymnasium API and print the reward.

    python examples/quickstart.py [--sandbox bwrap|docker|local]

Each ``env.step`` takes one assistant turn, here written as the raw text a
Qwen-style model emits, with ``<tool_call>`` blocks; a turn without a tool
call ends the episode and the task's verifier scores the workspace.
"""

from __future__ import annotations

import argparse
import json

import gymnasium as gym

import clawgym_env  # noqa: F401  (registers the ClawGym/... ids)


def call(name: str, **arguments: object) -> str:
    """One tool call in the Hermes/Qwen text format."""
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "docker", "local"])
    args = parser.parse_args()

    with gym.make("ClawGym/task-0042", sandbox=args.sandbox) as env:
        instruction, info = env.reset(seed=0)
        print(f"user: {instruction}\n")
        print(f"tools: {[tool['function']['name'] for tool in info['tools']]}\n")
        turns = [
            "Let me look at the config first.\n" + call("read", path="config/report.json"),
            call("exec", command="ls data"),
            call("edit", path="config/report.json", oldText="sales_2026_03.csv", newText="sales_2026-03.csv"),
            call("exec", command="python3 scripts/build_report.py && head -3 reports/weekly_sales.md"),
            call(
                "edit",
                path="CHANGELOG.md",
                oldText="# Changelog\n\n",
                newText="# Changelog\n\n## 2026-03-09\n- Fixed report input path.\n\n",
            ),
            "The config points at the March export now, the report is generated and the changelog has the entry.",
        ]
        for turn in turns:
            observation, reward, terminated, truncated, info = env.step(turn)
            print(f"assistant: {turn}\n  -> {observation[:300]}\n")
            if terminated or truncated:
                break
        print(f"reward: {reward}")
        for check, value in info["reward_breakdown"].items():
            print(f"  {check}: {value}")


if __name__ == "__main__":
    main()
