"""The fetcher against real HTTP servers on 127.0.0.1.

Test servers are let through with ``allowed_hosts``; the SSRF tests leave them
out and check that a listening server saw no connection at all.
"""

from __future__ import annotations

import gzip
import ipaddress
import logging
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs

import brotli
import httpx
import pytest

from daybook.errors import (
    BlockedAddress,
    ConfigError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RetryLater,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
)
from daybook.pipeline.fetch import FetchConfig, Fetcher
from daybook.pipeline.guard import AddressGuard, GuardedBackend
from daybook.pipeline.politeness import LocalHostGate, LocalRobotsStore
from daybook.pipeline.types import FetchResult, Validators
from tests.servers import (
    Overlap,
    Raw,
    Reply,
    Request,
    Server,
    claims_length,
    drip,
    endless,
    gzip_bomb,
    serve,
    stall,
)

FAST = FetchConfig(per_host_delay=0.0, retries=0, backoff_base=0.01, total_timeout=5.0)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def config_for(*servers: Server, **changes: object) -> FetchConfig:
    allowed = frozenset(server.host_port for server in servers)
    return replace(FAST, allowed_hosts=allowed, **changes)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """A tripwire, not a fake: should the guard ever fail, no packet leaves loopback.

    Every test here only talks to 127.0.0.1; a connect anywhere else is
    refused and recorded, and the test fails.
    """
    attempted: list[object] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if not (isinstance(host, str) and ipaddress.ip_address(host).is_loopback):
            attempted.append(address)
            raise OSError(f"test tripwire: refused to connect to {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempted
    assert attempted == [], "a connection outside loopback was attempted"


def fetch_from(server: Server, path: str = "/", **changes: object) -> Callable[[], FetchResult]:
    def run() -> FetchResult:
        with Fetcher(config_for(server, **changes)) as fetcher:
            return fetcher.fetch(server.url(path))

    return run


# --- plain fetching -------------------------------------------------------------------


def test_fetch_returns_body_media_type_encoding_and_sends_user_agent() -> None:
    with serve({"/a": (200, HTML, "<p>héllo</p>")}) as server:
        with Fetcher(config_for(server)) as fetcher:
            result = fetcher.fetch(server.url("/a"), accept="text/html")
        request = next(r for r in server.requests if r.path == "/a")
    assert result.status == 200
    assert result.url == server.url("/a")
    assert result.content_type == "text/html"
    assert result.encoding == "utf-8"
    assert result.text == "<p>héllo</p>"
    assert not result.not_modified
    assert request.headers["user-agent"].startswith("daybook/")
    assert request.headers["accept"] == "text/html"


def test_conditional_get_sends_validators_and_304_means_not_modified() -> None:
    etag, modified = '"v1"', "Mon, 03 Nov 2025 10:00:00 GMT"

    def page(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return (304, {"ETag": etag}, b"")
        return (200, {**HTML, "ETag": etag, "Last-Modified": modified}, "<p>news</p>")

    with serve({"/": page}) as server, Fetcher(config_for(server)) as fetcher:
        first = fetcher.fetch(server.url("/"))
        second = fetcher.fetch(server.url("/"), validators=first.validators)
        sent = server.requests[-1].headers
    assert first.validators == Validators(etag=etag, last_modified=modified)
    assert sent["if-none-match"] == etag
    assert sent["if-modified-since"] == modified
    assert second.not_modified
    assert second.status == 304
    assert second.content == b""
    assert second.validators == Validators(etag=etag, last_modified=modified)


def test_cache_lifetime_and_links_come_with_the_result_and_with_a_304() -> None:
    asked = {
        "Cache-Control": "public, max-age=900",
        "Link": '<https://hub.example/>; rel="hub", </feed.xml>; rel="self"',
        "ETag": '"v1"',
    }

    def feed(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return (304, asked, b"")
        return (200, {**HTML, **asked}, "<rss/>")

    routes = {"/old": (301, {"Location": "/feed.xml"}, b""), "/feed.xml": feed}
    with serve(routes) as server, Fetcher(config_for(server)) as fetcher:
        first = fetcher.fetch(server.url("/old"))
        second = fetcher.fetch(server.url("/feed.xml"), validators=first.validators)
    for result in (first, second):
        assert result.cache_seconds == 900.0
        assert result.links == (("hub", "https://hub.example/"), ("self", server.url("/feed.xml")))
        assert result.link("hub") == "https://hub.example/"
        assert result.link("next") is None
    assert second.not_modified


def test_no_cache_headers_mean_no_cache_seconds_and_no_links() -> None:
    with serve({"/": (200, HTML, "x")}) as server:
        result = fetch_from(server)()
    assert result.cache_seconds is None
    assert result.links == ()


def test_a_stored_validator_that_cannot_be_sent_is_left_out() -> None:
    with serve({"/": (200, {**HTML, "ETag": '"caf\u00e9"'}, "x")}) as server:
        with Fetcher(config_for(server)) as fetcher:
            first = fetcher.fetch(server.url("/"))
            second = fetcher.fetch(server.url("/"), validators=first.validators)
        sent = server.requests[-1].headers
    assert first.validators.etag == '"caf\u00e9"'
    assert second.text == "x"
    assert "if-none-match" not in sent


BODY = ("<html><body>" + "Daybook news, all day long. " * 400 + "</body></html>").encode()


def _deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("gzip", gzip.compress(BODY)),
        ("deflate", zlib.compress(BODY)),
        ("deflate", _deflate_raw(BODY)),
        ("br", brotli.compress(BODY)),
        ("gzip, br", brotli.compress(gzip.compress(BODY))),
        ("gzip", gzip.compress(BODY[:100]) + gzip.compress(BODY[100:])),  # two members
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "br", "gzip-then-br", "gzip-members"],
)
def test_content_encodings_are_decoded(coding: str, encoded: bytes) -> None:
    with serve({"/": (200, {**HTML, "Content-Encoding": coding}, encoded)}) as server:
        result = fetch_from(server)()
    assert result.content == BODY


def test_accepts_gzip_deflate_and_brotli() -> None:
    with serve({"/": (200, HTML, "x")}) as server:
        fetch_from(server)()
        sent = server.requests[-1].headers["accept-encoding"]
    assert {"gzip", "deflate", "br"} <= {part.strip() for part in sent.split(",")}


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({**HTML, "Content-Encoding": "zstd"}, b"\x28\xb5\x2f\xfd"),
        ({**HTML, "Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00 this is not gzip at all"),
        ({**HTML, "Content-Encoding": "br"}, b"\xff\xff\xff\xff not brotli"),
    ],
    ids=["unsupported", "corrupt-gzip", "corrupt-brotli"],
)
def test_undecodable_bodies_raise_fetch_error(headers: dict[str, str], body: bytes) -> None:
    with serve({"/": (200, headers, body)}) as server, pytest.raises(FetchError):
        fetch_from(server)()


