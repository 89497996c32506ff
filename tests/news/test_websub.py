"""WebSub end to end: daybook served for real (pytest-django's live server), a feed
server and a hub on 127.0.0.1.

The hub takes subscribe requests as a real one does (202, verify later) and then,
when the test says so, does what a hub does next over HTTP: calls daybook's
callback with a challenge, and pushes signed copies of the feed. The test drives
the hub's calls itself so that only one thread uses the database at a time (the
SQLite test database is one in-memory connection shared with the live server).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from django.utils import timezone

from daybook.news import polling, schedule, tasks, websub
from daybook.news.models import Article, Entry, Feed, Source, WebSubSubscription
from daybook.pipeline.websub import ASKED_LEASE_SECONDS
from tests.servers import Request, Server, serve

pytestmark = pytest.mark.django_db(transaction=True)

State = WebSubSubscription.State
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}


def atom(site: Server, path: str, entries: list[str], *, hub: str | None) -> str:
    """An Atom feed whose entries link to pages on ``site`` (see ``page``)."""
    hub_link = f'<link rel="hub" href="{hub}"/>' if hub else ""
    items = "".join(
        f"""<entry><id>tag:metro.example,2025:{name}</id><title>Story {name}</title>
        <link href="{site.url(f"/{name}.html")}"/><updated>2025-11-0{index + 1}T09:00:00Z</updated>
        <summary>What happened in {name}.</summary></entry>"""
        for index, name in enumerate(entries)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>Metro Wire</title>
    <id>tag:metro.example,2025:{path}</id><updated>2025-11-03T09:00:00Z</updated>
    <link rel="self" href="{site.url(path)}"/>{hub_link}{items}</feed>"""


WORDS = (
    "harbour", "council", "ferry", "bridge", "school", "budget", "river", "festival",
    "railway", "clinic", "library", "market", "airport", "stadium", "museum", "tunnel",
    "reservoir", "orchard", "factory", "university",
)  # fmt: skip


def page(name: str) -> str:
    """An article page, its words chosen by ``name`` so no two pages are copies."""
    seed = hashlib.sha256(name.encode()).digest()
    paragraphs = "".join(
        f"<p>In {name}, the {WORDS[seed[n] % len(WORDS)]} and the "
        f"{WORDS[seed[n + 8] % len(WORDS)]} were discussed for {seed[n + 16]} minutes on "
        f"day {n}; officials said the {WORDS[seed[n + 24] % len(WORDS)]} plan "
        f"{name}-{seed[n]}-{n} would be decided before the {WORDS[(seed[n] + n) % len(WORDS)]} "
        f"reopens, and residents number {seed[n] * 37 + n} signed a letter.</p>"
        for n in range(6)
    )
    return f"""<!doctype html><html><head><meta charset="utf-8">
    <title>Story {name} - Metro Wire</title></head><body><article>
    <h1>Story {name}</h1>{paragraphs}</article></body></html>"""


@dataclass
class Site:
    """The publisher: feeds whose text the test may change, and the article pages."""

    feeds: dict[str, str] = field(default_factory=dict)
    link_headers: dict[str, str] = field(default_factory=dict)

    def route(self, request: Request) -> tuple[int, dict[str, str], str]:
        path = request.path.split("?")[0]
        if path in self.feeds:
            headers = dict(ATOM)
            if path in self.link_headers:
                headers["Link"] = self.link_headers[path]
            return 200, headers, self.feeds[path]
        if path.endswith(".html"):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page(path[1:-5])
        return 404, {}, "not found"


class Hub:
    """A WebSub hub: it records subscription requests, and calls callbacks."""

    def __init__(self, server: Server, client: httpx.Client) -> None:
        self.server = server
        self.client = client
        self.url = server.url("/hub")

    def requests(self) -> list[dict[str, str]]:
        """The forms of the requests it received, in order."""
        return [
            dict(parse_qsl(request.body.decode()))
            for request in self.server.requests
            if request.method == "POST"
        ]

    def verify(self, form: dict[str, str], **changes: str | None) -> httpx.Response:
        """Verify the intent of ``form`` (a request it received) at its callback."""
        params: dict[str, str | None] = {
            "hub.mode": form["hub.mode"],
            "hub.topic": form["hub.topic"],
            "hub.challenge": secrets.token_urlsafe(24),
        }
        if form["hub.mode"] == "subscribe":
            params["hub.lease_seconds"] = "86400"
        params.update(changes)
        sent = {name: value for name, value in params.items() if value is not None}
        return self.client.get(form["hub.callback"], params=sent)

    def push(
        self,
        form: dict[str, str],
        body: str | bytes,
        *,
        secret: str | None = None,
        algorithm: str = "sha256",
        signature: str | None = None,
        callback: str | None = None,
    ) -> httpx.Response:
        """POST ``body`` to the callback, signed with the subscription's secret (or
        ``secret``, or the literal ``signature`` header; "" sends none)."""
        data = body.encode() if isinstance(body, str) else body
        key = (secret or form["hub.secret"]).encode()
        header = f"{algorithm}=" + hmac.new(key, data, algorithm).hexdigest()
        headers = dict(ATOM)
        if signature != "":
            headers["X-Hub-Signature"] = signature or header
        return self.client.post(callback or form["hub.callback"], content=data, headers=headers)


