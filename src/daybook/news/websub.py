"""WebSub for daybook's feeds: a feed that names a hub is pushed to us by the hub, and
polled only as a rare safety net (``polling._pushed_to``).

    consider      after a poll: ask the feed's hub to push it (a task makes the POST)
    renew_due     from the tick: renew the leases about to end
    request       the task: POST the subscribe / unsubscribe request to the hub
    find          the subscription a callback path names, if the path is genuine
    verification_answer   the hub's GET: confirm a request we made
    push_answer           the hub's POST: a signed copy of the feed, taken like a poll's

A subscription's callback is ``{DAYBOOK_PUBLIC_URL}/websub/<id>/<token>``, the token
an HMAC under the site's secret key (``pipeline.websub.callback_token``): ids can be
counted, tokens cannot be guessed, so only the hub we gave the URL to can call it.
Rotating ``DAYBOOK_SECRET_KEY`` therefore orphans every callback: pushes find
nothing until the leases lapse and the next polls subscribe again.

Every state change is one compare-and-set UPDATE on the state and ``requested_at``
it was decided from, so a poll, the tick, a task and a hub's call racing on one
subscription cannot undo each other's newer word.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from daybook.errors import FetchError, ParseError, WebSubError
from daybook.news import tasks
from daybook.news.fetching import shared_fetcher
from daybook.news.models import Feed, WebSubSubscription
from daybook.pipeline import websub as protocol
from daybook.pipeline.feeds import parse_feed
from daybook.pipeline.types import FetchResult, ParsedFeed

log = logging.getLogger("daybook.websub")

State = WebSubSubscription.State

DENIED_PATIENCE = timedelta(days=1)
"""How long a hub's denial stands before the next poll asks again."""
BATCH = 200
"""Most renewals one tick asks for."""
_READ_CHUNK = 64 * 1024

# Which requests of ours each state sends, and which verification modes it answers.
_SENDS: dict[str, tuple[str, ...]] = {
    protocol.SUBSCRIBE: (State.REQUESTED, State.ACTIVE),
    protocol.UNSUBSCRIBE: (State.UNSUBSCRIBED,),
}
_HEARS: dict[str, set[str]] = {
    State.REQUESTED: {protocol.SUBSCRIBE, protocol.DENIED},
    State.ACTIVE: {protocol.SUBSCRIBE, protocol.DENIED},
    State.UNSUBSCRIBED: {protocol.UNSUBSCRIBE},
}


# -- asking the hub -------------------------------------------------------------------


def consider(feed: Feed, fetched: FetchResult, parsed: ParsedFeed) -> None:
    """After a successful poll: subscribe at the hub the feed names (Link headers first),
    when WebSub is on (``DAYBOOK_PUBLIC_URL``) and no subscription for that hub and
    topic is active or waiting for its verification; let the hub go when the feed no
    longer names one.

    A new subscription gets a fresh secret (and so a fresh callback); the POST is a
    task's, so a slow hub holds up no poll.
    """
    if not settings.DAYBOOK_PUBLIC_URL:
        return
    target = protocol.discover(
        fetched.links, hub=parsed.hub, self_url=parsed.self_url, url=fetched.url
    )
    current = WebSubSubscription.objects.filter(feed=feed).first()
    now = timezone.now()
    if target is None:
        if current is not None and current.state in (State.REQUESTED, State.ACTIVE):
            _unsubscribe(current, now)
        return
    if current is not None and not _wants_subscription(
        current.state, current.requested_at, same=_same(current, target), now=now
    ):
        return
    fresh: dict[str, Any] = {
        "hub": target.hub,
        "topic": target.topic,
        "secret": secrets.token_urlsafe(32),
        "state": State.REQUESTED,
        "lease_seconds": None,
        "requested_at": now,
        "verified_at": None,
        "expires_at": None,
        "error": "",
    }
    if current is None:
        try:
            with transaction.atomic():
                pk = WebSubSubscription.objects.create(feed=feed, **fresh).pk
        except IntegrityError:
            return  # another poll of this feed subscribed first
    elif _move(current, **fresh):
        pk = current.pk
    else:
        return
    log.info("websub subscribing", extra={"feed": feed.url, "hub": target.hub})
    tasks.submit(tasks.websub_subscribe, pk, protocol.SUBSCRIBE)


def _wants_subscription(state: str, requested_at: datetime, *, same: bool, now: datetime) -> bool:
    """Whether a feed whose subscription is in ``state`` (for the hub and topic it names
    now when ``same``) should be subscribed afresh. An active one is the tick's to
    renew; a request is given ``REQUEST_PATIENCE`` to be verified, a denial
    ``DENIED_PATIENCE`` to stand."""
    if not same or state == State.UNSUBSCRIBED:
        return True
    if state == State.ACTIVE:
        return False
    patience = DENIED_PATIENCE if state == State.DENIED else protocol.REQUEST_PATIENCE
    return now - requested_at >= patience


