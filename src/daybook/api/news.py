"""Reading the news: the same data the site's pages show, as JSON.

Every operation calls the page's own builder in ``daybook.web.pages`` (or the
search and ask helpers the pages use), so a page and its API twin cannot
disagree. Only ``/articles`` has no page of its own: it is the front page's
"latest" list, paged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.params.functions import Query

from daybook.api.schemas import Answer, Error
from daybook.news.ask import ask_about
from daybook.web import pages, paging, respond
from daybook.web.shapes import (
    ArticleDetail,
    ArticlePage,
    EntityPage,
    PublisherPage,
    Publishers,
    Related,
    SearchPage,
    StoryDetail,
    TopicPage,
    Topics,
    TopStories,
)
from daybook.web.views import search_page, search_query

router = Router(tags=["news"])
T = TypeVar("T", bound=Mapping[str, Any])


def cached(view: Callable[..., T]) -> Callable[..., T]:
    """Serve ``view``'s data from the page cache, built once per content revision
    (keyed on the request's path and query, like the pages)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> T:
        return cast(T, respond.cached(request, lambda: view(request, *args, **kwargs)))

    return wrapper


PAGE_SIZE = 30
Cursor = Query(None, description="from the previous page's cursor")
Limit = Query(PAGE_SIZE, ge=1, le=paging.MAX_LIMIT, description="articles per page")
Question = Query("", description="a question in plain words")


@router.get(
    "/articles",
    response={200: ArticlePage, 400: Error},
    exclude_unset=True,
    summary="Latest original articles, newest first",
)
@cached
def articles(
    request: HttpRequest,
    cursor: str | None = Cursor,
    limit: int = Limit,
    publisher: int | None = Query(None, description="a publisher's id"),
    topic: str | None = Query(None, description="a topic's name, as /topics lists them"),
) -> ArticlePage:
    """Republished copies are left out: each is listed in its original's
    "republishing"."""
    rows = pages.originals()
    if publisher is not None:
        rows = rows.filter(source_id=publisher)
    if topic is not None:
        if topic not in pages.TOPIC_NAMES:
            raise HttpError(400, f"There is no topic {topic[:40]!r}.")
        rows = pages.with_topic(rows, topic)
    found, following = paging.page(rows, cursor, limit)
    return {
        "articles": pages.cards(found),
        "cursor": following,
        "next": _next_page(request, following),
    }


def _next_page(request: HttpRequest, cursor: str | None) -> str | None:
    """This request again with the next cursor, keeping its filters and limit."""
    if cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = cursor
    return f"{request.path}?{params.urlencode()}"


@router.get(
    "/articles/{pk}",
    response={200: ArticleDetail, 404: Error},
    exclude_unset=True,
    summary="An article, with its AI features, related articles and republishing",
)
@cached
def article(request: HttpRequest, pk: int) -> ArticleDetail:
    return pages.article(pk)


@router.get(
    "/articles/{pk}/related",
    response={200: Related, 404: Error},
    exclude_unset=True,
    summary="Articles about the same thing",
)
@cached
def related(request: HttpRequest, pk: int) -> Related:
    return {"articles": pages.related(pk)}


@router.get(
    "/articles/{pk}/ask",
    response={200: Answer, 400: Error, 404: Error},
    exclude_unset=True,
    summary="Ask a question about an article",
)
def article_ask(request: HttpRequest, pk: int, q: str = Question) -> dict[str, Any]:
    """The sentences of the article that answer, and a written answer when the
    site has a language model configured."""
    return _ask(q, article_id=pk)


@router.get(
    "/stories",
    response=TopStories,
    exclude_unset=True,
    summary="Top stories, as on the front page",
)
@cached
def stories(request: HttpRequest) -> TopStories:
    return {"stories": pages.top_stories()}


@router.get(
    "/stories/{pk}",
    response={200: StoryDetail, 404: Error},
    exclude_unset=True,
    summary="A story: summary, timeline, coverage, entities and quotes",
)
@cached
def story(request: HttpRequest, pk: int) -> StoryDetail:
    """A story that was merged into another answers with that other story (its
    "story" says which)."""
    return pages.story(pages.resolve_story(pk))


@router.get(
    "/stories/{pk}/ask",
    response={200: Answer, 400: Error, 404: Error},
    exclude_unset=True,
    summary="Ask a question about a story",
)
def story_ask(request: HttpRequest, pk: int, q: str = Question) -> dict[str, Any]:
    """Answers come from every article in the story, each sentence with the
    article it is from."""
    return _ask(q, story_id=pk)


def _ask(question: str, **target: int) -> dict[str, Any]:
    try:
        return ask_about(question.strip(), **target)
    except LookupError as missing:
        raise HttpError(404, str(missing)) from missing
    except ValueError as bad:
        raise HttpError(400, str(bad)) from bad


@router.get("/publishers", response=Publishers, exclude_unset=True, summary="Every publisher")
@cached
def publishers(request: HttpRequest) -> Publishers:
    return pages.publishers()


@router.get(
    "/publishers/{pk}",
    response={200: PublisherPage, 400: Error, 404: Error},
    exclude_unset=True,
    summary="A publisher and its articles, newest first",
)
@cached
def publisher(
    request: HttpRequest, pk: int, cursor: str | None = Cursor, limit: int = Limit
) -> PublisherPage:
    return pages.publisher(pk, cursor, limit)


@router.get("/topics", response=Topics, exclude_unset=True, summary="Every topic and region")
@cached
def topics(request: HttpRequest) -> Topics:
    return pages.topics()


@router.get(
    "/topics/{name}",
    response={200: TopicPage, 400: Error, 404: Error},
    exclude_unset=True,
    summary="A topic's articles, newest first",
)
@cached
def topic(
    request: HttpRequest, name: str, cursor: str | None = Cursor, limit: int = Limit
) -> TopicPage:
    return pages.topic(name, cursor, limit)


@router.get(
    "/entities/{pk}",
    response={200: EntityPage, 400: Error, 404: Error},
    exclude_unset=True,
    summary="A person, organisation or place: quotes, stories and articles",
)
@cached
def entity(
    request: HttpRequest, pk: int, cursor: str | None = Cursor, limit: int = Limit
) -> EntityPage:
    return pages.entity(pk, cursor, limit)


@router.get(
    "/search",
    response={200: SearchPage, 400: Error},
    exclude_unset=True,
    summary="Full-text search over original articles",
)
@cached
def search(
    request: HttpRequest,
    q: str | None = Query(
        None, description="words; quote a phrase; end a word with * for a prefix"
    ),
    publisher: str | None = Query(None, description="a publisher's id"),
    topic: str | None = Query(None, description="a topic's name"),
    since: str | None = Query(None, description="YYYY-MM-DD"),
    until: str | None = Query(None, description="YYYY-MM-DD"),
    order: str | None = Query(None, description="relevance (the default) or date"),
    page: str | None = Query(None, description="1 and up"),
) -> SearchPage:
    """Hits are article cards with title_html and snippet_html, where matches
    are wrapped in <mark> and everything else is escaped."""
    # The site's own search form parser checks the fields, so the API accepts
    # and refuses exactly what the search page does.
    fields = {"q": q, "publisher": publisher, "topic": topic, "since": since, "until": until}
    try:
        query, number = search_query({**fields, "order": order, "page": page})
    except ValueError as bad:
        raise HttpError(400, str(bad)) from bad
    return search_page(query, number)