# --- charset ----------------------------------------------------------------------------

FRENCH = (
    "Le café de la gare était fermé ce matin à cause de la grève. « C’est la troisième "
    "fois cette année », a déclaré un habitué, très déçu. Les trains régionaux reprendront jeudi."
)
JAPANESE = (
    "東京都は２４日、新型の感染症対策について専門家会議を開き、今後の方針を決定した。"
    "知事は記者会見で「引き続き警戒が必要だ」と述べた。"
)


@pytest.mark.parametrize(
    ("text", "codec"), [(FRENCH, "cp1252"), (JAPANESE, "shift_jis")], ids=["cp1252", "shift_jis"]
)
def test_a_page_lying_about_its_charset_is_decoded_by_detection(text: str, codec: str) -> None:
    body = f"<html><body><p>{text}</p></body></html>".encode(codec)
    with serve({"/": (200, HTML, body)}) as server:
        result = fetch_from(server)()
    assert text in result.text


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html", '<meta charset="shift_jis"><p>東京</p>'.encode("shift_jis"), "shift_jis"),
        (
            "text/html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=euc-jp">',
            "euc_jp",
        ),
        ("application/xml", b'<?xml version="1.0" encoding="ISO-8859-1"?><a>caf\xe9</a>', "cp1252"),
        ("text/html; charset=iso-8859-1", b"<p>caf\xe9 \x93quoted\x94</p>", "cp1252"),
        ("text/html; charset=iso-8859-1", b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "utf-8-sig"),
        ("text/plain", "plain ünïcode".encode(), "utf-8"),
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00", None),
    ],
    ids=[
        "meta-charset",
        "meta-http-equiv",
        "xml-declaration",
        "latin1-is-1252",
        "bom",
        "default",
        "binary",
    ],
)
def test_encoding_is_decided_from_bom_header_and_document(
    content_type: str, body: bytes, expected: str | None
) -> None:
    with serve({"/": (200, {"Content-Type": content_type}, body)}) as server:
        result = fetch_from(server)()
    assert result.encoding == expected


