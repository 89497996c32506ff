"""The fetcher configured from settings: the one place settings meet the fetch stage."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from daybook.pipeline.fetch import FetchConfig, Fetcher


def make_fetcher(
    *, extra_allowed_hosts: Iterable[str] = (), host_delay: float | None = None
) -> Fetcher:
    return Fetcher(
        FetchConfig(
            max_bytes=settings.DAYBOOK_FETCH_MAX_BYTES,
            total_timeout=settings.DAYBOOK_FETCH_TIMEOUT,
            per_host_delay=settings.DAYBOOK_HOST_DELAY if host_delay is None else host_delay,
            respect_robots=settings.DAYBOOK_RESPECT_ROBOTS,
            allowed_hosts=frozenset(settings.DAYBOOK_ALLOWED_HOSTS)
            | frozenset(extra_allowed_hosts),
        )
    )
