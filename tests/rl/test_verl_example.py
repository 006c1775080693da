"""examples/verl_grpo/run_qwen3_grpo.sh: everything below the GPU launch.

The script runs for real (it writes the parquet files with ``clawgym rl
dataset``), except that ``python3 -m verl.trainer.main_ppo`` is answered by a
stand-in that records its arguments. Those overrides are then composed into
verl 0.9.1's own trainer config, exactly as ``main_ppo``'s hydra entry point
does: an unknown key or a bad value fails the composition.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("verl", reason="the verl integration needs verl 0.9.1: pip install 'clawgym-env[verl]'")

from omegaconf import OmegaConf
from tiny_lm import compose_verl_config

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "verl_grpo" / "run_qwen3_grpo.sh"

# Records `python3 -m verl.trainer.main_ppo ARGS` one argument per line; any other python3 call is the real one.
STAND_IN = """#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "verl.trainer.main_ppo" ]; then
    shift 2
    printf '%s\\n' "$@" > "$MAIN_PPO_ARGS"
    exit 0
fi
exec {python} "$@"
"""


@pytest.fixture(scope="module")
def launch(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    tmp = tmp_path_factory.mktemp("grpo")
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "python3"
    stand_in.write_text(STAND_IN.format(python=sys.executable))
    stand_in.chmod(0o755)
    clawgym = shutil.which("clawgym")
    if clawgym is None:
        pytest.skip("the clawgym console script is not installed (pip install -e .)")
    data_dir = tmp / "data"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "MAIN_PPO_ARGS": str(tmp / "args.txt"),
        "DATA_DIR": str(data_dir),
        "TRAIN_SUITE": "ClawGym/task-000*",
        "VAL_SUITE": "ClawGym-Bench/task-000*",
    }
    result = subprocess.run(
        ["bash", str(SCRIPT), "trainer.total_epochs=2"], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return (tmp / "args.txt").read_text().splitlines(), data_dir


@pytest.fixture(scope="module")
def config(launch: tuple[list[str], Path]) -> Any:
    overrides, _ = launch
    return compose_verl_config(overrides)


def test_every_override_exists_in_verls_config_and_resolves(config: Any) -> None:
    assert OmegaConf.missing_keys(config) <= {"reward.reward_model.rollout.name"}  # verl's own, unused without a RM
    OmegaConf.to_container(config, resolve=True)


def test_the_integration_keys(config: Any, launch: tuple[list[str], Path]) -> None:
    from clawgym_env.rl.verl import agent_loop_config_path

    _, data_dir = launch
    rollout = config.actor_rollout_ref.rollout
    assert config.algorithm.adv_estimator == "grpo"
    assert rollout.n == 8 and rollout.mode == "async" and rollout.name == "vllm"
    assert rollout.agent.default_agent_loop == "clawgym"
    assert rollout.agent.agent_loop_config_path == agent_loop_config_path()
    assert rollout.multi_turn.enable is True and rollout.multi_turn.format == "hermes"
    assert rollout.prompt_length == config.data.max_prompt_length == 6144
    assert rollout.response_length == config.data.max_response_length == 16384
    assert rollout.calculate_log_probs is True
    assert config.trainer.total_epochs == 2  # extra arguments reach main_ppo last
    assert Path(config.reward.custom_reward_function.path).is_file()

    entries = OmegaConf.load(rollout.agent.agent_loop_config_path)
    assert [e.name for e in entries] == ["clawgym"]
    assert entries[0]["_target_"] == "clawgym_env.rl.verl.agent_loop.ClawAgentLoop"

    import pandas as pd

    train, val = pd.read_parquet(config.data.train_files), pd.read_parquet(config.data.val_files)
    assert Path(config.data.train_files).parent == data_dir
    assert list(train["agent_name"].unique()) == ["clawgym"]
    assert [row["env_id"] for row in train["extra_info"]] == [f"ClawGym/task-000{i}" for i in range(10)]
    assert len(val) == 10


def test_verl_builds_its_typed_configs_from_it(config: Any) -> None:
    from verl.utils.config import omega_conf_to_dataclass
    from verl.workers.config import RolloutConfig

    rollout = omega_conf_to_dataclass(config.actor_rollout_ref.rollout)
    assert isinstance(rollout, RolloutConfig)
    assert rollout.agent.default_agent_loop == "clawgym"