# --- size and time caps -------------------------------------------------------------------


def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    # The body never comes: reading it would end in FetchTimeout, not TooLarge.
    with serve({"/": claims_length(10**9, limit=5)}) as server, pytest.raises(TooLarge):
        fetch_from(server, max_bytes=1000, total_timeout=3.0)()


def test_streamed_body_over_the_cap_is_refused() -> None:
    route = endless(b"x" * 65536, interval=0.001, limit=5)
    with serve({"/": route}) as server, pytest.raises(TooLarge):
        fetch_from(server, max_bytes=300_000)()


def _peak_memory_of(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_gzip_bomb_is_refused_in_bounded_memory() -> None:
    cap = 1024 * 1024
    with serve({"/": gzip_bomb(inflated=10 * 2**30, limit=5)}) as server:
        caught: list[BaseException] = []

        def run() -> None:
            try:
                fetch_from(server, max_bytes=cap)()
            except TooLarge as exc:
                caught.append(exc)

        peak = _peak_memory_of(run)
    assert caught, "the bomb was not refused"
    # One 64 KiB network read of this bomb inflates to ~64 MiB in a single call;
    # bounded inflation keeps the peak near the cap.
    assert peak < 8 * cap


def test_brotli_bomb_is_refused_in_bounded_memory() -> None:
    cap = 1024 * 1024
    bomb = brotli.compress(b"\0" * (256 * 2**20), quality=1)
    with serve({"/": (200, {**HTML, "Content-Encoding": "br"}, bomb)}) as server:
        caught: list[BaseException] = []

        def run() -> None:
            try:
                fetch_from(server, max_bytes=cap)()
            except TooLarge as exc:
                caught.append(exc)

        peak = _peak_memory_of(run)
    assert caught, "the bomb was not refused"
    assert peak < 8 * cap + 2 * len(bomb)


def test_slow_drip_ends_at_the_total_deadline() -> None:
    with serve({"/": drip(interval=0.5, limit=10)}) as server, pytest.raises(FetchTimeout):
        fetch_from(server, total_timeout=1.5, read_timeout=1.0, retries=2)()


def test_endless_body_ends_at_the_total_deadline() -> None:
    route = endless(b"x" * 1024, interval=0.01, limit=10)
    with serve({"/": route}) as server, pytest.raises(FetchTimeout):
        fetch_from(server, total_timeout=1.0, max_bytes=50 * 2**20, retries=2)()


def test_stalled_body_ends_at_the_read_timeout() -> None:
    with serve({"/": stall(limit=10)}) as server, pytest.raises(FetchTimeout) as caught:
        fetch_from(server, read_timeout=0.3)()
    assert caught.value.__cause__ is not None  # wrapped with raise ... from


# --- redirects ------------------------------------------------------------------------------


def test_redirects_are_followed_to_the_final_url() -> None:
    routes: dict[str, Reply] = {
        "/old": (301, {"Location": "/middle"}, b""),
        "/middle": (302, {"Location": "/new"}, b""),
        "/new": (200, HTML, "<p>here</p>"),
    }
    with serve(routes) as server:
        result = fetch_from(server, "/old")()
    assert result.url == server.url("/new")
    assert result.text == "<p>here</p>"


def test_more_redirects_than_the_cap_raise() -> None:
    def hop(request: Request) -> Reply:
        number = int(request.path.strip("/") or 0)
        return (302, {"Location": f"/{number + 1}"}, b"")

    with serve(hop) as server, pytest.raises(TooManyRedirects):
        fetch_from(server, max_redirects=3, respect_robots=False)()
    assert server.paths() == ["/", "/1", "/2", "/3"]


def test_redirect_from_an_allowed_host_to_a_blocked_one_opens_no_connection() -> None:
    with serve({"/": (200, HTML, "secret")}) as target:
        for location in (target.url("/"), f"http://localhost:{target.port}/"):
            routes = {"/": (302, {"Location": location}, b"")}
            with serve(routes) as origin, pytest.raises(BlockedAddress) as caught:
                fetch_from(origin)()
            assert caught.value.url == location
        assert target.connections == 0


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://x/"])
def test_redirect_to_another_scheme_is_refused(location: str) -> None:
    with serve({"/": (302, {"Location": location}, b"")}) as server, pytest.raises(BlockedAddress):
        fetch_from(server)()


# --- the address guard -------------------------------------------------------------------


LOOPBACK_FORMS = [
    "127.0.0.1",
    "localhost",
    "LocalHost",
    "2130706433",
    "0177.0.0.1",
    "0x7f.1",
    "0x7f000001",
    "127.1",
    "127.0.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[64:ff9b::127.0.0.1]",
    "[2002:7f00:1::1]",
    "0.0.0.0",
    "0",
]


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
def test_loopback_in_any_form_is_blocked_without_a_connection(host: str) -> None:
    with serve({"/": (200, HTML, "secret")}) as server:
        url = f"http://{host}:{server.port}/admin"
        with Fetcher(replace(FAST, retries=2)) as fetcher, pytest.raises(BlockedAddress) as caught:
            fetcher.fetch(url)
        assert server.connections == 0
    assert host.strip("[]").lower() in str(caught.value).lower()
    assert caught.value.url == url


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "198.18.0.1",
        "0x0a.1",
        "012.0.0.1",
        "[fe80::1]",
        "[fc00::1]",
        "[fec0::1]",
        "[ff02::1]",
        "[::]",
        "[::ffff:10.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[2001:db8::1]",
        "[64:ff9b:1::1]",
    ],
)
def test_non_global_addresses_are_blocked(host: str) -> None:
    with Fetcher(FAST) as fetcher, pytest.raises(BlockedAddress):
        fetcher.fetch(f"http://{host}/latest/meta-data/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "http://user:pass@example.com/",
        "http://example.com@127.0.0.1/",
        "http:///no-host",
        "http://1.2.3.999/",
        "http://[fe80::1%25eth0]/",
    ],
)
def test_urls_outside_the_rules_are_blocked(url: str) -> None:
    with Fetcher(FAST) as fetcher, pytest.raises(BlockedAddress):
        fetcher.fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "not a url",
        "http://exa mple.com/",
        "http://a/\udcff",
        "http://" + "a" * 64 + ".example/",
        "http://☃.com/",
        "http://example.com:notaport/",
    ],
)
def test_malformed_urls_raise_fetch_error(url: str) -> None:
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError):
        fetcher.fetch(url)


