"""One check of the links a feed, a page or a header hands us: made absolute, and kept
only if it is a web address (http or https with a host). ``javascript:``, ``data:``,
``file:`` and unresolvable paths in hostile input go no further."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit


def web_url(value: str | None, base: str | None = None) -> str | None:
    """``value`` made absolute against ``base``; None unless it is an http(s) URL."""
    text = (value or "").strip()
    if not text or not text.isprintable():
        return None
    try:
        url = urljoin(base, text) if base else text
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def is_web_url(url: str) -> bool:
    """An http(s) URL: the only kind daybook fetches, links to, or treats as a web identity."""
    return url.lower().startswith(("http://", "https://"))
