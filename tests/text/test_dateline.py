"""Datelines found where wire copy puts them, and nowhere else."""

from __future__ import annotations

import pytest

from daybook.text.dateline import find_dateline, strip_dateline


@pytest.mark.parametrize(
    ("text", "place", "date", "agency", "rest"),
    [
        ("CAIRO, March 3 (Reuters) - Egypt said.", "CAIRO", "March 3", "Reuters", "Egypt said."),
        ("TOKYO (Metro Wire) -- The bank held.", "TOKYO", None, "Metro Wire", "The bank held."),
        ("WASHINGTON (AP) — The Senate voted.", "WASHINGTON", None, "AP", "The Senate voted."),
        ("LONDON – Prices rose.", "LONDON", None, None, "Prices rose."),
        ("NEW YORK, March 3 - Stocks fell.", "NEW YORK", "March 3", None, "Stocks fell."),
        (
            "Tacloban, Philippines, Nov. 20 (Kyodo) -- Rescuers dug.",
            "Tacloban, Philippines",
            "Nov. 20",
            "Kyodo",
            "Rescuers dug.",
        ),
    ],
)
def test_a_dateline_is_read_and_left_out(
    text: str, place: str, date: str | None, agency: str | None, rest: str
) -> None:
    found = find_dateline(text)
    assert found is not None
    assert (found.place, found.date, found.agency) == (place, date, agency)
    assert strip_dateline(text) == rest


@pytest.mark.parametrize(
    "text",
    [
        "Kenya – the country said it would not back down.",
        "Tokyo - Shares rose on Monday.",
        "The bank - which said little - held rates.",
        "Prices rose in March, the agency said.",
        "TOKYO",
    ],
)
def test_a_sentence_with_a_dash_is_not_a_dateline(text: str) -> None:
    assert find_dateline(text) is None
    assert strip_dateline(text) == text