def test_unresolvable_host_raises_fetch_error() -> None:
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch("http://no-such-host.invalid/")
    assert caught.value.__cause__ is not None


def test_global_addresses_pass_the_guard_including_embedded_ones() -> None:
    guard = AddressGuard()
    # No connection: resolve() only validates literals.
    assert guard.resolve("93.184.215.14", 80) == ["93.184.215.14"]
    assert guard.resolve("2606:4700::1111", 443) == ["2606:4700::1111"]
    assert guard.resolve("64:ff9b::808:808", 80) == ["64:ff9b::808:808"]  # NAT64 of 8.8.8.8
    decimal = str(int(ipaddress.IPv4Address("93.184.215.14")))
    assert guard.resolve(decimal, 80) == ["93.184.215.14"]


def test_allowed_hosts_match_host_and_port_or_host_alone() -> None:
    with serve({"/": (200, HTML, "ok")}) as server, serve({"/": (200, HTML, "ok")}) as other:
        with Fetcher(replace(FAST, allowed_hosts=frozenset({server.host_port}))) as fetcher:
            assert fetcher.fetch(server.url("/")).text == "ok"
            with pytest.raises(BlockedAddress):
                fetcher.fetch(other.url("/"))
        with Fetcher(replace(FAST, allowed_hosts=frozenset({"localhost"}))) as fetcher:
            assert fetcher.fetch(f"http://localhost:{other.port}/").text == "ok"
            with pytest.raises(BlockedAddress):
                fetcher.fetch(other.url("/"))  # 127.0.0.1 is not "localhost"
        assert other.connections >= 1


def test_guarded_backend_validates_and_connects_to_the_address_itself() -> None:
    with serve({"/": (200, HTML, "ok")}) as server:
        with pytest.raises(BlockedAddress):
            GuardedBackend(AddressGuard()).connect_tcp("localhost", server.port, timeout=1)
        assert server.connections == 0
        allowed = GuardedBackend(AddressGuard({f"localhost:{server.port}"}))
        stream = allowed.connect_tcp("localhost", server.port, timeout=1)
        stream.close()
        assert server.connections == 1


