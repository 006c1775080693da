"""A tiny, offline, Qwen-shaped language-model directory for token-level tests.

:func:`build_tiny_lm` writes to a directory everything ``transformers`` and
verl's ``HFModelConfig`` load from a model path, without the Hugging Face hub
and without weights:

* ``tokenizer.json``: a byte-level BPE trained here, in milliseconds, on a
  little text (so any string round-trips exactly through ``encode``/``decode``),
  with the ChatML special tokens ``<|im_start|>``, ``<|im_end|>`` (eos) and
  ``<|endoftext|>`` (pad), and the Hermes tool tokens ``<tool_call>``,
  ``</tool_call>``, ``<tool_response>``, ``</tool_response>`` as added,
  non-special tokens (as in Qwen: they survive ``skip_special_tokens=True``);
* ``tokenizer_config.json`` with :data:`CHAT_TEMPLATE`, a Qwen-style Jinja
  template written for these tests: tools in the system message, assistant
  ``tool_calls`` as ``<tool_call>{json}</tool_call>``, consecutive tool
  messages as ``<tool_response>`` blocks inside one user turn, generation
  prompt ``<|im_start|>assistant\\n``;
* ``config.json``: a Qwen3 config with very small sizes (``model_type`` "qwen3",
  so verl picks its Qwen continuous-token builder).

:class:`ScriptedLLMServer` is the test double at the network edge: it stands
where verl's LLM server client stands and answers ``generate`` with the tiny
tokenizer's real ids for scripted assistant turns.

Used by the verl tests and usable by any test that needs a real tokenizer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CHAT_TEMPLATE",
    "EOS",
    "SPECIAL_TOKENS",
    "TOOL_TOKENS",
    "ScriptedLLMServer",
    "build_tiny_lm",
    "load_tokenizer",
    "scripted_logprob",
    "task_of",
    "tool_call_turn",
]

EOS = "<|im_end|>"
PAD = "<|endoftext|>"
SPECIAL_TOKENS = (PAD, "<|im_start|>", EOS)
"""Control tokens, dropped by ``decode(skip_special_tokens=True)``."""
TOOL_TOKENS = ("<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>")
"""Single added tokens that stay in decoded text, like Qwen's."""

CHAT_TEMPLATE = (
    "{%- macro render_call(call) -%}"
    "{%- if call.function is defined -%}{%- set call = call.function -%}{%- endif -%}"
    '{{- \'<tool_call>\\n{"name": "\' + call.name + \'", "arguments": \' -}}'
    "{%- if call.arguments is string -%}{{- call.arguments -}}{%- else -%}{{- call.arguments | tojson -}}{%- endif -%}"
    "{{- '}\\n</tool_call>' -}}"
    "{%- endmacro -%}"
    "{%- set has_system = messages and messages[0].role == 'system' -%}"
    "{%- if tools or has_system -%}"
    "{{- '<|im_start|>system\\n' -}}"
    "{%- if has_system -%}{{- messages[0].content -}}{%- endif -%}"
    "{%- if tools -%}"
    "{%- if has_system -%}{{- '\\n\\n' -}}{%- endif -%}"
    "{{- '# Tools\\n\\nCall functions to help with the request. Their signatures:\\n<tools>' -}}"
    "{%- for tool in tools -%}{{- '\\n' + (tool | tojson) -}}{%- endfor -%}"
    '{{- \'\\n</tools>\\n\\nTo call one, write <tool_call>{"name": <name>, "arguments": <object>}</tool_call>.\' -}}'
    "{%- endif -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- for message in messages -%}"
    "{%- if message.role == 'system' and loop.first -%}"
    "{%- elif message.role == 'tool' -%}"
    "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' -%}{{- '<|im_start|>user' -}}{%- endif -%}"
    "{{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' -}}"
    "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' -%}{{- '<|im_end|>\\n' -}}{%- endif -%}"
    "{%- elif message.role == 'assistant' -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- if message.content is string -%}{{- message.content -}}{%- endif -%}"
    "{%- for call in (message.tool_calls or []) -%}"
    "{%- if not loop.first or (message.content is string and message.content) -%}{{- '\\n' -}}{%- endif -%}"
    "{{- render_call(call) -}}"
    "{%- endfor -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- else -%}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)
"""A Qwen-style ChatML template with Hermes tool calls (written for these tests)."""

_QWEN3_CONFIG: dict[str, Any] = {
    "architectures": ["Qwen3ForCausalLM"],
    "model_type": "qwen3",
    "hidden_size": 16,
    "intermediate_size": 32,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 8,
    "max_position_embeddings": 65536,
    "rms_norm_eps": 1e-6,
    "rope_theta": 10000.0,
    "tie_word_embeddings": True,
    "torch_dtype": "float32",
}

_TRAINING_TEXT = (
    "You are a helpful assistant working in a workspace. Read and edit local files and run shell commands. "
    'The user asks: please summarise the expenses. {"name": "exec", "arguments": {"command": "ls -R"}} '
    '{"type": "function", "function": {"name": "read", "description": "Read a file", "parameters": '
    '{"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}} '
    "reports/summary.json content total count by_category month 2025-10 csv date,merchant,amount "
    "All done. The report is written. The quick brown fox jumps over the lazy dog. 0123456789 \n\n\t"
)


def build_tiny_lm(directory: str | Path, *, extra_text: Iterable[str] = (), vocab_size: int = 1200) -> Path:
    """Write the tokenizer, its chat template and a tiny Qwen3 ``config.json`` into ``directory``.

    ``extra_text`` is added to the BPE training text (more merges, shorter
    sequences); any text still round-trips because the alphabet is all 256 bytes.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator([_TRAINING_TEXT, *extra_text], trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=EOS,
        pad_token=PAD,
        additional_special_tokens=[],
        clean_up_tokenization_spaces=False,
        model_max_length=1 << 20,
    )
    from tokenizers import AddedToken

    fast.add_tokens([AddedToken(token, special=False, normalized=False) for token in TOOL_TOKENS])
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(str(directory))
    config = dict(_QWEN3_CONFIG, vocab_size=len(fast))
    config.update(eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id, bos_token_id=None)
    (directory / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return directory


def task_of(env_id: str) -> Any:
    """The :class:`~clawgym_env.Task` behind a registered env id."""
    import gymnasium as gym

    env = gym.make(env_id)
    try:
        return env.unwrapped.task
    finally:
        env.close()


def load_tokenizer(directory: str | Path) -> Any:
    """The tokenizer saved by :func:`build_tiny_lm`, loaded the way verl loads it (``AutoTokenizer``)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(directory))


