"""The news API against the site's own pages: the same builders, so the same data,
plus cursor paging, errors and caching that API clients rely on."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from daybook.ai.embed import load_embedder
from daybook.news.enrich import Enricher
from daybook.news.models import Article, ArticleEntity, Entity, Source, Story
from daybook.news.store import store_article
from daybook.web import pages
from tests.news.test_enrich import FLU, GDP, QUAKE, QUAKE_COPY, STRANDED, store
from tests.news.test_store import T0, WIRE, make

pytestmark = pytest.mark.django_db

VOCABULARY = """
    harbour council budget rail station river school hospital festival market bridge
    museum airport storm harvest factory election court library stadium tunnel ferry
    parliament village island mountain forest shrine temple bakery orchestra tram
"""
WORDS = VOCABULARY.split()


def text(n: int) -> str:
    """An article body no other ``text(m)`` is a near-duplicate of."""
    rng = random.Random(n)
    return "\n\n".join(" ".join(rng.choices(WORDS, k=45)) + "." for _ in range(4))


def articles(count: int, source: Source | None = None, start: int = 0) -> list[Article]:
    """``count`` originals; every three share a publication time, to page through ties."""
    return [
        store_article(
            make(
                f"https://paper.example/{i}",
                text(i),
                T0 - timedelta(hours=i // 3),
                title=f"Report {i}",
            ),
            source=source,
        ).article
        for i in range(start, start + count)
    ]


def newest_first(rows: list[Article]) -> list[int]:
    return [a.pk for a in sorted(rows, key=lambda a: (a.published_at, a.pk), reverse=True)]


def walk(client, url: str) -> list[int]:
    """Every id on every page, following each answer's ``next`` link."""
    seen: list[int] = []
    while url:
        data = client.get(url).json()
        seen += [a["id"] for a in data["articles"]]
        url = data["next"]
    return seen


@pytest.fixture
def news() -> dict[str, Article]:
    """Five corpus articles (a quake, its wire copy, a follow-up, two others), enriched."""
    keys = {"quake": QUAKE, "copy": QUAKE_COPY, "stranded": STRANDED, "gdp": GDP, "flu": FLU}
    stored = {name: store(key) for name, key in keys.items()}
    Enricher(load_embedder("wordllama")).run()
    return {name: Article.objects.get(pk=a.pk) for name, a in stored.items()}


def _built(data: dict) -> dict:
    """``data`` without when it was built (pages and the API build theirs apart, so
    their "as of" differs by the time between the two), once that is a real time."""
    if "as_of" in data:
        assert datetime.fromisoformat(data.pop("as_of")).tzinfo is not None
    return data


def page_json(client, path: str, **params: str) -> dict:
    response = client.get(path, {**params, "format": "json"})
    assert response.status_code == 200, path
    return _built(response.json())


