"""Write a task in the ClawGym directory format, register it, and play it.

    python examples/own_tasks.py

The same works for a directory of released ClawGym tasks:
``clawgym_env.register_tasks("path/to/tasks", namespace="ClawGymEval")``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import gymnasium as gym

import clawgym_env
from clawgym_env.envs.loaders import jsonl_reward_script

CHECK_PY = """\
import json
from pathlib import Path

ws = Path("/root/.openclaw/workspace")
summary = ws / "summary.txt"
checks = {
    "summary_exists": float(summary.is_file()),
    "total_is_right": float(summary.is_file() and summary.read_text().strip() == "total: 42"),
}
print(json.dumps(checks))
"""


def write_task(root: Path) -> Path:
    task = root / "task_0001"
    (task / "input_files").mkdir(parents=True)
    (task / "reward").mkdir()
    (task / "input_files" / "numbers.txt").write_text("10\n12\n20\n")
    (task / "data_entry.json").write_text(
        json.dumps(
            {
                "task_id": "task_0001",
                "user_query": "Add up the numbers in numbers.txt and write `total: N` to summary.txt.",
                "metadata": {"category": "data", "grading_type": "automated"},
                "input_mount_dir": "/root/.openclaw/workspace",
            }
        )
    )
    (task / "reward" / "check.py").write_text(CHECK_PY)
    # The released tasks' reward.sh: run check.py, average the JSON dict it prints.
    (task / "reward" / "reward.sh").write_text(jsonl_reward_script("python3 reward/check.py"))
    return root


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ids = clawgym_env.register_tasks(write_task(Path(tmp)), namespace="MyTasks")
        print(f"registered: {ids}")
        solution = "awk '{s += $1} END {print \"total: \" s}' numbers.txt"
        for label, command in [("no-op", None), ("solution", solution)]:
            with gym.make(ids[0]) as env:
                env.reset(seed=0)
                if command is not None:
                    env.step({"name": "exec", "arguments": {"command": f"{command} > summary.txt"}})
                _, reward, *_, info = env.step("Done.")
                print(f"{label}: reward {reward} {info['reward_breakdown']}")


if __name__ == "__main__":
    main()
