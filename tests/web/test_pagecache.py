"""Whole responses kept for readers who are not signed in (``web/pagecache.py``):
sent again without building anything, and never to anyone they were not made for."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
