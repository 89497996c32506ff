"""Times as readers read them (relative, with the exact moment machine-readable), and
publishers' images as daybook serves them."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from daybook.pipeline.normalise import relative_age
from daybook.web.media import media_url

register = template.Library()


def _parse(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@register.simple_tag
def when(iso: str | None) -> SafeString | str:
    """``<time datetime="…" title="24 Nov 2026, 18:13 UTC">14 hours ago</time>``."""
    moment = _parse(iso)
    if moment is None:
        return ""
    exact = moment.astimezone(UTC)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        exact.isoformat(),
        f"{exact.day} {exact:%b %Y, %H:%M} UTC",
        relative_age(exact),
    )


@register.filter
def media(url: str | None, size: str = "thumb") -> str:
    """A publisher's image as daybook serves it (``daybook.web.media``); empty for none."""
    return media_url(url, size) or ""