def test_connection_refused_is_wrapped() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the fetch: nobody listens
    config = replace(FAST, allowed_hosts=frozenset({f"127.0.0.1:{port}"}))
    with Fetcher(config) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


# --- politeness --------------------------------------------------------------------------

ROBOTS = "User-agent: *\nDisallow: /private\n\nUser-agent: daybook\nDisallow: /no-bots\n"


def test_robots_txt_is_fetched_once_and_obeyed() -> None:
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS),
        "/no-bots/page": (200, HTML, "no"),
        "/open": (200, HTML, "yes"),
    }
    with serve(routes) as server, Fetcher(config_for(server)) as fetcher:
        assert fetcher.fetch(server.url("/open")).text == "yes"
        with pytest.raises(RobotsDisallowed):
            fetcher.fetch(server.url("/no-bots/page"))
        with pytest.raises(HTTPStatusError):  # only the "*" group forbids it: not ours
            fetcher.fetch(server.url("/private"))
        paths = server.paths()
    assert paths.count("/robots.txt") == 1
    assert "/no-bots/page" not in paths


def test_robots_txt_for_another_agent_does_not_bind_us() -> None:
    robots = "User-agent: otherbot\nDisallow: /\n"
    routes = {"/robots.txt": (200, {}, robots), "/": (200, HTML, "ok")}
    with serve(routes) as server:
        assert fetch_from(server)().text == "ok"


@pytest.mark.parametrize("status", [404, 403, 500])
def test_robots_txt_errors_allow_everything(status: int) -> None:
    routes = {"/robots.txt": (status, {}, "Disallow: /"), "/": (200, HTML, "ok")}
    with serve(routes) as server:
        assert fetch_from(server)().text == "ok"


def test_robots_can_be_ignored() -> None:
    routes = {"/robots.txt": (200, {}, "User-agent: *\nDisallow: /\n"), "/": (200, HTML, "ok")}
    with serve(routes) as server:
        assert fetch_from(server, respect_robots=False)().text == "ok"
        assert "/robots.txt" not in server.paths()


def _answers(*replies: Reply) -> Callable[[Request], Reply]:
    """A route giving each reply in turn, then the last one for ever."""
    queue = list(replies)
    lock = threading.Lock()

    def route(request: Request) -> Reply:
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]

    return route


def test_429_with_a_short_retry_after_is_waited_for_and_retried() -> None:
    past = format_datetime(datetime.now(UTC) - timedelta(minutes=1), usegmt=True)
    route = _answers(
        (429, {"Retry-After": "1"}, ""),
        (503, {"Retry-After": past}, ""),  # an HTTP date already gone: retry at once
        (200, HTML, "ok"),
    )
    with serve({"/": route}) as server:
        result = fetch_from(server, retries=2, respect_robots=False)()
        starts = [request.started for request in server.requests]
    assert result.text == "ok"
    assert len(starts) == 3
    assert starts[1] - starts[0] >= 0.9


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_a_long_retry_after_raises_retry_later(form: str) -> None:
    # The date is made here, not at collection: the suite may run for minutes first.
    in_an_hour = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    retry_after = "3600" if form == "seconds" else in_an_hour
    with serve({"/": (429, {"Retry-After": retry_after}, "")}) as server:
        with pytest.raises(RetryLater) as caught:
            fetch_from(server, retries=2, respect_robots=False)()
        assert server.paths() == ["/"]
    assert 3500 < caught.value.retry_after <= 3600


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("9" * 400, 2**31),
        ("00000000000000000000120", 120),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 2**31),
    ],
    ids=["endless-digits", "leading-zeros", "far-date"],
)
def test_an_absurd_retry_after_is_capped(retry_after: str, expected: float) -> None:
    route = {"/": (429, {"Retry-After": retry_after}, "")}
    with serve(route) as server, pytest.raises(RetryLater) as caught:
        fetch_from(server, respect_robots=False)()
    assert caught.value.retry_after == expected


def test_transient_errors_are_retried_with_backoff() -> None:
    route = _answers((503, {}, ""), (502, {}, ""), (200, HTML, "ok"))
    with serve({"/": route}) as server:
        result = fetch_from(server, retries=2, respect_robots=False)()
    assert result.text == "ok"


