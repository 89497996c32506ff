"""The Chat Completions client against a real HTTP server on 127.0.0.1.

``tests/servers.py`` answers GET only, so this file runs its own small server that reads
POST bodies; each test gives it the reply to make.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from daybook.ai.llm import NO_ANSWER, LLMClient, LLMConfig
from daybook.errors import ConfigError, DaybookError, LLMError

KEY = "sk-test-secret-123"
SENTENCES = [
    "The central bank raised its main rate to 0.5% on Tuesday.",
    "It was the first increase\nin 17 years.",
]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any


Behaviour = Callable[["_Handler"], None]


@dataclass
class Server:
    url: str
    seen: list[Seen] = field(default_factory=list)
    behaviour: Behaviour | None = None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    state: Server
    stopping: threading.Event


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.state.seen.append(Seen(self.path, headers, body))
        assert self.server.state.behaviour is not None
        self.server.state.behaviour(self)

    def reply(self, status: int, body: bytes | str, content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def serve(behaviour: Behaviour | None = None) -> Iterator[Server]:
    httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
    httpd.state = Server(f"http://127.0.0.1:{httpd.server_address[1]}/v1", behaviour=behaviour)
    httpd.stopping = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield httpd.state
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def completion(content: str) -> str:
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
    )


def answers(content: str) -> Behaviour:
    def behaviour(handler: _Handler) -> None:
        handler.reply(200, completion(content))

    return behaviour


def client(server: Server, **overrides: Any) -> LLMClient:
    settings: dict[str, Any] = {"base_url": server.url, "model": "tiny-chat", "api_key": KEY}
    settings.update(overrides)
    return LLMClient(LLMConfig(**settings))


def test_summarise_sends_a_grounded_chat_completion_request() -> None:
    reply = answers("  The bank raised rates for the first time in 17 years.\n")
    with serve(reply) as server, client(server, max_tokens=120) as llm:
        summary = llm.summarise("Bank  raises\nrates", SENTENCES)
    assert summary == "The bank raised rates for the first time in 17 years."
    (request,) = server.seen
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    body = request.body
    assert body["model"] == "tiny-chat"
    assert body["max_tokens"] == 120
    assert 0 <= body["temperature"] <= 1
    system, user = body["messages"]
    assert system["role"] == "system" and "only" in system["content"]
    assert user["role"] == "user"
    assert "Title: Bank raises rates" in user["content"]
    # Numbered one a line, a line break inside a sentence folded away.
    assert f"[1] {SENTENCES[0]}" in user["content"]
    assert "[2] It was the first increase in 17 years." in user["content"]


def test_answer_carries_the_question_and_the_numbered_sentences() -> None:
    with serve(answers("By 0.25 points, to 0.5% [1].")) as server, client(server) as llm:
        reply = llm.answer("How much did the rate go up?", SENTENCES)
    assert reply == "By 0.25 points, to 0.5% [1]."
    system, user = server.seen[0].body["messages"]
    assert NO_ANSWER in system["content"]
    assert "[1]" in system["content"] or "square brackets" in system["content"]
    assert user["content"].endswith("Question: How much did the rate go up?")
    assert "[2] It was the first increase in 17 years." in user["content"]


def test_complete_passes_messages_through_and_sends_no_key_when_none_is_set() -> None:
    with serve(answers("pong")) as server, client(server, api_key="") as llm:
        assert llm.complete([{"role": "user", "content": "ping"}]) == "pong"
    (request,) = server.seen
    assert "authorization" not in request.headers
    assert request.body["messages"] == [{"role": "user", "content": "ping"}]


def test_prompts_need_sentences_and_a_question() -> None:
    with serve(answers("x")) as server, client(server) as llm:
        with pytest.raises(ValueError, match="sentences"):
            llm.summarise("Title", [])
        with pytest.raises(ValueError, match="question"):
            llm.answer("  ", SENTENCES)
    assert server.seen == []


def test_a_server_error_is_an_llm_error_with_its_message() -> None:
    def fail(handler: _Handler) -> None:
        handler.reply(500, json.dumps({"error": {"message": "model overloaded"}}))

    with serve(fail) as server, client(server) as llm, pytest.raises(LLMError) as caught:
        llm.summarise("Title", SENTENCES)
    assert caught.value.status == 500
    assert "500" in str(caught.value) and "model overloaded" in str(caught.value)
    assert KEY not in str(caught.value)
    assert isinstance(caught.value, DaybookError)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("this is not json{", "not JSON"),
        (json.dumps({"id": "x", "object": "chat.completion"}), "choices"),
        (json.dumps({"choices": []}), "choices"),
        (json.dumps({"choices": [{"message": {"role": "assistant"}}]}), "choices"),
        (json.dumps({"choices": [{"message": {"content": None}}]}), "empty"),
        (completion("   "), "empty"),
    ],
)
def test_a_malformed_answer_is_an_llm_error(body: str, reason: str) -> None:
    def reply(handler: _Handler) -> None:
        handler.reply(200, body)

    with serve(reply) as server, client(server) as llm, pytest.raises(LLMError, match=reason):
        llm.complete([{"role": "user", "content": "hi"}])


def test_a_slow_server_times_out() -> None:
    def slow(handler: _Handler) -> None:
        if not handler.server.stopping.wait(5):
            handler.reply(200, completion("too late"))

    with (
        serve(slow) as server,
        client(server, timeout=0.5) as llm,
        pytest.raises(LLMError, match=r"within 0\.5s"),
    ):
        llm.summarise("Title", SENTENCES)


def test_a_body_dripping_in_is_cut_at_the_time_cap() -> None:
    # Each byte arrives well within the read timeout; only the total cap can stop it.
    def drip(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(100):
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                return
            if handler.server.stopping.wait(0.05):
                return

    with (
        serve(drip) as server,
        client(server, timeout=0.5) as llm,
        pytest.raises(LLMError, match="time cap"),
    ):
        llm.summarise("Title", SENTENCES)


def test_an_oversized_answer_is_refused() -> None:
    huge = completion("word " * 300_000)  # about 1.5 MB

    def big(handler: _Handler) -> None:
        handler.reply(200, huge)

    with serve(big) as server, client(server) as llm, pytest.raises(LLMError, match="bytes"):
        llm.summarise("Title", SENTENCES)


def test_a_redirect_is_not_followed_and_the_key_goes_nowhere_else() -> None:
    with serve(answers("from the redirect target")) as elsewhere:

        def redirect(handler: _Handler) -> None:
            handler.send_response(307)
            handler.send_header("Location", elsewhere.url + "/chat/completions")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with (
            serve(redirect) as server,
            client(server) as llm,
            pytest.raises(LLMError, match="redirect") as caught,
        ):
            llm.summarise("Title", SENTENCES)
    assert caught.value.status == 307
    assert len(server.seen) == 1
    assert elsewhere.seen == []


def test_an_unreachable_server_is_an_llm_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port now.
    config = LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout=2)
    with LLMClient(config) as llm, pytest.raises(LLMError, match="unreachable"):
        llm.summarise("Title", SENTENCES)


def test_the_key_stays_out_of_the_config_repr() -> None:
    config = LLMConfig(base_url="http://127.0.0.1:1/v1", model="m", api_key=KEY)
    assert KEY not in repr(config)


@pytest.mark.parametrize(
    "settings",
    [
        {"base_url": "ftp://127.0.0.1/v1", "model": "m"},
        {"base_url": "not a url", "model": "m"},
        {"base_url": "http://127.0.0.1/v1", "model": " "},
        {"base_url": "http://127.0.0.1/v1", "model": "m", "timeout": 0},
    ],
)
def test_a_bad_config_is_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        LLMClient(LLMConfig(**settings))
