"""How daybook's extraction does on real pages, next to plain trafilatura in the same run.

The pages are Mozilla Readability's 130 test pages, read at run time from
``../shared/corpora/readability-test-pages/`` (other people's text: it never enters
the project). Each page's ``expected.html`` and ``expected-metadata.json`` are what
Readability extracts; they are the reference here, not a truth to tune against.

For daybook, a page goes through what ingest stores: ``extract_document`` then
``normalise`` (the language is detected when the page does not say). For
trafilatura, ``bare_extraction`` with its defaults and metadata.

Printed: body token F1 (precision and recall of the words of ``expected.html``, CJK
characters counted one by one), pages where no text came out, and the accuracy of
title, byline, site name, language and published date over the pages whose
reference has one; then the pages where daybook does worst, and worst against
trafilatura.

    .venv/bin/python bench/realpages.py [--pages DIR] [--worst 15]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

import lxml.html
import trafilatura

from daybook.errors import ExtractError
from daybook.pipeline.extract import extract_document
from daybook.pipeline.normalise import normalise
from daybook.text.script import CJK_CHARS

PAGES = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "readability-test-pages"
URL = "http://fakehost/test/page.html"
"""The address Readability's own tests give every page."""
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FIELDS = ("title", "byline", "site", "language", "date")
_TOKEN = re.compile(rf"[{CJK_CHARS}]|[^\W_]+")
"""A CJK character (``daybook.text.script``) is a token of its own; any other word is one."""


@dataclass
class Result:
    """What one extractor made of one page."""

    text: str = ""
    error: str = ""
    title: str | None = None
    byline: str | None = None
    site: str | None = None
    language: str | None = None
    date: datetime | None = None
    seconds: float = 0.0


@dataclass
class Reference:
    text: str
    title: str | None
    byline: str | None
    site: str | None
    language: str | None
    date: datetime | None
    has_time: bool = False


@dataclass
class Scores:
    f1: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    right: Counter[str] = field(default_factory=Counter)
    asked: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--worst", type=int, default=15, help="pages listed")
    args = parser.parse_args()
    if not args.pages.is_dir():
        sys.exit(f"{args.pages} is not there: this bench reads the real pages from ../shared")
    folders = sorted(p for p in args.pages.iterdir() if (p / "source.html").is_file())
    extractors: dict[str, Callable[[bytes], Result]] = {
        "daybook": run_daybook,
        "trafilatura": run_trafilatura,
    }
    scores = {name: Scores() for name in extractors}
    per_page: dict[str, dict[str, float]] = {}
    errors: dict[str, str] = {}
    for folder in folders:
        html = (folder / "source.html").read_bytes()  # each extractor finds the encoding
        reference = read_reference(folder)
        for name, extract in extractors.items():
            result = extract(html)
            f1 = score(scores[name], reference, result, folder.name)
            per_page.setdefault(folder.name, {})[name] = f1
            if name == "daybook" and result.error:
                errors[folder.name] = result.error
    print(f"{len(folders)} pages from {args.pages}\n")
    print(f"{'':<12} {'body F1':>8} {'P':>6} {'R':>6} {'no text':>8}", end="")
    print("".join(f" {f:>9}" for f in FIELDS), f" {'s/page':>7}")
    for name, s in scores.items():
        print(
            f"{name:<12} {mean(s.f1):>8.3f} {mean(s.precision):>6.3f} {mean(s.recall):>6.3f} "
            f"{len(s.empty):>8}",
            end="",
        )
        print("".join(f" {_share(s, f):>9}" for f in FIELDS), f" {s.seconds / len(folders):>7.3f}")
    print("\n(a field's accuracy is over the pages whose reference has that field: title, byline")
    print(" and site name when their words match (F1 >= 0.8), language by its primary subtag,")
    print(" the date to the minute, or to the day when the reference gives no time)")
    worse = [p for p, f in per_page.items() if f["daybook"] < f["trafilatura"] - 0.01]
    print(f"\npages where daybook's body F1 is below trafilatura's by more than 0.01: {len(worse)}")
    _list(
        "worst against trafilatura",
        sorted(per_page, key=lambda p: per_page[p]["daybook"] - per_page[p]["trafilatura"]),
        per_page,
        errors,
        args.worst,
    )
    _list(
        "worst for daybook",
        sorted(per_page, key=lambda p: per_page[p]["daybook"]),
        per_page,
        errors,
        args.worst,
    )


