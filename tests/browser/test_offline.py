"""The service worker in a real browser: a reader's saved articles stay readable
offline, other pages fall back to the offline page, private pages are never
kept, and un-saving drops an article from the cache."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from daybook.community.models import Bookmark
from tests.web.test_outside import article

CACHED_PATHS = """(async () => {
    const found = {};
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        found[name.replace(/-[0-9a-f]{12}$/, "")] = (await cache.keys()).map(
            (request) => new URL(request.url).pathname);
    }
    return found;
})()"""


def wait_for(page, check, timeout: float = 20.0) -> dict[str, list[str]]:
    """Polls the worker's caches until ``check`` holds (they fill in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        cached = page.evaluate(CACHED_PATHS)
        if check(cached):
            return cached
        assert time.monotonic() < deadline, f"caches never got there: {cached}"
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_service_worker_keeps_saved_articles_readable_offline_in_a_real_browser(
    live_server, browser
):
    reader = get_user_model().objects.create_user("reader", password="pw-for-tests-only")
    kept = article("Kept for the train", text="The kept article's first paragraph.\n\nMore.")
    other = article("Never saved", 1)
    Bookmark.objects.create(user=reader, article=kept)
    signed_in = Client()
    signed_in.force_login(reader)
    site = live_server.url
    kept_path, other_path = f"/articles/{kept.pk}/", f"/articles/{other.pk}/"
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": signed_in.cookies["sessionid"].value, "url": site}]
    )
    page = context.new_page()
    page.goto(site + "/")
    # Activation syncs the saved articles: no message needed for the first sync.
    cached = wait_for(page, lambda c: "/saved/" in c.get("daybook-saved-v1", []))
    assert sorted(cached["daybook-saved-v1"]) == sorted([kept_path, "/saved/"])
    assert {"/offline/", "/static/web/site.css", "/static/web/site.js"} <= set(
        cached["daybook-shell"]
    )
    page.goto(site + "/accounts/")  # now controlled, but a private page is never kept
    page.goto(site + "/")  # a visited page is kept, after the one before it would be
    cached = wait_for(page, lambda c: "/" in c.get("daybook-pages", []))
    assert not any("/accounts/" in paths for paths in cached.values())

    context.set_offline(True)
    page.goto(site + kept_path)
    assert "first paragraph" in page.inner_text("main")
    page.goto(site + "/")
    assert page.title() != "Offline · daybook"
    for path in [other_path, "/accounts/"]:
        page.goto(site + path)
        assert page.title() == "Offline · daybook", path
        assert "Kept for the train" in page.inner_text("main")  # the saved list

    context.set_offline(False)
    Bookmark.objects.filter(user=reader).delete()
    page.goto(site + "/")
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'sync-saved'})")
    cached = wait_for(page, lambda c: kept_path not in c["daybook-saved-v1"])
    assert cached["daybook-saved-v1"] == ["/saved/"]
    context.close()
