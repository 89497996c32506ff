"""The distributed mode for real, and the faults it must survive.

PostgreSQL, RQ on Redis, one `daybook serve --no-worker` and two `daybook worker`
processes ingest the demo corpus from its local servers; the end state must equal a
single-process `daybook ingest` of the same corpus. Then: workers SIGKILLed in the
middle of polls and enrichments, Redis stopped and started again, PostgreSQL
restarted under load; each run ends with nothing lost, nothing twice, and the
service recovering by itself.

These tests make their own PostgreSQL databases and Redis servers whatever database
the rest of the suite runs on, so they run once, in the suite's first pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from statistics import mean
from typing import Any

import pytest

from daybook.ai.topics import REGIONS
from daybook.demo.server import CorpusServer
from tests.conftest import run_daybook
from tests.service import (
    Peek,
    daybook,
    deploy_command,
    free_port,
    get_json,
    service_env,
    wait_for,
)
from tests.test_cli import add_all, export, stored

PG = "postgres://postgres@127.0.0.1:5432"


@pytest.fixture
def postgres() -> Iterator[Callable[[], str]]:
    """Fresh PostgreSQL databases, dropped after the test."""
    import psycopg

    created: list[str] = []

    def make() -> str:
        name = f"daybook_dist_{secrets.token_hex(4)}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"{PG}/{name}"

    yield make
    _wait_for_postgres()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RedisServer:
    """A redis-server of the test's own on a free port, so stopping it harms nothing else."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        wait_for(lambda: redis.Redis(port=self.port).ping(), "redis to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shared_redis() -> Iterator[str]:
    """A database of the machine's Redis (127.0.0.1:6379, started by scripts/test),
    emptied before and after."""
    import redis

    number = 1 + secrets.randbelow(15)
    client = redis.Redis(host="127.0.0.1", port=6379, db=number)
    client.flushdb()
    yield f"redis://127.0.0.1:6379/{number}"
    client.flushdb()


def _wait_for_postgres() -> None:
    wait_for(
        lambda: (
            subprocess.run(
                ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
            ).returncode
            == 0
        ),
        "PostgreSQL to answer",
    )


def reference(corpus: CorpusServer, database: str) -> list[Any]:
    """What one `daybook ingest` of the corpus stores."""
    add_all(corpus, database)
    result = run_daybook(["ingest", "--quiet"], database=database, allowed=corpus.hosts)
    assert result.returncode == 0, result.stdout + result.stderr
    return stored(database)


