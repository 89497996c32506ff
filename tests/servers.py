"""Real HTTP servers on 127.0.0.1 for tests, with a record of what reached them.

    with serve({"/feed.xml": (200, {"Content-Type": "application/rss+xml"}, body)}) as server:
        fetcher.fetch(server.url("/feed.xml"))      # allowed_hosts={server.host_port}
        assert server.requests[-1].headers["user-agent"].startswith("daybook/")

    with serve({"/": (200, {}, "secret")}) as server:
        ...                                          # a fetch the guard must refuse
        assert server.connections == 0               # not even a TCP connection

A route is a reply ``(status, headers, body)``, a callable taking the
``Request`` and returning a reply, or a ``Raw`` behaviour that writes the
response bytes itself at its own pace (``drip``, ``endless``, ``gzip_bomb``,
``stall``, ``claims_length``). ``serve`` also takes one callable for every path;
``Overlap`` is one that records how many requests it held at once.
GET and POST are served alike; a POST's body is kept in its ``Request``.
Unknown paths get a 404. Every raw behaviour stops by itself after ``limit``
seconds, when the client goes away, or when the server stops.
"""

from __future__ import annotations

import select
import socket
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase

Headers = Mapping[str, str] | Sequence[tuple[str, str]]
MAX_BODY = 1024 * 1024
Reply = tuple[int, Headers, bytes | str]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    headers: Mapping[str, str]  # names lower-cased
    started: float  # time.monotonic() when the request line was read
    body: bytes = b""  # a POST's, as far as its Content-Length (at most MAX_BODY)


class Channel:
    """The client connection as a raw behaviour sees it."""

    def __init__(self, wfile: BufferedIOBase, stopping: threading.Event) -> None:
        self._wfile = wfile
        self._stopping = stopping

    def send(self, data: bytes) -> bool:
        """Write ``data``; False once the client has gone away."""
        try:
            self._wfile.write(data)
            self._wfile.flush()
        except OSError:
            return False
        return True

    def wait(self, seconds: float) -> bool:
        """Sleep; False when the server is stopping and the behaviour should end."""
        return not self._stopping.wait(seconds)


@dataclass(frozen=True)
class Raw:
    """A response written byte by byte by ``write``; the connection closes after it."""

    write: Callable[[Channel], None]


Route = Reply | Raw | Callable[[Request], Reply | Raw]
Routes = Mapping[str, Route] | Callable[[Request], Reply | Raw]


