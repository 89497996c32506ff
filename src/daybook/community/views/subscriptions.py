"""A reader's subscriptions on the web: add a site or feed by URL, import and export
OPML, see what they follow with what is unread.

Adding is ``daybook.community.subscribing``, shared with the reader apps' APIs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from daybook.community import reading, state, subscribing
from daybook.community.models import Follow
from daybook.community.views.common import reader_of
from daybook.errors import DaybookError
from daybook.news import sources
from daybook.news.models import Feed, Source
from daybook.pipeline.opml import OpmlOutline, parse_opml, write_opml

MAX_OPML_BYTES = 1024 * 1024
MAX_OPML_FEEDS = 1000


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    user = reader_of(request)
    followed = [
        int(key)
        for key in Follow.objects.filter(user=user, kind="publisher").values_list("key", flat=True)
        if key.isdigit()
    ]
    unread = reading.unread_by_publisher(reading.load(user.pk), followed)
    publishers: list[dict[str, Any]] = [
        {
            "id": source.pk,
            "name": source.name,
            "path": reverse("publisher", args=[source.pk]),
            "unread": unread[source.pk],
        }
        for source in Source.objects.filter(pk__in=followed).order_by("name")
    ]
    context = {"publishers": publishers, "may_add": subscribing.may_add_sources(user)}
    return render(request, "community/subscriptions.html", context)


@login_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    """Follow the publisher behind a pasted URL (a feed, or a site whose feed is found)."""
    try:
        feed = subscribing.subscribe(reader_of(request), str(request.POST.get("url", "")))
    except subscribing.CannotSubscribe as error:
        messages.error(request, str(error))
        return redirect(reverse("subscriptions"))
    state.forget(request)
    messages.success(request, f"Following {feed.source.name}.")
    return redirect(reverse("subscriptions"))


@login_required
@require_POST
def import_opml(request: HttpRequest) -> HttpResponse:
    """Follow every feed of an uploaded OPML file (new ones become sources without a
    fetch, as ``daybook sources import`` does, when readers may add sources)."""
    user = reader_of(request)
    back = reverse("subscriptions")
    upload = request.FILES.get("opml")
    if upload is None or upload.size is None or upload.size > MAX_OPML_BYTES:
        messages.error(request, "Choose an OPML file of 1 MB at most.")
        return redirect(back)
    try:
        outlines = parse_opml(upload.read(MAX_OPML_BYTES + 1))
    except DaybookError as error:
        messages.error(request, f"Could not read that file: {error}")
        return redirect(back)
    if len(outlines) > MAX_OPML_FEEDS:
        messages.error(request, f"That file lists {len(outlines)} feeds; {MAX_OPML_FEEDS} at most.")
        return redirect(back)
    followed = skipped = 0
    allowed = subscribing.may_add_sources(user)
    for outline in outlines:
        feed = Feed.objects.select_related("source").filter(url=outline.url).first()
        if (feed is None or feed.source is None) and allowed:
            name = outline.title or outline.url
            feed = sources.create_feed(
                outline.url, name, site_url=outline.site_url or "", title=outline.title or ""
            )
        if feed is None or feed.source is None:
            skipped += 1
            continue
        followed += subscribing.follow(user, feed.source)
    state.forget(request)
    note = f" {skipped} not sources here were left out." if skipped else ""
    count = f"{len(outlines)} feed{'s' if len(outlines) != 1 else ''}"
    messages.success(request, f"Imported {count}: {followed} newly followed.{note}")
    return redirect(back)


@login_required
@require_GET
def export_opml(request: HttpRequest) -> HttpResponse:
    """The feeds of the publishers the reader follows, for another reader app."""
    user = reader_of(request)
    keys = Follow.objects.filter(user=user, kind="publisher").values_list("key", flat=True)
    ids = [int(key) for key in keys if key.isdigit()]
    outlines = [
        OpmlOutline(
            url=feed.url,
            title=feed.source.name if feed.source else feed.url,
            site_url=(feed.source.site_url if feed.source else "") or None,
            category=None,
        )
        for feed in Feed.objects.filter(source_id__in=ids)
        .select_related("source")
        .order_by("source__name", "url")
    ]
    response = HttpResponse(
        write_opml(outlines, title=f"{user.get_username()}'s daybook subscriptions"),
        content_type="text/x-opml; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="daybook-subscriptions.opml"'
    return response
