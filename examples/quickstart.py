"""Play a task through the Gymnasium API, one assistant turn at a time, and print the reward.

    python examples/quickstart.py [ENV_ID] [--sandbox bwrap|docker|local]

Each ``env.step`` takes one assistant turn. Here the turns are written as the
raw text a Qwen-style model emits, with ``<tool_call>`` blocks: first a look
around the workspace, then the task's reference solution, one call per turn.
A turn without a tool call ends the episode and the verifier scores the
workspace.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import gymnasium as gym

import clawgym_env  # noqa: F401  (registers the ClawGym/... ids)


def call(name: str, arguments: dict[str, Any]) -> str:
    """One tool call in the Hermes/Qwen text format."""
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("env_id", nargs="?", default="ClawGym/task-0042")
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "docker", "local"])
    args = parser.parse_args()

    with gym.make(args.env_id, sandbox=args.sandbox) as env:
        instruction, info = env.reset(seed=0)
        print(f"user: {instruction}\n")
        print(f"tools: {[tool['function']['name'] for tool in info['tools']]}\n")
        task = env.unwrapped.task
        turns = ["Let me look around first.\n" + call("exec", {"command": "ls -R | head -40"})]
        turns += [call(step["name"], dict(step["arguments"])) for step in task.reference_solution]
        turns.append("Done: the files you asked for are in place.")
        for turn in turns:
            observation, reward, terminated, truncated, info = env.step(turn)
            print(f"assistant: {turn[:200]}\n  -> {observation[:200]}\n")
            if terminated or truncated:
                break
        print(f"reward: {reward}")
        for check, value in info["reward_breakdown"].items():
            print(f"  {check}: {value}")


if __name__ == "__main__":
    main()