@dataclass
class World:
    site: Site
    site_server: Server
    hub: Hub
    client: httpx.Client
    base: str

    def add_feed(self, path: str = "/feed.xml") -> Feed:
        """A feed (with no entries yet) that names the hub."""
        self.site.feeds[path] = atom(self.site_server, path, [], hub=self.hub.url)
        source, _ = Source.objects.get_or_create(name="Metro Wire")
        return Feed.objects.create(source=source, url=self.site_server.url(path))

    def poll(self, feed: Feed) -> None:
        """Poll ``feed`` now, running the subscribe task it submits at once."""
        claims = dict(schedule.claim_feeds(due_only=False))
        with tasks.in_process(["feeds"]):
            polling.poll(feed.pk, claims[feed.pk])

    def subscribed(self, feed: Feed) -> tuple[WebSubSubscription, dict[str, str]]:
        """Poll ``feed`` and let the hub verify: its active subscription, and the hub's form."""
        self.poll(feed)
        form = self.hub.requests()[-1]
        answer = self.hub.verify(form)
        assert answer.status_code == 200, answer.text
        return WebSubSubscription.objects.get(feed=feed), form

    def pushed(self, feed: Feed, entries: list[str]) -> str:
        """What the hub pushes for ``feed``: the feed with ``entries``."""
        return atom(self.site_server, feed.url[len(self.site_server.base_url) :], entries, hub=None)


@pytest.fixture
def world(live_server: Any, settings: Any) -> Iterator[World]:
    site = Site()
    with (
        serve(site.route) as site_server,
        serve({"/hub": (202, {}, "")}) as hub_server,
        httpx.Client(trust_env=False, timeout=30) as client,
    ):
        settings.DAYBOOK_PUBLIC_URL = live_server.url
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset({site_server.host_port, hub_server.host_port})
        settings.DAYBOOK_HOST_DELAY = 0.0
        settings.DAYBOOK_RESPECT_ROBOTS = False
        yield World(site, site_server, Hub(hub_server, client), client, live_server.url)


def nothing_stored() -> bool:
    return not Entry.objects.exists() and not Article.objects.exists()


# -- subscribing, verifying, pushing ----------------------------------------------------


def test_a_feed_naming_a_hub_is_subscribed_verified_and_pushed(world: World) -> None:
    feed = world.add_feed()
    world.poll(feed)

    row = WebSubSubscription.objects.get(feed=feed)
    assert (row.state, row.hub, row.topic) == (State.REQUESTED, world.hub.url, feed.url)
    [form] = world.hub.requests()
    assert form == {
        "hub.mode": "subscribe",
        "hub.topic": feed.url,
        "hub.callback": websub.callback_url(row),
        "hub.secret": row.secret,
        "hub.lease_seconds": str(ASKED_LEASE_SECONDS),
    }
    assert form["hub.callback"].startswith(f"{world.base}/websub/{row.pk}/")

    challenge = "a-challenge-only-the-hub-knows"
    answer = world.hub.verify(form, **{"hub.challenge": challenge})
    assert (answer.status_code, answer.text) == (200, challenge)
    assert answer.headers["content-type"].startswith("text/plain")
    row.refresh_from_db()
    assert (row.state, row.lease_seconds, row.error) == (State.ACTIVE, 86400, "")
    assert row.verified_at is not None and row.expires_at is not None
    assert row.expires_at - row.verified_at == timedelta(days=1)
    # The same verification again answers no request of ours.
    assert world.hub.verify(form).status_code == 404

    answer = world.hub.push(form, world.pushed(feed, ["a1", "a2"]))
    assert answer.status_code == 204, answer.text
    assert sorted(Entry.objects.values_list("entry_id", flat=True)) == [
        "tag:metro.example,2025:a1",
        "tag:metro.example,2025:a2",
    ]
    for entry in Entry.objects.all():  # the pages' tasks, run here
        assert polling.fetch_entry(entry.pk)["outcome"] == "new"
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Story a1", "Story a2"]
    assert all(article.feed_id == feed.pk for article in Article.objects.all())
    row.refresh_from_db()
    assert row.last_push_at is not None

    # The same push again stores nothing twice.
    assert world.hub.push(form, world.pushed(feed, ["a1", "a2"])).status_code == 204
    assert Article.objects.count() == 2 and not Entry.objects.exclude(pending={}).exists()

    # The next poll finds it subscribed and asks nothing of the hub.
    world.poll(feed)
    assert len(world.hub.requests()) == 1


