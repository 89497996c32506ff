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
