"""The Fever API (at ``/fever/`` like Miniflux and ``/api/fever.php`` like FreshRSS):
one endpoint, the verb in the query, ``api_key`` = md5("user:app password") in the
form. It shows what the Google Reader API shows (``greader.streams``: the followed
publishers' originals, mutes left out), with the article key as the item id and the
publisher's as the feed id. Publishers have no folders: one group, "Following",
holds them all, and marking it (or Fever's group 0, everything) read is the reader's
watermark. A failed sign-in answers 200 with ``auth: 0``, as clients expect."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Max
from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from daybook.community import app_passwords, reading, state
from daybook.community.models import AppPassword, Bookmark
from daybook.community.state import ReaderState
from daybook.community.views.common import client_ip
from daybook.news.models import Article, Feed, Source
from daybook.sync import credentials
from daybook.sync.greader import items as greader_items
from daybook.sync.greader import streams

API_VERSION = 3
PAGE = 50
GROUP = 1
"""The one group, "Following"."""


class BadArgument(ValueError):
    pass


def _ids(raw: str, name: str, most: int = PAGE) -> list[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isdigit() and len(part) < 19 for part in parts) or len(parts) > most:
        raise BadArgument(f"{name} must be at most {most} comma-separated ids")
    return [int(part) for part in parts]


def _one(raw: str | None, name: str) -> int:
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 18:
        raise BadArgument(f"{name} must be a number")
    return int(raw)


@csrf_exempt
def endpoint(request: HttpRequest) -> JsonResponse:
    """Authenticated by ``api_key`` on every request (a cookie is never looked at),
    so CSRF does not apply."""
    params = request.GET.copy()
    params.update(request.POST)
    key = str(request.POST.get("api_key", ""))
    found = credentials.present(client_ip(request), lambda: app_passwords.by_fever_key(key), str)
    if not isinstance(found, AppPassword):
        return JsonResponse({"api_version": API_VERSION, "auth": 0})
    user = found.user
    body: dict[str, Any] = {"api_version": API_VERSION, "auth": 1}
    try:
        if "mark" in params:
            _mark(user, params)
        held = state.load(user.pk)
        body.update(_answers(request, user, held, params))
    except BadArgument as error:
        body["error"] = str(error)
        return JsonResponse(body, status=400)
    refreshed = Feed.objects.aggregate(at=Max("last_success_at"))["at"]
    body["last_refreshed_on_time"] = int(refreshed.timestamp()) if refreshed else 0
    return JsonResponse(body)


def _followed(user: User) -> list[Source]:
    return list(Source.objects.filter(pk__in=streams.followed_publishers(user)).order_by("name"))


def _reading_list(user: User, held: ReaderState) -> Any:
    return streams.articles(streams.Stream("reading-list"), user, held)


def _answers(
    request: HttpRequest, user: User, held: ReaderState, params: QueryDict
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if "groups" in params or "feeds" in params:
        ids = ",".join(str(source.pk) for source in _followed(user))
        body["feeds_groups"] = [{"group_id": GROUP, "feed_ids": ids}]
    if "groups" in params:
        body["groups"] = [{"id": GROUP, "title": "Following"}]
    if "feeds" in params:
        body["feeds"] = [_feed(source) for source in _followed(user)]
    if "favicons" in params:
        body["favicons"] = []
    if "unread_item_ids" in params or params.get("mark"):
        unread = reading.unread(_reading_list(user, held), held.reading).order_by("id")
        unread_ids = [str(a.pk) for a in streams.unmuted(unread.iterator(chunk_size=500), held)]
        body["unread_item_ids"] = ",".join(unread_ids)
    if "saved_item_ids" in params or params.get("mark"):
        body["saved_item_ids"] = ",".join(str(pk) for pk in sorted(held.bookmarks))
    if "items" in params:
        body.update(_items(request, user, held, params))
    return body


def _feed(source: Source) -> dict[str, Any]:
    newest = Article.objects.filter(source=source).aggregate(at=Max("created_at"))["at"]
    return {
        "id": source.pk,
        "favicon_id": 0,
        "title": source.name,
        "url": streams.feed_url(source.pk),
        "site_url": source.site_url,
        "is_spark": 0,
        "last_updated_on_time": int(newest.timestamp()) if newest else 0,
    }


def _items(
    request: HttpRequest, user: User, held: ReaderState, params: QueryDict
) -> dict[str, Any]:
    """50 items: ``with_ids`` (any article, by id), or the reading list above
    ``since_id`` (oldest first) or below ``max_id`` (newest first)."""
    listed = _reading_list(user, held)
    if params.get("with_ids"):
        rows = streams.visible(held).filter(pk__in=_ids(params.get("with_ids", ""), "with_ids"))
        rows = rows.order_by("id")
    elif params.get("max_id"):
        rows = listed.filter(pk__lt=_one(params.get("max_id"), "max_id")).order_by("-id")
    else:
        since = _one(params.get("since_id"), "since_id") if params.get("since_id") else 0
        rows = listed.filter(pk__gt=since).order_by("id")
    rows = rows.select_related("source").defer("embedding", "signature", "related")
    found = []
    for article in streams.unmuted(rows.iterator(chunk_size=PAGE), held):
        found.append(article)
        if len(found) == PAGE:
            break
    return {
        "items": [_item(request, article, held) for article in found],
        "total_items": listed.count(),
    }


def _item(request: HttpRequest, article: Article, held: ReaderState) -> dict[str, Any]:
    read = held.reading.is_read(
        article.pk, article.created_at, article.source_id, article.story_id, article.topics
    )
    return {
        "id": article.pk,
        "feed_id": article.source_id or 0,
        "title": article.title,
        "author": ", ".join(str(name) for name in article.authors if name),
        "html": greader_items.content_html(request, article),
        "url": article.url,
        "is_saved": int(article.pk in held.bookmarks),
        "is_read": int(read),
        "created_on_time": int((article.published_at or article.created_at).timestamp()),
    }


def _mark(user: User, params: QueryDict) -> None:
    """``mark=item`` read/unread/saved/unsaved, ``mark=feed|group`` read up to
    ``before``; for the token holder only. An item that does not exist is ignored."""
    kind, action = params.get("mark"), params.get("as")
    target = _one(params.get("id"), "id")
    if kind == "item" and action in ("read", "unread", "saved", "unsaved"):
        article = Article.objects.filter(pk=target).first()
        if article is None:
            return
        if action in ("read", "unread"):
            reading.mark(user.pk, article, action == "read")
        elif action == "saved":
            Bookmark.objects.get_or_create(user=user, article=article)
        else:
            Bookmark.objects.filter(user=user, article=article).delete()
        return
    if kind in ("feed", "group") and action == "read":
        before = params.get("before")
        shown = streams.seconds(before, "before") if before else timezone.now()
        assert shown is not None
        if kind == "group" and target in (0, GROUP):
            reading.mark_all(user.pk, reading.Kind.ALL, "", shown)
        elif kind == "feed" and Source.objects.filter(pk=target).exists():
            reading.mark_all(user.pk, reading.Kind.PUBLISHER, str(target), shown)
        else:
            raise BadArgument(f"no such {kind}: {target}")
        return
    raise BadArgument("mark=item|feed|group with as=read|unread|saved|unsaved")
