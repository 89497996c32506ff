"""WebSub (W3C Recommendation 2018, formerly PubSubHubbub 0.4), the subscriber's side:
the protocol pieces, with no I/O and no Django.

    discover           which hub to ask, and for which topic
    request_form       the body of the subscribe / unsubscribe POST to the hub
    check_verification the hub's GET to our callback: is it the answer to our request?
    parse_signature    a push's X-Hub-Signature header, read before the body is
    signature_matches  ... and checked against the body with our secret
    callback_token     the unguessable part of a subscription's callback path
    renewal_due        when a lease should be renewed

Everything a hub or a feed sends is hostile: a value that is not what the
specification allows is refused (``WebSubError``), never guessed at.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from daybook.errors import WebSubError

SUBSCRIBE = "subscribe"
UNSUBSCRIBE = "unsubscribe"
DENIED = "denied"

ASKED_LEASE_SECONDS = 10 * 86400
"""The lease we ask for; the hub decides (the spec leaves it to the hub)."""
MIN_LEASE_SECONDS = 300
"""A shorter lease is read as this: a broken or hostile hub granting one second must
not have us re-subscribe on every tick. At worst the feed is taken as pushed for a
few minutes after the hub has let it go, and its safety-net poll still runs."""
MAX_LEASE_SECONDS = 30 * 86400
"""A longer lease is read as this, so a lease of centuries still gets renewed (and
the hub's word checked again) within a month."""

REQUEST_PATIENCE = timedelta(hours=1)
"""How long a request may wait for the hub's verification before it is made again."""
RENEW_SHARE = 0.1
RENEW_AT_LEAST = timedelta(hours=1)
RENEW_LOOKAHEAD = max(timedelta(seconds=MAX_LEASE_SECONDS) * RENEW_SHARE, RENEW_AT_LEAST)
"""No lease is renewed earlier than this before it ends (a bound for a database query)."""

MAX_URL_LENGTH = 2000  # what the subscription's URL fields hold
MAX_CHALLENGE_LENGTH = 1024
MAX_REASON_LENGTH = 500

# The algorithms the specification names, with their digest sizes in bytes.
_DIGEST_SIZES = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}
_LEASE = re.compile(r"[0-9]{1,12}")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Target:
    """Where to subscribe: the hub's URL and the topic (the feed's URL as the hub knows it)."""

    hub: str
    topic: str


@dataclass(frozen=True)
class Verification:
    """A hub's verification GET we accept. ``challenge`` is to be echoed (empty for a
    denial); ``lease_seconds`` is set for a subscription, clamped; ``reason`` is a
    denial's, cleaned for storing."""

    mode: str
    challenge: str
    lease_seconds: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Signature:
    """A push's ``X-Hub-Signature``: the HMAC algorithm and the digest it claims."""

    algorithm: str
    digest: bytes


def discover(
    links: Iterable[tuple[str, str]], *, hub: str | None, self_url: str | None, url: str
) -> Target | None:
    """The hub and topic of a feed fetched from ``url``; None when it names no usable hub.

    The specification has the HTTP ``Link`` headers (``links``, (rel, url) pairs) win
    over the document's own links (``hub``, ``self_url``): a CDN or the server knows
    the hub even when the feed's template does not. Each is taken from the headers
    when they give it and from the document otherwise; the topic falls back to
    ``url``. Only absolute http(s) URLs without credentials count.
    """
    linked: dict[str, str] = {}
    for rel, href in links:
        if rel in ("hub", "self") and rel not in linked and _web_url(href):
            linked[rel] = href
    chosen_hub = linked.get("hub") or _web_url(hub)
    topic = linked.get("self") or _web_url(self_url) or _web_url(url)
    if chosen_hub is None or topic is None:
        return None
    return Target(hub=chosen_hub, topic=topic)


def request_form(
    mode: str, *, topic: str, callback: str, secret: str, lease_seconds: int
) -> dict[str, str]:
    """The form of a subscribe or unsubscribe request. An unsubscription carries no
    secret and no lease: they mean nothing to a subscription being ended."""
    form = {"hub.mode": mode, "hub.topic": topic, "hub.callback": callback}
    if mode == SUBSCRIBE:
        form.update({"hub.secret": secret, "hub.lease_seconds": str(lease_seconds)})
    elif mode != UNSUBSCRIBE:
        raise ValueError(f"WebSub request mode must be subscribe or unsubscribe, not {mode!r}")
    return form


