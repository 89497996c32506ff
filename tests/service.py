"""Running daybook as it is deployed: real ``daybook serve`` / ``daybook worker``
processes on free ports, and a feed server whose feed grows while they run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tests.servers import Request, serve

DEPLOY = Path(__file__).parent.parent / "docs" / "deploy.md"

WAIT = 180.0
"""Longest a test waits for the service to do something (a bound, not a measure)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def deploy_command(starts: str, port: int) -> list[str]:
    """The arguments of the docs/deploy.md ``ExecStart`` whose command begins with
    ``starts`` ("serve --port", "serve --no-worker", "worker"), on ``port``: the
    tests run the documented commands, not look-alikes."""
    for line in DEPLOY.read_text().splitlines():
        if line.startswith("ExecStart="):
            args = line.split()[1:]
            if " ".join(args).startswith(starts):
                return [str(port) if arg == "8000" else arg for arg in args]
    raise AssertionError(f"docs/deploy.md has no ExecStart for `daybook {starts}`")


def service_env(database: str, allowed: list[str], **extra: str) -> dict[str, str]:
    """The environment of daybook processes polling fast, as tests need. They share a
    data directory of their own: `daybook serve` collects static files into it, which
    must not change how the suite's own process serves them."""
    env = dict(os.environ)
    env.update(
        DAYBOOK_DATA_DIR=tempfile.mkdtemp(prefix="daybook-service-"),
        DATABASE_URL=database,
        DAYBOOK_ALLOWED_HOSTS=",".join(allowed),
        DAYBOOK_HOST_DELAY="0",
        DAYBOOK_POLL_MIN_SECONDS="1",
        DAYBOOK_POLL_MAX_SECONDS="2",
        DAYBOOK_TICK_SECONDS="0.5",
        DAYBOOK_PAGE_FRESHNESS_SECONDS="0",
        DAYBOOK_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@dataclass
class Process:
    """A daybook process started by a test, with its output kept in a file."""

    args: list[str]
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 90.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        return self._wait(sig, timeout)

    def ctrl_c(self, timeout: float = 90.0) -> int:
        """What Ctrl+C in a terminal does: SIGINT to the whole process group, once."""
        os.killpg(self.popen.pid, signal.SIGINT)
        return self._wait(signal.SIGINT, timeout)

    def _wait(self, sig: int, timeout: float) -> int:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"{self.args} did not stop on {sig}:\n{self.output()}") from None


@contextmanager
def daybook(args: list[str], env: dict[str, str], tmp: Path) -> Iterator[Process]:
    """Run ``daybook ARGS`` until the block ends (then SIGTERM, then SIGKILL)."""
    log = tmp / f"daybook-{args[0]}-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [sys.executable, "-m", "daybook", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
    process = Process(args, popen, log)
    try:
        yield process
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            try:
                popen.wait(timeout=90)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(url: str) -> Any:
    status, body = get(url)
    assert status == 200, (url, status, body[:300])
    return json.loads(body)


def wait_for(
    check: Callable[[], Any], what: str, process: Process | None = None, every: float = 0.3
) -> Any:
    """Call ``check`` every ``every`` seconds until it returns something true; fail
    after ``WAIT`` seconds."""
    end = time.monotonic() + WAIT
    last: Any = None
    while time.monotonic() < end:
        try:
            last = check()
        except (OSError, AssertionError, ValueError) as error:
            last = error
        if last and not isinstance(last, Exception):
            return last
        if process is not None and process.popen.poll() is not None:
            raise AssertionError(
                f"{process.args} exited while waiting for {what}:\n{process.output()}"
            )
        time.sleep(every)
    log = process.output() if process else ""
    raise AssertionError(f"gave up waiting for {what} (last: {last!r})\n{log}")


class Peek:
    """Raw read-only SQL on a running service's database, outside Django: cheap
    enough to look every few milliseconds, so a test can act at the moment a row
    shows something (a task running, an article enriched). A database that is away
    reads as no rows."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: Any = None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            if self._connection is None:
                self._connection = self._connect()
            return list(self._connection.execute(sql).fetchall())
        except Exception:  # sqlite3.Error or psycopg.Error: away, locked or restarting
            self.close()
            return []

    def count(self, sql: str) -> int:
        found = self.rows(sql)
        return int(found[0][0]) if found else 0

    def running(self, task: str) -> list[int]:
        """Process ids of the workers running ``task`` (a function of news/tasks.py)
        on the database queue, found through their heartbeats."""
        pids = dict(self.rows("SELECT name, pid FROM news_heartbeat"))
        running = self.rows(
            "SELECT task_path, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'RUNNING'"
        )
        return [
            pids[worker]
            for path, workers in running
            if path.endswith(f".{task}")
            for worker in (json.loads(workers) if isinstance(workers, str) else workers)
            if worker in pids
        ]

    def _connect(self) -> Any:
        if self.url.startswith("sqlite:///"):
            import sqlite3

            path = self.url.removeprefix("sqlite:///")
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=2)

    def __enter__(self) -> Peek:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
        self._connection = None


@dataclass
class GrowingFeed:
    """An RSS feed on 127.0.0.1 whose entries a test appends while daybook polls it;
    each entry's page is served too."""

    title: str = "Growing Gazette"
    items: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def add(self, slug: str, headline: str, body: str) -> None:
        with self.lock:
            self.items.append((slug, headline, body))

    def feed(self, request: Request) -> tuple[int, dict[str, str], str]:
        with self.lock:
            items = list(self.items)
        now = time.time()
        rows = "".join(
            f"<item><title>{headline}</title><link>{self.base}/news/{slug}.html</link>"
            f"<guid>{self.base}/news/{slug}.html</guid>"
            f"<pubDate>{format_datetime(_utc(now - 60 * (len(items) - n)), usegmt=True)}</pubDate>"
            f"<description>{headline}</description></item>"
            for n, (slug, headline, _) in enumerate(items)
        )
        body = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.title}</title>'
            f"<link>{self.base}/</link><description>test</description>{rows}</channel></rss>"
        )
        return 200, {"Content-Type": "application/rss+xml"}, body

    def page(self, request: Request) -> tuple[int, dict[str, str], str]:
        slug = request.path.rsplit("/", 1)[-1].removesuffix(".html")
        with self.lock:
            found = [item for item in self.items if item[0] == slug]
        if not found:
            return 404, {}, "no such page"
        _, headline, body = found[0]
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        html = (
            f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>"
            f"{paragraphs}</article></body></html>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html

    @contextmanager
    def served(self) -> Iterator[Any]:
        def route(request: Request) -> tuple[int, dict[str, str], str]:
            if request.path.startswith("/feed.xml"):
                return self.feed(request)
            if request.path.startswith("/news/"):
                return self.page(request)
            return 404, {}, "not found"

        with serve(route) as server:
            self.base = server.url("").rstrip("/")
            yield server


def _utc(stamp: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(stamp, tz=UTC)


def story_text(n: int, topic: str) -> str:
    """A few paragraphs of plain invented news about ``topic``, distinct per ``n``."""
    return "\n\n".join(
        [
            f"Officials in the city of Port {n} said on Tuesday that the {topic} plan "
            f"would go ahead after a vote of {n + 40} to {n + 3} in the council chamber.",
            f"The {topic} project, first proposed {n + 2} years ago, is expected to cost "
            f"about {n * 7 + 11} million and to take {n % 5 + 2} years to finish.",
            f"Residents of district {n} gathered outside the hall to watch the result, and "
            f"several said the {topic} work would change daily life in the harbour area.",
        ]
    )