def status(env: dict[str, str]) -> dict[str, Any] | None:
    """What `daybook status --json` reports (None while the database is away)."""
    result = subprocess.run(
        [sys.executable, "-m", "daybook", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(result.stdout) if result.returncode == 0 else None


def quiet(database: str, env: dict[str, str], expected: int) -> bool:
    """The service has stored ``expected`` articles and has nothing left to do."""
    report = status(env)
    if report is None:
        return False
    records = export(database)
    busy = any(q["waiting"] or q["running"] for q in report["queues"] if q["name"] != "llm")
    return (
        len(records) == expected
        and report["oldest_unprocessed_seconds"] is None
        and not busy
        and all(r["story"] is not None for r in records)
    )


def differences(got: list[Any], want: list[Any]) -> list[str]:
    """Which fields of which articles differ between two ``stored()`` lists.

    Region topics are left out: they follow the kind (place or organisation) the
    collection's entity registry settled on for a name, a majority over the
    articles seen so far, which depends on the order articles arrive in. For the
    same reason a quote's speaker may be named by another spelling of the same
    person ("Kamiya" for "Haruto Kamiya"): the quotes must be the same, and each
    speaker's name one of the other's spellings, or the same."""
    fields = ("url", "title", "text", "copy of", "enrichment", "quotes", "placed")
    mine = {row[0]: row for row in got}
    theirs = {row[0]: row for row in want}
    found = [f"only here: {url}" for url in sorted(mine.keys() - theirs.keys())]
    found += [f"missing: {url}" for url in sorted(theirs.keys() - mine.keys())]
    for url in sorted(mine.keys() & theirs.keys()):
        for name, a, b in zip(fields, mine[url], theirs[url], strict=True):
            if name == "enrichment" and a != b:
                parts = ("summary", "key points", "topics", "keywords")
                for part, x, y in zip(parts, json.loads(a), json.loads(b), strict=True):
                    if part == "topics":
                        x, y = ([t for t in v if t not in REGIONS] for v in (x, y))
                    if x != y:
                        found.append(f"{url} {part}: {x} != {y}")
            elif name == "quotes" and a != b:
                if not _same_quotes(json.loads(a), json.loads(b)):
                    found.append(f"{url} quotes: {str(a)[:300]} != {str(b)[:300]}")
            elif a != b:
                found.append(f"{url} {name}: {str(a)[:300]} != {str(b)[:300]}")
    return found


def _same_quotes(got: list[list[str | None]], want: list[list[str | None]]) -> bool:
    if len(got) != len(want):
        return False
    for (text, speaker), (their_text, their_speaker) in zip(
        sorted(got, key=lambda q: q[0] or ""), sorted(want, key=lambda q: q[0] or ""), strict=True
    ):
        if text != their_text or (speaker is None) != (their_speaker is None):
            return False
        if speaker and their_speaker and speaker != their_speaker:
            mine, theirs = set(speaker.split()), set(their_speaker.split())
            if not (mine <= theirs or theirs <= mine):
                return False
    return True


def identities(database: str) -> dict[str, list[list[str]]]:
    """Each article's entities, each as every spelling the collection knows it by."""
    with Peek(database) as peek:
        rows = peek.rows("SELECT name, aliases FROM news_entity")
    spellings: dict[str, set[str]] = {}
    for name, aliases in rows:
        known = json.loads(aliases) if isinstance(aliases, str) else aliases
        spellings.setdefault(name, set()).update([name, *known])
    return {
        r["canonical_url"]: sorted(sorted(spellings[e["name"]]) for e in r["entities"])
        for r in export(database)
    }


def b_cubed(corpus: CorpusServer, records: list[dict[str, Any]]) -> float:
    """Story B-cubed F1 of an export against the corpus's truth events."""
    truth = json.loads((corpus.corpus / "truth.json").read_text())
    event = {}
    for article in truth["articles"]:
        if article["kind"] == "page":
            event[corpus.local_url(article["url"])] = article["event"]
            event[article["url"]] = article["event"]
    matched = [(r["story"], event.get(r["url"]) or event.get(r["canonical_url"])) for r in records]
    matched = [(story, ev) for story, ev in matched if ev is not None]
    precision, recall = [], []
    for story, ev in matched:
        same_story = [e for s, e in matched if s == story]
        same_event = [s for s, e in matched if e == ev]
        both = sum(1 for s, e in matched if s == story and e == ev)
        precision.append(both / len(same_story))
        recall.append(both / len(same_event))
    p, r = mean(precision), mean(recall)
    return 2 * p * r / (p + r)


def test_two_workers_on_postgres_and_redis_store_what_one_process_stores(
    corpus, postgres, shared_redis, tmp_path
):
    single = postgres()
    expected = reference(corpus, single)
    expected_f1 = b_cubed(corpus, export(single))

    db = postgres()
    add_all(corpus, db)
    env = service_env(db, corpus.hosts, DAYBOOK_TASKS_URL=shared_redis)
    port = free_port()
    with (
        daybook(deploy_command("serve --no-worker", port), env, tmp_path) as site,
        daybook(deploy_command("worker", 0), env, tmp_path) as first,
        daybook(deploy_command("worker", 0), env, tmp_path) as second,
    ):
        wait_for(lambda: quiet(db, env, len(expected)), "the workers to finish the corpus", first)
        seen = get_json(f"http://127.0.0.1:{port}/healthz")
        assert seen["ok"], seen
        command = deploy_command("worker", 0)
        per_process = int(command[command.index("--concurrency") + 1])

        def every_worker_seen() -> bool:  # a slow-starting process may miss the corpus
            report = status(env) or {"workers": []}
            return len({w["name"] for w in report["workers"]}) == 2 * per_process

        wait_for(every_worker_seen, "every worker of both processes to report", second)
        for process in (first, second, site):
            assert process.stop() == 0, process.output()
            assert "Traceback" not in process.output(), process.output()
    assert not differences(stored(db), expected)
    # The same entities, each known by all its spellings: which spelling is canonical
    # ("JAXA" or "Japan Aerospace Exploration Agency") is still the first one seen.
    mine, theirs = identities(db), identities(single)
    assert mine.keys() == theirs.keys()
    agree = sum(mine[url] == theirs[url] for url in mine) / len(mine)
    print(f"entity agreement {agree:.3f}")
    assert agree >= 0.95, {
        url: (mine[url], theirs[url]) for url in mine if mine[url] != theirs[url]
    }
    assert abs(b_cubed(corpus, export(db)) - expected_f1) <= 0.02


@pytest.mark.django_db  # runs on SQLite and again on PostgreSQL
def test_sigkilled_workers_lose_nothing_and_do_nothing_twice(corpus, new_database, tmp_path):
    """On the suite's database and the database queue: the process running tasks is
    killed with SIGKILL the moment it is seen running a poll, a page fetch, an
    enrichment and a placement; its supervisor starts another, leases run out, and
    the end state is the reference."""
    single = new_database()
    expected = reference(corpus, single)

    db = new_database()
    add_all(corpus, db)
    env = service_env(db, corpus.hosts, DAYBOOK_LEASE_SECONDS="4")
    with Peek(db) as peek, daybook(["worker", "--concurrency", "1"], env, tmp_path) as worker:
        for task in ("poll_feed", "fetch_entry", "enrich_article", "place_article"):
            pids = wait_for(lambda t=task: peek.running(t), f"{task} running", worker, 0.01)
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        wait_for(lambda: quiet(db, env, len(expected)), "the restarted worker to finish", worker)
        assert worker.stop() == 0, worker.output()
    assert not differences(stored(db), expected)


def test_redis_stopped_then_started_again_the_service_recovers(
    corpus, postgres, redis_server, tmp_path
):
    """Redis keeps nothing on disk here: when it comes back, every queued task is gone.
    The work is not: its leases run out and the tick hands it out again."""
    single = postgres()
    expected = reference(corpus, single)

    db = postgres()
    add_all(corpus, db)
    env = service_env(
        db, corpus.hosts, DAYBOOK_TASKS_URL=redis_server.url, DAYBOOK_LEASE_SECONDS="4"
    )
    with daybook(["worker", "--concurrency", "2"], env, tmp_path) as worker:
        wait_for(lambda: len(export(db)) > 5, "some articles", worker)
        redis_server.stop()
        time.sleep(3)
        redis_server.start()
        wait_for(lambda: quiet(db, env, len(expected)), "the workers to recover and finish", worker)
        assert worker.stop() == 0, worker.output()
    assert not differences(stored(db), expected)


def test_postgres_restarted_under_load_the_service_recovers(corpus, postgres, tmp_path):
    single = postgres()
    expected = reference(corpus, single)

    db = postgres()
    add_all(corpus, db)
    env = service_env(db, corpus.hosts, DAYBOOK_LEASE_SECONDS="4")
    cluster = subprocess.run(
        ["ls", "/etc/postgresql"], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    with daybook(["worker", "--concurrency", "2"], env, tmp_path) as worker:
        wait_for(lambda: len(export(db)) > 5, "some articles", worker)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True
        )
        _wait_for_postgres()
        wait_for(
            lambda: quiet(db, env, len(expected)), "the workers to reconnect and finish", worker
        )
        assert worker.stop() == 0, worker.output()
    assert not differences(stored(db), expected)


def test_processes_that_start_together_migrate_one_at_a_time(postgres, tmp_path):
    """A site and its workers start at once, and each migrates first: on a fresh
    database they must not create the same tables, content types or permissions."""
    database = postgres()
    env = {**os.environ, "DATABASE_URL": database, "DAYBOOK_DATA_DIR": str(tmp_path)}
    starting = [
        subprocess.Popen(
            [sys.executable, "-m", "daybook", "sources", "list"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=300)[0].decode(errors="replace") for process in starting]
    assert [process.returncode for process in starting] == [0, 0, 0], outputs