def test_transient_errors_beyond_the_retries_raise_the_status() -> None:
    with serve({"/": (503, {}, "")}) as server:
        with pytest.raises(HTTPStatusError) as caught:
            fetch_from(server, retries=1, respect_robots=False)()
        assert server.paths() == ["/", "/"]
    assert caught.value.status == 503


@pytest.mark.parametrize("status", [404, 410, 500, 403])
def test_other_statuses_raise_at_once(status: int) -> None:
    with serve({"/": (status, {}, "")}) as server:
        with pytest.raises(HTTPStatusError) as caught:
            fetch_from(server, retries=2, respect_robots=False)()
        assert server.paths() == ["/"]
    assert caught.value.status == status


class VirtualClock:
    """Time that moves only when the gate sleeps: the spacing it keeps is read off
    exactly, not measured against a machine's speed."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.starts: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.starts.append(self.now)


def test_request_starts_to_one_host_are_spaced_by_the_delay() -> None:
    clock = VirtualClock()
    other = "other.example:80"
    with serve({"/": (200, HTML, "ok")}) as server:
        config = config_for(server, per_host_delay=0.3, respect_robots=False)
        gate = LocalHostGate(clock)
        with Fetcher(config, gate=gate) as fetcher:
            for _ in range(3):
                assert fetcher.fetch(server.url("/")).text == "ok"
        with gate.slot(other, concurrency=2, delay=0.3, timeout=5.0):  # another host: no wait
            pass
    assert clock.starts == pytest.approx([1000.0, 1000.3, 1000.6, 1000.6])
    assert len(server.requests) == 3


def test_concurrency_per_host_is_capped() -> None:
    slow = Overlap((200, HTML, "ok"), 0.2)
    with serve({"/": slow}) as server:
        config = config_for(server, per_host_concurrency=1, respect_robots=False)
        with Fetcher(config) as fetcher, ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda _: fetcher.fetch(server.url("/")), range(3)))
    assert [result.text for result in results] == ["ok"] * 3
    assert slow.most == 1


def test_one_fetcher_serves_many_threads() -> None:
    routes = {f"/{n}": (200, HTML, f"page {n}") for n in range(12)}
    with serve(routes) as server:
        config = config_for(server, per_host_concurrency=4)
        with Fetcher(config) as fetcher, ThreadPoolExecutor(6) as pool:
            texts = list(pool.map(lambda n: fetcher.fetch(server.url(f"/{n}")).text, range(12)))
        robots_fetches = server.paths().count("/robots.txt")
    assert texts == [f"page {n}" for n in range(12)]
    assert robots_fetches == 1


class RecordingGate:
    """A HostGate that lets every request through at once and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, float]] = []

    @contextmanager
    def slot(
        self, host_key: str, *, concurrency: int, delay: float, timeout: float
    ) -> Iterator[None]:
        assert timeout > 0
        self.calls.append((host_key, concurrency, delay))
        yield


def test_a_custom_gate_is_asked_for_every_request_with_host_key_and_delay() -> None:
    routes = {"/robots.txt": (404, {}, ""), "/a": (200, HTML, "a"), "/b": (200, HTML, "b")}
    gate = RecordingGate()
    with serve(routes) as server:
        config = config_for(server, per_host_delay=0.25, per_host_concurrency=3)
        with Fetcher(config, gate=gate) as fetcher:
            fetcher.fetch(server.url("/a"))
            fetcher.fetch(server.url("/b"))
        paths = server.paths()
    assert paths == ["/robots.txt", "/a", "/b"]
    assert gate.calls == [(server.host_port, 3, 0.25)] * 3


@pytest.mark.parametrize(
    ("robots", "expected_delay"),
    [
        ("User-agent: *\nCrawl-delay: 2\n", 2.0),
        ("User-agent: daybook\nCrawl-delay: 4.5\n\nUser-agent: *\nCrawl-delay: 1\n", 4.5),
        ("User-agent: otherbot\nCrawl-delay: 9\n", 0.25),  # not asked of us
        ("User-agent: *\nCrawl-delay: 0.1\n", 0.25),  # shorter than our own spacing
        ("User-agent: *\nCrawl-delay: 86400\n", 30.0),  # capped at max_retry_after
        ("User-agent: *\nCrawl-delay: soon\n", 0.25),
    ],
)
def test_crawl_delay_spaces_requests_to_the_host(robots: str, expected_delay: float) -> None:
    routes = {"/robots.txt": (200, {}, robots), "/a": (200, HTML, "a"), "/b": (200, HTML, "b")}
    gate = RecordingGate()
    with serve(routes) as server:
        with Fetcher(config_for(server, per_host_delay=0.25), gate=gate) as fetcher:
            fetcher.fetch(server.url("/a"))
            fetcher.fetch(server.url("/b"))
        paths = server.paths()
    assert paths == ["/robots.txt", "/a", "/b"]
    # robots.txt itself goes out before its Crawl-delay is known.
    assert [delay for _, _, delay in gate.calls] == [0.25, expected_delay, expected_delay]


