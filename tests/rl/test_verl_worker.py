"""verl's own AgentLoopWorker, as a Ray actor, plays ClawGym rows through the shipped agent-loop YAML.

The path under test is the trainer's: ``clawgym rl dataset`` rows -> verl's
``RLHFDataset`` and ``collate_fn`` -> ``DataProto`` -> ``AgentLoopWorker``
(a Ray actor on a local cluster, built from verl's composed trainer config)
-> ``ClawAgentLoop`` loaded from ``agent_loop.yaml`` -> padded ``DataProto``
with ``rm_scores``. Only the LLM server is a test double (``ScriptedLLMServer``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("verl", reason="the verl integration needs verl 0.9.1: pip install 'clawgym-env[verl]'")
ray = pytest.importorskip("ray", reason="the verl integration needs ray: pip install 'clawgym-env[verl]'")

from tiny_lm import ScriptedLLMServer, build_tiny_lm, compose_verl_config, load_tokenizer, task_of, tool_call_turn  # noqa: E402

from clawgym_env.rl.verl import agent_loop_config_path  # noqa: E402
from clawgym_env.rl.verl.dataset import dataset_rows, write_dataset  # noqa: E402

pytestmark = pytest.mark.bwrap

SOLVED, IDLE, MISSING = "ClawGym/task-0000", "ClawGym/task-0001", "ClawGym/task-9999"
N = 2  # rollouts per prompt, as actor_rollout_ref.rollout.n


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    if ray.is_initialized():
        pytest.skip("a Ray cluster is already connected in this process")
    here = str(Path(__file__).parent)
    root = str(Path(__file__).parents[2])
    path = os.pathsep.join([here, root, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}},
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"), extra_text=[task_of(SOLVED).instruction])


def _batch(parquet: Path, model_dir: Path, config: Any) -> Any:
    """The rollout batch the trainer would hand to the agent-loop workers (n rollouts per prompt)."""
    from verl import DataProto
    from verl.utils.dataset.rl_dataset import RLHFDataset, collate_fn

    dataset = RLHFDataset(data_files=str(parquet), tokenizer=load_tokenizer(model_dir), config=config.data)
    batch = DataProto.from_single_dict(collate_fn([dataset[i] for i in range(len(dataset))]))
    return batch.repeat(repeat_times=N, interleave=True)


def test_agent_loop_worker_returns_verifier_scores_as_rm_scores(
    local_ray: None, model_dir: Path, tmp_path: Path
) -> None:
    from verl.experimental.agent_loop.agent_loop import AgentLoopWorker

    rows = dataset_rows([SOLVED, IDLE])
    rows.append({**rows[1], "reward_model": {"style": "rule", "ground_truth": MISSING}})
    rows[2]["extra_info"] = {**rows[1]["extra_info"], "env_id": MISSING, "index": 2}
    parquet = tmp_path / "train.parquet"
    write_dataset(rows, parquet)

    config = compose_verl_config(
        [
            f"actor_rollout_ref.model.path={model_dir}",
            "actor_rollout_ref.rollout.name=vllm",
            "actor_rollout_ref.rollout.prompt_length=8192",
            "actor_rollout_ref.rollout.response_length=16384",
            "actor_rollout_ref.rollout.calculate_log_probs=true",
            f"actor_rollout_ref.rollout.n={N}",
            f"actor_rollout_ref.rollout.agent.agent_loop_config_path={agent_loop_config_path()}",
            "actor_rollout_ref.rollout.agent.default_agent_loop=clawgym",
            "actor_rollout_ref.rollout.agent.num_workers=1",
            "data.max_prompt_length=8192",
            "data.filter_overlong_prompts_workers=1",
            f"+data.cache_dir={tmp_path / 'cache'}",
        ]
    )
    reference = [tool_call_turn(call) for call in task_of(SOLVED).reference_solution] + ["Done."]
    server = ScriptedLLMServer(
        model_dir, {task_of(SOLVED).instruction: reference, task_of(IDLE).instruction: ["Nothing to do here."]}
    )
    batch = _batch(parquet, model_dir, config)
    worker = ray.remote(AgentLoopWorker).remote(config, server)
    output = ray.get(worker.generate_sequences.remote(batch), timeout=240)
    ray.kill(worker)

    env_ids = [SOLVED] * N + [IDLE] * N + [MISSING] * N
    expected = [1.0] * N + [0.0] * N + [0.0] * N
    assert list(output.non_tensor_batch["clawgym_env_id"]) == env_ids
    prompt_width = output.batch["prompts"].shape[1]
    lengths = output.batch["attention_mask"][:, prompt_width:].sum(dim=1)
    scores = output.batch["rm_scores"]
    for row, (score, length) in enumerate(zip(expected, lengths.tolist(), strict=True)):
        assert scores[row, length - 1].item() == score
        assert scores[row].sum().item() == score
    assert output.batch["responses"].shape == (3 * N, 16384)
    assert output.batch["rollout_log_probs"].shape == (3 * N, 16384)

    # the failed rows carry their reason and teach nothing; the others are unaffected
    kinds = list(output.non_tensor_batch["clawgym_failure_kind"])
    assert kinds == [None] * (2 * N) + ["env"] * N
    assert output.batch["response_mask"][2 * N :].sum().item() == 0
    assert output.batch["response_mask"][: 2 * N].sum(dim=1).min().item() > 0
    assert list(output.non_tensor_batch["clawgym_end"]) == ["answer"] * (2 * N) + ["failure"] * N
    # verl's reward extras: same keys on every row, logged by the trainer
    assert output.meta_info["reward_extra_keys"] == ["score", "acc", "env_failed"]
    assert list(output.non_tensor_batch["acc"]) == [1.0] * N + [0.0] * (2 * N)
    assert list(output.non_tensor_batch["env_failed"]) == [0.0] * (2 * N) + [1.0] * N
    assert list(output.non_tensor_batch["__num_turns__"][:N]) == [2 * len(reference)] * N