def tool_call_turn(call: Mapping[str, Any]) -> str:
    """One assistant turn holding one Hermes tool call, as a model would write it."""
    payload = {"name": call["name"], "arguments": _plain(call.get("arguments", {}))}
    return f"<tool_call>\n{json.dumps(payload, ensure_ascii=False)}\n</tool_call>"


def scripted_logprob(turn: int, position: int) -> float:
    """The log-probability :class:`ScriptedLLMServer` reports for token ``position`` of turn ``turn``."""
    return -round(0.001 * (turn + 1) + 0.00001 * position, 8)


class ScriptedLLMServer:
    """A test double for verl's ``LLMServerClient``: scripted assistant turns as real token ids.

    ``scripts`` maps a marker (a substring of the prompt, e.g. the task's
    instruction) to that episode's assistant turns (text). ``generate`` decodes
    the prompt, picks the script whose marker it contains and the turn from the
    number of assistant headers in it, and returns the tokenizer's encoding of
    that turn followed by ``<|im_end|>``, cut to ``sampling_params["max_tokens"]``,
    with :func:`scripted_logprob` values when ``sampling_params["logprobs"]`` is
    true. It keeps no per-episode state, so it is picklable (Ray ships it to
    ``AgentLoopWorker`` actors) and serves concurrent episodes. ``on_generate``
    (in-process tests only) is called with ``(marker, turn)`` before answering.
    """

    def __init__(
        self,
        model_dir: str | Path,
        scripts: Mapping[str, Sequence[str]],
        *,
        on_generate: Callable[[str, int], None] | None = None,
    ) -> None:
        self.model_dir = str(model_dir)
        self.scripts = {marker: list(turns) for marker, turns in scripts.items()}
        self.on_generate = on_generate
        self._tok: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_tok"] = None
        state["on_generate"] = None
        return state

    @property
    def tok(self) -> Any:
        if self._tok is None:
            self._tok = load_tokenizer(self.model_dir)
        return self._tok

    def reply(self, prompt_ids: Sequence[int]) -> tuple[str, int, str]:
        """``(marker, turn, text)`` of the scripted answer to ``prompt_ids``."""
        prompt = self.tok.decode(list(prompt_ids), skip_special_tokens=False)
        markers = [m for m in self.scripts if m in prompt]
        if len(markers) != 1:
            raise LookupError(f"the prompt matches {len(markers)} scripts; expected exactly one")
        turn = prompt.count("<|im_start|>assistant") - 1
        turns = self.scripts[markers[0]]
        return markers[0], turn, turns[min(turn, len(turns) - 1)]

    async def generate(
        self, request_id: str, *, prompt_ids: list[int], sampling_params: dict[str, Any], **kwargs: Any
    ) -> Any:
        from verl.workers.rollout.replica import TokenOutput

        marker, turn, text = self.reply(prompt_ids)
        if self.on_generate is not None:
            self.on_generate(marker, turn)
        ids = [*self.tok.encode(text, add_special_tokens=False), self.tok.convert_tokens_to_ids(EOS)]
        max_tokens = sampling_params.get("max_tokens")
        if max_tokens is not None:
            ids = ids[: int(max_tokens)]
        logprobs = [scripted_logprob(turn, i) for i in range(len(ids))] if sampling_params.get("logprobs") else None
        return TokenOutput(token_ids=ids, log_probs=logprobs, stop_reason="completed", num_preempted=0)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def compose_verl_config(overrides: Sequence[str] = ()) -> Any:
    """verl's trainer config (``verl/trainer/config/ppo_trainer.yaml``) composed with ``overrides``.

    The same composition ``python -m verl.trainer.main_ppo KEY=VALUE ...`` does
    (hydra, ``version_base=None``), resolved; unknown keys and bad values raise.
    """
    import verl
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    config_dir = str(Path(verl.__file__).parent / "trainer" / "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        config = compose(config_name="ppo_trainer", overrides=list(overrides))
    OmegaConf.resolve(config)
    return config
