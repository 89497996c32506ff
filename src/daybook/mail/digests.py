"""What a digest holds: the day's (or week's) best stories among what the reader
follows, or the front page's best when they follow nothing, each with its
publishers and summary, none the reader was mailed before, none their mutes hide.

The stories are the front page's own (``daybook.news.ranking`` through
``daybook.web.pages``), so a digest agrees with the site about what matters.
"""

from __future__ import annotations

from typing import Any

from daybook.community.state import ReaderState
from daybook.mail.models import Sent
from daybook.news.models import Article
from daybook.web import pages, reader

MAX_STORIES = 10
CANDIDATES = 60
"""Top stories looked at before what the reader follows narrows them."""


def stories(user_id: int, state: ReaderState) -> list[dict[str, Any]]:
    """Story cards for a digest of ``user_id``, best first; empty when nothing new."""
    mailed = set(
        Sent.objects.filter(user_id=user_id, story_id__isnull=False).values_list(
            "story_id", flat=True
        )
    )
    cards = [c for c in pages.top_stories(CANDIDATES) if c["id"] not in mailed]
    if state.follows and cards:
        wanted = set(
            Article.objects.filter(story_id__in=[c["id"] for c in cards])
            .filter(reader.followed(state.follows))
            .values_list("story_id", flat=True)
        )
        cards = [c for c in cards if c["id"] in wanted]
    shown = []
    for card in reader.apply(cards, state):
        publishers = [p for p in card["publishers"] if p["id"] not in state.muted_publishers]
        if publishers:  # a story only muted publishers cover is hidden with them
            shown.append({**card, "publishers": publishers})
    return shown[:MAX_STORIES]


def item(card: dict[str, Any]) -> dict[str, Any]:
    """A story card as a mail shows it (``compose``): title, link, who covered it,
    what happened."""
    summary = (
        [card["generated_summary"]]
        if card.get("generated_summary")
        else card.get("summary") or ([card["lead"]["teaser"]] if card.get("lead") else [])
    )
    return {
        "story": card["id"],
        "title": card["title"],
        "path": card["path"],
        "publishers": [p["name"] for p in card["publishers"]],
        "summary": summary,
    }
