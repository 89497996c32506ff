"""The Google Reader endpoints. Each reads the token holder's state once and touches
nothing of another reader's: ids of articles that exist are public, but every
mark, star and count is the token holder's. Bad input answers 400 with what was
wrong, an unknown feed or label 404, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from daybook.ai.topics import REGIONS, TOPICS
from daybook.community import reading, state, subscribing
from daybook.community.models import Bookmark, Follow
from daybook.community.state import ReaderState
from daybook.community.views.common import client_ip
from daybook.news.models import Article, Source
from daybook.sync import credentials
from daybook.sync.greader import atom, auth, ids, items, streams
from daybook.sync.greader.auth import reader

MAX_IDS = 1000
"""Items one stream/items/contents or edit-tag request may name."""


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def _answers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn bad input into its 4xx answer."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (streams.BadStream, ids.BadId) as error:
            return _text(f"{error}\n", 400)
        except streams.NoStream as error:
            return _text(f"{error}\n", 404)

    return wrapper


def _params(request: HttpRequest) -> QueryDict:
    """Clients send arguments in the query or the form body, some both."""
    merged = request.GET.copy()
    if request.method == "POST":
        for key, values in request.POST.lists():
            merged.setlistdefault(key, []).extend(values)
    return merged


# --- sign-in ------------------------------------------------------------------------


@csrf_exempt
def client_login(request: HttpRequest) -> HttpResponse:
    """ClientLogin with an app password: ``SID``/``LSID``/``Auth`` lines, or JSON.
    POST only, so a password never sits in a URL (and in every log it passes)."""
    if request.method != "POST":
        return _text("POST Email and Passwd\n", 405)
    login = str(request.POST.get("Email", ""))[:254]
    secret = str(request.POST.get("Passwd", ""))
    found = credentials.sign_in(client_ip(request), login, secret)
    if isinstance(found, credentials.Locked):
        response = _text("Error=TooManyAttempts\n", 429)
        response["Retry-After"] = str(found.wait)
        return response
    if found is None:
        return _text("Error=BadAuthentication\n", 401)
    token = auth.auth_token(found)
    if _params(request).get("output") == "json":
        return JsonResponse({"SID": token, "LSID": token, "Auth": token})
    return _text(f"SID={token}\nLSID={token}\nAuth={token}\n")


@auth.signed_in
def token(request: HttpRequest) -> HttpResponse:
    return _text(auth.edit_token(request.app_password))  # type: ignore[attr-defined]


@auth.signed_in
def user_info(request: HttpRequest) -> HttpResponse:
    user = reader(request)
    return JsonResponse(
        {
            "userId": str(user.pk),
            "userName": user.get_username(),
            "userProfileId": str(user.pk),
            "userEmail": user.email,
            "isBloggerUser": False,
            "signupTimeSec": int(user.date_joined.timestamp()),
        }
    )


# --- subscriptions and tags ---------------------------------------------------------


@auth.signed_in
def subscription_list(request: HttpRequest) -> HttpResponse:
    """The followed publishers as feeds. Publishers belong to no folder, so
    ``categories`` is empty; topics are labels on items instead (``tag/list``)."""
    user = reader(request)
    subscriptions = []
    for source in Source.objects.filter(pk__in=streams.followed_publishers(user)).order_by("name"):
        url = streams.feed_url(source.pk)
        if url:
            subscriptions.append(
                {
                    "id": f"feed/{url}",
                    "title": source.name,
                    "categories": [],
                    "url": url,
                    "htmlUrl": source.site_url,
                    "iconUrl": "",
                }
            )
    return JsonResponse({"subscriptions": subscriptions})


@auth.signed_in
def tag_list(request: HttpRequest) -> HttpResponse:
    tags: list[dict[str, str]] = [{"id": streams.STARRED}, {"id": streams.READ}]
    tags += [{"id": streams.LABEL + name, "type": "tag"} for name in (*TOPICS, *REGIONS)]
    return JsonResponse({"tags": tags})


@auth.writes
@_answers
def subscription_edit(request: HttpRequest) -> HttpResponse:
    """Subscribe, unsubscribe, or edit: a publisher's title is shared by every reader,
    so a new one is refused; folders (``a``/``r``) do not exist and are ignored."""
    user = reader(request)
    action = request.POST.get("ac", "")
    wanted = request.POST.getlist("s")
    if action not in ("subscribe", "unsubscribe", "edit") or not wanted:
        raise streams.BadStream("give ac=subscribe|unsubscribe|edit and s=feed/<url>")
    for raw in wanted:
        if not raw.startswith("feed/"):
            raise streams.BadStream(f"not a feed: {raw[:200]!r}")
        if action == "subscribe":
            try:
                subscribing.subscribe(user, raw[len("feed/") :])
            except subscribing.CannotSubscribe as error:
                return _text(f"{error}\n", 400)
            continue
        source = streams.parse(raw).source
        assert source is not None
        if action == "unsubscribe":
            Follow.objects.filter(user=user, kind="publisher", key=str(source.pk)).delete()
        elif request.POST.get("t", source.name) != source.name:
            return _text("A publisher's title is the same for every reader here.\n", 400)
    return _text("OK")


@auth.writes
def quickadd(request: HttpRequest) -> HttpResponse:
    url = _params(request).get("quickadd", "")
    url = url[len("feed/") :] if url.startswith("feed/") else url
    try:
        feed = subscribing.subscribe(reader(request), url)
    except subscribing.CannotSubscribe as error:
        return JsonResponse({"numResults": 0, "query": url, "error": str(error)}, status=400)
    return JsonResponse(
        {
            "numResults": 1,
            "query": url,
            "streamId": f"feed/{feed.url}",
            "streamName": feed.source.name,
        }
    )


@auth.signed_in
def unread_count(request: HttpRequest) -> HttpResponse:
    user = reader(request)
    counts = streams.unread_counts(user, state.load(user.pk))
    rows = []
    for source_id, (n, newest) in sorted(counts.items()):
        url = streams.feed_url(source_id)
        if url:
            rows.append(_count(f"feed/{url}", n, newest))
    if counts:
        newest = max(moment for _, moment in counts.values())
        rows.append(_count(streams.READING_LIST, sum(n for n, _ in counts.values()), newest))
    return JsonResponse({"max": streams.MAX_ITEMS, "unreadcounts": rows})


def _count(stream_id: str, n: int, newest: Any) -> dict[str, Any]:
    usec = str(int(newest.timestamp() * 1_000_000))
    return {"id": stream_id, "count": n, "newestItemTimestampUsec": usec}


# --- streams ------------------------------------------------------------------------


def _chosen(
    request: HttpRequest, stream: streams.Stream, user: User, held: ReaderState, default_n: int
) -> tuple[list[Article], str | None]:
    """The page of ``stream`` the arguments ask for: n, r=o, ot, nt, xt, it, c."""
    params = _params(request)
    rows = streams.articles(stream, user, held)
    oldest = streams.seconds(params.get("ot"), "ot")
    newest = streams.seconds(params.get("nt"), "nt")
    if oldest is not None:
        rows = rows.filter(created_at__gte=oldest)
    if newest is not None:
        rows = rows.filter(created_at__lte=newest)
    for tag in params.getlist("xt"):
        rows = streams.without_tag(rows, tag, user, held)
    for tag in params.getlist("it"):
        rows = streams.with_tag(rows, tag, user, held)
    return streams.page(
        rows,
        held,
        n=streams.count(params.get("n"), default_n),
        oldest_first=params.get("r") == "o",
        continuation=params.get("c") or None,
    )


def _stream_of(request: HttpRequest, stream_id: str | None) -> streams.Stream:
    return streams.parse(stream_id or _params(request).get("s") or streams.READING_LIST)


@auth.signed_in
@_answers
def stream_contents(request: HttpRequest, stream_id: str | None = None) -> HttpResponse:
    user = reader(request)
    held = state.load(user.pk)
    stream = _stream_of(request, stream_id)
    found, continuation = _chosen(request, stream, user, held, 20)
    feeds = items.feeds_of(found)
    body: dict[str, Any] = {
        "id": stream.id,
        "title": stream.title,
        "updated": int(timezone.now().timestamp()),
        "items": [items.item(request, article, held, feeds) for article in found],
    }
    if continuation:
        body["continuation"] = continuation
    return JsonResponse(body)


@auth.signed_in
@_answers
def stream_item_ids(request: HttpRequest) -> HttpResponse:
    user = reader(request)
    held = state.load(user.pk)
    found, continuation = _chosen(request, _stream_of(request, None), user, held, 20)
    refs = [
        {
            "id": ids.short_id(article.pk),
            "directStreamIds": [],
            "timestampUsec": str(int(article.created_at.timestamp() * 1_000_000)),
        }
        for article in found
    ]
    body: dict[str, Any] = {"itemRefs": refs}
    if continuation:
        body["continuation"] = continuation
    return JsonResponse(body)


def _named(request: HttpRequest) -> list[int]:
    wanted = [ids.parse(raw) for raw in _params(request).getlist("i")]
    if len(wanted) > MAX_IDS:
        raise ids.BadId(f"at most {MAX_IDS} items a request")
    return list(dict.fromkeys(wanted))


@auth.signed_in
@_answers
def stream_items_contents(request: HttpRequest) -> HttpResponse:
    """The items named by ``i`` (either spelling), in the order asked; ids of
    articles that do not exist, or that the reader muted, are left out."""
    user = reader(request)
    held = state.load(user.pk)
    wanted = _named(request)
    rows = streams.visible(held).filter(pk__in=wanted).select_related("source")
    found = {a.pk: a for a in streams.unmuted(iter(rows), held)}
    ordered = [found[pk] for pk in wanted if pk in found]
    feeds = items.feeds_of(ordered)
    return JsonResponse(
        {
            "id": streams.READING_LIST,
            "updated": int(timezone.now().timestamp()),
            "items": [items.item(request, article, held, feeds) for article in ordered],
        }
    )


@auth.signed_in
@_answers
def atom_stream(request: HttpRequest, stream_id: str = "") -> HttpResponse:
    user = reader(request)
    held = state.load(user.pk)
    stream = _stream_of(request, stream_id or None)
    found, continuation = _chosen(request, stream, user, held, 20)
    return HttpResponse(
        atom.render(request, stream, found, held, continuation),
        content_type="application/atom+xml; charset=utf-8",
    )


# --- writes -------------------------------------------------------------------------


@auth.writes
@_answers
def edit_tag(request: HttpRequest) -> HttpResponse:
    """Mark the items named read, unread (``kept-unread``) or starred (saved) for the
    token holder only. Ids of articles that do not exist are ignored, as clients
    expect; tags other than these (labels, ``tracking-*``, ``broadcast``) change
    nothing."""
    user = reader(request)
    wanted = _named(request)
    added, removed = request.POST.getlist("a"), request.POST.getlist("r")
    if not wanted or not (added or removed):
        raise ids.BadId("give i=<item> and a=<tag> or r=<tag>")
    norm = {streams.READ, streams.STARRED, streams.KEPT_UNREAD}
    add = {streams.normal_tag(tag) for tag in added} & norm
    remove = {streams.normal_tag(tag) for tag in removed} & norm
    for article in Article.objects.filter(pk__in=wanted):
        if streams.READ in add:
            reading.mark(user.pk, article, True)
        elif streams.READ in remove or streams.KEPT_UNREAD in add:
            reading.mark(user.pk, article, False)
        if streams.STARRED in add:
            Bookmark.objects.get_or_create(user=user, article=article)
        elif streams.STARRED in remove:
            Bookmark.objects.filter(user=user, article=article).delete()
    return _text("OK")


@auth.writes
@_answers
def mark_all_as_read(request: HttpRequest) -> HttpResponse:
    """Everything in a stream stored up to ``ts`` (else now) is read: a bound
    (``daybook.community.reading``), so what arrives later stays unread. The reading
    list's bound is the reader's watermark over everything."""
    user = reader(request)
    stream = streams.parse(request.POST.get("s", ""))
    shown = streams.seconds(request.POST.get("ts"), "ts") or timezone.now()
    if stream.kind == "reading-list":
        reading.mark_all(user.pk, reading.Kind.ALL, "", shown)
    elif stream.kind == "feed" and stream.source is not None:
        reading.mark_all(user.pk, reading.Kind.PUBLISHER, str(stream.source.pk), shown)
    elif stream.kind == "label":
        reading.mark_all(user.pk, reading.Kind.TOPIC, stream.key, shown)
    else:
        raise streams.BadStream(f"{stream.id} cannot be marked read as a whole")
    return _text("OK")
