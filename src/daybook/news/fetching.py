"""The fetcher configured from settings: the one place settings meet the fetch stage."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.conf import settings

from daybook.pipeline.fetch import FetchConfig, Fetcher


def fetch_config(
    *, extra_allowed_hosts: Iterable[str] = (), host_delay: float | None = None
) -> FetchConfig:
    return FetchConfig(
        max_bytes=settings.DAYBOOK_FETCH_MAX_BYTES,
        total_timeout=settings.DAYBOOK_FETCH_TIMEOUT,
        per_host_delay=settings.DAYBOOK_HOST_DELAY if host_delay is None else host_delay,
        respect_robots=settings.DAYBOOK_RESPECT_ROBOTS,
        allowed_hosts=frozenset(settings.DAYBOOK_ALLOWED_HOSTS) | frozenset(extra_allowed_hosts),
    )


def make_fetcher(
    *, extra_allowed_hosts: Iterable[str] = (), host_delay: float | None = None
) -> Fetcher:
    """A fetcher of one's own (the CLI's discovery, `extract`)."""
    return Fetcher(fetch_config(extra_allowed_hosts=extra_allowed_hosts, host_delay=host_delay))


_lock = threading.Lock()
_shared: dict[FetchConfig, Fetcher] = {}


def shared_fetcher() -> Fetcher:
    """The process's fetcher for tasks: one connection pool for every task a worker
    runs, with politeness (per-host slots and spacing, robots.txt) kept in the
    database so that it holds across every process and machine. Settings changed
    under a running process (tests) give a new one."""
    from daybook.news.politeness import DatabaseHostGate, DatabaseRobotsStore

    config = fetch_config()
    with _lock:
        fetcher = _shared.get(config)
        if fetcher is None:
            for old in _shared.values():
                old.close()
            _shared.clear()
            fetcher = Fetcher(config, gate=DatabaseHostGate(), robots=DatabaseRobotsStore())
            _shared[config] = fetcher
        return fetcher
