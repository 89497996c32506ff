"""Extractive summaries on real news text: verbatim, traceable, never dangling, no furniture."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

from daybook.ai.embed import EmbedFn, load_embedder
from daybook.ai.summarise import METHOD, Digest, summarise, summarise_story
from daybook.ai.text import Doc, Sentence, near_duplicate, split_sentences
from daybook.demo.server import load_truth

# Written independently of the implementation: what a reader would call a sentence
# that needs the one before it.
DANGLING_START = re.compile(
    r"^[\"'“‘(]*(?:he|she|it|they|we|his|her|its|their|this|that|these|those|but|and|or|so|"
    r"yet|also|however|meanwhile|moreover|still|instead|then|such)\b",
    re.IGNORECASE,
)
PRONOUN_SAID = re.compile(r"\b(?:he|she|they) (?:said|added|told)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def embed() -> EmbedFn:
    return load_embedder("wordllama").embed


@pytest.fixture(scope="module")
def originals() -> list[dict[str, Any]]:
    """The corpus's own articles (copies left out), each a real news text."""
    return [a for a in load_truth()["articles"] if a["copy_of"] is None]


@pytest.fixture(scope="module")
def quake(originals: list[dict[str, Any]]) -> dict[str, Any]:
    return next(a for a in originals if a["title"].startswith("Magnitude 6.4 quake"))


def dangling(sentence: Sentence) -> bool:
    return bool(DANGLING_START.match(sentence.text) or PRONOUN_SAID.search(sentence.text))


def assert_verbatim(digest: Digest, body: list[str]) -> None:
    """Every sentence shown is the article's own, at its place (a dateline left out)."""
    at = {(s.paragraph, s.index): s.text for s in split_sentences(body)}
    for sentence in (*digest.summary, *digest.key_points):
        assert at[sentence.paragraph, sentence.index].endswith(sentence.text)
        assert sentence.text in body[sentence.paragraph]


def test_every_corpus_article_gets_a_sound_digest(
    originals: list[dict[str, Any]], embed: EmbedFn
) -> None:
    three_or_more = 0
    for article in originals:
        body = article["body"]
        digest = summarise(body, embed, title=article["title"])
        assert digest.method == METHOD
        assert_verbatim(digest, body)
        summary, points = digest.summary, digest.key_points
        assert 2 <= len(summary) <= 3, article["id"]
        # A short article has few sentences left once its summary is taken.
        assert 1 <= len(points) <= 5, article["id"]
        three_or_more += len(points) >= 3
        assert not set(points) & set(summary), article["id"]  # never a summary sentence
        positions = [(s.paragraph, s.index) for s in summary]
        assert positions == sorted(positions)
        assert not dangling(summary[0]), (article["id"], summary[0].text)
        for group in (summary, points):
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    assert not near_duplicate(a.text, b.text), (a.text, b.text)
        for point in points:
            assert not dangling(point), (article["id"], point.text)
    assert three_or_more >= 0.85 * len(originals)


def test_a_dateline_never_opens_a_summary(embed: EmbedFn) -> None:
    body = [
        "CAIRO, March 3 (Reuters) - Egypt's central bank raised its main interest rate by "
        "two percentage points on Thursday to slow inflation that reached a five-year high.",
        "The bank said prices of food and fuel had risen faster than expected since the "
        "currency was allowed to fall against the dollar in January.",
        "Economists had expected a smaller rise, and shares in Cairo fell after the "
        "announcement before recovering in the afternoon.",
        "Inflation in the country's cities stood at 24 percent in February, official figures "
        "published last week showed.",
    ]
    digest = summarise(body, embed, title="Egypt raises rates to slow inflation")
    assert digest.summary[0].text.startswith("Egypt's central bank raised")
    assert_verbatim(digest, body)
    assert all("Reuters" not in s.text for s in (*digest.summary, *digest.key_points))


