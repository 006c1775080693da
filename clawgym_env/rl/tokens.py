"""Token-level policies and exact token accounting for multi-turn episodes.

A :class:`TokenPolicy` sees token ids and returns token ids. The episode's token
stream is kept by :class:`TokenTranscript`: the prompt is the chat template's
rendering of the system and user messages with the tool schemas; then the
generated ids are appended **as generated** (mask 1), and everything the
environment adds (tool results, role headers, a turn's closing tokens the model
did not produce) is rendered by the same chat template and appended with mask 0.
Model output is decoded only to be executed, never re-encoded into the stream.

Tool-result tokens are the suffix the template adds after a fixed, synthetic
prefix ending in an assistant turn with the same number of tool calls; the
template must render messages append-only (the prefix's tokens are a prefix of
the longer rendering), which the Qwen and Hermes templates do. A template that
does not is reported with a :class:`ValueError` naming the roles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["TokenGeneration", "TokenPolicy", "TokenTranscript", "decode_for_env", "end_of_turn_ids", "render_ids"]


@dataclass(frozen=True)
class TokenGeneration:
    """What a token-level policy generated for one assistant turn."""

    token_ids: list[int]
    """The sampled ids, including the end-of-turn token when the sampler stopped on it."""
    logprobs: list[float] | None = None
    """One log-probability per sampled id, when the sampler reports them."""


@runtime_checkable
class TokenPolicy(Protocol):
    """A policy over token ids, with the tokenizer whose chat template frames the episode."""

    tokenizer: Any
    """A Hugging Face tokenizer (``apply_chat_template``, ``decode``, special tokens)."""

    def generate(self, prompt_ids: list[int]) -> TokenGeneration:
        """Sample one assistant turn given the whole token context so far."""
        ...


def render_ids(
    tokenizer: Any,
    messages: Sequence[Mapping[str, Any]],
    *,
    tools: Sequence[Mapping[str, Any]] | None,
    add_generation_prompt: bool,
) -> list[int]:
    """The chat template's token ids for ``messages`` (whatever container the tokenizer returns)."""
    rendered = tokenizer.apply_chat_template(
        [dict(m) for m in messages],
        tools=[dict(t) for t in tools] if tools else None,
        add_generation_prompt=add_generation_prompt,
        tokenize=True,
    )
    if isinstance(rendered, Mapping) or hasattr(rendered, "input_ids"):
        rendered = rendered["input_ids"]
    ids = list(rendered)
    if ids and isinstance(ids[0], list):  # a batch of one
        ids = ids[0]
    return [int(i) for i in ids]


def end_of_turn_ids(tokenizer: Any) -> set[int]:
    """Ids that end an assistant turn: the eos token and ChatML's ``<|im_end|>`` when the vocabulary has it."""
    ids: set[int] = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    if isinstance(im_end, int) and im_end != tokenizer.unk_token_id:
        ids.add(im_end)
    return ids


def decode_for_env(tokenizer: Any, ids: Sequence[int], *, extra_drop: Sequence[int] = ()) -> str:
    """The text of generated ids for the env to execute: without end-of-turn, eos and pad tokens."""
    drop = end_of_turn_ids(tokenizer) | {tokenizer.pad_token_id, *extra_drop}
    return str(tokenizer.decode([i for i in ids if i not in drop], skip_special_tokens=False))


_SYNTHETIC_SYSTEM = {"role": "system", "content": "s"}
_SYNTHETIC_USER = {"role": "user", "content": "u"}


def _synthetic_assistant(count: int) -> dict[str, Any]:
    calls = [
        {"id": f"call_{i}", "type": "function", "function": {"name": "read", "arguments": {}}} for i in range(count)
    ]
    return {"role": "assistant", "content": "", "tool_calls": calls}


