"""An agent backed by any OpenAI-compatible chat-completions endpoint (vLLM, SGLang, OpenAI, ...).

Needs the ``openai`` package (``pip install 'clawgym-env[rl]'``). The client is
created on first use and dropped when the agent is pickled, so the agent can be
shipped to Ray workers and each process opens its own connections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clawgym_env._openai import make_client
from clawgym_env.envs.task import Task

__all__ = ["OpenAIAgent"]


class OpenAIAgent:
    """Asks ``model`` at ``base_url`` for each assistant turn, offering the env's tool schemas.

    ``api_key`` defaults to ``$OPENAI_API_KEY`` (or ``"EMPTY"``, which local
    servers accept); ``extra_body`` is passed through (e.g. vLLM's
    ``{"top_k": 20}``). Endpoint errors propagate: a rollout records them as a
    ``policy`` failure of that episode.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        timeout_s: float = 120.0,
        max_retries: int = 2,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.extra_body = dict(extra_body or {})
        self._client: Any = None

    def start(self, task: Task) -> None:
        return None

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """One chat completion; returns the assistant message (``content`` and ``tool_calls``)."""
        options: dict[str, Any] = {"temperature": self.temperature}
        if self.max_tokens is not None:
            options["max_tokens"] = self.max_tokens
        if self.extra_body:
            options["extra_body"] = self.extra_body
        if tools:
            options["tools"] = [dict(tool) for tool in tools]
        response = self._get_client().chat.completions.create(
            model=self.model, messages=[dict(m) for m in messages], **options
        )
        if not response.choices:
            raise RuntimeError(f"the endpoint at {self.base_url or 'api.openai.com'} returned no choices")
        message = response.choices[0].message
        calls = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": call.function.arguments},
            }
            for call in (message.tool_calls or [])
        ]
        turn: dict[str, Any] = {"role": "assistant", "content": message.content or ""}
        if calls:
            turn["tool_calls"] = calls
        return turn

    def _get_client(self) -> Any:
        if self._client is None:
            self._client = make_client(
                base_url=self.base_url,
                api_key=self.api_key,
                timeout_s=self.timeout_s,
                max_retries=self.max_retries,
                user="OpenAIAgent",
            )
        return self._client

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_client"] = None
        return state

    def __copy__(self) -> OpenAIAgent:
        clone = OpenAIAgent.__new__(OpenAIAgent)
        clone.__dict__.update(self.__dict__)  # episodes of one process share the client's connection pool
        return clone
