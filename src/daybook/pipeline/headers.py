"""What a response's headers ask of us: how long to cache it, and where it links.

Both are read from hostile servers, so every function here takes whatever
bytes came and returns a value or None; none of them raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin

from daybook.pipeline.urls import web_url

# RFC 9111 5.2: a delta-seconds a cache cannot represent counts as 2^31.
MAX_DELTA_SECONDS = 2**31
# More links than this in one response is junk, not discovery.
MAX_LINKS = 64

_NAME = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_DIRECTIVE = re.compile(rf"({_NAME})\s*(?:=\s*({_QUOTED}|[^,\s]*))?")
_LINK_PARAM = re.compile(rf"\s*;\s*({_NAME})\s*(?:=\s*({_QUOTED}|[^;,\s]*))?")
_DIGITS = re.compile(r"[0-9]+")
_ESCAPE = re.compile(r"\\(.)")


def cache_seconds(
    cache_control: str | None, expires: str | None, date: str | None, now: datetime
) -> float | None:
    """Seconds the response may be cached, as its server asked; ``now`` is aware.

    ``Cache-Control: max-age`` when it is there and readable (the first one,
    RFC 9111 4.2.1; ``s-maxage`` is for shared caches, not us), else
    ``Expires`` minus the response's ``Date`` (or ``now`` without one).
    None when neither is there or readable; never negative, and capped at
    2^31 so an absurd value cannot overflow the caller.
    """
    for name, value in _directives(cache_control or ""):
        if name == "max-age" and (seconds := delta_seconds(value)) is not None:
            return seconds
    until = _http_date(expires)
    if until is None:
        return None
    seconds = (until - (_http_date(date) or now)).total_seconds()
    return min(max(0.0, seconds), float(MAX_DELTA_SECONDS))


def delta_seconds(value: str | None) -> float | None:
    """A delta-seconds value (``max-age``, ``Retry-After``): ASCII digits only, at
    most ``MAX_DELTA_SECONDS``; None for anything else. Endless digits cap too:
    as a float they would be infinity, which no ``timedelta`` or column takes."""
    if value is None or not _DIGITS.fullmatch(value):
        return None
    digits = value.lstrip("0") or "0"
    # Measured as text first: int() refuses thousands of digits.
    return float(min(int(digits[:11]), MAX_DELTA_SECONDS))


def links(values: Iterable[str], base: str) -> tuple[tuple[str, str], ...]:
    """The ``(rel, url)`` pairs of ``Link`` header values (RFC 8288).

    Each relation type of a link's first ``rel`` gives a pair, lower-cased;
    URLs are made absolute against ``base`` (the URL that answered) and kept
    only if they are http(s). A link with an ``anchor`` naming another
    resource says nothing about this one and is skipped. Malformed parts are
    skipped, never fatal; at most ``MAX_LINKS`` pairs come back.
    """
    found: dict[tuple[str, str], None] = {}
    for value in values:
        for target, params in _link_values(value):
            anchor = params.get("anchor")
            if anchor is not None and not _same_resource(anchor, base):
                continue
            url = web_url(target, base)
            if url is None:
                continue
            for rel in (params.get("rel") or "").lower().split():
                found.setdefault((rel, url), None)
                if len(found) >= MAX_LINKS:
                    return tuple(found)
    return tuple(found)


def _directives(header: str) -> Iterable[tuple[str, str | None]]:
    """``(name, value)`` pairs of a comma-separated directive list, names lower-cased.

    A quoted value is one value even with commas in it (``no-cache="a, b"``).
    """
    for match in _DIRECTIVE.finditer(header):
        name, value = match.groups()
        yield name.lower(), _unquote(value) if value is not None else None


def _link_values(value: str) -> Iterable[tuple[str, dict[str, str]]]:
    """Each ``<target>; name=value; ...`` of one header value, the first of each name kept."""
    position = 0
    while (start := value.find("<", position)) >= 0 and (end := value.find(">", start)) >= 0:
        position = end + 1
        params: dict[str, str] = {}
        while match := _LINK_PARAM.match(value, position):
            position = match.end()
            name, raw = match.groups()
            params.setdefault(name.lower(), _unquote(raw) if raw is not None else "")
        yield value[start + 1 : end], params


def _unquote(value: str) -> str:
    """A quoted-string's content; a quote left open is read to the end of the value."""
    if not value.startswith('"'):
        return value
    inner = value[1:-1] if len(value) >= 2 and value.endswith('"') else value[1:]
    return _ESCAPE.sub(r"\1", inner)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _same_resource(anchor: str, base: str) -> bool:
    try:
        return urldefrag(urljoin(base, anchor.strip())).url == urldefrag(base).url
    except ValueError:
        return False
