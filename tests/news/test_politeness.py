"""Politeness shared through the database, against real HTTP servers on 127.0.0.1.

Concurrency is tested with two real worker processes on a real database.
Elsewhere two ``Fetcher``s, each with gates and stores of its own, stand for two
processes: all they share is the database, as processes on two machines would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from daybook.errors import FetchTimeout, HTTPStatusError, RobotsDisallowed
from daybook.news.models import HostSlot, HostState, RobotsRecord
from daybook.news.politeness import DatabaseHostGate, DatabaseRobotsStore, forget_idle
from daybook.pipeline.fetch import FetchConfig, Fetcher
from daybook.pipeline.politeness import RobotsEntry
from tests.servers import Overlap, Server, serve

DAY = 86400.0

HTML = {"Content-Type": "text/html; charset=utf-8"}
ROBOTS = "User-agent: *\nDisallow: /private\nCrawl-delay: 7\n"


def config_for(server: Server, **changes: object) -> FetchConfig:
    base = FetchConfig(
        per_host_delay=0.0,
        retries=0,
        total_timeout=10.0,
        respect_robots=False,
        allowed_hosts=frozenset({server.host_port}),
    )
    return replace(base, **changes)


def process(server: Server, **changes: object) -> Fetcher:
    """A fetcher standing for one worker process: its own gate, store and connections."""
    return Fetcher(
        config_for(server, **changes), gate=DatabaseHostGate(), robots=DatabaseRobotsStore()
    )


def slots_free(host_key: str) -> bool:
    return all(
        holder == "" and until <= time.time()
        for holder, until in HostSlot.objects.filter(host=host_key).values_list(
            "holder", "held_until"
        )
    )


# One worker process: it fetches ``count`` times from 4 threads through the
# database gate, once the test says go, and prints what it got.
WORKER = """
import sys
from concurrent.futures import ThreadPoolExecutor

import django

django.setup()
from django.db import connections

from daybook.news.politeness import DatabaseHostGate, DatabaseRobotsStore, forget_idle
from daybook.pipeline.fetch import FetchConfig, Fetcher

url, host_port, count, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
config = FetchConfig(
    per_host_concurrency=2,
    per_host_delay=delay,
    retries=0,
    total_timeout=60.0,
    respect_robots=False,
    allowed_hosts=frozenset({host_port}),
)
fetcher = Fetcher(config, gate=DatabaseHostGate(), robots=DatabaseRobotsStore())


def fetch(number):
    try:
        return fetcher.fetch(url).text
    finally:
        connections.close_all()


print("ready", flush=True)
sys.stdin.readline()
with ThreadPoolExecutor(4) as pool:
    print(" ".join(pool.map(fetch, range(count))), flush=True)
