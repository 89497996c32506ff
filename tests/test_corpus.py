"""The demo corpus agrees with its own ground truth.

Later tests score extraction, entities, quotes, clustering and near-duplicate
detection against ``truth.json``; these checks make sure that truth is honest:
every file it names exists, every feed lists its articles, every quote and
paragraph is really in the page, and independently written articles really are
independent.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "src" / "daybook" / "demo" / "corpus"
ATOM = "{http://www.w3.org/2005/Atom}"
RUN = 12  # words in a row that two independent articles may not share


@cache
def truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / "truth.json").read_text("utf-8"))
    return data


def articles() -> list[dict[str, Any]]:
    return list(truth()["articles"])


def by_id() -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in articles()}


def page_text(path: Path) -> str:
    """What a reader sees: tags dropped, entities decoded (CDATA in feeds included)."""
    raw = path.read_text("utf-8").replace("<![CDATA[", "").replace("]]>", "")
    return html.unescape(
        re.sub(r"<[^>]+>", "", html.unescape(raw) if path.suffix == ".xml" else raw)
    )


def words(paragraphs: list[str]) -> list[str]:
    text = " ".join(paragraphs).lower().replace("’", "'").replace("‘", "'")
    return re.findall(r"[\w']+", text)


def test_sizes() -> None:
    t = truth()
    assert len(t["publishers"]) >= 8
    assert len(t["events"]) >= 30
    assert len(t["articles"]) >= 150
    assert sum(a["kind"] == "page" for a in t["articles"]) >= 150
    assert sum(a["kind"] == "capture" for a in t["articles"]) >= 5
    assert sum(a["copy_of"] is not None and a["kind"] == "page" for a in t["articles"]) >= 30
    assert sum(1 for e in t["events"] if e["follows"]) >= 3


def test_publishers_vary_as_promised() -> None:
    publishers = truth()["publishers"]
    assert sum(p["feed_kind"] == "atom" for p in publishers) >= 2
    assert any(not p["discoverable"] for p in publishers)
    assert any(p["jsonld"] for p in publishers) and any(not p["jsonld"] for p in publishers)
    for p in publishers:
        assert re.fullmatch(r"https://www\.[a-z]+\.example", p["origin"])
        home = (CORPUS / "sites" / p["slug"] / "index.html").read_text("utf-8")
        assert ('rel="alternate"' in home) == p["discoverable"], p["slug"]
        for a in articles():
            if a["publisher"] == p["slug"] and a["kind"] == "page" and not a["page_missing"]:
                page = (CORPUS / a["file"]).read_text("utf-8")
                assert ("application/ld+json" in page) == p["jsonld"], a["id"]
                assert ('property="og:title"' in page) == p["opengraph"], a["id"]


def test_ids_unique_and_events_known() -> None:
    ids = [a["id"] for a in articles()]
    assert len(ids) == len(set(ids))
    events = [e["id"] for e in truth()["events"]]
    assert len(events) == len(set(events))
    for number, event in enumerate(truth()["events"]):
        assert event["follows"] is None or event["follows"] in events[:number]
    covered = {a["event"] for a in articles()}
    assert covered == set(events)
    slugs = {p["slug"] for p in truth()["publishers"]}
    assert {a["publisher"] for a in articles()} <= slugs


def test_every_file_exists() -> None:
    for a in articles():
        assert (CORPUS / a["file"]).is_file(), a["file"]
        if a["kind"] == "page" and not a["page_missing"]:
            assert a["url"].endswith(a["file"].split("/", 2)[2]), a["id"]
    for p in truth()["publishers"]:
        assert (CORPUS / "sites" / p["slug"] / p["feed"].lstrip("/")).is_file()


def feed_links(publisher: dict[str, Any]) -> list[str]:
    root = ET.parse(CORPUS / "sites" / publisher["slug"] / publisher["feed"].lstrip("/")).getroot()
    if publisher["feed_kind"] == "atom":
        assert root.tag == f"{ATOM}feed"
        entries = root.iter(f"{ATOM}entry")
        return [link.get("href", "") for entry in entries for link in entry.iter(f"{ATOM}link")]
    assert root.tag == "rss"
    return [item.findtext("link", "") for item in root.iter("item")]


@pytest.mark.parametrize("slug", [p["slug"] for p in truth()["publishers"]])
def test_feed_parses_and_lists_its_articles(slug: str) -> None:
    publisher = next(p for p in truth()["publishers"] if p["slug"] == slug)
    listed = set()
    for link in feed_links(publisher):
        absolute = urlsplit(urljoin(publisher["origin"] + "/", link))
        listed.add(urlunsplit(absolute._replace(query="", fragment="")))
    expected = {a["url"] for a in articles() if a["publisher"] == slug and a["in_feed"]}
    assert expected and expected == listed


def test_copies_point_to_an_earlier_article_of_the_same_event() -> None:
    index = by_id()
    for a in articles():
        if a["copy_of"] is None:
            continue
        original = index[a["copy_of"]]
        assert original["copy_of"] is None, a["id"]
        assert original["event"] == a["event"], a["id"]
        if a["published"] and original["published"] and a["kind"] == "page":
            assert original["published"] <= a["published"], a["id"]


def test_quotes_are_in_the_body_and_speakers_are_named() -> None:
    count = 0
    for a in articles():
        # A quote running over two paragraphs opens each of them with a quote mark.
        searchable = " ".join(p.lstrip('"“') for p in a["body"])
        for quote in a["quotes"]:
            count += 1
            assert quote["text"] in searchable, (a["id"], quote["text"])
            assert not quote["text"].startswith(('"', "“")), a["id"]
            assert quote["speaker"] in a["people"], (a["id"], quote["speaker"])
    assert count >= 100


def test_bodies_appear_in_their_pages() -> None:
    for a in articles():
        assert 5 <= len(a["body"]) <= 12, a["id"]
        text = page_text(CORPUS / a["file"])
        for paragraph in a["body"]:
            assert paragraph in text, (a["id"], paragraph[:60])
        assert a["title"] in text, a["id"]


def test_captures_glue_publisher_to_date_or_age() -> None:
    names = {p["slug"]: p["name"] for p in truth()["publishers"]}
    dated = 0
    for a in articles():
        if a["kind"] != "capture":
            continue
        text = (CORPUS / a["file"]).read_text("utf-8")
        assert text.count(a["title"]) >= 1
        if a["published_date"]:
            dated += 1
            y, m, d = a["published_date"].split("-")
            assert f"{names[a['publisher']]}{d}-{m}-{y}" in text
            assert a["published"] == f"{a['published_date']}T00:00:00Z"
        else:
            assert a["published"] is None
            assert f"{names[a['publisher']]}{a['age']}" in text
        assert len(a["related"]) >= 2
        for teaser in a["related"]:
            assert text.count(teaser["title"]) >= 2, (a["id"], teaser["title"])
            assert teaser["text"] in text
    assert dated >= 3
    assert any(a["kind"] == "capture" and a["copy_of"] is None for a in articles())
    assert any(a["kind"] == "capture" and a["copy_of"] is not None for a in articles())


def test_edge_cases_are_where_truth_says() -> None:
    edge = truth()["edge_cases"]
    index = by_id()
    for key in (
        "page_missing",
        "robots_blocked",
        "tracking_parameters",
        "relative_link",
        "no_pubdate",
    ):
        assert edge[key], key
    for article_id in edge["page_missing"]:
        a = index[article_id]
        assert a["page_missing"] and a["file"].endswith(".xml")
        assert not (CORPUS / "sites" / a["publisher"] / a["url"].split("/", 3)[3]).exists()
    for article_id in edge["robots_blocked"]:
        a = index[article_id]
        robots = (CORPUS / "sites" / a["publisher"] / "robots.txt").read_text("utf-8")
        path = "/" + a["url"].split("/", 3)[3]
        assert any(
            path.startswith(line.split(":", 1)[1].strip())
            for line in robots.splitlines()
            if line.startswith("Disallow:")
        )
    for article_id in edge["tracking_parameters"]:
        a = index[article_id]
        page = (CORPUS / a["file"]).read_text("utf-8")
        assert "utm_source" not in page
        assert a["url"] in page
    for article_id in edge["no_date_anywhere"]:
        assert index[article_id]["published"] is None


def test_independent_articles_share_no_long_run_of_words() -> None:
    """Only copies (``copy_of`` set) may repeat another article's text; the
    near-duplicate detector is scored on that."""
    seen: dict[tuple[str, ...], str] = {}
    clashes: defaultdict[tuple[str, str], int] = defaultdict(int)
    for a in articles():
        if a["copy_of"] is not None:
            continue
        tokens = words(a["body"])
        for start in range(len(tokens) - RUN + 1):
            run = tuple(tokens[start : start + RUN])
            owner = seen.setdefault(run, a["id"])
            if owner != a["id"]:
                clashes[(owner, a["id"])] += 1
    assert not clashes, dict(clashes)


def test_copies_really_are_near_copies() -> None:
    index = by_id()
    for a in articles():
        if a["copy_of"] is None:
            continue
        mine = set(words(a["body"]))
        theirs = set(words(index[a["copy_of"]]["body"]))
        assert len(mine & theirs) / len(mine | theirs) > 0.6, a["id"]


def test_timestamps_in_range() -> None:
    for a in articles():
        if a["published"]:
            assert "2026-11-16" <= a["published"][:10] <= "2026-11-22", a["id"]
            assert a["published"].endswith("Z")


def test_reference_summaries_belong_to_originals() -> None:
    """Summarisers are scored against hand-written summaries: enough of them, only
    for independently written pages (a copy's reference is its original's), each a
    short paragraph that appears nowhere in the published corpus."""
    written = [a for a in articles() if a["reference_summary"] is not None]
    assert len(written) >= 30
    assert len({a["publisher"] for a in written}) == len(truth()["publishers"])
    for a in articles():
        if a["copy_of"] is not None or a["kind"] == "capture":
            assert a["reference_summary"] is None, a["id"]
    for a in written:
        text = a["reference_summary"]
        assert 25 <= len(text.split()) <= 120, a["id"]
        assert "\n" not in text and text.endswith("."), a["id"]
        if not a["page_missing"]:
            assert text not in page_text(CORPUS / a["file"]), a["id"]