def test_key_points_cover_every_paragraph_the_summary_left(embed: EmbedFn) -> None:
    body = [
        "The city council approved a new ferry line between the harbour and the airport "
        "on Tuesday, with the first boats due to sail in April.",
        "Tickets will cost 600 yen for adults. Children under twelve will travel for half "
        "that price on every crossing.",
        "The boats will be built by a shipyard in Onomichi. Each will carry up to 120 "
        "passengers and forty bicycles.",
        "Residents of the island districts have asked for the line for a decade. A petition "
        "with 8,000 names reached the council last year.",
        "The harbour authority expects 400,000 journeys in the first year. Night sailings "
        "will be added in the summer if demand allows.",
    ]
    digest = summarise(body, embed, title="Council approves harbour-airport ferry line")
    points = digest.key_points
    assert not set(points) & set(digest.summary)
    left = set(range(len(body))) - {s.paragraph for s in digest.summary}
    assert {p.paragraph for p in points} == left


def test_the_news_lead_opens_the_summary(originals: list[dict[str, Any]], embed: EmbedFn) -> None:
    """Inverted pyramid: for hard news the first sentence carries the gist."""
    opened = sum(
        summarise(a["body"], embed, title=a["title"]).summary[0] == split_sentences(a["body"])[0]
        for a in originals
    )
    assert opened >= 0.8 * len(originals)


def test_summaries_cover_more_than_one_paragraph_and_add_key_points(
    quake: dict[str, Any], embed: EmbedFn
) -> None:
    digest = summarise(quake["body"], embed, title=quake["title"])
    assert "6.4" in digest.summary[0].text
    summary = set(digest.summary)
    # Key points may repeat the gist but mostly add to it.
    assert len([p for p in digest.key_points if p not in summary]) >= 2
    assert len({p.paragraph for p in digest.key_points}) >= 3
    vectors = embed([p.text for p in digest.key_points])
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0)
    assert similarity.max() < 0.9


def test_quote_tails_and_pronoun_attributions_are_never_chosen(
    quake: dict[str, Any], embed: EmbedFn
) -> None:
    digest = summarise(quake["body"], embed, title=quake["title"])
    chosen = [s.text for s in (*digest.summary, *digest.key_points)]
    assert not any(t.startswith("My children got under the table") for t in chosen)
    assert not any("he added" in t for t in chosen)


def test_dangling_sentences_never_open_a_summary(quake: dict[str, Any], embed: EmbedFn) -> None:
    """Every paragraph but the lead made to open on a connective or a pronoun: the
    summary still opens on a sentence that stands alone."""
    openers = ["However, ", "But ", "He said ", "It also said ", "The agency said "]
    body = [quake["body"][0]]
    for number, paragraph in enumerate(quake["body"][1:]):
        body.append(openers[number % len(openers)] + paragraph[0].lower() + paragraph[1:])
    digest = summarise(body, embed, title=quake["title"])
    assert digest.summary[0] == Sentence(split_sentences(body)[0].text, 0, 0)

    # Without the lead, the opener must come from the sentences left unmodified.
    rest = body[1:]
    digest = summarise(rest, embed, title=quake["title"])
    first = digest.summary[0]
    assert first.index > 0 or not any(first.text.startswith(o) for o in openers)
    assert not dangling(first), first.text


def test_bylines_captions_and_boilerplate_are_never_chosen(
    quake: dict[str, Any], embed: EmbedFn
) -> None:
    furniture = [
        "By Hana Lindqvist and Daisuke Oka",
        "Passengers wait at Sendai Station after a magnitude 6.4 earthquake halted bullet "
        "trains on Monday. (AP Photo/Eugene Hoshiko)",
        "Magnitude 6.4 quake strikes off northeast Japan",
    ]
    trailer = [
        "Sign up for our newsletter to get the latest earthquake news from Japan every morning.",
        "Reporting by Hana Lindqvist; Editing by Daisuke Oka",
        "This article was first published on Meridian Wire on Nov. 16, 2026.",
        "Copyright © 2026 Meridian Wire. All rights reserved.",
    ]
    body = [*furniture, *quake["body"], *trailer]
    digest = summarise(body, embed, title=quake["title"])
    assert_verbatim(digest, body)
    own = set(range(len(furniture), len(furniture) + len(quake["body"])))
    for sentence in (*digest.summary, *digest.key_points):
        assert sentence.paragraph in own, sentence.text
    assert digest.summary[0].paragraph == len(furniture)  # the lead, not the caption


