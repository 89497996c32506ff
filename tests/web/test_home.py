from datetime import timedelta

import pytest

from daybook.news.store import store_article
from tests.news.test_store import OTHER, T0, WIRE, make

pytestmark = pytest.mark.django_db


def test_home_lists_originals_with_copies_folded_as_html_and_json(client):
    store_article(make("https://wire.example/a", WIRE, title="Rates <b>on</b> hold"))
    trimmed = "\n\n".join(WIRE.split("\n\n")[:4])
    store_article(make("https://paper.example/b", trimmed, T0 + timedelta(hours=1)))
    store_article(make("file:///home/me/saved.txt", OTHER, title="Saved capture"))
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Rates &lt;b&gt;on&lt;/b&gt; hold" in html  # escaped, never markup
    assert "republished by 1 other outlet" in html
    assert 'href="file:' not in html and "Saved capture" in html
    data = client.get("/?format=json").json()
    assert data["total"] == 3
    assert [row["title"] for row in data["articles"]].count("Rates <b>on</b> hold") == 1
    assert len(data["articles"]) == 2
