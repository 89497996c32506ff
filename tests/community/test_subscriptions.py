"""Subscriptions on the web: a reader adds a site or a feed by URL (found through the
safe fetcher, from a real server on 127.0.0.1), imports and exports OPML; hostile or
disallowed input gets a clear message and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from daybook.community.models import Follow
from daybook.news.models import Feed, Source
from daybook.pipeline.opml import parse_opml
from tests.community import make_user
from tests.servers import serve

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Post</title>
<link>{base}/</link><description>x</description></channel></rss>"""
HOME = """<html><head><title>Harbour Post</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>"""


def site_routes() -> dict[str, Any]:
    """A publisher's site on 127.0.0.1: a home page naming its feed, and the feed."""
    return {
        "/": lambda request: (200, {"Content-Type": "text/html"}, HOME),
        "/feed.xml": lambda request: (
            200,
            {"Content-Type": "application/rss+xml"},
            FEED.format(base=f"http://{request.headers['host']}"),
        ),
    }


@pytest.fixture
def site(settings):
    routes = site_routes()
    with serve(routes) as server:
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset({server.host_port})
        settings.DAYBOOK_HOST_DELAY = 0.0
        yield server


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def followed(user) -> set[str]:
    return set(Follow.objects.filter(user=user, kind="publisher").values_list("key", flat=True))


def test_a_reader_adds_a_site_by_its_address_and_follows_it(client, alice, site):
    response = client.post("/subscriptions/add", {"url": site.url("/")}, follow=True)
    assert messages_of(response) == ["Following Harbour Post."]
    feed = Feed.objects.get()
    assert feed.url == site.url("/feed.xml")
    assert followed(alice) == {str(feed.source_id)}
    assert "Harbour Post" in response.content.decode()
    # The same feed again, by its own URL: followed already, nothing new stored.
    client.post("/subscriptions/add", {"url": site.url("/feed.xml")}, follow=True)
    assert Feed.objects.count() == 1 and Source.objects.count() == 1


def test_addresses_the_operator_did_not_allow_are_refused(client, alice, site):
    for url in ("http://10.0.0.1/feed.xml", "file:///etc/passwd", "http://127.0.0.1:1/"):
        response = client.post("/subscriptions/add", {"url": url}, follow=True)
        [message] = messages_of(response)
        assert message.startswith(f"Could not add {url}:"), message
    assert not Feed.objects.exists() and not Follow.objects.exists()


def test_when_readers_may_not_add_sources_only_known_ones_are_followed(client, settings, site):
    settings.DAYBOOK_READERS_ADD_SOURCES = False
    reader = make_user("rita")
    client.force_login(reader)
    response = client.post("/subscriptions/add", {"url": site.url("/")}, follow=True)
    assert "ask the operator" in messages_of(response)[0]
    assert not Feed.objects.exists()
    client.force_login(make_user("sam", staff=True))
    client.post("/subscriptions/add", {"url": site.url("/")})
    assert Feed.objects.count() == 1
    client.force_login(reader)
    client.post("/subscriptions/add", {"url": site.url("/")})  # known now: followed
    assert followed(reader) == {str(Feed.objects.get().source_id)}


def test_opml_import_follows_its_feeds_and_export_gives_them_back(client, alice):
    known = Source.objects.create(name="Known")
    Feed.objects.create(source=known, url="https://known.example/feed.xml")
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body>
    <outline text="News"><outline text="Known" xmlUrl="https://known.example/feed.xml"/>
    <outline text="Fresh" title="Fresh" xmlUrl="https://fresh.example/rss"/></outline>
    <outline text="Not a feed" xmlUrl="javascript:alert(1)"/></body></opml>"""
    upload = SimpleUploadedFile("mine.opml", opml, content_type="text/x-opml")
    response = client.post("/subscriptions/import", {"opml": upload}, follow=True)
    assert messages_of(response) == ["Imported 2 feeds: 2 newly followed."]
    assert len(followed(alice)) == 2
    exported = client.get("/subscriptions.opml")
    assert exported["Content-Type"].startswith("text/x-opml")
    assert {o.url for o in parse_opml(exported.content)} == {
        "https://known.example/feed.xml",
        "https://fresh.example/rss",
    }


def test_hostile_opml_is_refused_and_stores_nothing(client, alice):
    bomb = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body>
    <outline text="&b;" xmlUrl="https://x.example/feed"/></body></opml>"""
    for name, data in (("bomb.opml", bomb), ("junk.opml", b"\x00\xffnot xml")):
        upload = SimpleUploadedFile(name, data, content_type="text/x-opml")
        response = client.post("/subscriptions/import", {"opml": upload}, follow=True)
        assert messages_of(response)[0].startswith("Could not read that file:")
    assert not Feed.objects.exists() and not Follow.objects.exists()


def test_signed_out_readers_are_sent_to_sign_in(client, site):
    response = client.post("/subscriptions/add", {"url": site.url("/")})
    assert response.status_code == 302 and "/accounts/signin/" in response["Location"]
    assert client.get("/subscriptions.opml").status_code == 302
    assert not Feed.objects.exists()