def test_short_and_empty_articles(embed: EmbedFn) -> None:
    assert summarise([], embed) == Digest((), (), METHOD)
    assert summarise(["", "   "], embed) == Digest((), (), METHOD)
    one = ["Japan's cabinet approved a 21.3 trillion yen stimulus package on Friday."]
    digest = summarise(one, embed)
    assert digest.summary == (Sentence(one[0], 0, 0),)
    assert digest.key_points == ()
    two = [
        "Tokyo stocks closed higher on Monday as exporters gained on a weaker yen.",
        "The Nikkei average rose 1.2% to end at 39,500.",
    ]
    digest = summarise(two, embed, title="Tokyo stocks rise")
    assert [s.text for s in digest.summary] == two
    assert digest.key_points == ()


def test_a_repeated_paragraph_is_summarised_once(quake: dict[str, Any], embed: EmbedFn) -> None:
    body = [quake["body"][0], quake["body"][0], *quake["body"][1:]]
    digest = summarise(body, embed, title=quake["title"])
    texts = [s.text for s in digest.summary]
    assert len(texts) == len(set(texts))
    texts = [s.text for s in digest.key_points]
    assert len(texts) == len(set(texts))


# --- stories -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def stories() -> dict[str, list[Doc]]:
    by_event: dict[str, list[Doc]] = defaultdict(list)
    articles = load_truth()["articles"]
    for number, article in enumerate(articles):
        by_event[article["event"]].append(
            Doc(number, article["publisher"], tuple(article["body"]), article["title"])
        )
    return {event: docs for event, docs in by_event.items() if len(docs) >= 3}


def test_story_summaries_draw_on_several_publishers_without_repeats(
    stories: dict[str, list[Doc]], embed: EmbedFn
) -> None:
    assert len(stories) >= 10
    for event, docs in stories.items():
        by_id = {d.article_id: d for d in docs}
        cited = summarise_story(docs, embed)
        assert len(cited) == 3, event
        if len({d.publisher for d in docs}) > 1:
            assert len({by_id[c.article_id].publisher for c in cited}) >= 2, event
        for c in cited:
            doc = by_id[c.article_id]
            assert c.sentence in split_sentences(doc.paragraphs)
        texts = [c.sentence.text for c in cited]
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not near_duplicate(a, b), (event, a, b)
        assert not dangling(cited[0].sentence), (event, texts[0])


def test_wire_copies_count_once_in_a_story(stories: dict[str, list[Doc]], embed: EmbedFn) -> None:
    """The quake story holds four copies of one wire text: a longer story summary still
    never repeats a sentence they share."""
    docs = stories["e01"]
    cited = summarise_story(docs, embed, limit=8)
    assert len(cited) == 8
    texts = [c.sentence.text for c in cited]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not near_duplicate(a, b), (a, b)
    assert any("6.4" in t for t in texts[:2])


def test_story_of_nothing_is_empty(embed: EmbedFn) -> None:
    assert summarise_story([], embed) == ()
    assert summarise_story([Doc(1, "p", ())], embed) == ()


def test_quotes_in_single_marks_are_quotes_to_the_summary(embed: EmbedFn) -> None:
    """A British-style article: its quotations, in single marks, are what the speakers
    said, not the news; the summary is made of the reporting around them."""
    body = [
        "The ferry between Uno and Shodoshima will stop running at the end of March after "
        "64 years, its operator said on Tuesday, citing falling passenger numbers.",
        "'We held on as long as we could. There are fewer people on the island every year, "
        "and we cannot find young sailors to crew the boats,' the company's president said.",
        "The route carried about 410,000 passengers last year, less than half the number "
        "it carried in the early 2000s, and it has lost money for nine years in a row.",
        "'My husband goes to the hospital in Okayama twice a month. Now we will have to "
        "leave at dawn and change boats,' said a resident of Tonosho, aged 74.",
        "Other ferries to Takamatsu will continue to operate, the prefecture said, and a "
        "subsidised bus link to the remaining port is under discussion.",
    ]
    digest = summarise(body, embed, title="Island ferry to end after 64 years")
    chosen = [(s.paragraph, s.text) for s in (*digest.summary, *digest.key_points)]
    assert chosen and all(paragraph not in (1, 3) for paragraph, _ in chosen), chosen
