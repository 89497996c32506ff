"""Moving the demo corpus to the present, so the demo looks like today's news on
any day it runs.

The corpus was written in November 2026. The demo's servers shift every date they
serve by one offset: timestamps (ISO 8601 in pages and feeds, RFC 822 in RSS) by
the exact offset that makes the newest item ``NEWEST_AGE`` old, and dates written
out without a time ("20 Nov 2026", "November 20, 2026", "2026-11-20") by the same
offset rounded to whole days. Dates in URL paths stay: they name the files served.
Dates without a year are left alone: in this corpus
they are references ("since August 20"), not publication dates. Weekday words in
article text are left alone too, so a "Tuesday" may fall on another weekday.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

NEWEST_AGE = timedelta(hours=3)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH = "|".join(f"{m[:3]}(?:{m[3:]})?" for m in _MONTHS)
_ISO = (  # not inside a URL's path (/tech/2026-11-16/...): those name files
    r"(?<!/)\b(?P<iso_day>20\d\d-[01]\d-[0-3]\d)"
    r"(?:(?P<iso_clock>T[0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)(?P<iso_zone>Z|[+-][0-2]\d:?[0-5]\d)?)?\b"
)
_RFC822 = (
    r"\b(?P<rfc822>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3]?\d "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d [0-2]\d:[0-5]\d(?::[0-5]\d)? "
    r"(?:[+-]\d{4}|GMT|UTC|Z))"
)
_DAY_MONTH_YEAR = rf"\b(?P<dmy_day>[0-3]?\d) (?P<dmy_month>{_MONTH})\.? (?P<dmy_year>20\d\d)\b"
_MONTH_DAY_YEAR = rf"\b(?P<mdy_month>{_MONTH})\.? (?P<mdy_day>[0-3]?\d), (?P<mdy_year>20\d\d)\b"
_DATES = re.compile("|".join((_RFC822, _ISO, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR)).encode())
"""Every date form the corpus writes, in one pattern, so each date moves once."""


class Shift:
    """One offset for a whole corpus: every server and every file agrees."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset
        self.days = timedelta(days=round(offset / timedelta(days=1)))

    @classmethod
    def to_now(cls, files: Iterable[Path], now: datetime | None = None) -> Shift:
        """The shift that makes the newest timestamp in ``files`` ``NEWEST_AGE`` old."""
        stamps = (stamp for path in files for stamp in _stamps(path.read_bytes()))
        newest = max(stamps, default=None)
        if newest is None:
            return cls(timedelta(0))
        offset = (now or datetime.now(UTC)) - NEWEST_AGE - newest
        return cls(timedelta(minutes=round(offset / timedelta(minutes=1))))

    def apply(self, body: bytes) -> bytes:
        if not self.offset:
            return body
        return _DATES.sub(self._moved, body)

    def _moved(self, match: re.Match[bytes]) -> bytes:
        found = {k: v.decode() for k, v in match.groupdict().items() if v is not None}
        if "rfc822" in found:
            return format_datetime(parsedate_to_datetime(found["rfc822"]) + self.offset).encode()
        if "iso_clock" in found:
            shifted = _iso_moment(found) + self.offset
            seconds = ":%S" if found["iso_clock"].count(":") == 2 else ""
            text = shifted.strftime("%Y-%m-%dT%H:%M" + seconds)
            return (text + _zone(shifted, found.get("iso_zone", ""))).encode()
        if "iso_day" in found:
            return (date.fromisoformat(found["iso_day"]) + self.days).isoformat().encode()
        if "dmy_day" in found:
            month = found["dmy_month"]
            day = _date(found["dmy_year"], month, found["dmy_day"]) + self.days
            return f"{day.day} {_name(day, month)} {day.year}".encode()
        month = found["mdy_month"]
        day = _date(found["mdy_year"], month, found["mdy_day"]) + self.days
        return f"{_name(day, month)} {day.day}, {day.year}".encode()


def _stamps(body: bytes) -> Iterable[datetime]:
    for match in _DATES.finditer(body):
        found = {k: v.decode() for k, v in match.groupdict().items() if v is not None}
        if "rfc822" in found:
            yield parsedate_to_datetime(found["rfc822"])
        elif "iso_clock" in found:
            yield _iso_moment(found)


def _iso_moment(found: dict[str, str]) -> datetime:
    """An ISO timestamp; one written without an offset is read as UTC."""
    zone = found.get("iso_zone", "").replace("Z", "+00:00") or "+00:00"
    return datetime.fromisoformat(found["iso_day"] + found["iso_clock"] + zone)


def _zone(moment: datetime, written: str) -> str:
    """The offset as the corpus wrote it: ``Z``, ``+09:00``, ``+0900`` or nothing."""
    if not written:
        return ""
    if written == "Z":
        return "Z"
    text = moment.strftime("%z")
    return text[:3] + ":" + text[3:] if ":" in written else text


def _date(year: str, month: str, day: str) -> date:
    number = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(month[:3]))
    return date(int(year), number, int(day))


def _name(moment: date, written: str) -> str:
    """The month's name, abbreviated if the corpus abbreviated it."""
    full = _MONTHS[moment.month - 1]
    return full if len(written) > 3 else full[:3]
