"""The site's pages, through the real app: what a reader sees, the same data as
JSON, and what a cache or a browser may keep."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from daybook.community.models import Follow, Mute
from daybook.news.models import Article, Quote, Source, Story
from daybook.news.store import store_article
from daybook.web import views
from daybook.web.pages import _changes
from tests.news.test_store import OTHER, T0, WIRE, make

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "{#" not in page and "{%" not in page, "template syntax leaked into the page"
    return page


def test_home_ranks_stories_and_lists_latest_and_sections(client, news):
    page = html(client.get("/"))
    quake_story = news["quake"].story
    assert quake_story is not None and quake_story.publisher_count >= 2
    top = client.get("/?format=json").json()
    assert top["stories"][0]["id"] == quake_story.pk  # most publishers
    assert top["stories"][0]["publisher_count"] >= 2
    assert f'href="/stories/{quake_story.pk}/"' in page
    for publisher in top["stories"][0]["publishers"]:
        assert publisher["name"] in page, "the card names who covers the story"
    latest_ids = [a["id"] for a in top["articles"]]
    # The copy folds under its original; the original is in its story's card.
    assert news["copy"].pk not in latest_ids
    assert news["quake"].pk not in latest_ids
    assert "<time datetime=" in page


def test_story_page_shows_summary_timeline_coverage_entities_and_quotes(client, news):
    story = news["quake"].story
    page = html(client.get(f"/stories/{story.pk}/"))
    data = client.get(f"/stories/{story.pk}/?format=json").json()
    assert data["story"]["summary"], "combined summary"
    for line in data["story"]["summary"]:
        assert line["text"][:30] in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert {a["id"] for a in data["timeline"]} >= {news["quake"].pk, news["copy"].pk}
    assert len(data["coverage"]) == story.publisher_count
    assert data["entities"] and all(e["path"].startswith("/entities/") for e in data["entities"])
    assert any(group["speaker"] for group in data["quotes"])
    assert "Who said what" in page and "Coverage by publisher" in page


def test_an_unnamed_source_is_shown_as_the_article_describes_it(client, news):
    quake = news["quake"]
    Quote.objects.create(
        article=quake,
        text="The line will stay closed until the inspections are done",
        unnamed="two railway officials",
        position=99,
    )
    data = client.get(f"/articles/{quake.pk}/?format=json").json()
    [shown] = [q for q in data["ai"]["quotes"] if q["unnamed"]]
    assert shown == {
        "text": "The line will stay closed until the inspections are done",
        "paragraph": 0,
        "speaker": None,
        "unnamed": "two railway officials",
    }
    assert "two railway officials (unnamed)" in html(client.get(f"/articles/{quake.pk}/"))
    story = client.get(f"/stories/{quake.story_id}/?format=json").json()
    group = next(g for g in story["quotes"] if g["unnamed"])
    assert group["speaker"] is None and group["unnamed"] == "two railway officials"
    assert "Two railway officials" in html(client.get(f"/stories/{quake.story_id}/"))


def test_a_merged_story_redirects_to_the_story_it_joined(client, news):
    story = news["quake"].story
    old = Story.objects.create(title="old", merged_into=story)
    response = client.get(f"/stories/{old.pk}/")
    assert response.status_code == 301 and response["Location"] == f"/stories/{story.pk}/"


def test_article_page_has_what_a_reader_expects(client, news):
    quake = news["quake"]
    page = html(client.get(f"/articles/{quake.pk}/"))
    assert f"<h1>{quake.title}</h1>" in page.replace("&#x27;", "'")
    assert quake.source_id is not None
    assert f'href="/publishers/{quake.source_id}/"' in page
    moment = quake.published_at.isoformat()
    assert f'<time datetime="{moment}"' in page
    assert "min read" in page
    assert "AI features" in page and "Key points" in page and "Who said what" in page
    assert 'id="p0"' in page  # paragraphs addressable, as answers link to them
    data = client.get(f"/articles/{quake.pk}/?format=json").json()
    assert data["ai"]["summary"] and data["ai"]["key_points"] and data["ai"]["entities"]
    assert data["article"]["story"]["id"] == quake.story_id
    assert news["copy"].pk not in [a["id"] for a in data["related"]]
    assert data["related"] and "Related articles" in page


def test_a_wire_copy_shows_what_its_outlet_changed_and_the_original_who_republished(client, news):
    copy, original = news["copy"], news["quake"]
    assert copy.copy_of_id == original.pk
    page = html(client.get(f"/articles/{copy.pk}/"))
    assert "Republished wire copy" in page
    assert f'href="/articles/{original.pk}/"' in page
    data = client.get(f"/articles/{copy.pk}/?format=json").json()
    changes = data["republishing"]["changes"]
    kinds = {p["kind"] for p in changes["paragraphs"]}
    assert kinds & {"added", "cut", "edited"} and not changes["identical"]
    page = html(client.get(f"/articles/{original.pk}/"))
    assert "Republished by 1 other outlet" in page
    assert f'href="/articles/{copy.pk}/"' in page


def test_article_lang_is_set_and_japanese_displays(client):
    text = "東京都は二十日、新しい防災計画を発表した。\n\n計画は地震と洪水への備えを強める内容だ。"
    row = store_article(make("https://jp.example/a", text, title="東京都が新防災計画")).article
    page = html(client.get(f"/articles/{row.pk}/"))
    assert '<article class="article" lang="ja">' in page
    assert "東京都が新防災計画" in page and "計画は地震と洪水への備えを強める内容だ。" in page
    assert 'charset="utf-8"' in page


def test_hostile_article_fields_are_text_never_markup(client):
    row = store_article(
        make("https://evil.example/a", WIRE, title='<img src=x onerror="alert(1)">Rates')
    ).article
    Article.objects.filter(pk=row.pk).update(
        image="javascript:alert(1)", url="javascript:alert(2)", authors=["<script>x()</script>"]
    )
    page = html(client.get(f"/articles/{row.pk}/"))
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "javascript:" not in page
    assert "<script>x()" not in page
    assert re.search(r"<script>(?!</script>)\S", page) is None  # no inline script at all
    policy = client.get(f"/articles/{row.pk}/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_publisher_topic_and_entity_pages_paginate_by_cursor(client):
    rng = random.Random(7)
    vocab = [
        f"{a}{b}"
        for a in ("har", "fer", "orc", "gla", "lan", "mea", "qua", "vio")
        for b in ("bour", "ry", "chard", "cier", "tern", "dow", "rry", "lin")
    ]
    wire = Source.objects.create(name="Harbour Wire")
    rows = [
        store_article(
            make(
                f"https://wire.example/{i}",
                "\n\n".join(" ".join(rng.choices(vocab, k=60)) for _ in range(3)),
                T0 + timedelta(hours=i),
                title=f"Story {i}",
            ),
            source=wire,
        ).article
        for i in range(5)
    ]
    assert all(r.copy_of_id is None for r in rows)
    Article.objects.filter(pk__in=[r.pk for r in rows]).update(topics=["Economy", "Japan"])
    seen = []
    url = "/topics/Economy/?format=json&cursor="
    data = client.get("/topics/Economy/?format=json").json()
    seen += [a["id"] for a in data["articles"]]
    assert data["articles"][0]["title"] == "Story 4"
    while data["cursor"]:
        data = client.get(url + data["cursor"]).json()
        seen += [a["id"] for a in data["articles"]]
    assert sorted(seen) == sorted(r.pk for r in rows)
    assert client.get("/topics/Economy/?cursor=not-a-cursor").status_code == 400
    assert client.get("/topics/Nonsense/").status_code == 404
    publisher = html(client.get(f"/publishers/{wire.pk}/"))
    assert "Harbour Wire" in publisher and "Story 4" in publisher
    assert client.get("/publishers/99999/").status_code == 404
    assert client.get("/entities/99999/").status_code == 404


def test_search_finds_highlights_and_filters(client):
    store_article(make("https://wire.example/a", WIRE, title="Central bank holds rates"))
    store_article(make("https://wire.example/b", OTHER, T0 + timedelta(days=2), title="Other"))
    page = html(client.get("/search/?q=rates"))
    assert "<mark>" in page
    data = client.get("/search/?q=rates&format=json").json()
    assert data["total"] >= 1 and "<mark>" in data["hits"][0]["title_html"]
    later = client.get(f"/search/?q=rates&since={(T0 + timedelta(days=1)).date()}&format=json")
    assert later.json()["total"] < data["total"]
    assert client.get("/search/?q=rates&since=yesterday").status_code == 400
    assert client.get("/search/?q=rates&topic=Nope").status_code == 400
    assert html(client.get("/search/?q=%22%29%3B+DROP+TABLE+news_article%3B"))


@pytest.mark.django_db(transaction=True)  # the revision moves when a transaction commits
def test_anonymous_pages_validate_and_change_when_articles_land(client):
    store_article(make("https://wire.example/a", WIRE, title="First headline"))
    first = client.get("/")
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    store_article(
        make("https://paper.example/z", OTHER, T0 + timedelta(hours=5), title="Fresh one")
    )
    after = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and "Fresh one" in after.content.decode()


def test_a_readers_mutes_hide_articles_and_follows_fill_for_you(client):
    source = Source.objects.create(name="Harbour Wire")
    store_article(
        make("https://wire.example/a", WIRE, title="Central bank holds rates"), source=source
    )
    other = store_article(
        make(
            "https://paper.example/b", OTHER, T0 + timedelta(hours=1), title="Typhoon nears Okinawa"
        )
    )
    reader = get_user_model().objects.create_user("ana", password="a long pass phrase")
    Mute.objects.create(user=reader, kind="word", key="typhoon")
    client.force_login(reader)
    page = html(client.get("/"))
    assert "Central bank holds rates" in page and "Typhoon nears Okinawa" not in page
    anonymous = html(type(client)().get("/"))
    assert "Typhoon nears Okinawa" in anonymous  # the shared cache is untouched
    Follow.objects.create(user=reader, kind="publisher", key=str(source.pk))
    page = html(client.get("/"))
    assert "For you" in page
    assert other.article.pk


def test_ask_answers_in_place_as_html_fragment_and_json(client, news):
    quake = news["quake"]
    data = client.get(
        f"/articles/{quake.pk}/ask", {"q": "How strong was the quake?", "format": "json"}
    )
    assert data.status_code == 200 and data.json()["sentences"]
    fragment = client.get(
        f"/articles/{quake.pk}/ask", {"q": "How strong was the quake?"}, HTTP_HX_REQUEST="true"
    )
    body = fragment.content.decode()
    assert fragment.status_code == 200 and body.lstrip().startswith('<div class="answer"')
    assert client.get(f"/articles/{quake.pk}/ask", {"q": ""}).status_code == 400
    assert client.get("/articles/999999/ask", {"q": "what?"}).status_code == 404
    story = quake.story_id
    assert client.get(
        f"/stories/{story}/ask", {"q": "Where was the quake?", "format": "json"}
    ).json()["sentences"]


def test_changes_print_back_to_back_with_spaces_only_where_the_text_has_them():
    english = _changes("The bank held rates on Monday.", "The central bank held rates on Friday.")
    spans = english["paragraphs"][0]["spans"]
    assert "".join(s["text"] for s in spans).strip().startswith("The central bank held rates on")
    assert all(s["text"].endswith(" ") for s in spans[:-1])
    japanese = _changes("東京都は二十日、計画を発表した。", "東京都は二十一日、計画を発表した。")
    spans = japanese["paragraphs"][0]["spans"]
    assert [s["kind"] for s in spans] == ["same", "added", "same"]
    assert "".join(s["text"] for s in spans) == "東京都は二十一日、計画を発表した。"


def test_a_waiting_message_is_shown_not_hidden_behind_a_304(client):
    store_article(make("https://wire.example/a", WIRE, title="First headline"))
    etag = client.get("/")["ETag"]
    request = RequestFactory().get("/", HTTP_IF_NONE_MATCH=etag)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.info(request, "You have signed out.")
    response = views.home(request)
    assert response.status_code == 200 and "You have signed out." in response.content.decode()
    assert not response.has_header("ETag")  # this page is not the one everyone gets
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 304
