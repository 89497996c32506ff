"""Paragraphs, sentences and page furniture: the ground every summary and answer stands on."""

from __future__ import annotations

import pytest

from daybook.ai.text import (
    Sentence,
    fingerprint,
    is_furniture,
    near_duplicate,
    paragraphs,
    split_sentences,
)
from daybook.demo.server import load_truth


def texts(paragraph: str) -> list[str]:
    return [s.text for s in split_sentences([paragraph])]


def test_paragraphs_split_on_blank_lines_and_join_wrapped_lines() -> None:
    text = "First line\nwrapped here.\n\n\n  Second paragraph. \n \n\nThird.\n"
    assert paragraphs(text) == ["First line wrapped here.", "Second paragraph.", "Third."]
    assert paragraphs("") == []
    assert paragraphs(" \n\n \n") == []


def test_sentences_carry_their_paragraph_and_index() -> None:
    got = split_sentences(["One is here. Two is here.", "Three is here."])
    assert got == [
        Sentence("One is here.", 0, 0),
        Sentence("Two is here.", 0, 1),
        Sentence("Three is here.", 1, 0),
    ]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Mr. Abe met Dr. Kubota and Prof. Ito in St. Louis on Monday. They talked.",
            ["Mr. Abe met Dr. Kubota and Prof. Ito in St. Louis on Monday.", "They talked."],
        ),
        (
            "The U.S. and U.K. envoys met. The U.N. Security Council did not.",
            ["The U.S. and U.K. envoys met.", "The U.N. Security Council did not."],
        ),
        (
            "It was the biggest fall in the U.S. The decline in Europe was smaller.",
            ["It was the biggest fall in the U.S.", "The decline in Europe was smaller."],
        ),
        (
            "The quake hit at 9:12 a.m. (0012 GMT) at a depth of 50 km, the agency said. "
            "It registered a lower 5.",
            [
                "The quake hit at 9:12 a.m. (0012 GMT) at a depth of 50 km, the agency said.",
                "It registered a lower 5.",
            ],
        ),
        (
            "Trains stopped at 9 a.m. Officials said they would resume by noon.",
            ["Trains stopped at 9 a.m.", "Officials said they would resume by noon."],
        ),
        (
            "The vote is at 10 a.m. Tuesday in the upper house.",
            ["The vote is at 10 a.m. Tuesday in the upper house."],
        ),
        (
            "A magnitude 6.4 earthquake struck. Shares fell 1.25% to $3.5 billion.",
            ["A magnitude 6.4 earthquake struck.", "Shares fell 1.25% to $3.5 billion."],
        ),
        (
            "Toyota Motor Corp. Chief Executive Koji Sato spoke. Sony Group Corp. The company "
            "declined to comment.",
            [
                "Toyota Motor Corp. Chief Executive Koji Sato spoke.",
                "Sony Group Corp.",
                "The company declined to comment.",
            ],
        ),
        (
            "The law takes effect on Jan. 5 and expires in Feb. 2027. It is No. 1 on the list.",
            [
                "The law takes effect on Jan. 5 and expires in Feb. 2027.",
                "It is No. 1 on the list.",
            ],
        ),
        (
            "J. K. Rowling and George W. Bush were named. Nobody knew why.",
            ["J. K. Rowling and George W. Bush were named.", "Nobody knew why."],
        ),
        (
            'She said: "We will win." The crowd cheered.',
            ['She said: "We will win."', "The crowd cheered."],
        ),
        (
            "“We are ready.” Officials nodded. “Are we?” he asked. Yes! It worked.",
            ["“We are ready.”", "Officials nodded.", "“Are we?” he asked.", "Yes!", "It worked."],
        ),
        (
            "He paused... then went on. It ended... The next day it rained.",
            ["He paused... then went on.", "It ended...", "The next day it rained."],
        ),
        (
            "Visit example.com for details. Version 2.0 ships today",
            ["Visit example.com for details.", "Version 2.0 ships today"],
        ),
        (
            "地震が発生した。津波の心配はない！本当？「はい。」と答えた。",
            ["地震が発生した。", "津波の心配はない！", "本当？", "「はい。」", "と答えた。"],
        ),
        (
            "Sales rose 5% in 2025. 2026 looks harder, the company said.",
            ["Sales rose 5% in 2025.", "2026 looks harder, the company said."],
        ),
    ],
)
def test_news_english_is_split_where_sentences_end(paragraph: str, expected: list[str]) -> None:
    assert texts(paragraph) == expected


