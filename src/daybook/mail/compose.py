"""A delivery as a mail: plain-text and HTML parts, links back to the site, and
the headers mail providers want from a list (RFC 2369 ``List-Unsubscribe``, RFC
8058 one-click ``List-Unsubscribe-Post``).

The Message-ID is the delivery's own, the same on every attempt, so the rare mail
sent twice (``send``) is one message to anything that deduplicates on it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from daybook.mail import alerts, unsubscribe
from daybook.mail.models import Delivery, Subscription

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_ATOM = re.compile(r"[^A-Za-z0-9-]")
SUBJECT_CHARS = 150


def subject(subscription: Subscription, count: int) -> str:
    """One line whatever an alert's search text holds (a newline in a header is how
    headers are injected)."""
    plural = "s" if count != 1 else ""
    if subscription.kind == Subscription.Kind.DIGEST:
        text = f"Your daybook digest: {count} stor{'ies' if count != 1 else 'y'}"
    else:
        text = f"daybook alert: {alerts.describe(subscription)}, {count} new article{plural}"
    return _CONTROL.sub(" ", text)[:SUBJECT_CHARS]


def _domain() -> str:
    return urlsplit(settings.DAYBOOK_PUBLIC_URL).hostname or "localhost"


def message(delivery: Delivery) -> EmailMultiAlternatives:
    subscription = delivery.subscription
    site = settings.DAYBOOK_PUBLIC_URL
    stop = unsubscribe.url(subscription)
    items: list[dict[str, Any]] = [{**i, "url": site + i["path"]} for i in delivery.items]
    context = {
        "subscription": subscription,
        "about": alerts.describe(subscription) if subscription.kind == "alert" else "",
        "items": items,
        "site": site,
        "settings_url": site + reverse("mail-settings"),
        "unsubscribe_url": stop,
    }
    targets = [f"<{stop}>"]
    if settings.DAYBOOK_EMAIL_UNSUBSCRIBE:
        targets.append(f"<mailto:{settings.DAYBOOK_EMAIL_UNSUBSCRIBE}?subject=unsubscribe>")
    mail = EmailMultiAlternatives(
        subject=subject(subscription, len(items)),
        body=render_to_string("mail/message.txt", context),
        to=[delivery.user.email],
        headers={
            "List-Unsubscribe": ", ".join(targets),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"daybook {subscription.kind}s <{subscription.kind}s.{_domain()}>",
            "Message-ID": f"<delivery-{delivery.pk}.{_ATOM.sub('-', delivery.period)}@{_domain()}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(render_to_string("mail/message.html", context), "text/html")
    return mail
