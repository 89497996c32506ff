from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from django.db import connection

from daybook.news import search as search_module
from daybook.news.models import Article, Source
from daybook.news.search import MAX_QUERY_CHARS, Query, Results, search
from daybook.news.store import store_article
from tests.news.test_store import make

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
_serial = count()


def article(title, text, published=T0, **fields):
    n = next(_serial)
    return Article.objects.create(
        url=f"https://paper.example/{n}",
        canonical_url=f"https://paper.example/{n}",
        text_hash=f"hash-{n}",
        title=title,
        text=text,
        published_at=published,
        **fields,
    )


def ids(results):
    return [hit.article_id for hit in results.hits]


def find(text, **filters):
    return search(Query(text, **filters))


def test_a_title_match_ranks_above_a_text_only_match():
    body = article("Harbour news", "Fishermen said the tide was low. Turbines hum offshore.")
    title = article("Turbines arrive", "Cranes lifted the blades onto barges at the harbour.")
    results = find("turbines")
    assert ids(results) == [title.pk, body.pk]
    assert results.total == 2
    assert results.hits[0].rank > results.hits[1].rank


def test_every_word_must_match():
    both = article("Budget vote", "The assembly passed the budget after a long night.")
    article("Budget draft", "Ministers circulated a draft.")
    assert ids(find("budget night")) == [both.pk]


def test_a_quoted_phrase_matches_the_words_together_only():
    together = article("Bank decision", "The bank left interest rates unchanged.")
    apart = article("Loans", "Interest in mortgages rose as rates of approval fell.")
    assert set(ids(find("interest rates"))) == {together.pk, apart.pk}
    assert ids(find('"interest rates"')) == [together.pk]


def test_a_trailing_star_matches_the_start_of_a_word():
    experts = article("Eruption", "Volcanologists expect more ash.")
    assert ids(find("volcano*")) == [experts.pk]
    assert ids(find("volcano")) == []
    assert ids(find('"volcano*"')) == []


def test_date_order_puts_the_newest_first_and_breaks_ties_by_id():
    old = article("Storm warning", "A storm is coming.", T0 - timedelta(days=2))
    new = article("Storm passes", "The storm moved east.", T0)
    same_time = article("Storm damage", "The storm felled trees.", T0)
    undated = article("Storm archive", "An old storm report.", None)
    results = find("storm", order="date")
    assert ids(results) == [same_time.pk, new.pk, old.pk, undated.pk]


def test_pages_share_one_total():
    made = [article(f"Election day {n}", "Polls opened early.") for n in range(5)]
    first = search(Query("election"), limit=2)
    rest = search(Query("election"), limit=2, offset=2)
    past = search(Query("election"), limit=2, offset=10)
    assert first.total == rest.total == past.total == 5
    assert len(first.hits) == len(rest.hits) == 2
    assert past.hits == []
    assert not set(ids(first)) & set(ids(rest))
    assert set(ids(first)) | set(ids(rest)) < {a.pk for a in made}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL ranks every match")
def test_a_word_in_very_many_articles_is_ranked_among_the_newest(monkeypatch):
    monkeypatch.setattr(search_module, "RANKED_MATCHES", 3)
    oldest = article("Ferry ferry ferry", "The ferry, the ferry and the ferry.")
    middle = [article(f"Harbour note {n}", "A ferry left.") for n in range(2)]
    newest = [article(f"Harbour day {n}", "A ferry came in.") for n in range(3)]
    results = find("ferry")
    assert results.total == 6, "the total still counts every match"
    assert set(ids(results)) == {a.pk for a in newest}
    assert oldest.pk not in ids(results) and not set(ids(results)) & {a.pk for a in middle}
    assert results.pageable == 3, "pages reach only what was ranked"
    dated = find("ferry", order="date")
    assert dated.total == 6 and len(dated.hits) == 6, "the date order lists every match"


def test_publisher_filter():
    kyodo = Source.objects.create(name="Kyodo")
    other = Source.objects.create(name="Other")
    mine = article("Earthquake report", "A strong earthquake shook the coast.", source=kyodo)
    article("Earthquake drill", "Schools held an earthquake drill.", source=other)
    assert ids(find("earthquake", publisher=kyodo.pk)) == [mine.pk]


def test_topic_filter_matches_whole_names_only():
    economy = article("Trade deficit", "Exports fell.", topics=["Economy", "Japan"])
    article("Trade fair", "Exports on show.", topics=["Economy policy"])
    article("Trade union", "Exports strike.", topics=[])
    accented = article("Trade in Montréal", "Exports rose.", topics=["Économie"])
    assert ids(find("exports", topic="Economy")) == [economy.pk]
    assert ids(find("exports", topic="Économie")) == [accented.pk]
    assert ids(find("exports", topic="Econ")) == []


def test_date_filters_are_utc_days_with_until_inclusive():
    day = datetime(2026, 11, 20, tzinfo=UTC)
    before = article("Launch delayed", "The rocket launch slipped.", day - timedelta(seconds=1))
    start = article("Launch set", "The rocket launch is set.", day)
    end = article(
        "Launch done", "The rocket launch went well.", day + timedelta(hours=23, minutes=59)
    )
    after = article("Launch review", "The rocket launch reviewed.", day + timedelta(days=1))
    on_the_day = find("launch", since=date(2026, 11, 20), until=date(2026, 11, 20))
    assert set(ids(on_the_day)) == {start.pk, end.pk}
    assert set(ids(find("launch", since=date(2026, 11, 21)))) == {after.pk}
    assert set(ids(find("launch", until=date(2026, 11, 19)))) == {before.pk}


