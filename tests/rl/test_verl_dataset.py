"""``clawgym rl dataset`` writes parquet that verl's own RLHFDataset reads, row for row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("verl", reason="the verl integration needs verl 0.9.1: pip install 'clawgym-env[verl]'")

from tiny_lm import build_tiny_lm, compose_verl_config, load_tokenizer

from clawgym_env.cli import main
from clawgym_env.rl.verl.dataset import AGENT_NAME, resolve_suite


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"))


def test_suite_names_resolve() -> None:
    train, bench = resolve_suite("builtin:train"), resolve_suite("builtin:bench")
    assert (len(train), train[0], train[-1]) == (5120, "ClawGym/task-0000", "ClawGym/task-5119")
    assert (len(bench), bench[0], bench[-1]) == (200, "ClawGym-Bench/task-0000", "ClawGym-Bench/task-0199")
    assert resolve_suite("ClawGym") == train
    assert resolve_suite("ClawGym-Bench") == bench
    assert resolve_suite("ClawGym/task-000*") == [f"ClawGym/task-000{i}" for i in range(10)]
    with pytest.raises(ValueError, match="no ClawGym env matches 'nope'"):
        resolve_suite("nope")


def test_cli_writes_rows_that_verl_rlhf_dataset_reads(
    tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verl.utils.dataset.rl_dataset import RLHFDataset

    out = tmp_path / "data" / "bench.parquet"
    assert main(["rl", "dataset", "builtin:bench", "--limit", "3", "--out", str(out)]) == 0
    assert f"wrote 3 rows (ClawGym-Bench/task-0000 ... ClawGym-Bench/task-0002) to {out}" in capsys.readouterr().out

    config = compose_verl_config(
        [
            f"actor_rollout_ref.model.path={model_dir}",
            "actor_rollout_ref.rollout.name=vllm",
            "data.max_prompt_length=8192",
            "data.filter_overlong_prompts_workers=1",
            f"+data.cache_dir={tmp_path / 'cache'}",
        ]
    )
    dataset = RLHFDataset(data_files=str(out), tokenizer=load_tokenizer(model_dir), config=config.data)
    assert len(dataset) == 3
    rows: list[dict[str, Any]] = [dataset[i] for i in range(3)]
    for index, row in enumerate(rows):
        env_id = f"ClawGym-Bench/task-{index:04d}"
        assert row["agent_name"] == AGENT_NAME
        assert row["data_source"] == "clawgym/ClawGym-Bench"
        assert row["reward_model"] == {"style": "rule", "ground_truth": env_id}
        assert row["extra_info"]["env_id"] == env_id
        assert row["index"] == index
        assert [m["role"] for m in row["raw_prompt"]] == ["system", "user"]
    import gymnasium as gym

    env = gym.make("ClawGym-Bench/task-0001")
    try:
        _, info = env.reset(seed=0)
    finally:
        env.close()
    assert [dict(m) for m in rows[1]["raw_prompt"]] == info["messages"]


def test_cli_rejects_unknown_suites_and_bad_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rl", "dataset", "NoSuchSuite", "--out", str(tmp_path / "x.parquet")]) == 2
    assert "no ClawGym env matches 'NoSuchSuite'" in capsys.readouterr().err
    assert main(["rl", "dataset", "ClawGym", "--limit", "0", "--out", str(tmp_path / "x.parquet")]) == 2
    assert "--limit must be >= 1" in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()
