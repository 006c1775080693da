"""Parse what a policy emitted into text plus tool calls.

:func:`parse_assistant_turn` accepts the shapes a policy's action comes in:

(a) raw assistant text with Hermes/Qwen-style blocks
    ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
    (``arguments`` may also be a JSON-encoded string; ``<think>...</think>``
    is content, and a ``<tool_call>`` inside it is not a call);
(b) an OpenAI assistant message dict: ``content`` (str, ``None`` or a list of
    text parts) and ``tool_calls`` (``function.arguments`` a JSON string or an
    object); without ``tool_calls`` its text is parsed as in (a);
(c) one ``{"name": ..., "arguments": ...}`` dict (or an OpenAI ``tool_calls``
    entry);
(d) a list of such dicts and/or :class:`ToolCall` objects;
(e) a :class:`ToolCall`.

Error policy: a problem *inside* text or a dict is the agent's mistake and
never raises. A malformed block (bad JSON, no name, arguments that are not an
object) becomes a ``ToolCall`` with
``parse_error`` set (and the name when it can be recovered), which
:meth:`ToolSet.execute` answers with an error result. An action of any other
type (an ``int``, ``None``, bytes) is a bug in the caller and raises
``TypeError`` naming the accepted types.

A ``<tool_call>`` left open at the very end of the text is accepted when its
body is one complete JSON call: inference servers that stop on
``</tool_call>`` strip the closing tag. An open block whose body is not a
complete call is malformed like any other.

Call ids given by the policy are kept; missing ones become
``f"{call_id_prefix}_{i}"`` with ``i`` the call's index in the turn.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clawgym_env.tools.base import ToolCall

__all__ = ["AssistantTurn", "parse_assistant_turn"]

OPEN_TAG = "<tool_call>"
CLOSE_TAG = "</tool_call>"
_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL)
_NAME_RE = re.compile(r'"name"\s*:\s*"((?:[^"\\]|\\.)*)"')
_FENCE_RE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)


@dataclass(frozen=True)
class AssistantTurn:
    """One assistant turn: its text and the tool calls it made."""

    content: str
    """The assistant text without tool-call blocks (``<think>`` sections included)."""
    tool_calls: tuple[ToolCall, ...] = ()
    """The calls, in order; malformed ones carry ``parse_error``."""
    raw: Any = None
    """The action exactly as given."""

    def to_openai_message(self) -> dict[str, Any]:
        """``{"role": "assistant", "content": ..., "tool_calls": [...]}`` (no ``tool_calls`` key when none)."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [call.to_openai() for call in self.tool_calls]
        return message


def _recover_name(text: str) -> str:
    match = _NAME_RE.search(text)
    if match is None:
        return ""
    try:
        name = json.loads(f'"{match.group(1)}"')
    except json.JSONDecodeError:
        return match.group(1)
    return name if isinstance(name, str) else ""


def _arguments(name: str, value: Any) -> tuple[dict[str, Any], str | None]:
    """``(arguments, parse_error)`` from a JSON object, a JSON-encoded string or nothing."""
    if value is None:
        return {}, None
    if isinstance(value, str):
        if not value.strip():
            return {}, None
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            return {}, f"the arguments of {name or 'the call'} are not valid JSON ({error.msg} at column {error.colno})"
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}, None
    kind = type(value).__name__
    return {}, f"the arguments of {name or 'the call'} must be a JSON object, got {kind}"


def _call_from_dict(entry: Mapping[str, Any]) -> ToolCall:
    """A call from ``{"name", "arguments"}`` or an OpenAI ``{"id", "function": {...}}`` entry."""
    raw_id = entry.get("id")
    call_id = raw_id if isinstance(raw_id, str) else ("" if raw_id is None else str(raw_id))
    source: Mapping[str, Any] = entry
    function = entry.get("function")
    if isinstance(function, Mapping):
        source = function
    name = source.get("name")
    if not isinstance(name, str) or not name.strip():
        shown = "" if name is None else str(name)
        return ToolCall(name=shown, id=call_id, parse_error="the tool call has no 'name' (a non-empty string)")
    raw_arguments = source.get("arguments", source.get("parameters"))
    arguments, error = _arguments(name, raw_arguments)
    return ToolCall(name=name.strip(), arguments=arguments, id=call_id, parse_error=error)


