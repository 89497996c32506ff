"""Feed discovery from HTML snippets."""

from __future__ import annotations

import pytest

from daybook.pipeline import discover
from daybook.pipeline.discover import COMMON_FEED_PATHS, discover_feeds
from daybook.pipeline.feeds import looks_like_feed
from daybook.pipeline.types import DiscoveredFeed

BASE = "https://news.example.com/section/page.html"


def page(head: str, body: str = "<p>Hello</p>") -> str:
    return f"<!DOCTYPE html><html><head><title>T</title>{head}</head><body>{body}</body></html>"


def urls(html: str, base_url: str = BASE) -> list[str]:
    return [feed.url for feed in discover_feeds(html, base_url=base_url)]


def test_rss_atom_and_json_links_resolved_against_the_page() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title=" Top  stories " href="/rss.xml">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        '<link rel="alternate" type="application/feed+json" title="JSON"'
        ' href="//cdn.example.com/f.json">'
    )
    assert discover_feeds(html, base_url=BASE) == [
        DiscoveredFeed(url="https://news.example.com/rss.xml", title="Top stories", kind="rss"),
        DiscoveredFeed(url="https://news.example.com/section/atom.xml", title=None, kind="atom"),
        DiscoveredFeed(url="https://cdn.example.com/f.json", title="JSON", kind="json"),
    ]


def test_base_href_wins_over_the_page_url() -> None:
    html = page(
        '<base href="https://static.example.org/v2/">'
        '<link rel="alternate" type="application/rss+xml" href="feed.xml">'
    )
    assert urls(html) == ["https://static.example.org/v2/feed.xml"]


def test_relative_base_href_is_resolved_against_the_page() -> None:
    html = page('<base href="/blog/"><link rel="alternate" type="application/rss+xml" href="rss">')
    assert urls(html) == ["https://news.example.com/blog/rss"]


def test_xml_feeds_come_before_json_page_order_otherwise() -> None:
    html = page(
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/12">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json">'
        '<link rel="alternate" type="application/atom+xml" href="/b.atom">'
        '<link rel="alternate" type="application/rss+xml" href="/a.rss">'
    )
    assert urls(html) == [
        "https://news.example.com/b.atom",
        "https://news.example.com/a.rss",
        "https://news.example.com/feed.json",
        "https://news.example.com/wp-json/wp/v2/pages/12",
    ]


def test_comment_feeds_are_dropped_when_a_main_feed_exists() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="Site » Feed" href="/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Site » Comments Feed"'
        ' href="/comments/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Post" href="/post/comments/">'
    )
    assert urls(html) == ["https://news.example.com/feed/"]


def test_comment_feeds_are_kept_when_there_is_nothing_else() -> None:
    html = page('<link rel="alternate" type="application/rss+xml" title="Comments" href="/c">')
    assert urls(html) == ["https://news.example.com/c"]


def test_commentary_is_not_a_comment_feed() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="News" href="/news.rss">'
        '<link rel="alternate" type="application/rss+xml" title="Commentary" href="/opinion.rss">'
    )
    assert urls(html) == [
        "https://news.example.com/news.rss",
        "https://news.example.com/opinion.rss",
    ]


def test_duplicates_are_listed_once() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="first" href="/feed">'
        '<link rel="alternate" type="application/rss+xml" title="again" href="https://news.example.com/feed">'
    )
    assert [feed.title for feed in discover_feeds(html, base_url=BASE)] == ["first"]


def test_rel_and_type_are_matched_loosely() -> None:
    html = page(
        '<LINK REL="Alternate Feed" TYPE="Application/RSS+XML; charset=utf-8" HREF="/x.rss">'
    )
    assert urls(html) == ["https://news.example.com/x.rss"]


@pytest.mark.parametrize(
    "link",
    [
        '<link rel="stylesheet" type="application/rss+xml" href="/s.rss">',
        '<link rel="alternate" type="text/html" hreflang="ja" href="/ja/">',
        '<link rel="alternate" type="application/json+oembed" href="/oembed">',
        '<link rel="alternate" type="application/rss+xml">',
        '<link rel="alternate" type="application/rss+xml" href="   ">',
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
        '<link rel="alternate" type="application/rss+xml" href="data:text/xml,&lt;rss/&gt;">',
        '<link rel="alternate" type="application/rss+xml" href="http://[::1">',
    ],
)
def test_links_that_are_not_feeds_are_ignored(link: str) -> None:
    assert urls(page(link)) == []


def test_feed_scheme_is_unwrapped() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" href="feed://a.example.com/rss">'
        '<link rel="alternate" type="application/rss+xml" href="feed:https://b.example.com/rss">'
    )
    assert urls(html) == ["http://a.example.com/rss", "https://b.example.com/rss"]


def test_links_pushed_into_the_body_by_a_broken_head_are_found() -> None:
    html = (
        "<html><head><title>T</title><div>stray</div>"
        '<link rel="alternate" type="application/atom+xml" href="/atom"></head><body></body></html>'
    )
    assert urls(html) == ["https://news.example.com/atom"]


def test_xhtml_with_an_encoding_declaration() -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<link rel="alternate" type="application/rss+xml" href="/caf\u00e9.rss" /></head></html>'
    )
    assert urls(html) == ["https://news.example.com/caf\u00e9.rss"]


@pytest.mark.parametrize("html", ["", "   ", "\x00\x01", "<p>no head at all</p>", "<<<>>>"])
def test_pages_without_feeds(html: str) -> None:
    assert discover_feeds(html, base_url=BASE) == []


def test_common_feed_paths() -> None:
    assert len(set(COMMON_FEED_PATHS)) == len(COMMON_FEED_PATHS)
    assert all(path.startswith("/") for path in COMMON_FEED_PATHS)
    assert {"/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml", "/rss"} <= set(
        COMMON_FEED_PATHS
    )
    assert "/feeds/all.atom.xml" in COMMON_FEED_PATHS


def test_looks_like_feed_is_offered_here_too() -> None:
    assert discover.looks_like_feed is looks_like_feed
    assert discover.looks_like_feed(b'<rss version="2.0"/>', None)