"""


def migrated(database: str) -> dict[str, str]:
    """The environment of a daybook process on ``database``, migrated."""
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "daybook.settings"}
    migrate = "import django; django.setup(); from django.core.management import call_command; "
    migrate += "call_command('migrate', verbosity=0, interactive=False)"
    subprocess.run([sys.executable, "-c", migrate], env=env, check=True, timeout=120)
    return env


@pytest.mark.parametrize("delay", [0.0, 0.02], ids=["no-delay", "spaced"])
def test_two_processes_never_run_more_than_the_host_concurrency_at_once(
    new_database: Callable[[], str], delay: float
) -> None:
    """Two real worker processes on one real database (a SQLite file or a PostgreSQL
    database, as in production), eight threads between them, two slots for the host.

    With a delay, every thread also races to reserve the host's start times.
    """
    env = migrated(new_database())
    slow = Overlap((200, HTML, "ok"), 0.1)
    with serve({"/": slow}) as server:
        args = [server.url("/"), server.host_port, "8", str(delay)]
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, *args],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            for worker in workers:  # both started up before either fetches
                assert worker.stdout is not None
                assert worker.stdout.readline().strip() == "ready", worker.communicate()[1]
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            outputs = [worker.communicate(timeout=120) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
        requests = len(server.requests)
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert out.split() == ["ok"] * 8
    assert requests == 16
    assert slow.most <= 2


@pytest.mark.django_db(transaction=True)
def test_a_start_reserved_by_one_process_holds_for_the_other() -> None:
    with serve({"/": (200, HTML, "ok")}) as server:
        # The first start is now and reserves the next one 1000 s later: past
        # the other process's deadline, which gives up at once without a request.
        first = process(server, per_host_delay=1000.0, total_timeout=2.0)
        second = process(server, per_host_delay=1000.0, total_timeout=2.0)
        with first, second:
            assert first.fetch(server.url("/")).text == "ok"
            with pytest.raises(FetchTimeout) as caught:
                second.fetch(server.url("/"))
        paths = server.paths()
    assert paths == ["/"]
    assert caught.value.url == server.url("/")
    assert "delay" in str(caught.value)
    assert slots_free(server.host_port)
    reserved = HostState.objects.get(host=server.host_port).next_start_at
    assert time.time() + 900 < reserved < time.time() + 1100  # one reservation, not two


@pytest.mark.django_db(transaction=True)
def test_a_slot_leased_elsewhere_is_waited_for_until_its_lease_runs_out() -> None:
    with serve({"/": (200, HTML, "ok")}) as server:
        key = server.host_port
        HostSlot.objects.create(host=key, slot=0, holder="elsewhere", held_until=time.time() + 1000)
        with process(server, per_host_concurrency=1, total_timeout=0.3) as fetcher:
            with pytest.raises(FetchTimeout, match="slot"):
                fetcher.fetch(server.url("/"))
            assert server.paths() == []
            # The holder was killed: its lease runs out and the slot is free again.
            HostSlot.objects.filter(host=key).update(held_until=time.time() - 1)
            assert fetcher.fetch(server.url("/")).text == "ok"
    assert server.paths() == ["/"]
    assert slots_free(key)


@pytest.mark.django_db(transaction=True)
def test_a_failed_fetch_releases_its_slot_and_a_live_lease_is_left_alone() -> None:
    with serve({"/": (500, {}, "")}) as server:
        key = server.host_port
        HostSlot.objects.create(host=key, slot=1, holder="elsewhere", held_until=time.time() + 1000)
        with process(server, per_host_concurrency=2) as fetcher:
            for _ in range(2):  # the second finds slot 0 free again
                with pytest.raises(HTTPStatusError):
                    fetcher.fetch(server.url("/"))
    assert HostSlot.objects.get(host=key, slot=0).holder == ""
    assert HostSlot.objects.get(host=key, slot=1).holder == "elsewhere"


@pytest.mark.django_db(transaction=True)
def test_robots_txt_fetched_by_one_process_serves_the_other_until_it_expires() -> None:
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS),
        "/a": (200, HTML, "a"),
        "/b": (200, HTML, "b"),
        "/private": (200, HTML, "secret"),
    }
    with serve(routes) as server:
        # Crawl-delay spacing capped to nothing: this test is about robots.txt.
        first = process(server, respect_robots=True, max_retry_after=0.0)
        second = process(server, respect_robots=True, max_retry_after=0.0)
        with first, second:
            assert second.crawl_delay(server.url("/")) is None
            assert first.fetch(server.url("/a")).text == "a"
            assert second.crawl_delay(server.url("/")) == 7.0  # read, not fetched
            assert second.fetch(server.url("/b")).text == "b"
            with pytest.raises(RobotsDisallowed):
                second.fetch(server.url("/private"))
            assert server.paths() == ["/robots.txt", "/a", "/b"]
            RobotsRecord.objects.update(expires_at=time.time() - 1)
            assert second.crawl_delay(server.url("/")) is None
            assert second.fetch(server.url("/a")).text == "a"
        paths = server.paths()
    assert paths == ["/robots.txt", "/a", "/b", "/robots.txt", "/a"]
    assert RobotsRecord.objects.get().expires_at > time.time() + 3600


@pytest.mark.django_db(transaction=True)
def test_a_missing_robots_txt_is_stored_as_allowing_everything() -> None:
    routes = {"/robots.txt": (404, {}, "Disallow: /"), "/a": (200, HTML, "a")}
    with serve(routes) as server:
        with process(server, respect_robots=True) as first:
            first.fetch(server.url("/a"))
        with process(server, respect_robots=True) as second:
            assert second.fetch(server.url("/a")).text == "a"
        paths = server.paths()
    assert paths == ["/robots.txt", "/a", "/a"]
    record = RobotsRecord.objects.get()
    assert record.allow_all
    assert record.body == ""


@pytest.mark.django_db
def test_the_robots_store_round_trips_entries_and_drops_expired_ones() -> None:
    store = DatabaseRobotsStore()
    store.put("https://a.example", RobotsEntry("User-agent: *\nDisallow: /x\n"), 60)
    store.put("https://b.example", RobotsEntry(None), 60)
    store.put("https://c.example", RobotsEntry("Disallow: /\n"), 0)
    store.put("https://d.example", RobotsEntry("User-agent: *\x00\nDisallow: /n\n"), 60)
    assert store.get("https://a.example") == RobotsEntry("User-agent: *\nDisallow: /x\n")
    assert store.get("https://b.example") == RobotsEntry(None)
    assert store.get("https://c.example") is None  # expired at once
    assert store.get("https://d.example") == RobotsEntry("User-agent: *\ufffd\nDisallow: /n\n")
    assert store.get("https://nowhere.example") is None
    store.put("https://a.example", RobotsEntry(None), 60)  # replaced, not added
    assert store.get("https://a.example") == RobotsEntry(None)
    assert RobotsRecord.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_hosts_idle_for_a_day_are_forgotten_and_fetched_afresh() -> None:
    with serve({"/": (200, HTML, "ok")}) as server:
        key = server.host_port
        with process(server, per_host_delay=0.01, respect_robots=True) as fetcher:
            assert fetcher.fetch(server.url("/")).text == "ok"
            HostSlot.objects.create(
                host="gone.example:80", slot=0, held_until=time.time() - 2 * DAY
            )
            HostState.objects.create(host="gone.example:80", next_start_at=time.time() - 2 * DAY)
            forget_idle(time.time() - DAY)
            assert set(HostSlot.objects.values_list("host", flat=True)) == {key}
            assert set(HostState.objects.values_list("host", flat=True)) == {key}
            assert RobotsRecord.objects.count() == 1  # this host's, not expired

            forget_idle(time.time() + 10 * 365 * DAY)  # as if a long time had passed
            assert not HostSlot.objects.exists() and not RobotsRecord.objects.exists()
            assert fetcher.fetch(server.url("/")).text == "ok"
    assert server.paths() == ["/robots.txt", "/", "/robots.txt", "/"]
    assert slots_free(key)