def test_crawl_delay_reads_the_stored_robots_txt_and_fetches_nothing() -> None:
    robots = "User-agent: *\nCrawl-delay: 3600\n"
    with serve({"/robots.txt": (200, {}, robots), "/": (200, HTML, "ok")}) as server:
        with Fetcher(config_for(server)) as fetcher:
            before = fetcher.crawl_delay(server.url("/"))
            assert server.paths() == []
            fetcher.fetch(server.url("/"))
            after = fetcher.crawl_delay(server.url("/any/page"))
            other_origin = fetcher.crawl_delay(f"http://localhost:{server.port}/")
            junk = fetcher.crawl_delay("http://[::1")
        with Fetcher(config_for(server, respect_robots=False)) as ignoring:
            ignored = ignoring.crawl_delay(server.url("/"))
    assert before is None
    assert after == 3600.0  # as asked: capping is for the caller
    assert other_origin is None
    assert junk is None
    assert ignored is None


def test_robots_txt_is_fetched_again_once_its_ttl_has_passed() -> None:
    routes = {"/robots.txt": (200, {}, ROBOTS), "/a": (200, HTML, "a"), "/b": (200, HTML, "b")}
    with serve(routes) as server:
        with Fetcher(config_for(server, robots_ttl=0.05)) as fetcher:
            fetcher.fetch(server.url("/a"))
            time.sleep(0.1)  # the ttl passes: not a measurement
            fetcher.fetch(server.url("/b"))
        paths = server.paths()
    assert paths == ["/robots.txt", "/a", "/robots.txt", "/b"]


@pytest.mark.parametrize(
    ("status", "fetched_again"), [(404, False), (410, False), (500, True), (429, True)]
)
def test_an_unreachable_robots_txt_is_kept_for_the_error_ttl_only(
    status: int, fetched_again: bool
) -> None:
    routes = {"/robots.txt": (status, {}, ""), "/a": (200, HTML, "a"), "/b": (200, HTML, "b")}
    config_changes = {"robots_ttl": 3600.0, "robots_error_ttl": 0.05}
    with serve(routes) as server:
        with Fetcher(config_for(server, **config_changes)) as fetcher:
            assert fetcher.fetch(server.url("/a")).text == "a"
            time.sleep(0.1)  # the error ttl passes: not a measurement
            assert fetcher.fetch(server.url("/b")).text == "b"
        robots_fetches = server.paths().count("/robots.txt")
    assert robots_fetches == (2 if fetched_again else 1)


def test_a_robots_txt_our_own_deadline_cut_short_is_not_remembered() -> None:
    answers = iter([stall(limit=5)])

    def robots(request: Request) -> Reply | Raw:
        return next(answers, (200, {}, "User-agent: *\nDisallow: /\n"))

    store = LocalRobotsStore()
    with serve({"/robots.txt": robots, "/": (200, HTML, "ok")}) as server:
        hurried = config_for(server, total_timeout=0.5, read_timeout=5.0)
        with Fetcher(hurried, robots=store) as fetcher, pytest.raises(FetchTimeout):
            fetcher.fetch(server.url("/"))
        with Fetcher(config_for(server), robots=store) as fetcher, pytest.raises(RobotsDisallowed):
            fetcher.fetch(server.url("/"))
        paths = server.paths()
    assert paths == ["/robots.txt", "/robots.txt"]


def test_a_robots_txt_that_times_out_by_itself_allows_everything() -> None:
    routes = {"/robots.txt": stall(limit=5), "/": (200, HTML, "ok")}
    with serve(routes) as server:
        assert fetch_from(server, read_timeout=0.3)().text == "ok"