def _list(
    heading: str,
    order: list[str],
    per_page: dict[str, dict[str, float]],
    errors: dict[str, str],
    count: int,
) -> None:
    print(f"\n{heading}:")
    print(f"  {'page':<40} {'daybook':>8} {'trafilatura':>12}")
    for page in order[:count]:
        f = per_page[page]
        note = f"  {errors[page]}" if page in errors else ""
        print(f"  {page:<40} {f['daybook']:>8.3f} {f['trafilatura']:>12.3f}{note}")


def run_daybook(html: bytes) -> Result:
    started = time.perf_counter()
    try:
        extracted = extract_document(html, url=URL, now=NOW)
    except ExtractError as error:
        return Result(error=str(error), seconds=time.perf_counter() - started)
    stored = normalise(extracted, url=URL, now=NOW)
    return Result(
        text=stored.text,
        title=extracted.title,  # normalise falls back to the first words: not a title found
        byline=", ".join(stored.authors) or None,
        site=stored.site_name,
        language=stored.language,
        date=stored.published,
        seconds=time.perf_counter() - started,
    )


def run_trafilatura(html: bytes) -> Result:
    started = time.perf_counter()
    try:
        document = trafilatura.bare_extraction(html, url=URL, with_metadata=True)
    except Exception as error:  # a library failing on a page is a result, not a crash
        return Result(error=repr(error), seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if document is None or isinstance(document, dict):
        return Result(error="nothing extracted", seconds=seconds)
    return Result(
        text=document.text or "",
        title=document.title,
        byline=(document.author or "").replace(";", ",") or None,
        site=document.sitename,
        language=document.language,
        date=_date(document.date),
        seconds=seconds,
    )


def read_reference(folder: Path) -> Reference:
    meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    expected = lxml.html.fromstring((folder / "expected.html").read_text(encoding="utf-8"))
    published = meta.get("publishedTime")
    return Reference(
        text=" ".join(expected.itertext()),
        title=meta.get("title") or None,
        byline=meta.get("byline") or None,
        site=meta.get("siteName") or None,
        language=meta.get("lang") or None,
        date=_date(published),
        has_time=bool(published and "T" in published),
    )


def score(scores: Scores, reference: Reference, result: Result, page: str) -> float:
    precision, recall, f1 = token_f1(result.text, reference.text)
    scores.f1.append(f1)
    scores.precision.append(precision)
    scores.recall.append(recall)
    scores.seconds += result.seconds
    if not result.text.strip():
        scores.empty.append(page)
    for name in ("title", "byline", "site"):
        want = getattr(reference, name)
        if want:
            scores.asked[name] += 1
            scores.right[name] += token_f1(getattr(result, name) or "", want)[2] >= 0.8
    if reference.language:
        scores.asked["language"] += 1
        primary = reference.language.split("-")[0].casefold()
        scores.right["language"] += (result.language or "").split("-")[0].casefold() == primary
    if reference.date:
        scores.asked["date"] += 1
        scores.right["date"] += _same_date(result.date, reference.date, reference.has_time)
    return f1


def token_f1(got: str, want: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the words of ``got`` against those of ``want``."""
    a, b = Counter(_TOKEN.findall(got.casefold())), Counter(_TOKEN.findall(want.casefold()))
    common = sum((a & b).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _same_date(got: datetime | None, want: datetime, has_time: bool) -> bool:
    if got is None:
        return False
    if has_time:
        return abs((got - want).total_seconds()) < 60
    return got.date() == want.date()


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _share(scores: Scores, name: str) -> str:
    asked = scores.asked[name]
    return f"{scores.right[name] / asked:.2f}/{asked}" if asked else "-"


if __name__ == "__main__":
    main()
