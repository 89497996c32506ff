"""Shared fixtures. The suite runs twice in CI: on SQLite (the default) and on
PostgreSQL (``DATABASE_URL`` set by scripts/test); tests that touch the
database are marked ``django_db`` and run in both."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from daybook.demo.server import CorpusServer

# Settings read the data directory at import: point it somewhere disposable
# before pytest-django imports them.
os.environ.setdefault("DAYBOOK_DATA_DIR", tempfile.mkdtemp(prefix="daybook-test-"))
# Pages show new articles at once unless a test measures the coalescing itself
# (here for the daybook processes tests start; ``fresh_pages`` for this one).
os.environ.setdefault("DAYBOOK_PAGE_FRESHNESS_SECONDS", "0")


@pytest.fixture(autouse=True)
def fresh_pages() -> Iterator[None]:
    from django.test import override_settings

    with override_settings(DAYBOOK_PAGE_FRESHNESS_SECONDS=0):
        yield


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes fresh, empty databases for ``daybook`` subprocesses, of the kind
    the suite runs on: SQLite files, or new PostgreSQL databases dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    created: list[str] = []

    def make() -> str:
        if not url.startswith("postgres"):
            return f"sqlite:///{tmp_path / f'daybook-{secrets.token_hex(4)}.sqlite3'}"
        import psycopg

        name = f"daybook_cli_{secrets.token_hex(4)}"
        with psycopg.connect(_admin_url(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return url.rsplit("/", 1)[0] + "/" + name

    yield make
    if created:
        import psycopg

        with psycopg.connect(_admin_url(url), autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture
def corpus() -> Iterator[CorpusServer]:
    """The demo corpus served on 127.0.0.1, one port per publisher."""
    with CorpusServer() as server:
        yield server


def run_daybook(
    args: list[str], *, database: str, allowed: list[str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run the real ``daybook`` command against ``database``."""
    env = daybook_env(database, allowed)
    return subprocess.run(
        [sys.executable, "-m", "daybook", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        **kwargs,
    )


def daybook_env(database: str, allowed: list[str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database
    env["DAYBOOK_HOST_DELAY"] = "0"
    env["DAYBOOK_ALLOWED_HOSTS"] = ",".join(allowed or [])
    return env


@pytest.fixture
def news() -> dict[str, Any]:
    """Five corpus articles (a quake, its wire copy, a follow-up, two others) stored
    and run through every enrichment stage, so stories, entities, quotes and related
    lists are real."""
    from daybook.ai.embed import load_embedder
    from daybook.news.enrich import Enricher
    from daybook.news.models import Article
    from tests.news.test_enrich import FLU, GDP, QUAKE, QUAKE_COPY, STRANDED, store

    keys = {"quake": QUAKE, "copy": QUAKE_COPY, "stranded": STRANDED, "gdp": GDP, "flu": FLU}
    stored = {name: store(key) for name, key in keys.items()}
    Enricher(load_embedder("wordllama")).run()
    return {name: Article.objects.get(pk=a.pk) for name, a in stored.items()}


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Pages are cached across requests and vector indexes across queries: every
    test starts and ends with them empty."""
    from django.core.cache import cache

    from daybook.community import changes
    from daybook.news.vectors import forget_indexes
    from daybook.web import pagecache

    def forget() -> None:
        cache.clear()
        forget_indexes()
        pagecache.forget()
        changes.forget()

    forget()
    yield
    forget()