def renew_due() -> int:
    """Renew the active leases about to end (``pipeline.websub.renewal_due``); how many.

    A renewal keeps the subscription's secret, and so its callback. The hub keys a
    subscription on callback and topic and swaps the secret only once it has
    verified the renewal, so pushes signed with the old secret may arrive after the
    request; with one secret stored, a new one would have them refused (lost until
    the next poll) for as long as the hub takes to verify. Keeping it costs a longer
    life for a secret that leaked; a fresh subscription (new hub or topic, after a
    denial, an unsubscription or a lapse of patience) always gets a new secret.
    """
    if not settings.DAYBOOK_PUBLIC_URL:
        return 0
    now = timezone.now()
    candidates = (
        WebSubSubscription.objects.filter(
            state=State.ACTIVE,
            lease_seconds__isnull=False,
            expires_at__lte=now + protocol.RENEW_LOOKAHEAD,
        )
        .order_by("expires_at")
        .values_list("pk", "expires_at", "lease_seconds", "requested_at")[:BATCH]
    )
    renewed = 0
    for pk, expires_at, lease_seconds, requested_at in candidates:
        # Both are set for every row the query finds; mypy only sees the columns.
        due = (
            expires_at is not None
            and lease_seconds is not None
            and protocol.renewal_due(
                expires_at=expires_at,
                lease_seconds=lease_seconds,
                requested_at=requested_at,
                now=now,
            )
        )
        # One tick of any number wins the claim, and only it asks the hub.
        if due and WebSubSubscription.objects.filter(
            pk=pk, state=State.ACTIVE, requested_at=requested_at
        ).update(requested_at=now):
            tasks.submit(tasks.websub_subscribe, pk, protocol.SUBSCRIBE)
            renewed += 1
    return renewed


def request(subscription_id: int, mode: str) -> dict[str, Any]:
    """POST the ``mode`` request of subscription ``subscription_id`` to its hub, if its
    state still calls for it. Only a failure is written (on the subscription's
    ``error``): the state is the verification's to change, and a hub that verifies
    before it answers has changed it already."""
    row = WebSubSubscription.objects.filter(pk=subscription_id).first()
    if row is None or row.state not in _SENDS.get(mode, ()):
        return {"subscription": subscription_id, "skipped": True}
    error = ""
    if not settings.DAYBOOK_PUBLIC_URL:
        error = "DAYBOOK_PUBLIC_URL is not set: there is no callback to give the hub"
    else:
        form = protocol.request_form(
            mode,
            topic=row.topic,
            callback=callback_url(row),
            secret=row.secret,
            lease_seconds=protocol.ASKED_LEASE_SECONDS,
        )
        try:
            status = shared_fetcher().post_form(row.hub, form)
        except FetchError as failure:
            error = f"{type(failure).__name__}: {failure}"
        else:
            if not 200 <= status < 300:
                error = f"the hub answered HTTP {status} to {mode}"
    if error:
        WebSubSubscription.objects.filter(pk=row.pk, requested_at=row.requested_at).update(
            error=error
        )
        log.warning("websub request failed", extra={"hub": row.hub, "error": error})
    return {"subscription": subscription_id, "mode": mode, "error": error or None}


def callback_url(row: WebSubSubscription) -> str:
    """The absolute URL the hub calls for ``row``."""
    return settings.DAYBOOK_PUBLIC_URL + reverse("websub-callback", args=[row.pk, _token(row)])


def _unsubscribe(row: WebSubSubscription, now: datetime) -> None:
    """The feed names no hub any more: stop taking pushes now, and ask the hub to stop."""
    if _move(row, state=State.UNSUBSCRIBED, requested_at=now, error=""):
        tasks.submit(tasks.websub_subscribe, row.pk, protocol.UNSUBSCRIBE)


def _same(row: WebSubSubscription, target: protocol.Target) -> bool:
    return row.hub == target.hub and row.topic == target.topic


def _move(row: WebSubSubscription, **changes: Any) -> bool:
    """Apply ``changes`` if ``row`` is still in the state it was read in."""
    return bool(
        WebSubSubscription.objects.filter(
            pk=row.pk, state=row.state, requested_at=row.requested_at
        ).update(**changes)
    )


def _token(row: WebSubSubscription) -> str:
    return protocol.callback_token(
        settings.SECRET_KEY,
        subscription_id=row.pk,
        hub=row.hub,
        topic=row.topic,
        secret=row.secret,
    )


# -- the hub calling us ---------------------------------------------------------------


def find(pk: int, token: str) -> WebSubSubscription | None:
    """The subscription a callback path names, or None: an unknown id and a wrong token
    look the same to the caller."""
    row = WebSubSubscription.objects.select_related("feed").filter(pk=pk).first()
    if row is None:
        return None
    # Bytes: compare_digest refuses str that is not ASCII, and a path may be anything.
    given = token.encode("utf-8", errors="replace")
    return row if hmac.compare_digest(given, _token(row).encode("ascii")) else None