def test_every_corpus_sentence_is_a_verbatim_slice_of_its_paragraph() -> None:
    for article in load_truth()["articles"]:
        body = article["body"]
        sentences = split_sentences(body)
        for sentence in sentences:
            assert sentence.text in body[sentence.paragraph]
            assert sentence.text == sentence.text.strip()
        # Nothing is lost: the sentences of a paragraph rebuild it (spaces aside).
        for number, paragraph in enumerate(body):
            own = [s.text for s in sentences if s.paragraph == number]
            assert "".join(own).replace(" ", "") == paragraph.replace(" ", "")
            assert [s.index for s in sentences if s.paragraph == number] == list(range(len(own)))


def test_corpus_abbreviations_stay_inside_their_sentence() -> None:
    for article in load_truth()["articles"]:
        for sentence in split_sentences(article["body"]):
            assert not sentence.text.endswith((" Dr.", " Mr.", " Mrs.", " Ms.")), sentence
            assert not sentence.text.startswith(("S. ", "m. ")), sentence


@pytest.mark.parametrize(
    "text",
    [
        "By LUIS ORTEGA",
        "By Jane Doe and Kenji Sato in Tokyo",
        "BY HANA LINDQVIST, STAFF",
        "Reporting by Hana Lindqvist; Editing by Daisuke Oka",
        "(Reporting by Hana Lindqvist in Tokyo; additional reporting by Ken Ito.)",
        "Sign up for our morning newsletter to get the day's top stories in your inbox.",
        "Copyright © 2026 The National Sentinel. All rights reserved.",
        "Click here to read more about the typhoon.",
        "This article was first published on Nov. 16, 2026.",
        "Read more:",
        "Residents wade through a flooded street in Tacloban. (AP Photo/Jim Gomez)",
        "Passengers wait at Sendai Station on Monday. Photo: Kyodo",
        "A rescuer carries a child in Leyte on Friday. REUTERS/Eloisa Lopez",
        "Share this article",
        "Advertisement",
        "Related Articles",
    ],
)
def test_furniture_is_recognised(text: str) -> None:
    assert is_furniture(text)


@pytest.mark.parametrize(
    "text",
    [
        "By Monday, officials had confirmed more than two dozen deaths in the region.",
        "By the end of the year, the company expects to subscribe 2 million users.",
        "The newsletter of the central bank, published monthly, warned of slower growth "
        "across the region as exports to the United States fell for a third month.",
        "The photo agency said its staff in Tacloban were safe.",
        "He spent years writing by hand in a notebook before he bought a typewriter.",
        "A magnitude 6.4 earthquake struck off the coast of Miyagi Prefecture on Monday.",
        "“We ask residents to stay alert,” he said.",
        "地震が発生した。",
    ],
)
def test_prose_is_not_furniture(text: str) -> None:
    assert not is_furniture(text)


def test_wire_copies_of_a_sentence_are_near_duplicates() -> None:
    straight = "It registered a lower 5 on Japan's seven-point intensity scale, the agency said."
    curly = "It registered a lower 5 on Japan’s seven-point intensity scale, the agency said."
    edited = "It registered a lower 5 on Japan's seven-point intensity scale, officials said."
    other = "Tohoku Electric Power said no abnormalities had been found at its nuclear plant."
    assert fingerprint(straight) == fingerprint(curly)
    assert near_duplicate(straight, curly)
    assert near_duplicate(straight, edited)
    assert not near_duplicate(straight, other)
