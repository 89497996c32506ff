"""The JSON records printed by ``daybook extract`` and ``daybook export --jsonl``.

Both print the same fields, built here once, so an exported article can be
compared with a fresh extraction of its input field for field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from daybook.errors import DaybookError
from daybook.news.models import Article
from daybook.news.related import related_ids
from daybook.pipeline.extract import extract_document
from daybook.pipeline.fetch import Fetcher
from daybook.pipeline.normalise import NormalisedArticle, normalise
from daybook.pipeline.types import RelatedTeaser
from daybook.pipeline.urls import is_web_url

FIELDS = (
    "input",
    "url",
    "canonical_url",
    "title",
    "authors",
    "published",
    "site_name",
    "language",
    "image",
    "description",
    "text",
    "related",
)


def extract_inputs(
    inputs: Iterable[str], *, fetcher: Fetcher, base_url: str | None = None
) -> Iterator[dict[str, Any]]:
    """Extract each input (a file path or an http(s) URL); a failure is a record with ``error``."""
    for item in inputs:
        try:
            yield _extract_one(item, fetcher, base_url)
        except (DaybookError, OSError) as error:
            yield {"input": item, "error": f"{type(error).__name__}: {error}"}


def _extract_one(item: str, fetcher: Fetcher, base_url: str | None) -> dict[str, Any]:
    if is_web_url(item):
        page = fetcher.fetch(item, accept="text/html,*/*;q=0.5")
        extracted = extract_document(page.content, url=page.url)
        url = page.url
    else:
        path = Path(item)
        # No ``now``, as in Ingester._ingest_file: an age-only capture stays undated.
        extracted = extract_document(path.read_bytes(), url=base_url)
        url = extracted.url or base_url or path.resolve().as_uri()
    article = normalise(extracted, url=url)
    return _record(item, article, extracted.related)


def _record(
    input_: str | None, article: NormalisedArticle, related: Iterable[RelatedTeaser]
) -> dict[str, Any]:
    return {
        "input": input_,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "authors": list(article.authors),
        "published": _iso(article.published),
        "site_name": article.site_name,
        "language": article.language,
        "image": article.image,
        "description": article.description,
        "text": article.text,
        "related": [asdict(t) for t in related],
    }


def export_articles() -> Iterator[dict[str, Any]]:
    """Every stored article, oldest first, with its id, what it copies and what
    enrichment made of it."""
    rows = Article.objects.select_related("source").order_by("id")
    for row in rows.iterator(chunk_size=500):
        yield {
            "id": row.pk,
            "input": row.input_path or None,
            "url": row.url,
            "canonical_url": row.canonical_url,
            "title": row.title,
            "authors": row.authors,
            "published": _iso(row.published_at),
            "site_name": row.site_name or (row.source.name if row.source else None),
            "language": row.language or None,
            "image": row.image or None,
            "description": row.description or None,
            "text": row.text,
            "related": row.related,
            "publisher": row.publisher or None,
            "copy_of": row.copy_of_id,
            "story": row.story_id,
            "summary": row.summary,
            "key_points": row.key_points,
            "entities": [
                {"name": m.entity.name, "kind": m.entity.kind, "count": m.count}
                for m in row.mentions.select_related("entity")
            ],
            "quotes": [
                {
                    "text": q.text,
                    "speaker": q.speaker.name if q.speaker else None,
                    "unnamed": q.unnamed or None,
                }
                for q in row.quotes.select_related("speaker")
            ],
            "topics": row.topics,
            "keywords": row.keywords,
            "related_articles": related_ids(row),
            "enriched": row.enriched,
        }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