def verification_answer(row: WebSubSubscription, params: Mapping[str, str]) -> HttpResponse:
    """The answer to the hub's verification GET.

    200 with the challenge as the body when it confirms a request of ours that waits
    for it (subscribe, renewal, unsubscribe) for our topic: the subscription is then
    active for the lease granted, or let go. 200 (empty) for a denial of a
    subscription that is requested or active, which is then DENIED with the hub's
    reason. Anything else is a 404 and changes nothing: without it anyone who
    learned the URL could subscribe or unsubscribe us at will.
    """
    modes = set(_HEARS.get(row.state, ()))
    if row.verified_at is not None and row.verified_at >= row.requested_at:
        modes -= {protocol.SUBSCRIBE, protocol.UNSUBSCRIBE}  # no request of ours waits
    try:
        verified = protocol.check_verification(
            params, topic=row.topic, modes=modes, asked_lease=protocol.ASKED_LEASE_SECONDS
        )
    except WebSubError as refusal:
        log.info("websub verification refused", extra={"hub": row.hub, "error": str(refusal)})
        return HttpResponse(status=404)
    now = timezone.now()
    if verified.mode == protocol.DENIED:
        changes: dict[str, Any] = {
            "state": State.DENIED,
            "expires_at": None,
            "error": f"denied by the hub: {verified.reason or 'no reason given'}",
        }
    elif verified.mode == protocol.UNSUBSCRIBE:
        changes = {"verified_at": now, "expires_at": None, "lease_seconds": None}
    else:
        lease = verified.lease_seconds or protocol.ASKED_LEASE_SECONDS
        changes = {
            "state": State.ACTIVE,
            "lease_seconds": lease,
            "verified_at": now,
            "expires_at": now + timedelta(seconds=lease),
            "error": "",
        }
    if not _move(row, **changes):
        return HttpResponse(status=404)  # changed under us: this answers an older request
    log.info("websub verified", extra={"hub": row.hub, "mode": verified.mode})
    return HttpResponse(verified.challenge, content_type="text/plain; charset=utf-8")


def push_answer(row: WebSubSubscription, request: HttpRequest) -> HttpResponse:
    """The answer to a hub's push (content distribution).

    Nothing costly happens before the signature is checked: the state and the
    header are read first, then the body, by chunks up to
    ``DAYBOOK_FETCH_MAX_BYTES`` whatever Content-Length says.

    - 403: the subscription is not active, or the ``X-Hub-Signature`` is missing,
      malformed, of an unknown algorithm, or not the HMAC of the body with the
      subscription's secret. The spec lets a subscriber answer 2xx to a bad
      signature to hide that it checked; a refusal tells a misconfigured hub
      something, and HMAC cannot be brute-forced through answers anyway.
    - 410: the feed has been turned off; per the spec the hub may drop us.
    - 413: the body is over the cap.
    - 204: taken; its entries are recorded and their pages fetched by tasks.
    - 202: signed, but not a feed we can read. The spec has a 2xx mean "received",
      not "processed", and the hub would only send the same bytes again, so it is
      acknowledged, noted on the subscription's ``error``, and stores nothing.
    """
    if row.state != State.ACTIVE:
        return HttpResponse(status=403)
    if not row.feed.active:
        return HttpResponse(status=410)
    try:
        signature = protocol.parse_signature(request.headers.get("X-Hub-Signature"))
    except WebSubError as refusal:
        log.info("websub push refused", extra={"hub": row.hub, "error": str(refusal)})
        return HttpResponse(status=403)
    body = _read_capped(request, settings.DAYBOOK_FETCH_MAX_BYTES)
    if body is None:
        return HttpResponse(status=413)
    if not protocol.signature_matches(signature, body, row.secret):
        log.info("websub push refused", extra={"hub": row.hub, "error": "wrong signature"})
        return HttpResponse(status=403)
    pushed = WebSubSubscription.objects.filter(pk=row.pk)
    try:
        parsed = parse_feed(body, url=row.topic, content_type=request.headers.get("Content-Type"))
    except ParseError as failure:
        pushed.update(last_push_at=timezone.now(), error=f"unreadable push: {failure}")
        log.warning("websub push unreadable", extra={"hub": row.hub, "error": str(failure)})
        return HttpResponse(status=202)
    # Imported here: polling calls consider(), and the import graph stays acyclic.
    from daybook.news.polling import take_pushed

    new = take_pushed(row.feed, parsed)
    pushed.update(last_push_at=timezone.now(), error="")
    log.info("websub push taken", extra={"feed": row.feed.url, "entries": new})
    return HttpResponse(status=204)


def _read_capped(request: HttpRequest, cap: int) -> bytes | None:
    """The request's body, or None when it is over ``cap`` bytes. A Content-Length
    over the cap is refused unread; one under it is not trusted either."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared[:20]) > cap:
        return None
    body = bytearray()
    while chunk := request.read(min(_READ_CHUNK, cap + 1 - len(body))):
        body += chunk
        if len(body) > cap:
            return None
    return bytes(body)
