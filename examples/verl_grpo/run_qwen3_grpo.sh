#!/usr/bin/env bash
# GRPO on ClawGym with verl 0.9.1: Qwen3 plays multi-turn tool-calling episodes in bwrap sandboxes,
# the ClawGym verifier's score is the reward. See docs/verl.md for what every key does.
#
# NOT RUNNABLE ON A MACHINE WITHOUT GPUS OR MODEL WEIGHTS. It needs NGPUS CUDA GPUs (8 x 80 GB for the
# defaults below), vLLM or SGLang installed next to verl, and the model weights (downloaded from the
# Hugging Face hub on first use, or MODEL=/local/path). What can be checked without them is checked by
# tests/rl/test_verl_example.py: it runs this script with a stand-in for `python3 -m verl.trainer.main_ppo`,
# then composes verl's own trainer config with exactly these overrides and checks that every key exists
# and resolves.
#
#   pip install 'clawgym-env[verl]' vllm          # or sglang; see docs/verl.md
#   bash examples/verl_grpo/run_qwen3_grpo.sh     # extra KEY=VALUE arguments override anything below
set -euo pipefail

MODEL=${MODEL:-Qwen/Qwen3-4B-Instruct-2507}
DATA_DIR=${DATA_DIR:-$HOME/data/clawgym}
TRAIN_SUITE=${TRAIN_SUITE:-builtin:train}    # ClawGym/task-0000 ... task-5119
VAL_SUITE=${VAL_SUITE:-builtin:bench}        # ClawGym-Bench/task-0000 ... task-0199
ROLLOUT=${ROLLOUT:-vllm}                     # vllm or sglang (both run as async servers)
NGPUS=${NGPUS:-8}
NNODES=${NNODES:-1}
GROUP=${GROUP:-8}                            # GRPO group: rollouts per task
PROMPT_LEN=${PROMPT_LEN:-6144}               # system prompt + tool schemas + request
RESPONSE_LEN=${RESPONSE_LEN:-16384}          # all assistant turns + tool results of one episode

# 1. verl's RL parquet: one row per env id, played by the `clawgym` agent loop.
mkdir -p "$DATA_DIR"
[ -f "$DATA_DIR/train.parquet" ] || clawgym rl dataset "$TRAIN_SUITE" --out "$DATA_DIR/train.parquet"
[ -f "$DATA_DIR/val.parquet" ] || clawgym rl dataset "$VAL_SUITE" --out "$DATA_DIR/val.parquet"

# 2. The agent-loop YAML shipped with clawgym-env (copy and edit it to change sandbox, max_steps, max_live_envs).
AGENT_LOOP_YAML=${AGENT_LOOP_YAML:-$(python3 -c 'from clawgym_env.rl.verl import agent_loop_config_path as p; print(p())')}
# Only read when the agent loop leaves scoring to verl's reward loop (score_in_loop: false in the YAML).
REWARD_FN=$(python3 -c 'import clawgym_env.rl.verl.reward as r; print(r.__file__)')

# 3. Train.
python3 -m verl.trainer.main_ppo \
    algorithm.adv_estimator=grpo \
    algorithm.use_kl_in_reward=false \
    data.train_files="$DATA_DIR/train.parquet" \
    data.val_files="$DATA_DIR/val.parquet" \
    data.train_batch_size=32 \
    data.val_batch_size=200 \
    data.max_prompt_length="$PROMPT_LEN" \
    data.max_response_length="$RESPONSE_LEN" \
    data.filter_overlong_prompts=true \
    data.truncation=error \
    data.return_raw_chat=true \
    actor_rollout_ref.model.path="$MODEL" \
    actor_rollout_ref.model.use_remove_padding=true \
    actor_rollout_ref.model.enable_gradient_checkpointing=true \
    actor_rollout_ref.actor.optim.lr=1e-6 \
    actor_rollout_ref.actor.ppo_mini_batch_size=16 \
    actor_rollout_ref.actor.use_dynamic_bsz=true \
    actor_rollout_ref.actor.ppo_max_token_len_per_gpu=$((PROMPT_LEN + RESPONSE_LEN)) \
    actor_rollout_ref.actor.use_kl_loss=false \
    actor_rollout_ref.actor.entropy_coeff=0 \
    actor_rollout_ref.actor.loss_agg_mode=token-mean \
    actor_rollout_ref.actor.fsdp_config.param_offload=false \
    actor_rollout_ref.actor.fsdp_config.optimizer_offload=false \
    actor_rollout_ref.rollout.name="$ROLLOUT" \
    actor_rollout_ref.rollout.mode=async \
    actor_rollout_ref.rollout.n="$GROUP" \
    actor_rollout_ref.rollout.temperature=1.0 \
    actor_rollout_ref.rollout.prompt_length="$PROMPT_LEN" \
    actor_rollout_ref.rollout.response_length="$RESPONSE_LEN" \
    actor_rollout_ref.rollout.tensor_model_parallel_size=2 \
    actor_rollout_ref.rollout.gpu_memory_utilization=0.6 \
    actor_rollout_ref.rollout.calculate_log_probs=true \
    actor_rollout_ref.rollout.log_prob_use_dynamic_bsz=true \
    actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=$((PROMPT_LEN + RESPONSE_LEN)) \
    actor_rollout_ref.rollout.multi_turn.enable=true \
    actor_rollout_ref.rollout.multi_turn.max_assistant_turns=30 \
    actor_rollout_ref.rollout.multi_turn.format=hermes \
    actor_rollout_ref.rollout.agent.agent_loop_config_path="$AGENT_LOOP_YAML" \
    actor_rollout_ref.rollout.agent.default_agent_loop=clawgym \
    actor_rollout_ref.rollout.agent.num_workers=8 \
    actor_rollout_ref.rollout.val_kwargs.n=1 \
    actor_rollout_ref.rollout.val_kwargs.do_sample=false \
    reward.custom_reward_function.path="$REWARD_FN" \
    reward.custom_reward_function.name=compute_score \
    trainer.project_name=clawgym \
    trainer.experiment_name="grpo-$(basename "$MODEL")" \
    trainer.logger='["console"]' \
    trainer.n_gpus_per_node="$NGPUS" \
    trainer.nnodes="$NNODES" \
    trainer.val_before_train=true \
    trainer.test_freq=10 \
    trainer.save_freq=50 \
    trainer.total_epochs=1 \
    "$@"
