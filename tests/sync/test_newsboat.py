"""A real client someone else wrote: Debian's newsboat (2.21), in its FeedHQ mode
(Google Reader's ClientLogin, ``/reader/api/0/`` and Atom from ``/reader/atom/``),
run headless against the live site on a free port."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from daybook.community import reading
from daybook.community.models import Follow
from tests.community import make_article
from tests.sync import publisher, reader_with_password

pytestmark = pytest.mark.django_db(transaction=True)

NEWSBOAT = shutil.which("newsboat") or "newsboat"
"""scripts/test installs it; a missing client fails the test rather than skipping it."""


def newsboat(tmp_path: Path, url: str, login: str, secret: str, *, ok: bool = True) -> str:
    """``newsboat -x reload print-unread`` with its own config, cache and home."""
    config = tmp_path / "config"
    config.write_text(
        'urls-source "feedhq"\n'
        f'feedhq-url "{url}"\n'
        f'feedhq-login "{login}"\n'
        f'feedhq-password "{secret}"\n'
        "feedhq-min-items 50\n"
    )
    urls = tmp_path / "urls"
    urls.touch()
    result = subprocess.run(
        [
            NEWSBOAT,
            "-C",
            str(config),
            "-u",
            str(urls),
            "-c",
            str(tmp_path / "cache.db"),
            "-x",
            "reload",
            "print-unread",
        ],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode == 0) == ok, result.stdout + result.stderr
    return result.stdout.strip()


def feeds_in_cache(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "cache.db") as cache:
        return dict(cache.execute("SELECT rssurl, title FROM rss_feed"))


def test_newsboat_sees_the_subscriptions_and_what_was_read_in_daybook(live_server, tmp_path):
    alice, secret = reader_with_password("alice")
    harbour, _ = publisher("Harbour")
    summit, _ = publisher("Summit")
    valley, _ = publisher("Valley")
    for source in (harbour, summit):
        Follow.objects.create(user=alice, kind="publisher", key=str(source.pk))
    made = [make_article(f"Harbour {n}", harbour) for n in range(3)]
    made += [make_article(f"Summit {n}", summit) for n in range(2)]
    make_article("Valley news", valley)  # not followed: not in newsboat
    reading.mark(alice.pk, made[0], True)

    assert newsboat(tmp_path, live_server.url, "alice", secret) == "4 unread articles"
    feeds = feeds_in_cache(tmp_path)
    assert sorted(feeds.values()) == ["Harbour", "Summit"]
    assert all("/reader/atom/feed" in url for url in feeds)

    # Read two in daybook (the site, another app): newsboat shows it after a reload.
    reading.mark(alice.pk, made[1], True)
    reading.mark(alice.pk, made[3], True)
    assert newsboat(tmp_path, live_server.url, "alice", secret) == "2 unread articles"
    # And one marked unread again in daybook is unread in newsboat too.
    reading.mark(alice.pk, made[0], False)
    assert newsboat(tmp_path, live_server.url, "alice", secret) == "3 unread articles"


def test_newsboat_with_the_account_password_is_refused(live_server, tmp_path):
    from tests.community import PASSWORD

    alice, _ = reader_with_password("alice")
    harbour, _ = publisher("Harbour")
    Follow.objects.create(user=alice, kind="publisher", key=str(harbour.pk))
    make_article("Harbour 0", harbour)
    answer = newsboat(tmp_path, live_server.url, "alice", PASSWORD, ok=False)
    assert answer == "Authentication failed."
