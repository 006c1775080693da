"""parse_assistant_turn on every accepted shape and on malformed input."""

from __future__ import annotations

import json

import pytest

from clawgym_env.tools import AssistantTurn, ToolCall, parse_assistant_turn


def test_hermes_text_blocks() -> None:
    text = (
        '<think>I should look. <tool_call>{"name": "fake"}</tool_call></think>Let me check.\n'
        '<tool_call>\n{"name": "read", "arguments": {"path": "a.txt"}}\n</tool_call>\n'
        '<tool_call>{"name": "exec", "arguments": "{\\"command\\": \\"ls\\"}"}</tool_call>'
    )
    turn = parse_assistant_turn(text)
    assert turn.content == '<think>I should look. <tool_call>{"name": "fake"}</tool_call></think>Let me check.'
    assert [c.name for c in turn.tool_calls] == ["read", "exec"]
    assert turn.tool_calls[0].arguments == {"path": "a.txt"}
    assert turn.tool_calls[1].arguments == {"command": "ls"}
    assert [c.id for c in turn.tool_calls] == ["call_0", "call_1"]
    assert turn.raw is text


def test_plain_text_has_no_calls() -> None:
    turn = parse_assistant_turn("All done.")
    assert turn == AssistantTurn(content="All done.", tool_calls=(), raw="All done.")
    assert turn.to_openai_message() == {"role": "assistant", "content": "All done."}


def test_reasoning_without_opening_think_tag() -> None:
    turn = parse_assistant_turn('plan <tool_call>{"name":"x"}</tool_call></think>ok')
    assert turn.tool_calls == () and turn.content.endswith("</think>ok")


def test_malformed_blocks() -> None:
    turn = parse_assistant_turn(
        '<tool_call>{"name": "write", "arguments": {"path": "a", </tool_call>'
        "<tool_call>[1, 2]</tool_call>"
        '<tool_call>{"arguments": {}}</tool_call>'
        '<tool_call>{"name": "edit", "arguments": "not json"}</tool_call>'
        '<tool_call>{"name": "read", "arguments": {"path": "x"',
        call_id_prefix="t3",
    )
    calls = turn.tool_calls
    assert calls[0].name == "write" and calls[0].parse_error.startswith("invalid JSON in <tool_call> block (")
    assert calls[1].parse_error == ("a <tool_call> block must hold a JSON object with 'name' and 'arguments', got list")
    assert calls[2].parse_error == "the tool call has no 'name' (a non-empty string)"
    assert calls[3].name == "edit" and calls[3].parse_error.startswith("the arguments of edit are not valid JSON")
    assert calls[4].name == "read"
    assert calls[4].parse_error.startswith(
        "unclosed <tool_call> block: the text ended before </tool_call> and what follows the tag is not a complete call"
    )
    assert [c.id for c in calls] == [f"t3_{i}" for i in range(5)]


def test_open_block_at_the_end_with_a_complete_call_is_accepted() -> None:
    # Servers that stop generation on "</tool_call>" strip the closing tag.
    turn = parse_assistant_turn('Reading.\n<tool_call>\n{"name": "read", "arguments": {"path": "x"}}\n')
    assert turn.content == "Reading."
    assert len(turn.tool_calls) == 1
    assert (turn.tool_calls[0].name, dict(turn.tool_calls[0].arguments)) == ("read", {"path": "x"})
    assert turn.tool_calls[0].parse_error is None


def test_fenced_json_in_block() -> None:
    turn = parse_assistant_turn('<tool_call>\n```json\n{"name": "read", "arguments": {"path": "a"}}\n```\n</tool_call>')
    assert turn.tool_calls[0].arguments == {"path": "a"} and turn.tool_calls[0].parse_error is None


def test_openai_message() -> None:
    message = {
        "role": "assistant",
        "content": [{"type": "text", "text": "Running "}, {"type": "text", "text": "it."}],
        "tool_calls": [
            {"id": "abc", "type": "function", "function": {"name": "exec", "arguments": '{"command": "ls"}'}},
            {"type": "function", "function": {"name": "read", "arguments": {"path": "x"}}},
            {"id": "bad", "function": {"name": "read", "arguments": "{oops"}},
        ],
    }
    turn = parse_assistant_turn(message)
    assert turn.content == "Running it."
    assert [c.id for c in turn.tool_calls] == ["abc", "call_1", "bad"]
    assert turn.tool_calls[1].arguments == {"path": "x"}
    assert turn.tool_calls[2].parse_error.startswith("the arguments of read are not valid JSON")
    openai = turn.to_openai_message()
    assert openai["role"] == "assistant" and openai["content"] == "Running it."
    assert openai["tool_calls"][0] == {
        "id": "abc",
        "type": "function",
        "function": {"name": "exec", "arguments": json.dumps({"command": "ls"})},
    }


def test_openai_message_without_tool_calls_parses_text() -> None:
    turn = parse_assistant_turn(
        {"role": "assistant", "content": '<tool_call>{"name":"read","arguments":{}}</tool_call>'}
    )
    assert turn.content == "" and turn.tool_calls[0].name == "read"
    none_content = parse_assistant_turn({"role": "assistant", "content": None, "tool_calls": []})
    assert none_content.content == "" and none_content.tool_calls == ()
    assert parse_assistant_turn({"content": "x", "tool_calls": "nope"}).tool_calls[0].parse_error == (
        "'tool_calls' must be a list of tool call objects"
    )


def test_single_dict_list_and_toolcall() -> None:
    single = parse_assistant_turn({"name": "read", "arguments": {"path": "a"}})
    assert single.tool_calls == (ToolCall(name="read", arguments={"path": "a"}, id="call_0"),)
    assert single.content == ""
    mixed = parse_assistant_turn(
        [
            {"name": "exec", "arguments": '{"command": "ls"}', "id": "x"},
            ToolCall(name="read", arguments={"path": "b"}),
            42,
        ]
    )
    assert [c.id for c in mixed.tool_calls] == ["x", "call_1", "call_2"]
    assert mixed.tool_calls[2].parse_error == "expected a tool call object, got int"
    call = ToolCall(name="read", arguments={"path": "c"}, id="keep")
    assert parse_assistant_turn(call).tool_calls == (call,)
    assert parse_assistant_turn({"name": "read", "parameters": {"path": "p"}}).tool_calls[0].arguments == {"path": "p"}


@pytest.mark.parametrize("action", [42, None, b"bytes", 3.5])
def test_invalid_action_type_raises(action: object) -> None:
    with pytest.raises(TypeError, match=r"^an action must be assistant text"):
        parse_assistant_turn(action)
