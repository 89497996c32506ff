"""Google Reader routes, served at the root (``/accounts/ClientLogin``,
``/reader/...``) and again under ``/api/greader.php/`` where FreshRSS clients look."""

from __future__ import annotations

from django.urls import URLPattern, path

from daybook.sync.greader import views

API = "reader/api/0/"

urlpatterns: list[URLPattern] = [
    path("accounts/ClientLogin", views.client_login),
    path(API + "token", views.token),
    path(API + "user-info", views.user_info),
    path(API + "subscription/list", views.subscription_list),
    path(API + "subscription/edit", views.subscription_edit),
    path(API + "subscription/quickadd", views.quickadd),
    path(API + "tag/list", views.tag_list),
    path(API + "unread-count", views.unread_count),
    path(API + "stream/contents", views.stream_contents),
    path(API + "stream/contents/<path:stream_id>", views.stream_contents),
    path(API + "stream/items/ids", views.stream_item_ids),
    path(API + "stream/items/contents", views.stream_items_contents),
    path(API + "edit-tag", views.edit_tag),
    path(API + "mark-all-as-read", views.mark_all_as_read),
    path("reader/atom/", views.atom_stream),
    path("reader/atom/<path:stream_id>", views.atom_stream),
]
