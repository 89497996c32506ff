"""Whole responses kept for readers who are not signed in (``web/pagecache.py``):
sent again without building anything, and never to anyone they were not made for."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from daybook.community.models import Mute
from daybook.news.models import Article, Source
from daybook.news.store import store_article
from tests.news.test_store import OTHER, T0, WIRE, make

pytestmark = pytest.mark.django_db(transaction=True)  # revisions move on commit


@pytest.fixture
def stored() -> None:
    store_article(make("https://wire.example/a", WIRE, title="First headline"))


def queries(client, path: str, **headers: str) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_shared_page_is_sent_again_reading_only_the_revision(client, stored):
    first, built = queries(client, "/")
    again, read = queries(client, "/")
    assert first.status_code == again.status_code == 200
    assert len(built) > 3, "the first request builds the page"
    assert len(read) == 1 and "news_revision" in read[0], read
    assert again.content == first.content
    for header in ("ETag", "Last-Modified", "Content-Security-Policy", "Vary", "Cache-Control"):
        assert again[header] == first[header]
    unchanged, _ = queries(client, "/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and not unchanged.content
    assert unchanged["ETag"] == first["ETag"] and "Cookie" in unchanged["Vary"]


def test_new_content_replaces_the_kept_page(client, stored):
    assert "Fresh one" not in client.get("/").content.decode()
    store_article(make("https://paper.example/z", OTHER, T0, title="Fresh one"))
    assert "Fresh one" in client.get("/").content.decode()


def test_the_json_twin_is_kept_apart_from_the_html(client, stored):
    page = client.get("/")
    data = client.get("/?format=json")
    accept = client.get("/", HTTP_ACCEPT="application/json")
    assert page["Content-Type"].startswith("text/html")
    assert data["Content-Type"] == accept["Content-Type"] == "application/json"
    assert client.get("/").content == page.content


def test_a_signed_in_reader_never_gets_the_kept_page(client, stored):
    anonymous = client.get("/").content.decode()
    reader = get_user_model().objects.create_user("mika", password="long enough pass 1")
    client.force_login(reader)
    mine, built = queries(client, "/")
    assert "Sign out" in mine.content.decode() and "Sign out" not in anonymous
    assert len(built) > 1, "built for the reader, not sent from the store"
    assert mine["Cache-Control"] == "private, no-cache"


@pytest.fixture
def reader(client, stored):
    user = get_user_model().objects.create_user("mika", password="long enough pass 1")
    client.force_login(user)
    return user


def test_a_readers_page_is_sent_again_while_nothing_of_theirs_changed(client, reader):
    client.get("/")  # the session is confirmed signed in
    first, _ = queries(client, "/")
    again, read = queries(client, "/")
    assert again.content == first.content and "Sign out" in again.content.decode()
    assert len(read) <= 2, read  # the revisions, nothing built
    assert again["Cache-Control"] == "private, no-cache"


def test_what_a_reader_does_shows_on_their_next_page(client, reader):
    source = Source.objects.create(name="Harbour Wire")
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(source=source)
    path = f"/publishers/{source.pk}/"
    client.get(path)
    client.get(path)
    assert 'data-read="false"' in client.get(path).content.decode()
    assert client.get(f"/articles/{article.pk}/").status_code == 200  # opening reads it
    assert 'data-read="true"' in client.get(path).content.decode()
    client.post(f"/articles/{article.pk}/read", {"read": "0"})
    assert 'data-read="false"' in client.get(path).content.decode()
    Mute.objects.create(user=reader, kind="word", key="headline")  # the admin, an app
    assert article.title not in client.get(path).content.decode()


def test_a_readers_page_goes_to_no_one_else(client, reader):
    client.get("/")
    client.get("/")
    mine = client.get("/").content.decode()
    client.logout()
    assert "Sign out" not in client.get("/").content.decode()
    other = get_user_model().objects.create_user("noor", password="long enough pass 2")
    client.force_login(other)
    client.get("/")
    theirs = client.get("/").content.decode()
    assert "mika" in mine and "mika" not in theirs and "noor" in theirs