class TokenTranscript:
    """The token stream of one episode, with its mask and log-probabilities; see the module docstring."""

    def __init__(
        self,
        tokenizer: Any,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None,
        *,
        end_of_turn: str | None = None,
    ) -> None:
        """Render the prompt. ``end_of_turn`` is the token closing an assistant turn
        (default: ``<|im_end|>`` when the tokenizer has it, else its eos token)."""
        self.tokenizer = tokenizer
        self.tools = list(tools) if tools else None
        self.prompt_ids = render_ids(tokenizer, messages, tools=self.tools, add_generation_prompt=True)
        self.response_ids: list[int] = []
        self.response_mask: list[int] = []
        self.response_logprobs: list[float] | None = []
        self.end_of_turn_id = self._end_of_turn_id(end_of_turn)
        self._turn_trailer = self._trailer_after_end_of_turn()

    @property
    def context_ids(self) -> list[int]:
        """Prompt and response so far: what the policy is given to continue."""
        return self.prompt_ids + self.response_ids

    def add_generation(self, generation: TokenGeneration) -> str:
        """Append generated ids (mask 1) and return their text for the env to execute."""
        ids = [int(i) for i in generation.token_ids]
        if generation.logprobs is not None and len(generation.logprobs) != len(ids):
            raise ValueError(f"{len(generation.logprobs)} logprobs for {len(ids)} generated tokens")
        self._append(ids, 1, generation.logprobs)
        return self.decode_for_env(ids)

    def close_turn(self) -> None:
        """Append what ends the assistant turn in the template but was not generated (mask 0)."""
        generated_end = bool(self.response_ids) and self.response_ids[-1] == self.end_of_turn_id
        closing = ([] if generated_end else [self.end_of_turn_id]) + self._turn_trailer
        self._append(closing, 0, None)

    def add_tool_messages(self, tool_messages: Sequence[Mapping[str, Any]]) -> None:
        """Append the template's rendering of tool results and the next generation prompt (mask 0)."""
        if not tool_messages:
            return
        prefix = [_SYNTHETIC_SYSTEM, _SYNTHETIC_USER, _synthetic_assistant(len(tool_messages))]
        before = render_ids(self.tokenizer, prefix, tools=self.tools, add_generation_prompt=False)
        after = render_ids(self.tokenizer, [*prefix, *tool_messages], tools=self.tools, add_generation_prompt=True)
        if after[: len(before)] != before:
            raise ValueError("the chat template does not render tool messages append-only; cannot split their tokens")
        self._append(after[len(before) :], 0, None)

    def decode_for_env(self, ids: Sequence[int]) -> str:
        """The text of generated ids without end-of-turn, eos and pad tokens."""
        return decode_for_env(self.tokenizer, ids, extra_drop=[self.end_of_turn_id])

    def truncate(self, max_response_tokens: int) -> None:
        """Cut the response to ``max_response_tokens`` (the trainer's budget)."""
        del self.response_ids[max_response_tokens:]
        del self.response_mask[max_response_tokens:]
        if self.response_logprobs is not None:
            del self.response_logprobs[max_response_tokens:]

    # -- internals ---------------------------------------------------------------

    def _append(self, ids: Sequence[int], mask: int, logprobs: Sequence[float] | None) -> None:
        self.response_ids.extend(ids)
        self.response_mask.extend([mask] * len(ids))
        if mask == 1 and logprobs is None:
            self.response_logprobs = None
        if self.response_logprobs is not None:
            values = [float(x) for x in logprobs] if logprobs is not None else [0.0] * len(ids)
            self.response_logprobs.extend(values)

    def _end_of_turn_id(self, token: str | None) -> int:
        candidates = [token] if token else ["<|im_end|>"]
        for candidate in candidates:
            token_id = self.tokenizer.convert_tokens_to_ids(candidate)
            if isinstance(token_id, int) and token_id != self.tokenizer.unk_token_id:
                return token_id
        if token is None and self.tokenizer.eos_token_id is not None:
            return int(self.tokenizer.eos_token_id)
        raise ValueError(f"the tokenizer has no end-of-turn token {token or '<|im_end|>'!r} and no eos token")

    def _trailer_after_end_of_turn(self) -> list[int]:
        """Tokens the template puts after an assistant turn's end-of-turn token (e.g. a newline)."""
        messages = [_SYNTHETIC_SYSTEM, _SYNTHETIC_USER, {"role": "assistant", "content": "a"}]
        ids = render_ids(self.tokenizer, messages, tools=self.tools, add_generation_prompt=False)
        if self.end_of_turn_id not in ids:
            return []
        last = len(ids) - 1 - ids[::-1].index(self.end_of_turn_id)
        return ids[last + 1 :]
