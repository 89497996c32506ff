"""Time-zone abbreviations ("JST", "IST"): one table (``zones.json``) for page dates
and feed dates alike, so the same stamp means the same moment wherever it is read."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from functools import cache
from pathlib import Path


@cache
def _hours() -> dict[str, float]:
    data = json.loads((Path(__file__).with_name("zones.json")).read_text("utf-8"))
    return {name.upper(): float(hours) for name, hours in data["hours"].items()}


def zone(name: str) -> timezone | None:
    """The fixed offset an abbreviation stands for, or None for a name not known."""
    hours = _hours().get(name.strip("()").upper())
    return None if hours is None else timezone(timedelta(hours=hours))


def rfc822_offset(name: str) -> str | None:
    """The offset as RFC 822 writes it ("+0900", "+0530"), or None."""
    found = zone(name)
    if found is None:
        return None
    minutes = int(found.utcoffset(None).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
