"""Datelines: the place, date and agency a wire story opens with.

"CAIRO, March 3 (Reuters) - ...", "TOKYO (Metro Wire) -- ...", "WASHINGTON (AP) —
...", "Tacloban, Philippines, Nov. 20 (Kyodo) -- ...". It belongs to the article's
text (the reader sees where it was filed), but not to a summary or a key point,
which it would open with a place and an agency instead of the news.

A line opening with a capitalised name and a dash is a dateline only with a mark
of one: the place in capitals, a date, or an agency in parentheses. "Kenya – the
country's..." is a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Z][\w.'’-]*(?:[ ][A-Z][\w.'’-]*){0,3}"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"""^[ ]*
    (?P<place>{_NAME}(?:,[ ]{_NAME})?)
    (?:,?[ ](?P<date>{_MONTH}[ ]\d{{1,2}}))?
    (?:[ ]?\((?P<agency>[^()]{{1,40}})\))?
    [ ]*(?:--|[-–—])[ ]+(?=\S)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Dateline:
    place: str
    date: str | None
    """As written ("March 3"): the year is the reader's to infer."""
    agency: str | None
    end: int
    """Where the text after the dateline starts."""


def find_dateline(text: str) -> Dateline | None:
    """The dateline ``text`` opens with, if it has one."""
    match = _DATELINE.match(text)
    if match is None:
        return None
    place, date, agency = match.group("place", "date", "agency")
    letters = [c for c in place if c.isalpha()]
    if not (date or agency or (len(letters) >= 2 and all(c.isupper() for c in letters))):
        return None
    return Dateline(place, date, agency, match.end())


def strip_dateline(text: str) -> str:
    """``text`` without the dateline it opens with (a suffix of it, unchanged)."""
    found = find_dateline(text)
    return text[found.end :] if found else text