def _head(status: int, headers: Headers) -> bytes:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    lines = [f"HTTP/1.1 {status} X", *(f"{name}: {value}" for name, value in pairs)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def drip(interval: float = 0.5, limit: float = 30.0) -> Raw:
    """A 200 whose body comes one byte every ``interval`` seconds, without end."""

    def write(channel: Channel) -> None:
        if not channel.send(_head(200, {"Content-Type": "text/plain", "Connection": "close"})):
            return
        end = time.monotonic() + limit
        while time.monotonic() < end and channel.send(b"x") and channel.wait(interval):
            pass

    return Raw(write)


def endless(chunk: bytes = b"x" * 1024, interval: float = 0.01, limit: float = 30.0) -> Raw:
    """A 200 whose body never ends: ``chunk`` every ``interval`` seconds."""

    def write(channel: Channel) -> None:
        if not channel.send(_head(200, {"Content-Type": "text/plain", "Connection": "close"})):
            return
        end = time.monotonic() + limit
        while time.monotonic() < end and channel.send(chunk) and channel.wait(interval):
            pass

    return Raw(write)


def stall(limit: float = 30.0) -> Raw:
    """Headers, then silence: the body never starts."""

    def write(channel: Channel) -> None:
        if channel.send(_head(200, {"Content-Type": "text/plain", "Content-Length": "10"})):
            channel.wait(limit)

    return Raw(write)


class Overlap:
    """A route that holds each request ``seconds`` and records the most it ever held
    at once: how a test sees whether a concurrency limit held."""

    def __init__(self, reply: Reply, seconds: float) -> None:
        self.reply, self.seconds = reply, seconds
        self.most = 0
        self._in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            self._in_flight += 1
            self.most = max(self.most, self._in_flight)
        time.sleep(self.seconds)  # long enough for requests to overlap if a gate let them
        with self._lock:
            self._in_flight -= 1
        return self.reply


def claims_length(length: int, limit: float = 30.0) -> Raw:
    """Declares ``Content-Length: length`` and then sends almost nothing."""

    def write(channel: Channel) -> None:
        head = {"Content-Type": "text/plain", "Content-Length": str(length)}
        if channel.send(_head(200, head) + b"x"):
            channel.wait(limit)

    return Raw(write)


def gzip_bomb(inflated: int = 10 * 2**30, limit: float = 30.0) -> Raw:
    """One gzip member that inflates to ``inflated`` zero bytes, sent as Content-Encoding: gzip.

    Built from one compressed megabyte of zeros repeated (a full flush resets
    the compressor, so every block's bytes are the same): about 1 KB on the
    wire per inflated megabyte, generated without compressing 10 GB.
    """
    megabyte = b"\0" * 2**20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    gzip_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    per_write = 64

    def write(channel: Channel) -> None:
        head = {"Content-Type": "text/html", "Content-Encoding": "gzip", "Connection": "close"}
        if not channel.send(_head(200, head) + gzip_header + first):
            return
        end = time.monotonic() + limit
        left = inflated // 2**20 - 1
        while left > 0 and time.monotonic() < end:
            count = min(per_write, left)
            if not channel.send(block * count):
                return
            left -= count

    return Raw(write)


class Server:
    """A running test server: where it listens and what reached it."""

    def __init__(self, httpd: _HTTPServer) -> None:
        self._httpd = httpd
        self.port: int = httpd.server_address[1]
        self.host_port = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.host_port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @property
    def connections(self) -> int:
        """TCP connections accepted so far, counting any still waiting in the backlog."""
        return self._httpd.settled_connections()

    @property
    def requests(self) -> list[Request]:
        with self._httpd.lock:
            return list(self._httpd.requests)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: Routes) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.lock = threading.Lock()
        self.accepted = 0
        self.requests: list[Request] = []
        self.stopping = threading.Event()

    def get_request(self) -> tuple[socket.socket, object]:
        with self.lock:
            accepted = super().get_request()
            self.accepted += 1
        return accepted

    def settled_connections(self) -> int:
        # A connection the client opened may still sit in the listen backlog:
        # wait until the accept loop has taken it, so "0" really means none.
        end = time.monotonic() + 2.0
        while time.monotonic() < end and select.select([self.socket], [], [], 0)[0]:
            time.sleep(0.01)
        with self.lock:
            return self.accepted


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "")
        self._answer(self.rfile.read(min(int(length), MAX_BODY)) if length.isdigit() else b"")

    def _answer(self, body: bytes) -> None:
        request = Request(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            started=time.monotonic(),
            body=body,
        )
        with self.server.lock:
            self.server.requests.append(request)
        reply = self._route(request)
        if isinstance(reply, Raw):
            self.close_connection = True
            reply.write(Channel(self.wfile, self.server.stopping))
            return
        status, headers, body = reply
        data = body.encode("utf-8") if isinstance(body, str) else body
        pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
        self.send_response(status)
        for name, value in pairs:
            self.send_header(name, value)
        if not any(name.lower() in ("content-length", "transfer-encoding") for name, _ in pairs):
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, request: Request) -> Reply | Raw:
        routes = self.server.routes
        route = routes if callable(routes) else routes.get(request.path)
        if route is None and not callable(routes):
            route = routes.get(request.path.split("?", 1)[0])
        if route is None:
            return (404, {"Content-Type": "text/plain"}, "not found")
        if isinstance(route, tuple | Raw):
            return route
        try:
            return route(request)
        except Exception:  # a broken test route answers 500 instead of dropping the connection
            return (500, {"Content-Type": "text/plain"}, traceback.format_exc())


@contextmanager
def serve(routes: Routes) -> Iterator[Server]:
    """Run a threaded HTTP server on 127.0.0.1 on a free port for the ``with`` block."""
    httpd = _HTTPServer(routes)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield Server(httpd)
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
