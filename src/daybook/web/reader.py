"""What changes when a signed-in reader looks: their mutes hide articles (and
stories) everywhere, and the home page gains "For you" from what they follow.

Works on the plain data of ``daybook.web.pages``, after the cache, so the shared
page data stays the same for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q

from daybook.community.state import ReaderState
from daybook.news.models import tagged
from daybook.web import pages
from daybook.web.shapes import Card

FOR_YOU = 12


def apply(data: Any, state: ReaderState) -> Any:
    """``data`` without what ``state`` mutes, and each article card marked read or
    not: any card in any list, at any depth. Returns new containers; the cached data
    is not touched."""
    if isinstance(data, dict):
        shown = {key: apply(value, state) for key, value in data.items()}
        if "teaser" in data and data.get("stored"):  # an article card
            shown["read"] = state.reading.is_read(
                data["id"],
                datetime.fromisoformat(data["stored"]),
                (data.get("publisher") or {}).get("id"),
                data.get("story"),
                data.get("topics") or (),
            )
        return shown
    if isinstance(data, list):
        return [apply(item, state) for item in data if not _hidden(item, state)]
    return data


def _hidden(item: Any, state: ReaderState) -> bool:
    if not isinstance(item, dict) or "title" not in item:
        return False
    if "teaser" in item:  # an article card
        publisher = item.get("publisher") or {}
        return state.hides(item["title"], item["teaser"], publisher.get("id"))
    if "publisher_count" in item:  # a story card
        return state.hides(item["title"], " ".join(item.get("summary") or []), None)
    return False


def following(kind: str, key: str) -> Q:
    """The articles of one followed publisher, topic or entity (as a condition on
    ``Article``); nothing for a target that cannot exist."""
    if kind == "publisher" and key.isdigit():
        return Q(source_id=int(key))
    if kind == "topic":
        return tagged(key)
    if kind == "entity" and key.isdigit():
        return Q(mentions__entity_id=int(key))
    return Q(pk__in=[])


def followed(follows: Iterable[tuple[str, str]]) -> Q:
    """The articles of everything in ``follows`` ((kind, key) pairs)."""
    wanted = Q(pk__in=[])
    for kind, key in follows:
        wanted |= following(kind, key)
    return wanted


def for_you(state: ReaderState) -> list[Card]:
    """The latest originals from the publishers, topics and entities the reader
    follows, in time order."""
    if not state.follows:
        return []
    rows = pages.dated_originals().filter(followed(state.follows)).distinct()[: FOR_YOU * 3]
    found = [c for c in pages.cards(rows) if not _hidden(c, state)]
    return found[:FOR_YOU]
