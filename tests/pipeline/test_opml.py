"""OPML import and export."""

from __future__ import annotations

import dataclasses
import email.utils
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from daybook.errors import ParseError
from daybook.pipeline.opml import OpmlOutline, parse_opml, write_opml

FIXTURES = Path(__file__).parent.parent / "fixtures" / "opml"


def test_golden_subscriptions() -> None:
    parsed = parse_opml((FIXTURES / "subscriptions.opml").read_bytes())
    expected = json.loads((FIXTURES / "subscriptions.expected.json").read_text("utf-8"))
    assert [dataclasses.asdict(outline) for outline in parsed] == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion-laughs.opml", "declares entities"),
        ("xxe.opml", "declares entities"),
        ("not-opml.xml", "root element is <rss>"),
        ("malformed.opml", "malformed XML"),
    ],
)
def test_rejected(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_opml((FIXTURES / name).read_bytes())


@pytest.mark.parametrize("data", [b"", b"   ", b"\xff\xfe\x00garbage", b"not xml at all"])
def test_garbage_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_opml(data)


def test_opml_without_a_body_has_no_feeds() -> None:
    assert parse_opml(b'<opml version="1.0"><head><title>x</title></head></opml>') == []


OUTLINES = [
    OpmlOutline(
        "https://news.example.com/rss.xml", "Kanto Daily", "https://news.example.com/", None
    ),
    OpmlOutline("https://harbour.example.jp/feed.json", "Harbour & Hills", None, "Japan"),
    OpmlOutline("https://chiho.example.jp/rss", "地方ニュース <ローカル>", None, "Japan"),
    OpmlOutline('https://blog.example.org/atom.xml?a=1&b="2"', None, None, "Tech & Science"),
    OpmlOutline("http://plain.example.com/feed", None, "http://plain.example.com/", None),
]


def test_round_trip() -> None:
    assert parse_opml(write_opml(OUTLINES)) == OUTLINES


def test_written_opml_is_valid_opml_2() -> None:
    data = write_opml(OUTLINES, title="Mine & yours")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Mine & yours"
    created = email.utils.parsedate_to_datetime(root.findtext("head/dateCreated") or "")
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=5)
    folders = [
        outline.get("text") for outline in root.findall("body/outline") if not outline.get("xmlUrl")
    ]
    assert folders == ["Japan", "Tech & Science"]
    feeds = root.findall(".//outline[@xmlUrl]")
    assert all(feed.get("type") == "rss" and feed.get("text") for feed in feeds)


def test_characters_xml_cannot_carry_are_dropped() -> None:
    outline = OpmlOutline("https://a.example.com/feed", "Bell\x07 and \x00null", None, "Cat\x1b")
    data = write_opml([outline], title="T\x0c")
    assert parse_opml(data) == [
        OpmlOutline("https://a.example.com/feed", "Bell and null", None, "Cat")
    ]


def test_empty_list() -> None:
    assert parse_opml(write_opml([])) == []


def test_deep_nesting_does_not_overflow_the_stack() -> None:
    depth = 20_000
    data = (
        b'<opml version="2.0"><body>'
        + b'<outline text="f">' * depth
        + b'<outline text="leaf" xmlUrl="https://deep.example.com/feed"/>'
        + b"</outline>" * depth
        + b"</body></opml>"
    )
    assert parse_opml(data) == [OpmlOutline("https://deep.example.com/feed", "leaf", None, "f")]