def api_json(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return _built(response.json())


def test_article_story_and_related_are_the_pages_data(client, news):
    quake, copy = news["quake"], news["copy"]
    for row in (quake, copy):
        page = page_json(client, f"/articles/{row.pk}/")
        page.pop("comments")
        data = api_json(client, f"/api/articles/{row.pk}")
        assert data == page
        assert data == pages.article(row.pk)
        related = api_json(client, f"/api/articles/{row.pk}/related")
        assert related == {"articles": page["related"]}
    assert api_json(client, f"/api/articles/{copy.pk}")["republishing"]["original"]["id"] == (
        quake.pk
    )

    story = quake.story
    assert story is not None
    page = page_json(client, f"/stories/{story.pk}/")
    page.pop("comments")
    assert api_json(client, f"/api/stories/{story.pk}") == page
    assert {a["id"] for a in page["timeline"]} >= {quake.pk, copy.pk}

    merged = Story.objects.create(title="an older thread", merged_into=story)
    assert api_json(client, f"/api/stories/{merged.pk}") == page  # follows the merge

    home = page_json(client, "/")
    assert api_json(client, "/api/stories") == {"stories": home["stories"]}
    assert home["stories"][0]["id"] == story.pk


def test_publishers_topics_entities_and_search_are_the_pages_data(client, news):
    source = Source.objects.create(name="Harbour Times", site_url="https://harbour.example/")
    rows = articles(3, source=source)
    Article.objects.filter(pk__in=[r.pk for r in rows]).update(topics=["Economy", "Japan"])

    assert api_json(client, "/api/publishers") == page_json(client, "/publishers/")
    assert api_json(client, f"/api/publishers/{source.pk}") == page_json(
        client, f"/publishers/{source.pk}/"
    )
    assert api_json(client, "/api/topics") == page_json(client, "/topics/")
    for name in ("Economy", "Middle East"):
        assert api_json(client, f"/api/topics/{name}") == page_json(client, f"/topics/{name}/")

    mentioned = ArticleEntity.objects.filter(article__copy_of=None).first()
    assert mentioned is not None, "enrichment found entities"
    entity = mentioned.entity_id
    data = api_json(client, f"/api/entities/{entity}")
    assert data == page_json(client, f"/entities/{entity}/")
    mentioning = ArticleEntity.objects.filter(entity=entity, article__copy_of=None)
    assert {a["id"] for a in data["articles"]} == set(mentioning.values_list("article", flat=True))

    query = {"q": "earthquake", "order": "date"}
    data = client.get("/api/search", query).json()
    assert data == page_json(client, "/search/", **query)
    assert (
        data["total"] >= 1
        and "<mark>" in data["hits"][0]["snippet_html"] + data["hits"][0]["title_html"]
    )
    assert client.get("/api/search").json() == {
        "query": None,
        "hits": [],
        "total": 0,
        "ranked": None,
        "page": 1,
        "pages": 0,
    }


def test_ask_about_an_article_and_a_story(client, news):
    quake = news["quake"]
    question = {"q": "How strong was the earthquake?"}
    data = api_json(client, f"/api/articles/{quake.pk}/ask?q={question['q']}")
    assert data == client.get(f"/articles/{quake.pk}/ask", {**question, "format": "json"}).json()
    assert data["sentences"] and data["sentences"][0]["article"] == quake.pk
    story = api_json(client, f"/api/stories/{quake.story_id}/ask?q={question['q']}")
    assert {s["article"] for s in story["sentences"]} <= set(
        Article.objects.filter(story=quake.story_id).values_list("pk", flat=True)
    )
    empty = client.get(f"/api/articles/{quake.pk}/ask?q=%20")
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    assert client.get("/api/articles/999999/ask", question).status_code == 404
    assert client.get("/api/stories/999999/ask", question).status_code == 404


def test_articles_are_originals_newest_first_and_filtered(client):
    source = Source.objects.create(name="Harbour Times")
    mine = articles(4, source=source)
    others = articles(3, start=10)
    original = store_article(make("https://wire.example/a", WIRE, T0 + timedelta(days=1))).article
    trimmed = "\n\n".join(WIRE.split("\n\n")[:4])
    copy = store_article(make("https://copy.example/b", trimmed, T0 + timedelta(days=2))).article
    assert copy.copy_of_id == original.pk

    data = api_json(client, "/api/articles")
    assert [a["id"] for a in data["articles"]] == newest_first([*mine, *others, original])
    assert data["next"] is None and data["cursor"] is None
    assert data["articles"][0] == pages.card(Article.objects.get(pk=original.pk))

    by_source = api_json(client, f"/api/articles?publisher={source.pk}")
    assert [a["id"] for a in by_source["articles"]] == newest_first(mine)
    Article.objects.filter(pk=others[0].pk).update(topics=["Sports", "Europe"])
    by_topic = api_json(client, "/api/articles?topic=Sports")
    assert [a["id"] for a in by_topic["articles"]] == [others[0].pk]
    bad = client.get("/api/articles?topic=Nope")
    assert bad.status_code == 400 and "Nope" in bad.json()["detail"]


def test_cursor_pages_have_no_repeats_or_gaps_even_as_news_arrives(client):
    rows = articles(13)
    first = api_json(client, "/api/articles?limit=4")
    assert len(first["articles"]) == 4 and first["cursor"]
    assert first["next"] == f"/api/articles?limit=4&cursor={first['cursor']}"
    store_article(make("https://late.example/x", text(99), T0 + timedelta(days=1)))  # lands on top
    seen = [a["id"] for a in first["articles"]] + walk(client, first["next"])
    assert seen == newest_first(rows)
    assert len(set(seen)) == len(seen) == 13


def test_publisher_topic_and_entity_lists_page_by_cursor(client):
    source = Source.objects.create(name="Harbour Times")
    rows = articles(7, source=source)
    Article.objects.filter(pk__in=[r.pk for r in rows]).update(topics=["World"])
    entity = Entity.objects.create(name="Harbour Council", kind="organisation")
    ArticleEntity.objects.bulk_create(ArticleEntity(article=r, entity=entity) for r in rows)
    for base in (f"/api/publishers/{source.pk}", "/api/topics/World", f"/api/entities/{entity.pk}"):
        seen: list[int] = []
        data = api_json(client, f"{base}?limit=3")
        while True:
            seen += [a["id"] for a in data["articles"]]
            if not data["cursor"]:
                break
            data = api_json(client, f"{base}?limit=3&cursor={data['cursor']}")
        assert seen == newest_first(rows), base


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles?cursor=not-a-cursor",
        "/api/articles?cursor=MjAyNi0xMS0yMFQwMzowMDowMHwx",  # a naive time
        "/api/articles?limit=101",
        "/api/articles?limit=0",
        "/api/articles?limit=ten",
        "/api/articles?publisher=first",
        "/api/topics/World?cursor=%00",
        "/api/search?q=rates&since=yesterday",
        "/api/search?q=rates&page=two",
        "/api/search?q=rates&topic=Nope",
        "/api/search?q=rates&order=random",
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(client, path):
    response = client.get(path)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


def test_bad_cursor_on_every_listing(client):
    source = Source.objects.create(name="Harbour Times")
    entity = Entity.objects.create(name="Harbour Council", kind="organisation")
    for path in (f"/api/publishers/{source.pk}", "/api/topics/World", f"/api/entities/{entity.pk}"):
        response = client.get(path, {"cursor": "bm90IGEgY3Vyc29y"})
        assert response.status_code == 400, path
        assert "cursor" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/999999",
        "/api/articles/999999/related",
        "/api/articles/999999/comments",
        "/api/stories/999999",
        "/api/stories/999999/comments",
        "/api/publishers/999999",
        "/api/topics/Nonsense",
        "/api/entities/999999",
    ],
)
def test_unknown_ids_are_404_with_a_detail(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No such")


@pytest.mark.django_db(transaction=True)  # the content revision moves on commit
def test_reads_revalidate_with_an_etag(client):
    articles(2)
    first = client.get("/api/articles")
    assert first["Cache-Control"] == "public, no-cache"
    etag = first["ETag"]
    assert etag
    again = client.get("/api/articles", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    store_article(make("https://late.example/x", text(99), T0 + timedelta(days=1)))
    changed = client.get("/api/articles", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    missing = client.get("/api/articles/999999")
    assert missing["Cache-Control"] == "public, no-cache"


def test_text_is_sent_as_utf8_not_escapes(client):
    row = store_article(
        make(
            "https://jp.example/a",
            "東京都は二十日、新しい防災計画を発表した。",
            title="東京都が新防災計画",
        )
    ).article
    response = client.get(f"/api/articles/{row.pk}")
    assert "東京都が新防災計画".encode() in response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
