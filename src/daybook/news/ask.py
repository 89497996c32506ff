"""Questions about an article or a story: the sentences that answer, each with the
article it comes from; and, when an operator configured a language model, a
written answer grounded in those sentences.

The extractive answer is always computed first and always returned; the model's
answer is an extra that may be missing (provider off, down, or slow)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from daybook.ai.ask import answer
from daybook.ai.embed import load_embedder
from daybook.ai.llm import NO_ANSWER, LLMClient, LLMConfig
from daybook.ai.text import MAX_TEXT_CHARS, Doc, paragraphs
from daybook.errors import LLMError
from daybook.news.models import Article, Story

log = logging.getLogger("daybook.ask")


def as_doc(article: Article) -> Doc:
    """An article as the ``ai`` stages read it (``source`` selected, for the publisher)."""
    return Doc(
        article_id=article.pk,
        publisher=article.publisher,
        paragraphs=tuple(paragraphs(article.text[:MAX_TEXT_CHARS])),
        title=article.title,
    )


def provider() -> LLMClient | None:
    """The configured language-model client, or None when the operator set none."""
    if not settings.DAYBOOK_LLM_BASE_URL:
        return None
    return LLMClient(
        LLMConfig(
            base_url=settings.DAYBOOK_LLM_BASE_URL,
            model=settings.DAYBOOK_LLM_MODEL,
            api_key=settings.DAYBOOK_LLM_API_KEY,
        )
    )


def ask_about(
    question: str, *, article_id: int | None = None, story_id: int | None = None
) -> dict[str, Any]:
    """Raises ValueError for a bad question and LookupError for an unknown target."""
    if article_id is not None:
        article = Article.objects.select_related("source").filter(pk=article_id).first()
        if article is None:
            raise LookupError(f"no article {article_id}")
        articles = [article]
    else:
        story = Story.current(story_id) if story_id is not None else None
        if story is None:
            raise LookupError(f"no story {story_id}")
        articles = list(
            Article.objects.filter(story=story)
            .select_related("source")
            .order_by("published_at", "id")
        )
    by_id = {a.pk: a for a in articles}
    docs = [as_doc(a) for a in articles]
    embedder = load_embedder(settings.DAYBOOK_EMBEDDING_BACKEND)
    cited = answer(question, docs, embedder.embed)
    sentences: list[dict[str, Any]] = [
        {
            "article": c.article_id,
            "title": by_id[c.article_id].title,
            "publisher": by_id[c.article_id].publisher,
            "text": c.sentence.text,
            "paragraph": c.sentence.paragraph,
            "sentence": c.sentence.index,
        }
        for c in cited
    ]
    result: dict[str, Any] = {"question": question, "sentences": sentences, "generated": None}
    client = provider()
    if client is not None and sentences:
        with client:
            try:
                written = client.answer(question, [s["text"] for s in sentences])
            except LLMError as error:
                log.warning("language model failed, extractive answer only error=%s", error)
            else:
                if written and written != NO_ANSWER:
                    result["generated"] = written
                    result["generated_by"] = client.config.model
    return result