def test_link_headers_name_the_hub_and_topic(world: World) -> None:
    feed = world.add_feed()
    world.site.feeds["/feed.xml"] = atom(world.site_server, "/feed.xml", [], hub=None)
    world.site.link_headers["/feed.xml"] = (
        f'<{world.hub.url}>; rel="hub", <https://metro.example/feed>; rel="self"'
    )
    world.poll(feed)
    [form] = world.hub.requests()
    assert form["hub.topic"] == "https://metro.example/feed"
    assert WebSubSubscription.objects.get(feed=feed).topic == "https://metro.example/feed"


def test_without_a_public_url_there_is_no_websub(world: World, settings: Any) -> None:
    settings.DAYBOOK_PUBLIC_URL = ""
    feed = world.add_feed()
    world.poll(feed)
    assert world.hub.requests() == [] and not WebSubSubscription.objects.exists()


def test_a_hub_on_a_private_address_is_not_asked_unless_allowed(
    world: World, settings: Any
) -> None:
    settings.DAYBOOK_ALLOWED_HOSTS = frozenset({world.site_server.host_port})
    feed = world.add_feed()
    world.poll(feed)
    row = WebSubSubscription.objects.get(feed=feed)
    assert row.state == State.REQUESTED and "BlockedAddress" in row.error
    assert world.hub.server.connections == 0


# -- what is refused --------------------------------------------------------------------


def test_pushes_that_are_not_signed_by_the_hub_are_refused(world: World) -> None:
    feed = world.add_feed()
    other = world.add_feed("/other.xml")
    row, form = world.subscribed(feed)
    other_row, _ = world.subscribed(other)
    body = world.pushed(feed, ["x1"])

    assert world.hub.push(form, body, signature="").status_code == 403
    assert world.hub.push(form, body, secret="not the secret").status_code == 403
    assert world.hub.push(form, body, secret=other_row.secret).status_code == 403
    assert world.hub.push(form, body, algorithm="md5").status_code == 403
    assert world.hub.push(form, body, signature="sha256=" + "0" * 64).status_code == 403
    assert world.hub.push(form, body, signature="sha256=not-hex").status_code == 403
    signed = "sha256=" + hmac.new(row.secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    assert world.hub.push(form, body + " ", signature=signed).status_code == 403
    assert nothing_stored()


def test_pushes_to_a_forged_callback_find_nothing(world: World) -> None:
    feed = world.add_feed()
    other = world.add_feed("/other.xml")
    row, form = world.subscribed(feed)
    _, other_form = world.subscribed(other)
    body = world.pushed(feed, ["x1"])
    token = form["hub.callback"].rsplit("/", 1)[1]
    other_token = other_form["hub.callback"].rsplit("/", 1)[1]

    forged = [
        f"{world.base}/websub/{row.pk}/{'0' * 64}",
        f"{world.base}/websub/{row.pk}/{other_token}",  # a real token, of another subscription
        f"{world.base}/websub/{row.pk}/{token[:-1]}",
        f"{world.base}/websub/{row.pk}/{token}x",
        f"{world.base}/websub/{row.pk}/%C3%A9{token[2:]}",
        f"{world.base}/websub/{row.pk + 1000}/{token}",
        f"{world.base}/websub/{10**30}/{token}",
        f"{world.base}/websub/{row.pk}",
    ]
    for callback in forged:
        assert world.hub.push(form, body, callback=callback).status_code == 404, callback
        answer = world.hub.verify({**form, "hub.callback": callback})
        assert answer.status_code == 404, callback
    assert nothing_stored()


def test_an_oversized_push_is_refused_even_signed(world: World, settings: Any) -> None:
    feed = world.add_feed()
    _, form = world.subscribed(feed)
    body = world.pushed(feed, ["x1", "x2", "x3"])
    settings.DAYBOOK_FETCH_MAX_BYTES = len(body.encode()) - 1
    assert world.hub.push(form, body).status_code == 413
    assert nothing_stored()


def test_a_push_before_verification_or_for_a_feed_turned_off_is_refused(world: World) -> None:
    feed = world.add_feed()
    world.poll(feed)
    [form] = world.hub.requests()
    body = world.pushed(feed, ["x1"])
    assert world.hub.push(form, body).status_code == 403  # requested, not yet verified
    assert world.hub.verify(form).status_code == 200
    Feed.objects.filter(pk=feed.pk).update(active=False)
    assert world.hub.push(form, body).status_code == 410
    assert nothing_stored()


def test_a_signed_push_that_is_no_feed_is_acknowledged_and_stores_nothing(world: World) -> None:
    feed = world.add_feed()
    _, form = world.subscribed(feed)
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><feed>&b;</feed>'
    )
    for body in ["<html><body>not a feed</body></html>", hostile, b"\xff\xfe\x00junk", ""]:
        assert world.hub.push(form, body).status_code == 202
    assert nothing_stored()
    assert WebSubSubscription.objects.get(feed=feed).error.startswith("unreadable push")


