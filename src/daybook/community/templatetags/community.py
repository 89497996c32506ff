"""Reader controls for any page: save, follow and mute buttons, and comment helpers.

The buttons read the reader's state through ``state_for`` (once per request,
however many buttons a page has). Signed-out readers get a link to sign in
instead, so a page cached for everyone signed out carries no personal state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.http import HttpRequest

from daybook.community.state import ReaderState, state_for
from daybook.community.views.common import page_url

register = template.Library()


def _common(context: template.Context) -> tuple[dict[str, Any], ReaderState | None]:
    request: HttpRequest | None = context.get("request")
    reader = state_for(request) if request is not None else None
    base = {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "signed_in": reader is not None,
        "next": request.get_full_path() if request is not None else "",
    }
    return base, reader


@register.inclusion_tag("community/bookmark_button.html", takes_context=True)
def bookmark_button(context: template.Context, article_id: int) -> dict[str, Any]:
    """Save/Saved for one article."""
    base, reader = _common(context)
    article_id = int(article_id)
    return {
        **base,
        "article_id": article_id,
        "pressed": reader is not None and article_id in reader.bookmarks,
    }


@register.inclusion_tag("community/follow_button.html", takes_context=True)
def follow_button(
    context: template.Context, kind: str, key: str | int, label: str
) -> dict[str, Any]:
    """Follow/Following for a publisher (its id), topic (its name) or entity (its id);
    ``label`` is the target's name."""
    base, reader = _common(context)
    key = str(key)
    pressed = reader is not None and (kind, key) in reader.follows
    return {**base, "kind": kind, "key": key, "label": label, "pressed": pressed}


@register.inclusion_tag("community/mute_button.html", takes_context=True)
def mute_button(context: template.Context, publisher_id: int, label: str) -> dict[str, Any]:
    """Mute/Muted for a publisher; ``label`` is its name."""
    base, reader = _common(context)
    publisher_id = int(publisher_id)
    pressed = reader is not None and publisher_id in reader.muted_publishers
    return {**base, "publisher_id": publisher_id, "label": label, "pressed": pressed}


@register.simple_tag
def comment_page(kind: str, target_id: int) -> str:
    """The URL of the page a comment thread is on."""
    return page_url(kind, int(target_id))


@register.filter
def when(iso: str | None) -> str:
    """An ISO 8601 time from ``thread()`` as readers read it: "20 Nov 2026, 03:00 UTC"."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {moment:%b %Y, %H:%M} {moment.tzname() or 'UTC'}"
