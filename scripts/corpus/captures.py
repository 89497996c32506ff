"""Captured-text pages: what a reader gets by copying an article out of a browser or a
news app. Four house styles, each with its own way of gluing the publisher to the
date, printing the byline, and trailing comment prompts, related teasers and app
prompts after the article."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Teaser:
    title: str
    publisher: str
    age: str  # "5 hours ago"
    text: str


@dataclass
class Capture:
    style: str
    publisher: str
    title: str
    shown: str  # "18-11-2026" or "5 hours ago"
    caption: str
    authors: list[str]
    paragraphs: list[str]
    related: list[Teaser]


def _byline_upper(authors: list[str]) -> str:
    if not authors:
        return ""
    joined = (
        " and ".join(a.upper() for a in authors)
        if len(authors) <= 2
        else ", ".join(a.upper() for a in authors)
    )
    return f"By {joined}"


def _style_a(c: Capture) -> list[str]:
    """A news-aggregator app: headline twice, publisher glued to the date."""
    lines = ["NEWSLINE", "", c.title, c.title, f"{c.publisher}{c.shown}", "", c.caption]
    lines += [_byline_upper(c.authors), ""]
    for paragraph in c.paragraphs:
        lines += [paragraph, ""]
    lines += [
        f"© 2026 {c.publisher}. All rights reserved.",
        "",
        "Comments",
        "",
        "Be the first to share your thoughts",
        "Write a comment...",
        "",
        "Related Articles",
        "",
    ]
    for t in c.related:
        lines += [t.title, t.title, t.publisher, f"time{t.age}", t.text, ""]
    lines += [
        "Get the full story in the NewsLine app",
        "Download the app for breaking news alerts",
        "Download",
        "",
    ]
    return lines


def _style_b(c: Capture) -> list[str]:
    """Copied from the publisher's site in a browser: menu text first, a line per paragraph."""
    lines = [
        "Skip to content",
        c.publisher,
        "Menu",
        "Search",
        c.title,
        f"{c.publisher}{c.shown}",
        f"Photo: {c.caption}",
    ]
    if c.authors:
        lines.append("By " + " and ".join(c.authors))
    lines += c.paragraphs
    lines += [
        f"Copyright 2026 {c.publisher}. All rights reserved.",
        "What do you think?",
        "0 Comments",
        "Sign in to comment",
        "Related Articles",
    ]
    for t in c.related:
        lines += [t.title, t.title, f"• {t.publisher}", t.age, t.text]
    lines += ["Open in the app", "Read more stories like this one in the app", ""]
    return lines


def _style_c(c: Capture) -> list[str]:
    """A reader app with a hamburger logo line and a 'more on this story' block."""
    lines = [
        f"☰  {c.publisher}",
        "",
        c.title,
        "",
        c.title,
        "",
        f"{c.publisher}{c.shown}",
        "",
        c.caption,
        "",
        _byline_upper(c.authors),
        "",
    ]
    for paragraph in c.paragraphs:
        lines += [paragraph, ""]
    lines += [
        f"© {c.publisher}",
        "",
        "Add a comment",
        "Comments are reviewed before they appear.",
        "",
        "Related Articles",
        "",
    ]
    for t in c.related:
        lines += [t.title, "", t.title, f"{t.publisher} • {t.age}", "", t.text, ""]
    lines += ["Never miss a story", "Install the app and turn on notifications", "Install", ""]
    return lines


def _style_d(c: Capture) -> list[str]:
    """A shared-link preview from a messaging app, then the page text with little spacing."""
    lines = [c.publisher.upper(), c.title, c.title, f"{c.publisher}{c.shown}", c.caption]
    if c.authors:
        lines.append(_byline_upper(c.authors))
    lines.append("")
    lines += c.paragraphs
    lines += [
        "",
        f"Copyright © 2026 {c.publisher}",
        "",
        "Join the conversation",
        "Log in or create an account to comment",
        "",
        "Related Articles",
    ]
    for t in c.related:
        lines += [t.title, t.title, f"• {t.publisher}", f"time{t.age}", t.text]
    lines += ["", "Read it first in the app", "Scan the code to download", ""]
    return lines


STYLES = {"a": _style_a, "b": _style_b, "c": _style_c, "d": _style_d}


def render(capture: Capture) -> str:
    return "\n".join(STYLES[capture.style](capture))
