"""Reader for the authored event files under ``scripts/corpus/events/``.

Format (plain text, so prose can be written and reviewed as prose)::

    === e01
    title: short description of the event
    topic: Japan, Science
    follows: e00            (optional: the earlier event this one continues)
    caption: photo caption used by the articles about it

    --- wire                (an article; the key is local to the event)
    publisher: meridian
    when: 2026-11-16T01:40Z (true publication time, UTC)
    by: Hana Lindqvist, Daisuke Oka
    title: Headline
    flags: tracking, relative_link, no_pubdate, no_page_date, page_missing, robots
    summary: The quake hit... (optional: a reference summary, see below)

    First paragraph, with quotes as {Speaker Name: words,} and so on.

    Second paragraph.

    --- hinode-copy         (a republished copy of another article of the event)
    copy: wire
    publisher: hinode
    delay: 1h20m
    title: New headline
    first: A replacement first sentence.
    trim: 2                 (drop the last two paragraphs)
    add 3: A paragraph inserted after paragraph 3 (after trimming).

    --- lantern-cap         (a captured-text page)
    capture: tokyolantern-quake
    of: lantern             (the article it captures; or publisher/when/by/title + body)
    style: b
    shown: 5 hours ago      (or a date, 17-11-2026)

``summary:`` is a reference summary written by hand, on one line: two or three
sentences, abstractive and faithful, giving who, what, where, when and the key
number, with no opinion. It goes to ``truth.json`` as ``reference_summary`` to
score generated summaries against, and never reaches a page, feed or capture. Only
independently written articles carry one: a copy or a capture shares its text with
an original, whose summary is the one to score against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = re.compile(r"^(===|---) (\S+)\s*$")
_FIELD = re.compile(r"^([a-z_]+(?: \d+)?): (.*)$")


@dataclass
class Block:
    key: str
    fields: dict[str, str] = field(default_factory=dict)
    adds: list[tuple[int, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    origin: str = ""


@dataclass
class EventSource:
    id: str
    fields: dict[str, str]
    blocks: list[Block]
    origin: str


def _split(
    lines: list[str], origin: str
) -> tuple[dict[str, str], list[tuple[int, str]], list[str]]:
    fields: dict[str, str] = {}
    adds: list[tuple[int, str]] = []
    body_start = len(lines)
    for number, line in enumerate(lines):
        if not line.strip():
            body_start = number
            break
        match = _FIELD.match(line)
        if not match:
            raise ValueError(f"{origin}: expected 'field: value', got {line!r}")
        name, value = match.group(1), match.group(2).strip()
        if name.startswith("add "):
            adds.append((int(name.split()[1]), value))
        elif name in fields:
            raise ValueError(f"{origin}: field {name!r} given twice")
        else:
            fields[name] = value
    text = "\n".join(lines[body_start:]).strip()
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return fields, adds, paragraphs


def read_events(folder: Path) -> list[EventSource]:
    events: list[EventSource] = []
    for path in sorted(folder.glob("*.txt")):
        events.extend(_read_file(path))
    return events


def _read_file(path: Path) -> list[EventSource]:
    sections: list[tuple[str, str, list[str]]] = []
    for line in path.read_text("utf-8").splitlines():
        match = _HEADER.match(line)
        if match:
            sections.append((match.group(1), match.group(2), []))
        elif sections:
            sections[-1][2].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"{path.name}: text before the first header: {line!r}")
    events: list[EventSource] = []
    for kind, key, lines in sections:
        origin = f"{path.name}:{key}"
        fields, adds, paragraphs = _split(lines, origin)
        if kind == "===":
            if adds or paragraphs:
                raise ValueError(f"{origin}: an event header has no body")
            events.append(EventSource(key, fields, [], origin))
        elif not events:
            raise ValueError(f"{origin}: article before any event")
        else:
            events[-1].blocks.append(Block(key, fields, adds, paragraphs, origin))
    return events
