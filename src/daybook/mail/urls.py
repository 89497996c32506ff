"""Mail routes: the reader's mail settings, unsubscribing from a mail, private alert feeds."""

from __future__ import annotations

from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from daybook.mail import feeds, views

urlpatterns: list[URLPattern] = [
    path("accounts/mail/", views.settings_page, name="mail-settings"),
    path("accounts/mail/digest", views.digest_save, name="mail-digest"),
    path("accounts/mail/alerts/add", views.alert_add, name="mail-alert-add"),
    path("accounts/mail/alerts/<int:pk>/remove", views.alert_remove, name="mail-alert-remove"),
    path("accounts/mail/alerts/<int:pk>/feed", views.feed_renew, name="mail-feed-renew"),
    path("mail/unsubscribe/<str:token>/", views.unsubscribe_page, name="mail-unsubscribe"),
    path("mail/feeds/<str:token>.rss", never_cache(feeds.AlertRss()), name="mail-feed"),
]
