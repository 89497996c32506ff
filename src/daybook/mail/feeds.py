"""An alert as a private RSS feed: the same selection as its mail, read by a feed
reader at an address whose secret is the only key (feed readers cannot sign in).
The secret is the alert's own, so one leaked URL shows one alert, and making a new
one on the settings page ends the old URL at once."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse

from daybook.community import state as reader_state
from daybook.mail import alerts
from daybook.mail.models import Subscription
from daybook.news.models import Article
from daybook.web.syndication import LIMIT, _ArticleFeed, clean


class AlertRss(_ArticleFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Subscription:
        token = str(kwargs["token"])
        rows = Subscription.objects.filter(kind=Subscription.Kind.ALERT)
        found = rows.filter(feed_token=token).first() if 32 <= len(token) <= 64 else None
        if found is None:
            raise Http404("No such feed.")
        return found

    def title(self, obj: Subscription) -> str:
        return f"daybook alert: {clean(alerts.describe(obj))}"

    def description(self, obj: Subscription) -> str:
        return f"New articles on daybook for your alert {clean(alerts.describe(obj))}."

    def link(self, obj: Subscription) -> str:
        return reverse("mail-settings")

    def items(self, obj: Subscription) -> list[Article]:
        cards = alerts.visible(alerts.matching(obj), reader_state.load(obj.user_id), LIMIT)
        found = Article.objects.select_related("source").in_bulk([c["id"] for c in cards])
        return [found[c["id"]] for c in cards if c["id"] in found]
