"""A scripted OpenAI-compatible chat-completions server on loopback: the test double at the network edge.

Tests reach it through the real ``openai`` client. ``respond(body)`` decides each answer:
it returns an assistant message dict (``content`` and/or ``tool_calls``), or an ``int``
HTTP status to fail with. Every request body is kept in :attr:`ScriptedChatServer.requests`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Responder", "ScriptedChatServer"]

Responder = Callable[[dict[str, Any]], "dict[str, Any] | int"]


class ScriptedChatServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, respond: Responder) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> ScriptedChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedChatServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        answer = self.server.respond(body)
        if isinstance(answer, int):
            status, payload = answer, {"error": {"message": "scripted outage", "type": "server_error"}}
        else:
            status = 200
            payload = {
                "id": f"chatcmpl-{len(self.server.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", **answer}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
