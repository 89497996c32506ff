"""Throughput and latency of daybook's web pages under `daybook serve`, on a synthetic
collection of 10,000+ articles, driven by wrk.

A fresh SQLite database is filled by bench/web_synthetic.py (stories, wire copies,
vectors, entities, quotes: what enrichment would leave), then the real server runs as
a subprocess and wrk loads one URL kind at a time: the home page, a story, an article
and a search for a common word. Each page is measured twice:

- cached: the same URL again and again, answered from the page cache;
- uncached: every request carries a unique ``_b`` query parameter (bench/wrk_unique.lua),
  and the page cache keys on the whole query, so every response is built from the
  database; article and story requests rotate over a few hundred ids. These run one
  request at a time (one wrk connection), so p50 is the time a page takes to build
  and send, with no queue in front of it.

The baseline is a static file (site.css, served by whitenoise in the same process)
measured in the same run: the machine is small and shared, so requests/s swing from
run to run, and the ratio to the static file is the figure that carries over.

    .venv/bin/python bench/web.py [--articles 10000] [--duration 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn

sys.path.insert(0, str(Path(__file__).parent))

if TYPE_CHECKING:
    from web_synthetic import Corpus

STATIC = "/static/web/site.css"
LUA = Path(__file__).with_name("wrk_unique.lua")
STARTUP_SECONDS = 120


@dataclass(frozen=True)
class Target:
    name: str
    paths: tuple[str, ...]
    """The cached run asks for the first; the uncached run rotates over them all."""
    modes: tuple[str, ...] = ("cached", "uncached")
    session: str | None = None
    """A signed-in reader's session cookie, sent with every request."""


@dataclass(frozen=True)
class Figures:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int = 0
    """Error responses (non-2xx or 3xx) and socket errors, timeouts included."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000, help="originals (plus 10%% copies)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--ids", type=int, default=200, help="articles/stories rotated uncached")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="daybook-web-"))
    try:
        _run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, workdir: Path) -> None:
    corpus = _prepare(args, workdir)
    targets = _targets(corpus, args.ids, _reader(corpus))
    rows: list[tuple[str, str, Figures]] = []
    with Server(workdir) as base:
        start = time.perf_counter()
        for target in targets:
            for path in target.paths:
                expect_ok(base, path, target.session)
        print(f"every page answered 200 once ({time.perf_counter() - start:.1f} s)")
        for target in targets:
            for mode in target.modes:
                figures = _measure(args, base, workdir, target, mode)
                rows.append((target.name, mode, figures))
                print(f"  {target.name} {mode}: {figures.rate:,.0f} requests/s", flush=True)
    print(_table(rows))


def _prepare(args: argparse.Namespace, workdir: Path) -> Corpus:
    """A migrated database in ``workdir`` holding the synthetic collection, and the
    vector index file beside it (the server opens it rather than building its own)."""
    os.environ["DAYBOOK_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/web.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "daybook.settings"
    os.environ["HF_HUB_OFFLINE"] = "1"
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", verbosity=0)
    from web_synthetic import COMMON_WORD, generate

    from daybook.news.search import Query, search
    from daybook.news.vectors import article_index

    start = time.perf_counter()
    corpus = generate(args.articles)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    article_index()
    indexed = time.perf_counter() - start
    matches = search(Query(text=COMMON_WORD), limit=1).total
    connections.close_all()
    print(
        f"corpus: {len(corpus.originals) + len(corpus.copies):,} articles "
        f"({len(corpus.originals):,} originals, {len(corpus.copies):,} copies), "
        f"{len(corpus.stories):,} stories, {corpus.sources} sources, {corpus.entities} entities, "
        f"{corpus.mentions:,} mentions, {corpus.quotes:,} quotes; generated in {generated:.1f} s, "
        f"vector index built in {indexed:.1f} s"
    )
    print(f"search for {COMMON_WORD!r} matches {matches:,} original articles")
    print(
        f"machine: {os.cpu_count()} CPUs; wrk -t{args.threads} -c{args.connections} "
        f"(uncached: -t1 -c1) -d{args.duration}s after {args.warmup} s warm-up; "
        "server: daybook serve (defaults)"
    )
    return corpus


def _reader(corpus: Corpus) -> tuple[str, int]:
    """A signed-in reader's session cookie, and a publisher they follow. They follow
    five publishers and two topics, mute a word and a publisher, have read 200
    articles one by one and marked one publisher all read."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections
    from django.utils import timezone

    from daybook.community.models import Follow, Mute, ReadBound
    from daybook.community.reading import mark
    from daybook.news.models import Article, Source

    user = User.objects.create_user("bench", password="bench reader password")
    sources = list(Source.objects.order_by("pk").values_list("pk", flat=True))
    for pk in sources[:5]:
        Follow.objects.create(user=user, kind="publisher", key=str(pk))
    for name in ("World", "Business"):
        Follow.objects.create(user=user, kind="topic", key=name)
    Mute.objects.create(user=user, kind="word", key="football")
    Mute.objects.create(user=user, kind="publisher", key=str(sources[-1]))
    ReadBound.objects.create(
        user=user, kind="publisher", key=str(sources[1]), before=timezone.now()
    )
    for article in Article.objects.filter(pk__in=random.Random(2).sample(corpus.originals, 200)):
        mark(user.pk, article, read=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    connections.close_all()
    assert session.session_key is not None
    return session.session_key, sources[0]


def _targets(corpus: Corpus, ids: int, reader: tuple[str, int]) -> list[Target]:
    from web_synthetic import COMMON_WORD

    rng = random.Random(1)
    articles = rng.sample([*corpus.originals, *corpus.copies], ids)
    stories = rng.sample(corpus.stories, min(ids, len(corpus.stories)))
    session, followed = reader
    return [
        Target("static file", (STATIC,), ("file",)),
        Target("home", ("/",)),
        Target("story", tuple(f"/stories/{pk}/" for pk in stories)),
        Target("article", tuple(f"/articles/{pk}/" for pk in articles)),
        Target("search", (f"/search/?q={COMMON_WORD}",)),
        Target("home, reader", ("/",), session=session),
        Target("unread, reader", (f"/publishers/{followed}/?unread=1",), session=session),
    ]


class Server:
    """``daybook serve`` on a free port, stopped however the benchmark ends."""

    def __init__(self, workdir: Path) -> None:
        self.log_path = workdir / "server.log"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        command = [sys.executable, "-m", "daybook", "serve"]
        command += ["--port", str(self.port), "--host", "127.0.0.1"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
            )
        base = f"127.0.0.1:{self.port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail(f"daybook serve exited with {self.process.returncode}")
            try:
                if get_status(base, STATIC) == 200:
                    return base
            except OSError:
                pass
            time.sleep(0.25)
        self._fail(f"daybook serve did not answer {STATIC} within {STARTUP_SECONDS} s")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()
        if error is not None:
            print(f"server log (tail):\n{self._log_tail()}", file=sys.stderr)

    def _stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn: graceful shutdown
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def _fail(self, message: str) -> NoReturn:
        self._stop()
        raise SystemExit(f"{message}\n{self._log_tail()}")


def get_status(base: str, path: str, session: str | None = None) -> int:
    host, port = base.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", path, headers=_cookie(session))
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


CSRF_COOKIE = "b" * 32
"""A browser keeps the CSRF cookie its first page set; wrk would otherwise be sent a
new one with every page, as a browser that drops cookies would."""


def _cookie(session: str | None) -> dict[str, str]:
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF_COOKIE}"} if session else {}


