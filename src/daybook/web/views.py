"""Thin views: each names its data builder (``daybook.web.pages``) and template;
``daybook.web.respond`` does caching, validators and the JSON twin."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from daybook.community import reading
from daybook.community.comments import thread
from daybook.community.state import forget, state_for
from daybook.news import revision
from daybook.news.ask import ask_about
from daybook.news.models import Article, Source
from daybook.news.search import Query
from daybook.news.search import search as run_search
from daybook.web import pages, reader
from daybook.web.paging import BadCursor
from daybook.web.respond import respond, wants_json
from daybook.web.shapes import ArticleDetail, SearchPage, StoryDetail

SEARCH_PAGE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    state = state_for(request)
    extra = {"for_you": reader.for_you(state) if state else None}
    return respond(request, "web/home.html", pages.home, context=extra)


@require_GET
def story(request: HttpRequest, pk: int) -> HttpResponse:
    found = pages.resolve_story(pk)
    if found.pk != pk:  # merged into another: send old links on
        return redirect("story", pk=found.pk, permanent=True)

    def build() -> StoryDetail:
        return {**pages.story(found), "comments": thread(story=found.pk)}

    return respond(request, "web/story.html", build, revisions=(revision.NEWS, revision.COMMENTS))


@require_GET
def article(request: HttpRequest, pk: int) -> HttpResponse:
    reader_id = request.user.pk if state_for(request) is not None else None
    if reader_id is not None and not wants_json(request):
        opened = Article.objects.only("id", "created_at", "source_id", "story_id", "topics")
        row = opened.filter(pk=pk).first()
        if row is not None:  # opening an article reads it
            reading.mark(reader_id, row, read=True)
            forget(request)

    def build() -> ArticleDetail:
        return {**pages.article(pk), "comments": thread(article=pk)}

    return respond(request, "web/article.html", build, revisions=(revision.NEWS, revision.COMMENTS))


@require_GET
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    return _ask(request, article_id=pk)


@require_GET
def story_ask(request: HttpRequest, pk: int) -> HttpResponse:
    return _ask(request, story_id=pk)


def _ask(request: HttpRequest, **target: int) -> HttpResponse:
    """Answers from the articles' own sentences. As JSON, as an htmx fragment for
    the AI panel, or as a whole page when scripts are off."""
    question = request.GET.get("q", "").strip()
    error = None
    result: dict[str, Any] | None = None
    try:
        result = ask_about(question, **target)
    except LookupError as missing:
        raise Http404(str(missing)) from missing
    except ValueError as bad:
        error = str(bad)
    if wants_json(request):
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
    context = {"question": question, "answer": result, "error": error, "target": target}
    template = "web/_answer.html" if request.htmx else "web/answer.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if error else 200)


@require_GET
def publishers(request: HttpRequest) -> HttpResponse:
    return respond(request, "web/publishers.html", pages.publishers)


@require_GET
def publisher(request: HttpRequest, pk: int) -> HttpResponse:
    cursor = request.GET.get("cursor")
    narrow = _unread_only(request)
    return _listing(
        request, "web/publisher.html", lambda: pages.publisher(pk, cursor, narrow=narrow), narrow
    )


@require_GET
def topics(request: HttpRequest) -> HttpResponse:
    return respond(request, "web/topics.html", pages.topics)


@require_GET
def topic(request: HttpRequest, name: str) -> HttpResponse:
    cursor = request.GET.get("cursor")
    narrow = _unread_only(request)
    return _listing(
        request, "web/topic.html", lambda: pages.topic(name, cursor, narrow=narrow), narrow
    )


@require_GET
def entity(request: HttpRequest, pk: int) -> HttpResponse:
    cursor = request.GET.get("cursor")
    narrow = _unread_only(request)
    return _listing(
        request, "web/entity.html", lambda: pages.entity(pk, cursor, narrow=narrow), narrow
    )


def _unread_only(request: HttpRequest) -> pages.Narrow | None:
    """``?unread=1`` from a signed-in reader: the list without what they have read."""
    state = state_for(request)
    if state is None or request.GET.get("unread") != "1":
        return None
    return lambda rows: reading.unread(rows, state.reading)


def _listing(
    request: HttpRequest, template: str, build: Any, narrow: pages.Narrow | None
) -> HttpResponse:
    try:
        return respond(request, template, build, personal=narrow is not None)
    except BadCursor as bad:
        return _bad_request(request, str(bad))


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    try:
        query, page = search_query(request.GET)
    except ValueError as bad:
        return _bad_request(request, str(bad))

    def build() -> SearchPage:
        return search_page(query, page)

    context = {
        "publisher_choices": _publisher_choices(),
        "topic_names": pages.TOPIC_NAMES,
        "prev_query": _with_page(request, page - 1),
        "next_query": _with_page(request, page + 1),
    }
    return respond(request, "web/search.html", build, context=context)


def _with_page(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    params.pop("format", None)
    return params.urlencode()


def search_query(params: Any) -> tuple[Query | None, int]:
    """The reader's search form as a Query (None when nothing was asked) and a page
    number. Raises ValueError with a message for the reader on a bad field."""
    text = (params.get("q") or "").strip()[:200]
    try:
        page = max(1, int(params.get("page") or 1))
        publisher = int(params["publisher"]) if params.get("publisher") else None
        since = date.fromisoformat(params["since"]) if params.get("since") else None
        until = date.fromisoformat(params["until"]) if params.get("until") else None
    except ValueError as bad:
        raise ValueError("Dates are YYYY-MM-DD; publisher and page are numbers.") from bad
    topic = params.get("topic") or None
    if topic is not None and topic not in pages.TOPIC_NAMES:
        raise ValueError(f"There is no topic {topic[:40]!r}.")
    order = params.get("order") or "relevance"
    if order != "relevance" and order != "date":
        raise ValueError("Order is relevance or date.")
    if not text:
        return None, page
    query = Query(
        text=text,
        publisher=publisher,
        topic=topic,
        since=since,
        until=until,
        order="date" if order == "date" else "relevance",
    )
    return query, page


def search_page(query: Query | None, page: int) -> SearchPage:
    if query is None:
        return {"query": None, "hits": [], "total": 0, "ranked": None, "page": page, "pages": 0}
    results = run_search(query, limit=SEARCH_PAGE, offset=(page - 1) * SEARCH_PAGE)
    # By id alone: with "copy_of IS NULL" beside it SQLite walks an index of every
    # original (search returns no copies).
    found = pages.listed(Article.objects.all()).in_bulk([h.article_id for h in results.hits])
    return {
        "query": {
            "text": query.text,
            "publisher": query.publisher,
            "topic": query.topic,
            "since": query.since.isoformat() if query.since else None,
            "until": query.until.isoformat() if query.until else None,
            "order": query.order,
        },
        "hits": [
            {
                **pages.card(found[h.article_id]),
                "title_html": h.title_html,
                "snippet_html": h.snippet_html,
            }
            for h in results.hits
            if h.article_id in found
        ],
        "total": results.total,
        "ranked": results.pageable,
        "page": page,
        "pages": -(-(results.pageable or results.total) // SEARCH_PAGE),
    }


def _publisher_choices() -> list[tuple[int, str]]:
    return list(Source.objects.order_by("name").values_list("id", "name"))


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": message}, status=400)
    return render(request, "web/error.html", {"message": message}, status=400)
