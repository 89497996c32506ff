"""`daybook demo` ends with the whole site running, and its demo reader can sign in."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx

from daybook.demo.dating import Shift
from daybook.demo.server import CorpusServer
from daybook.pipeline.feeds import parse_feed
from tests.conftest import daybook_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_the_site_and_prints_a_reader_who_can_sign_in(new_database, tmp_path):
    port = free_port()
    env = daybook_env(new_database()) | {"DAYBOOK_DATA_DIR": str(tmp_path)}
    demo = subprocess.Popen(
        [sys.executable, "-m", "daybook", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        credentials = None
        assert demo.stdout is not None
        for line in demo.stdout:
            found = re.search(r"sign in as '(\w+)' with password '([\w-]+)'", line)
            if found:
                credentials = found.groups()
            if "is running on" in line:
                break
        assert credentials, "the demo printed its reader"
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(100):
                try:
                    home = client.get("/")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert home.status_code == 200 and "Top stories" in home.text
            assert 'class="story-card' in home.text
            # Today's news on any day: the front page leads with stories many
            # publishers cover, hours old, not with a one-publisher story.
            top = client.get("/?format=json").json()["stories"]
            assert top and all(s["latest"] for s in top)
            assert datetime.now(UTC) - datetime.fromisoformat(top[0]["latest"]) < timedelta(days=2)
            assert [s["publisher_count"] >= 3 for s in top[:3]] == [True] * 3, top[:3]
            # Pictures, through daybook's own /media/ (the corpus sites draw them).
            picture = re.search(r'<img class="thumb" src="(/media/[^"]+)"', home.text)
            assert picture, "the front page shows a picture"
            shown = client.get(picture[1])
            assert shown.status_code == 200 and shown.headers["content-type"] == "image/webp"
            form = client.get("/accounts/signin/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
            assert token
            name, password = credentials
            signed = client.post(
                "/accounts/signin/",
                data={"username": name, "password": password, "csrfmiddlewaretoken": token[1]},
                headers={"Referer": base + "/accounts/signin/"},
            )
            assert signed.status_code == 302
            assert client.get("/saved/").status_code == 200  # signed in
            # Static files were collected under hashed names: cached for good.
            hashed = re.search(r'href="(/static/web/site\.[0-9a-f]{12}\.css)"', home.text)
            assert hashed, "the page links the hashed stylesheet"
            css = client.get(hashed[1])
            assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    finally:
        demo.terminate()
        demo.wait(timeout=60)


def test_the_demo_corpus_is_served_as_todays_news():
    """Every date the demo serves moves by one offset: the newest item is a few hours
    old, gaps between items stay, and dated URL paths still lead to their pages."""
    now = datetime.now(UTC)
    with CorpusServer() as plain, CorpusServer(to_now=True) as moved:
        offset = moved.shift.offset
        assert offset > timedelta(days=1), "the corpus was written in the past"
        newest = []
        for before, after in zip(plain.sites, moved.sites, strict=True):
            home = httpx.get(after.local + "/", timeout=10).text
            link = re.search(
                r'<link rel="alternate" type="[^"]+" title="[^"]*" href="([^"]+)"', home
            )
            if link is None:
                continue
            path = link[1].removeprefix(after.local)
            old = parse_feed(httpx.get(before.local + path).content, url=before.local).entries
            new = parse_feed(httpx.get(after.local + path).content, url=after.local).entries
            assert len(old) == len(new) > 0
            for a, b in zip(old, new, strict=True):
                if a.published is None:  # the corpus has undated items, on purpose
                    assert b.published is None
                else:
                    assert b.published - a.published == offset, (after.slug, a.title)
                # Dated URL paths stay: every page answers as it does unmoved (the
                # corpus has missing pages on purpose).
                assert a.url and b.url
                assert httpx.get(b.url).status_code == httpx.get(a.url).status_code, b.url
            newest.extend(e.published for e in new if e.published)
        assert len(newest) >= 6, "the publishers' feeds were read"
        age = now - max(newest)
        assert timedelta(hours=2) < age < timedelta(hours=4), age


def test_a_date_moves_once_in_every_form_the_corpus_writes():
    shift = Shift(timedelta(days=11, hours=5, minutes=30))
    body = (
        b"<pubDate>Sun, 22 Nov 2026 09:40:00 +0000</pubDate>"
        b' content="2026-11-20T16:50:00+09:00" <updated>2026-11-21T17:35:00Z</updated>'
        b" 18 Nov 2026 | November 30, 2026 | Nov 20, 2026 | 2026-11-16 |"
        b' href="/tech/2026-11-16/a.html" | since August 20'
    )
    assert shift.apply(body) == (
        b"<pubDate>Thu, 03 Dec 2026 15:10:00 +0000</pubDate>"
        b' content="2026-12-01T22:20:00+09:00" <updated>2026-12-02T23:05:00Z</updated>'
        b" 29 Nov 2026 | December 11, 2026 | Dec 1, 2026 | 2026-11-27 |"
        b' href="/tech/2026-11-16/a.html" | since August 20'
    )
