"""The Fever API: its api_key sign-in and refusals, every read and every mark, for
the key holder only."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest

from daybook.community import app_passwords, reading
from daybook.community.models import AppPassword, Bookmark, Follow, Mute
from daybook.community.throttle import SIGNIN_LIMIT
from daybook.news.models import Article
from tests.community import PASSWORD, make_article
from tests.sync import publisher, reader_with_password

pytestmark = pytest.mark.django_db


def key(user: str, secret: str) -> str:
    return hashlib.md5(f"{user}:{secret}".encode()).hexdigest()


@pytest.fixture
def world(client):
    alice, secret = reader_with_password("alice")
    harbour, _ = publisher("Harbour")
    summit, _ = publisher("Summit")
    valley, _ = publisher("Valley")
    for source in (harbour, summit):
        Follow.objects.create(user=alice, kind="publisher", key=str(source.pk))
    base = datetime(2026, 11, 1, tzinfo=UTC)
    made = [
        make_article(f"Harbour {n}", harbour, created_at=base + timedelta(hours=n))
        for n in range(3)
    ]
    made += [
        make_article(f"Summit {n}", summit, created_at=base + timedelta(hours=5 + n))
        for n in range(2)
    ]
    make_article("Valley news", valley)
    make_article("Harbour 0 again", valley, copy_of=made[0])

    def call(*verbs: str, api_key: str = key("alice", secret), path: str = "/fever/", **params):
        query = "api&" + "&".join(verbs)
        return client.post(f"{path}?{query}", {"api_key": api_key, **params})

    return {"alice": alice, "secret": secret, "call": call, "made": made, "harbour": harbour}


def test_a_failed_sign_in_answers_auth_0_and_the_right_key_auth_1(world):
    call, secret = world["call"], world["secret"]
    ok = call()
    assert ok.status_code == 200 and ok.json()["auth"] == 1 and ok.json()["api_version"] == 3
    assert "last_refreshed_on_time" in ok.json()
    assert call(path="/api/fever.php").json()["auth"] == 1
    _, bobs = reader_with_password("bob")
    for wrong in [key("alice", PASSWORD), key("alice", bobs), key("bob", secret), "", "x" * 32]:
        refused = call(api_key=wrong)
        assert refused.status_code == 200 and refused.json() == {"api_version": 3, "auth": 0}


def test_failed_keys_lock_out_the_address_even_for_the_right_key(world, client):
    call = world["call"]
    for _ in range(SIGNIN_LIMIT):
        assert call(api_key="0" * 32).json()["auth"] == 0
    assert call().json()["auth"] == 0
    # The same lockout as the site's sign-in and ClientLogin.
    assert (
        client.post("/accounts/signin/", {"username": "alice", "password": PASSWORD}).status_code
        == 429
    )


def test_a_revoked_password_stops_working(world):
    app_passwords.revoke(world["alice"], AppPassword.objects.get().pk)
    assert world["call"]().json()["auth"] == 0


def test_groups_feeds_favicons(world):
    body = world["call"]("groups", "feeds", "favicons").json()
    assert body["groups"] == [{"id": 1, "title": "Following"}]
    assert [f["title"] for f in body["feeds"]] == ["Harbour", "Summit"]
    assert body["feeds"][0]["url"] == "https://harbour.example/feed.xml"
    ids = {str(f["id"]) for f in body["feeds"]}
    assert set(body["feeds_groups"][0]["feed_ids"].split(",")) == ids
    assert body["favicons"] == []


def test_unread_saved_and_items_pages(world):
    call, alice, made = world["call"], world["alice"], world["made"]
    reading.mark(alice.pk, made[0], True)
    Bookmark.objects.create(user=alice, article=made[1])
    body = call("unread_item_ids", "saved_item_ids").json()
    assert body["unread_item_ids"] == ",".join(str(a.pk) for a in made[1:])
    assert body["saved_item_ids"] == str(made[1].pk)
    items = call("items").json()
    assert [i["title"] for i in items["items"]] == [a.title for a in made]  # originals only
    assert items["total_items"] == 5
    first = items["items"][1]
    assert first["is_saved"] == 1 and first["is_read"] == 0 and items["items"][0]["is_read"] == 1
    assert "<p>Body of article" in first["html"] and first["url"] == made[1].url
    since = call("items", since_id=str(made[2].pk)).json()["items"]
    assert [i["id"] for i in since] == [made[3].pk, made[4].pk]
    below = call("items", max_id=str(made[2].pk)).json()["items"]
    assert [i["id"] for i in below] == [made[1].pk, made[0].pk]
    valley = Article.objects.get(title="Valley news")
    chosen = call("items", with_ids=f"{made[4].pk},{valley.pk},999999").json()["items"]
    assert [i["id"] for i in chosen] == [made[4].pk, valley.pk]
    assert call("items", with_ids="1,two").status_code == 400
    assert call("items", since_id="-1").status_code == 400
    assert call("items", with_ids=",".join(str(n) for n in range(1, 60))).status_code == 400


def test_fifty_items_a_page(world):
    for n in range(60):
        make_article(f"More {n}", world["harbour"])
    call = world["call"]
    page = call("items").json()["items"]
    assert len(page) == 50
    rest = call("items", since_id=str(page[-1]["id"])).json()["items"]
    assert len(rest) == 15


def test_mutes_are_honoured(world):
    call, alice, made = world["call"], world["alice"], world["made"]
    Mute.objects.create(user=alice, kind="word", key="summit")
    body = call("items", "unread_item_ids").json()
    assert [i["title"] for i in body["items"]] == ["Harbour 0", "Harbour 1", "Harbour 2"]
    assert body["unread_item_ids"] == ",".join(str(a.pk) for a in made[:3])


def test_marks_change_the_key_holders_state_only(world, client):
    call, alice, made = world["call"], world["alice"], world["made"]
    bob, _ = reader_with_password("bob")
    answer = call(mark="item", **{"as": "read"}, id=str(made[0].pk)).json()
    assert str(made[0].pk) not in answer["unread_item_ids"].split(",")
    assert reading.load(alice.pk).marks == {made[0].pk: True} and reading.load(bob.pk).marks == {}
    call(mark="item", **{"as": "unread"}, id=str(made[0].pk))
    assert reading.load(alice.pk).marks == {}
    saved = call(mark="item", **{"as": "saved"}, id=str(made[2].pk)).json()
    assert saved["saved_item_ids"] == str(made[2].pk)
    assert not Bookmark.objects.filter(user=bob).exists()
    call(mark="item", **{"as": "unsaved"}, id=str(made[2].pk))
    assert not Bookmark.objects.exists()
    assert call(mark="item", **{"as": "read"}, id="999999").status_code == 200  # ignored
    assert call(mark="item", **{"as": "read"}, id="x").status_code == 400
    assert call(mark="item", **{"as": "melted"}, id=str(made[0].pk)).status_code == 400


def test_marking_a_feed_or_group_read_keeps_later_arrivals_unread(world):
    call, made, harbour = world["call"], world["made"], world["harbour"]
    before = str(int(time.time()))
    call(mark="feed", **{"as": "read"}, id=str(harbour.pk), before=before)
    later = make_article("Harbour later", harbour)
    later.created_at = later.created_at.replace(year=later.created_at.year + 1)
    later.save()
    unread = call("unread_item_ids").json()["unread_item_ids"].split(",")
    assert unread == [str(made[3].pk), str(made[4].pk), str(later.pk)]
    call(mark="group", **{"as": "read"}, id="1", before=before)
    assert call("unread_item_ids").json()["unread_item_ids"] == str(later.pk)
    call(mark="group", **{"as": "read"}, id="0")
    assert call("unread_item_ids").json()["unread_item_ids"] == str(
        later.pk
    )  # later is in the future
    assert call(mark="group", **{"as": "read"}, id="7").status_code == 400
    assert call(mark="feed", **{"as": "read"}, id="999999").status_code == 400
