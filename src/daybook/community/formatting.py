"""Comment bodies: a small Markdown subset rendered to HTML that is safe to show.

Two layers, because either alone has failed somewhere before: markdown-it-py with
raw HTML off turns the body into a fixed set of tags (anything else a reader types
comes out as escaped text), and nh3 then keeps only the allowlist below, whatever
the renderer produced. Links must be absolute http(s): a relative or
protocol-relative link could point readers around our own site under a
commenter's words, and ``javascript:``/``data:`` never become links at all.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset({"p", "br", "em", "strong", "code", "a", "blockquote", "ul", "ol", "li"})
LINK_REL = "nofollow ugc noopener"
SCHEMES = ("http://", "https://")

# "zero" starts with nothing but paragraphs and text; only the subset is switched on.
_markdown = (
    MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    .enable(["emphasis", "backticks", "link", "autolink", "newline", "escape", "entity"])
    .enable(["blockquote", "list"])
)
_markdown.validateLink = lambda url: url.strip().lower().startswith(SCHEMES)  # type: ignore[method-assign]

_cleaner = nh3.Cleaner(
    tags=set(TAGS),
    attributes={"a": {"href"}, "*": set()},  # "*": no title/lang anywhere
    url_schemes={"http", "https"},
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def render(body: str) -> str:
    """``body`` as sanitised HTML, ready to be marked safe in a template."""
    return _cleaner.clean(_markdown.render(body)).strip()