def check_verification(
    params: Mapping[str, str], *, topic: str, modes: Collection[str], asked_lease: int
) -> Verification:
    """The hub's verification GET (its query ``params``), if it answers a request we made.

    ``modes`` are the ones we expect now (``subscribe``, ``unsubscribe``, ``denied``);
    the topic must be ours exactly; a (un)subscription must bring a challenge to
    echo, printable and at most ``MAX_CHALLENGE_LENGTH`` long. A subscription's
    lease is the hub's ``hub.lease_seconds`` clamped to [``MIN_LEASE_SECONDS``,
    ``MAX_LEASE_SECONDS``]; a hub that leaves it out (the spec says it must not)
    is taken to grant ``asked_lease``. Raises ``WebSubError`` otherwise.
    """
    mode = params.get("hub.mode", "")
    if mode not in modes:
        raise WebSubError(f"verification mode {mode[:40]!r} is not one we expect")
    if params.get("hub.topic") != topic:
        raise WebSubError("verification topic is not the subscription's")
    if mode == DENIED:
        reason = _CONTROL.sub(" ", params.get("hub.reason", "")).strip()
        return Verification(mode=mode, challenge="", reason=reason[:MAX_REASON_LENGTH])
    challenge = params.get("hub.challenge", "")
    if not challenge or len(challenge) > MAX_CHALLENGE_LENGTH or not challenge.isprintable():
        raise WebSubError("verification challenge is missing, too long or not printable")
    lease = None
    if mode == SUBSCRIBE:
        given = params.get("hub.lease_seconds")
        if given is not None and not _LEASE.fullmatch(given):
            raise WebSubError(f"lease_seconds {given[:40]!r} is not a number of seconds")
        seconds = asked_lease if given is None else int(given)
        lease = min(max(seconds, MIN_LEASE_SECONDS), MAX_LEASE_SECONDS)
    return Verification(mode=mode, challenge=challenge, lease_seconds=lease)


def parse_signature(header: str | None) -> Signature:
    """A push's ``X-Hub-Signature`` (``sha256=<hex>``), read before its body is.

    Only the specification's algorithms are accepted (sha1, sha256, sha384,
    sha512), with a digest of exactly their size in hex. Raises ``WebSubError``
    for a missing or malformed header and for any other algorithm.
    """
    if not header:
        raise WebSubError("push has no X-Hub-Signature")
    method, _, value = header.strip().partition("=")
    algorithm = method.lower()
    size = _DIGEST_SIZES.get(algorithm)
    if size is None:
        raise WebSubError(f"signature method {method[:20]!r} is not sha1, sha256, sha384 or sha512")
    if len(value) != 2 * size or not _HEX.fullmatch(value):
        raise WebSubError(f"{algorithm} signature is not {2 * size} hexadecimal digits")
    return Signature(algorithm=algorithm, digest=bytes.fromhex(value))


def signature_matches(signature: Signature, body: bytes, secret: str) -> bool:
    """Whether ``signature`` is the HMAC of the raw ``body`` with ``secret``, compared
    in constant time."""
    expected = hmac.new(secret.encode("utf-8"), body, signature.algorithm).digest()
    return hmac.compare_digest(expected, signature.digest)


def callback_token(key: str, *, subscription_id: int, hub: str, topic: str, secret: str) -> str:
    """The unguessable part of a subscription's callback path: an HMAC (keyed with the
    site's ``key``) of everything that makes the subscription what it is.

    Without it anyone could walk subscription ids, answer verifications and push.
    The same subscription (a renewal) keeps its callback, as a hub identifies a
    subscription by callback and topic; a new hub, topic or secret gives a new
    callback, so whatever the hub held for the old one finds nothing here.
    """
    message = "\n".join(("daybook websub callback", str(subscription_id), hub, topic, secret))
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), "sha256").hexdigest()


def renewal_due(
    *, expires_at: datetime, lease_seconds: int, requested_at: datetime, now: datetime
) -> bool:
    """Whether a lease should be renewed now: within a tenth of the lease of its end
    (at least an hour, at most half the lease), and no renewal asked for lately
    (within ``REQUEST_PATIENCE``, or half the lease when that is shorter), so a hub
    that does not answer is asked again, but not on every tick."""
    lease = timedelta(seconds=lease_seconds)
    margin = min(max(lease * RENEW_SHARE, RENEW_AT_LEAST), lease / 2)
    patience = min(REQUEST_PATIENCE, lease / 2)
    return now >= expires_at - margin and now - requested_at >= patience


def _web_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host, no credentials, nothing
    unprintable and no more than ``MAX_URL_LENGTH`` characters."""
    if not value or len(value) > MAX_URL_LENGTH or not value.isprintable() or " " in value:
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    return value
