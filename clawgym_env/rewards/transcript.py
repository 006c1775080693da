"""Chat history -> OpenClaw session transcript (the verifier payload's ``transcript``).

OpenClaw records a session as JSONL events. The released verifiers read the
``message`` events: ``{"type": "message", "message": {"role": ..., "content": [...]}}``
where roles are ``user``, ``assistant`` and ``toolResult``, assistant tool calls
are ``{"type": "toolCall", "id", "name", "arguments"}`` content parts and text
is ``{"type": "text", "text"}``. System messages are not part of a session.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

__all__ = ["openclaw_transcript"]


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return str(content)


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def openclaw_transcript(
    messages: Sequence[Mapping[str, Any]],
    *,
    tool_errors: Mapping[str, bool] | None = None,
    session_id: str = "clawgym",
    cwd: str = "",
) -> list[dict[str, Any]]:
    """Convert OpenAI-format chat ``messages`` to OpenClaw session events.

    Tool messages become ``toolResult`` messages carrying ``toolCallId``,
    ``toolName`` and ``isError`` (looked up by call id in ``tool_errors``).
    """
    tool_errors = tool_errors or {}
    now = datetime.now(timezone.utc).isoformat()
    events: list[dict[str, Any]] = [{"type": "session", "id": session_id, "timestamp": now, "cwd": cwd}]
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "user":
            body: dict[str, Any] = {
                "role": "user",
                "content": [{"type": "text", "text": _text_of(message.get("content"))}],
            }
        elif role == "assistant":
            parts: list[dict[str, Any]] = []
            text = _text_of(message.get("content"))
            if text:
                parts.append({"type": "text", "text": text})
            for call in message.get("tool_calls") or ():
                function = call.get("function", {})
                parts.append(
                    {
                        "type": "toolCall",
                        "id": call.get("id", ""),
                        "name": function.get("name", ""),
                        "arguments": _arguments(function.get("arguments", {})),
                    }
                )
            body = {"role": "assistant", "content": parts}
        elif role == "tool":
            body = {
                "role": "toolResult",
                "toolCallId": message.get("tool_call_id", ""),
                "toolName": message.get("name", ""),
                "content": [{"type": "text", "text": _text_of(message.get("content"))}],
                "isError": bool(tool_errors.get(str(message.get("tool_call_id", "")), False)),
            }
        else:
            continue
        events.append({"type": "message", "id": f"m{index}", "timestamp": now, "message": body})
    return events