def test_copies_are_not_results():
    original = article("Wildfire spreads", "The wildfire crossed the ridge.")
    article("Wildfire spreads (copy)", "The wildfire crossed the ridge again.", copy_of=original)
    results = find("wildfire")
    assert ids(results) == [original.pk]
    assert results.total == 1


def test_updates_through_save_and_update_are_searched():
    row = article("Harbour service", "The ferry runs daily.")
    Article.objects.filter(pk=row.pk).update(text="The hovercraft runs daily.")
    assert ids(find("hovercraft")) == [row.pk]
    assert ids(find("ferry")) == []
    row.refresh_from_db()
    row.title = "Airship service"
    row.text = "The airship runs weekly."
    row.save()
    assert ids(find("airship weekly")) == [row.pk]
    assert ids(find("hovercraft")) == []


def test_deleted_articles_are_not_found():
    row = article("Volcano erupts", "Ash fell on the town.")
    kept = article("Volcano calm", "No ash today.")
    row.delete()
    assert ids(find("volcano")) == [kept.pk]


def test_stored_articles_are_searchable_at_once():
    stored = store_article(make("https://wire.example/a", "Snow closed the mountain pass."))
    assert ids(find("mountain pass")) == [stored.article.pk]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"""',
        "*",
        "ferry*",
        "**ferry",
        "NEAR(ferry",
        "ferry OR harbour",
        "-ferry",
        "ferry -",
        "');DROP TABLE news_article;--",
        "ferry'); DROP TABLE news_article_fts; --",
        "ferry AND",
        "^ferry",
        "ferry:*",
        "title:ferry",
        "ferry\x00\x02\x03",
        "ferry %_\\",
        "ferry " * 500,
        "𝔣𝔢𝔯𝔯𝔶 \u0301 ½",
    ],
)
def test_hostile_text_searches_or_finds_nothing_without_error(text):
    article("Ferry service", "The ferry runs daily from the harbour.")
    results = find(text)
    assert results.total == len(results.hits)
    assert Article.objects.count() == 1


def test_operator_words_are_plain_words():
    row = article("Tax or spend", "The minister said taxes would rise.")
    article("Tax cut", "A cut was announced.")
    assert ids(find("tax OR spend")) == [row.pk]
    assert ids(find("tax -spend")) == [row.pk]


def test_text_without_words_finds_nothing():
    article("Ferry service", "The ferry runs.")
    assert find("") == Results([], 0)
    assert find("  ?!-*\"'() ") == Results([], 0)
    assert find("% _ \\") == Results([], 0)


def test_long_text_is_cut_not_refused():
    row = article("Ferry service", "The ferry runs.")
    assert ids(find("ferry" + " " * MAX_QUERY_CHARS + "zeppelin")) == [row.pk]


def test_highlighting_escapes_the_article_and_marks_matches():
    article(
        "<b>Ferry</b> & harbour",
        "Intro.\n\nThe ferry <script>alert(1)</script> left the harbour at dawn.",
    )
    hit = find("ferry").hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>Ferry</mark>&lt;/b&gt; &amp; harbour"
    assert "<mark>ferry</mark> &lt;script&gt;alert(1)&lt;/script&gt; left" in hit.snippet_html
    assert "<script>" not in hit.snippet_html


def test_marker_characters_in_the_text_cannot_make_tags():
    article("Ferry\x02 news\x03", "The \x03ferry\x02 left \x02the harbour.")
    hit = find("ferry").hits[0]
    assert hit.title_html == "<mark>Ferry</mark> news"
    assert hit.snippet_html == "The <mark>ferry</mark> left the harbour."


def test_the_snippet_is_an_excerpt_around_the_match():
    filler = " ".join(f"word{n}" for n in range(200))
    article("Long read", f"{filler} the lighthouse keeper retired. {filler}")
    snippet = find("lighthouse").hits[0].snippet_html
    assert "<mark>lighthouse</mark>" in snippet
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert 10 < len(snippet.split()) < 45


def test_a_japanese_query_finds_a_japanese_article():
    boj = article(
        "日銀、金利を据え置き", "日本銀行は政策金利を据え置くことを決めた。円安が続いている。"
    )
    article("Bank of Japan", "The Bank of Japan held rates.")
    results = find("日本銀行")
    assert ids(results) == [boj.pk]
    assert "<mark>日本銀行</mark>は政策金利" in results.hits[0].snippet_html
    title_first = find("金利 円安")
    assert ids(title_first) == [boj.pk]
    assert title_first.hits[0].title_html == "日銀、<mark>金利</mark>を据え置き"


def test_japanese_search_ranks_title_matches_first_and_applies_filters():
    text_only = article("経済ニュース", "日銀の会合は来週。", topics=["経済"])
    in_title = article("日銀の会合", "来週に開かれる。", topics=["経済"])
    article("日銀の発表", "別の話題。", topics=["政治"])
    article("日銀の写し", "来週。", copy_of=in_title)
    assert ids(find("日銀", topic="経済")) == [in_title.pk, text_only.pk]
    assert find("日銀").total == 3