def expect_ok(base: str, path: str, session: str | None = None) -> None:
    """wrk counts a redirect as success; a benchmark of redirects would measure nothing."""
    status = get_status(base, path, session)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}, not 200")


def _measure(
    args: argparse.Namespace, base: str, workdir: Path, target: Target, mode: str
) -> Figures:
    """Warm up, then measure. Before each, the server's backlog drains: requests wrk
    abandoned when its time ran out are still queued in the server, and the next run
    would wait behind them."""
    url, paths = f"http://{base}{target.paths[0]}", None
    if mode == "uncached":
        paths = workdir / f"paths-{target.name}.txt"
        paths.write_text("\n".join(target.paths) + "\n")
        url = f"http://{base}"
    expect_ok(base, STATIC)
    _wrk(args, url, args.warmup, [str(paths), "warm"] if paths else None, target.session)
    expect_ok(base, STATIC)
    unique = [str(paths), "run"] if paths else None
    figures = _wrk(args, url, args.duration, unique, target.session, serial=paths is not None)
    if figures is None:
        raise SystemExit(f"no request to {url} completed in {args.duration} s")
    return figures


def _wrk(
    args: argparse.Namespace,
    url: str,
    seconds: int,
    unique: list[str] | None = None,
    session: str | None = None,
    *,
    serial: bool = False,
) -> Figures | None:
    """One wrk run (with bench/wrk_unique.lua given its arguments ``unique``); None if
    no request completed. Any error response, socket error or timeout ends the
    benchmark. ``serial``: one request at a time."""
    threads, connections = (1, 1) if serial else (args.threads, args.connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--latency", "--timeout", "30s"]
    command += [f"-H{name}: {value}" for name, value in _cookie(session).items()]
    command += ["-s", str(LUA), url, "--", *unique] if unique else [url]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return _parse(output, " ".join(command))


_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_COUNT = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def read_wrk(output: str, command: str) -> Figures:
    """The figures of one ``wrk --latency`` run (bench/service.py reads them too)."""
    rate, count = _RATE.search(output), _COUNT.search(output)
    percentiles = {p: float(v) * _UNIT_MS[unit] for p, v, unit in _PERCENTILE.findall(output)}
    if rate is None or count is None or set(percentiles) != {"50", "99"}:
        raise SystemExit(f"{command}: could not read wrk's output\n{output}")
    non_2xx, sockets = _NON_2XX.search(output), _SOCKET.search(output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return Figures(
        rate=float(rate.group(1)),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        requests=int(count.group(1)),
        errors=errors,
    )


def _parse(output: str, command: str) -> Figures | None:
    figures = read_wrk(output, command)
    if figures.errors:
        raise SystemExit(f"{command}: {figures.errors} error responses or socket errors\n{output}")
    return figures if figures.requests else None


def _table(rows: list[tuple[str, str, Figures]]) -> str:
    baseline = rows[0][2].rate
    lines = [
        f"{'page':<12} {'mode':<9} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'vs static':>9} {'requests':>9}"
    ]
    for name, mode, f in rows:
        lines.append(
            f"{name:<12} {mode:<9} {f.rate:>11,.1f} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f} "
            f"{f.rate / baseline:>9.4f} {f.requests:>9,}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