def test_a_verification_that_answers_no_request_of_ours_changes_nothing(world: World) -> None:
    feed = world.add_feed()
    world.poll(feed)
    [form] = world.hub.requests()
    before = WebSubSubscription.objects.filter(feed=feed).values().get()

    wrong = [
        {"hub.topic": "https://metro.example/another-feed"},
        {"hub.topic": feed.url + "/"},
        {"hub.mode": "unsubscribe"},
        {"hub.mode": "publish"},
        {"hub.challenge": None},
        {"hub.challenge": "x" * 2000},
        {"hub.lease_seconds": "forever"},
    ]
    for changes in wrong:
        assert world.hub.verify(form, **changes).status_code == 404, changes
    assert world.client.post(form["hub.callback"]).status_code == 403  # no signature either
    assert world.client.delete(form["hub.callback"]).status_code == 405
    assert WebSubSubscription.objects.filter(feed=feed).values().get() == before


def test_a_denial_is_recorded_with_its_reason(world: World) -> None:
    feed = world.add_feed()
    world.poll(feed)
    [form] = world.hub.requests()
    denied = {"hub.mode": "denied", "hub.challenge": None, "hub.reason": "topic not allowed"}
    assert world.hub.verify(form, **denied).status_code == 200
    row = WebSubSubscription.objects.get(feed=feed)
    assert (row.state, row.error) == (State.DENIED, "denied by the hub: topic not allowed")
    # The next poll does not ask again at once: a denial stands for a while.
    world.poll(feed)
    assert len(world.hub.requests()) == 1
    assert world.hub.verify(form).status_code == 404


# -- leases -----------------------------------------------------------------------------


def test_a_lease_about_to_end_is_renewed_by_the_tick(world: World) -> None:
    feed = world.add_feed()
    row, form = world.subscribed(feed)
    now = timezone.now()
    WebSubSubscription.objects.filter(pk=row.pk).update(
        requested_at=now - timedelta(hours=23, minutes=40),
        verified_at=now - timedelta(hours=23, minutes=30),
        expires_at=now + timedelta(minutes=30),
    )
    with tasks.in_process(["feeds"]):
        schedule.tick()
    assert len(world.hub.requests()) == 2
    renewal = world.hub.requests()[-1]
    # Same callback and secret: the hub renews the subscription it has.
    assert renewal == form
    with tasks.in_process(["feeds"]):
        assert websub.renew_due() == 0  # asked already: not again on the next tick

    answer = world.hub.verify(renewal, **{"hub.lease_seconds": "172800"})
    assert answer.status_code == 200
    row.refresh_from_db()
    assert (row.state, row.lease_seconds) == (State.ACTIVE, 172800)
    assert row.expires_at is not None and row.expires_at > now + timedelta(days=1, hours=23)
    # Pushes signed with the secret the hub holds still arrive.
    assert world.hub.push(form, world.pushed(feed, ["r1"])).status_code == 204


def test_a_lease_far_from_its_end_is_left_alone(world: World) -> None:
    feed = world.add_feed()
    world.subscribed(feed)
    with tasks.in_process(["feeds"]):
        assert websub.renew_due() == 0
    assert len(world.hub.requests()) == 1


def test_a_feed_that_drops_its_hub_is_unsubscribed(world: World) -> None:
    feed = world.add_feed()
    row, form = world.subscribed(feed)
    world.site.feeds["/feed.xml"] = atom(world.site_server, "/feed.xml", [], hub=None)
    world.poll(feed)

    row.refresh_from_db()
    assert row.state == State.UNSUBSCRIBED
    request = world.hub.requests()[-1]
    assert request == {
        "hub.mode": "unsubscribe",
        "hub.topic": form["hub.topic"],
        "hub.callback": form["hub.callback"],
    }
    assert world.hub.push(form, world.pushed(feed, ["u1"])).status_code == 403
    assert world.hub.verify(form).status_code == 404  # a subscribe we did not ask for
    assert world.hub.verify(request).status_code == 200
    assert nothing_stored()

    # Named again: a new subscription, with a new secret and a new callback.
    world.site.feeds["/feed.xml"] = atom(world.site_server, "/feed.xml", [], hub=world.hub.url)
    world.poll(feed)
    again = world.hub.requests()[-1]
    assert again["hub.mode"] == "subscribe"
    assert again["hub.secret"] != form["hub.secret"]
    assert again["hub.callback"] != form["hub.callback"]
    assert world.hub.verify(form).status_code == 404  # the old callback is gone
    assert world.hub.verify(again).status_code == 200