def _call_from_block(body: str) -> ToolCall:
    text = body.strip()
    fenced = _FENCE_RE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if not text:
        return ToolCall(name="", parse_error="empty <tool_call> block; it must hold a JSON object")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return ToolCall(
            name=_recover_name(text),
            parse_error=(
                f"invalid JSON in <tool_call> block ({error.msg} at line {error.lineno} column {error.colno}); "
                'write <tool_call>{"name": ..., "arguments": {...}}</tool_call>'
            ),
        )
    if not isinstance(value, Mapping):
        return ToolCall(
            name="",
            parse_error=f"a <tool_call> block must hold a JSON object with 'name' and 'arguments', "
            f"got {type(value).__name__}",
        )
    return _call_from_dict(value)


def _think_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _THINK_RE.finditer(text)]
    close = text.find("</think>")
    opened = text.find("<think>")
    if close != -1 and (opened == -1 or opened > close):
        spans.append((0, close + len("</think>")))  # reasoning whose opening tag was in the prompt
    return spans


def _parse_text(text: str) -> tuple[str, list[ToolCall]]:
    spans = _think_spans(text)

    def next_open(start: int) -> int:
        index = text.find(OPEN_TAG, start)
        while index != -1 and any(a <= index < b for a, b in spans):
            index = text.find(OPEN_TAG, index + 1)
        return index

    pieces: list[str] = []
    calls: list[ToolCall] = []
    position = 0
    while True:
        start = next_open(position)
        if start == -1:
            pieces.append(text[position:])
            break
        pieces.append(text[position:start])
        body_start = start + len(OPEN_TAG)
        end = text.find(CLOSE_TAG, body_start)
        if end == -1:
            call = _call_from_block(text[body_start:])
            if call.parse_error is not None:
                call = ToolCall(
                    name=_recover_name(text[body_start:]),
                    parse_error="unclosed <tool_call> block: the text ended before </tool_call> "
                    f"and what follows the tag is not a complete call ({call.parse_error})",
                )
            calls.append(call)
            break
        calls.append(_call_from_block(text[body_start:end]))
        position = end + len(CLOSE_TAG)
    return "".join(pieces).strip(), calls


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        texts: list[str] = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
                texts.append(part["text"])
        return "".join(texts)
    return str(content)


def _parse_message(message: Mapping[str, Any]) -> tuple[str, list[ToolCall]]:
    text = _content_text(message.get("content"))
    raw_calls = message.get("tool_calls")
    if raw_calls is None and isinstance(message.get("function_call"), Mapping):
        raw_calls = [{"function": message["function_call"]}]
    if raw_calls is None or (isinstance(raw_calls, Sequence) and not isinstance(raw_calls, str) and not raw_calls):
        return _parse_text(text)
    if isinstance(raw_calls, str) or not isinstance(raw_calls, Sequence):
        return text, [ToolCall(name="", parse_error="'tool_calls' must be a list of tool call objects")]
    return text, [_call_from_item(item) for item in raw_calls]


def _call_from_item(item: Any) -> ToolCall:
    if isinstance(item, ToolCall):
        return item
    if isinstance(item, Mapping):
        return _call_from_dict(item)
    return ToolCall(name="", parse_error=f"expected a tool call object, got {type(item).__name__}")


def parse_assistant_turn(action: Any, *, call_id_prefix: str = "call") -> AssistantTurn:
    """Split ``action`` into text and tool calls; see the module docstring for the accepted shapes.

    Raises ``TypeError`` only when ``action`` is none of str, dict, list/tuple
    or :class:`ToolCall`.
    """
    content = ""
    calls: list[ToolCall]
    if isinstance(action, ToolCall):
        calls = [action]
    elif isinstance(action, str):
        content, calls = _parse_text(action)
    elif isinstance(action, Mapping):
        if "tool_calls" in action or "role" in action or "content" in action or "function_call" in action:
            content, calls = _parse_message(action)
        else:
            calls = [_call_from_dict(action)]
    elif isinstance(action, list | tuple):
        calls = [_call_from_item(item) for item in action]
    else:
        raise TypeError(
            "an action must be assistant text (str), an OpenAI assistant message or tool-call dict, "
            f"a list of tool-call dicts/ToolCall objects, or a ToolCall; got {type(action).__name__}"
        )
    numbered = tuple(
        call if call.id else dataclasses.replace(call, id=f"{call_id_prefix}_{index}")
        for index, call in enumerate(calls)
    )
    return AssistantTurn(content=content, tool_calls=numbered, raw=action)