def test_fetchers_sharing_a_robots_store_fetch_robots_txt_once() -> None:
    routes = {"/robots.txt": (200, {}, ROBOTS), "/a": (200, HTML, "a")}
    store = LocalRobotsStore()
    with serve(routes) as server:
        for _ in range(3):
            with Fetcher(config_for(server), robots=store) as fetcher:
                fetcher.fetch(server.url("/a"))
        paths = server.paths()
    assert paths == ["/robots.txt", "/a", "/a", "/a"]


def test_local_gate_times_out_when_the_next_start_is_beyond_the_timeout() -> None:
    gate = LocalHostGate()
    with gate.slot("h:80", concurrency=2, delay=100.0, timeout=1.0):
        pass  # the first start is now; it reserves the next one 100 s later
    with pytest.raises(FetchTimeout), gate.slot("h:80", concurrency=2, delay=100.0, timeout=1.0):
        pytest.fail("entered a slot whose start is after the timeout")
    with gate.slot("other:80", concurrency=2, delay=100.0, timeout=1.0):
        pass  # hosts are spaced apart from each other only


def test_local_gate_times_out_when_every_slot_is_held_and_releases_on_error() -> None:
    gate = LocalHostGate()
    with gate.slot("h:80", concurrency=1, delay=0.0, timeout=1.0):
        with pytest.raises(FetchTimeout), gate.slot("h:80", concurrency=1, delay=0.0, timeout=0.05):
            pytest.fail("entered a slot that was held")
        with gate.slot("h:80", concurrency=2, delay=0.0, timeout=0.05):
            pass  # a caller allowing two finds the second one free
    with pytest.raises(ValueError), gate.slot("h:80", concurrency=1, delay=0.0, timeout=1.0):
        raise ValueError("the fetch failed")
    with gate.slot("h:80", concurrency=1, delay=0.0, timeout=0.05):
        pass  # released by the failure


# --- POST (a WebSub hub) ----------------------------------------------------------------

FORM = {"hub.mode": "subscribe", "hub.topic": "https://news.example/feed", "hub.secret": "a&b=c"}


def test_a_form_is_posted_to_a_private_hub_only_when_it_is_allowed() -> None:
    with serve({"/hub": (202, {}, "")}) as hub:
        with Fetcher(FAST) as fetcher, pytest.raises(BlockedAddress):
            fetcher.post_form(hub.url("/hub"), FORM)
        assert hub.connections == 0
        with Fetcher(config_for(hub)) as fetcher:
            assert fetcher.post_form(hub.url("/hub"), FORM) == 202
    [request] = hub.requests  # and no robots.txt: a hub is an API
    assert (request.method, request.path) == ("POST", "/hub")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["user-agent"].startswith("daybook/")
    assert {k: v for k, [v] in parse_qs(request.body.decode()).items()} == FORM


def test_a_post_follows_no_redirect() -> None:
    with serve({"/": (200, HTML, "secret")}) as target:
        moved = {"/hub": (307, {"Location": target.url("/")}, "")}
        with serve(moved) as hub, Fetcher(config_for(hub, target)) as fetcher:
            assert fetcher.post_form(hub.url("/hub"), FORM) == 307
        assert target.connections == 0


def test_a_hub_that_never_answers_ends_at_the_deadline() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the connection waits in the backlog, never answered
        port = silent.getsockname()[1]
        config = replace(FAST, allowed_hosts=frozenset({f"127.0.0.1:{port}"}), total_timeout=0.5)
        with Fetcher(config) as fetcher, pytest.raises(FetchTimeout):
            fetcher.post_form(f"http://127.0.0.1:{port}/hub", FORM)


# --- logging and configuration ---------------------------------------------------------


def test_retries_are_logged_with_the_url(caplog: pytest.LogCaptureFixture) -> None:
    route = _answers((503, {}, ""), (200, HTML, "ok"))
    with serve({"/": route}) as server, caplog.at_level(logging.WARNING, "daybook.fetch"):
        fetch_from(server, retries=1, respect_robots=False)()
    record = next(record for record in caplog.records if record.name == "daybook.fetch")
    assert record.url == server.url("/")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "changes",
    [
        {"max_bytes": 0},
        {"total_timeout": -1.0},
        {"retries": -1},
        {"per_host_concurrency": 0},
        {"allowed_hosts": frozenset({"host:port"})},
        {"allowed_hosts": frozenset({"http://127.0.0.1:8000"})},
    ],
)
def test_invalid_configuration_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        Fetcher(replace(FAST, **changes))
