"""The Google Reader API, call by call as clients make them, and every refusal:
wrong, revoked, forged or locked-out credentials, missing or replayed edit tokens,
other readers' state, bad input."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from daybook.community import app_passwords, reading
from daybook.community.models import AppPassword, Bookmark, Follow, Mute
from daybook.community.throttle import SIGNIN_LIMIT
from daybook.news.models import Article
from daybook.sync.greader import auth, ids
from tests.community import PASSWORD, make_article
from tests.sync import Reader, client_login, publisher, reader_with_password

pytestmark = pytest.mark.django_db

LONG = "tag:google.com,2005:reader/item/"


@pytest.fixture
def world(client):
    """alice follows Harbour and Summit (not Valley); five Harbour articles, two
    Summit, one Valley, and a wire copy of a Harbour article."""
    alice, secret = reader_with_password("alice")
    harbour, harbour_url = publisher("Harbour")
    summit, summit_url = publisher("Summit")
    valley, _ = publisher("Valley")
    for source in (harbour, summit):
        Follow.objects.create(user=alice, kind="publisher", key=str(source.pk))
    base = datetime(2026, 11, 1, tzinfo=UTC)
    made = [
        make_article(
            f"Harbour {n}", harbour, topics=["Business"], created_at=base + timedelta(hours=n)
        )
        for n in range(5)
    ]
    made += [
        make_article(
            f"Summit {n}", summit, topics=["Sports"], created_at=base + timedelta(hours=10 + n)
        )
        for n in range(2)
    ]
    make_article("Valley news", valley, created_at=base)
    make_article("Harbour 0 again", valley, copy_of=made[0], created_at=base + timedelta(hours=20))
    api = Reader(client, client_login(client, "alice", secret))
    return {
        "alice": alice,
        "secret": secret,
        "api": api,
        "articles": made,
        "harbour": harbour,
        "harbour_url": harbour_url,
        "summit": summit,
        "summit_url": summit_url,
    }


def flipped(token: str) -> str:
    return token[:-1] + ("1" if token[-1] == "0" else "0")


def titles(body) -> list[str]:
    return [item["title"] for item in body["items"]]


# --- sign-in ------------------------------------------------------------------------


def test_client_login_answers_lines_or_json_and_refuses_what_is_not_an_app_password(client):
    _, secret = reader_with_password("alice")
    _, bobs = reader_with_password("bob")
    text = client.post("/accounts/ClientLogin", {"Email": "alice", "Passwd": secret})
    assert text.status_code == 200
    lines = dict(line.split("=", 1) for line in text.text.splitlines())
    assert set(lines) == {"SID", "LSID", "Auth"} and lines["Auth"]
    as_json = client.post(
        "/accounts/ClientLogin?output=json", {"Email": "alice@example.com", "Passwd": secret}
    )
    assert as_json.json()["Auth"] == lines["Auth"]
    for login, password in [
        ("alice", PASSWORD),  # the account password never opens the API
        ("alice", bobs),  # bob's app password is not alice's
        ("alice", ""),
        ("nobody", secret),
    ]:
        refused = client.post("/accounts/ClientLogin", {"Email": login, "Passwd": password})
        assert refused.status_code == 401 and "BadAuthentication" in refused.text
    assert (
        client.get("/accounts/ClientLogin", {"Email": "alice", "Passwd": secret}).status_code == 405
    )
    # FreshRSS's path works the same.
    assert (
        client.post(
            "/api/greader.php/accounts/ClientLogin", {"Email": "alice", "Passwd": secret}
        ).status_code
        == 200
    )


def test_reads_need_a_valid_googlelogin_token(client, world):
    api = world["api"]
    assert api.get("user-info").status_code == 200
    pk, mac = api.auth.split("/")
    for forged in [f"{pk}/{'0' * len(mac)}", f"{int(pk) + 1}/{mac}", "x", ""]:
        assert Reader(client, forged).get("user-info").status_code == 401
    assert client.get("/reader/api/0/user-info").status_code == 401
    assert (
        client.get(
            "/reader/api/0/user-info", headers={"Authorization": f"Bearer {api.auth}"}
        ).status_code
        == 401
    )
    # The session of a signed-in browser is not a token.
    client.force_login(world["alice"])
    assert client.get("/reader/api/0/user-info").status_code == 401


def test_a_revoked_app_password_stops_working_at_once(client, world):
    api = world["api"]
    assert api.get("subscription/list").status_code == 200
    assert app_passwords.revoke(world["alice"], AppPassword.objects.get().pk)
    assert api.get("subscription/list").status_code == 401
    refused = client.post("/accounts/ClientLogin", {"Email": "alice", "Passwd": world["secret"]})
    assert refused.status_code == 401


def test_failed_client_logins_lock_out_even_the_right_app_password(client):
    _, secret = reader_with_password("alice")
    for _ in range(SIGNIN_LIMIT):
        assert (
            client.post("/accounts/ClientLogin", {"Email": "alice", "Passwd": "wrong"}).status_code
            == 401
        )
    locked = client.post("/accounts/ClientLogin", {"Email": "alice", "Passwd": secret})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    # The same lockout as the site's sign-in.
    site = client.post("/accounts/signin/", {"username": "alice", "password": PASSWORD})
    assert site.status_code == 429


def test_forged_tokens_count_against_the_same_lockout(client, world):
    api, alice = world["api"], world["alice"]
    pk = api.auth.split("/")[0]
    for _ in range(SIGNIN_LIMIT):
        assert Reader(client, f"{pk}/forged").get("user-info").status_code == 401
    # Locked: the address (and alice, whom the forged token named) are refused...
    assert api.get("user-info").status_code == 401
    assert (
        client.post(
            "/accounts/ClientLogin", {"Email": "alice", "Passwd": world["secret"]}
        ).status_code
        == 429
    )
    assert (
        client.post(
            "/accounts/signin/", {"username": alice.username, "password": PASSWORD}
        ).status_code
        == 429
    )


# --- reads --------------------------------------------------------------------------


def test_user_info_subscriptions_and_tags(world):
    api = world["api"]
    info = api.json("user-info")
    assert info["userName"] == "alice" and info["userId"] == str(world["alice"].pk)
    subscriptions = api.json("subscription/list")["subscriptions"]
    assert [(s["id"], s["title"], s["url"]) for s in subscriptions] == [
        (f"feed/{world['harbour_url']}", "Harbour", world["harbour_url"]),
        (f"feed/{world['summit_url']}", "Summit", world["summit_url"]),
    ]
    tags = [t["id"] for t in api.json("tag/list")["tags"]]
    assert "user/-/state/com.google/starred" in tags and "user/-/label/Sports" in tags


def test_unread_counts_per_feed_and_for_the_reading_list(world):
    api = world["api"]
    counts = {row["id"]: row["count"] for row in api.json("unread-count")["unreadcounts"]}
    assert counts == {
        f"feed/{world['harbour_url']}": 5,
        f"feed/{world['summit_url']}": 2,
        "user/-/state/com.google/reading-list": 7,
    }


def test_streams_list_originals_of_what_the_reader_follows(world):
    api = world["api"]
    reading_list = api.json("stream/contents/user/-/state/com.google/reading-list", n="50")
    assert titles(reading_list) == [
        "Summit 1",
        "Summit 0",
        "Harbour 4",
        "Harbour 3",
        "Harbour 2",
        "Harbour 1",
        "Harbour 0",
    ]
    item = reading_list["items"][-1]
    article = world["articles"][0]
    assert item["id"] == ids.long_id(article.pk) == f"{LONG}{article.pk:016x}"
    assert item["origin"]["streamId"] == f"feed/{world['harbour_url']}"
    assert item["canonical"] == [{"href": article.url}]
    assert "<p>Body of article" in item["summary"]["content"]
    assert f'href="http://testserver/articles/{article.pk}' in item["summary"]["content"]
    assert "user/-/label/Business" in item["categories"]
    feed = api.json(f"stream/contents/feed/{world['summit_url']}")
    assert titles(feed) == ["Summit 1", "Summit 0"]
    label = api.json("stream/contents/user/-/label/Business", r="o")
    assert titles(label) == [f"Harbour {n}" for n in range(5)]
    # The same with s= and at FreshRSS's path.
    same = api.client.get(
        "/api/greader.php/reader/api/0/stream/contents",
        {"s": f"feed/{world['summit_url']}"},
        headers=api.headers(),
    )
    assert titles(same.json()) == ["Summit 1", "Summit 0"]


def test_unknown_streams_and_bad_arguments_are_clear_4xx(world):
    api = world["api"]
    assert api.get("stream/contents/feed/https://nowhere.example/feed").status_code == 404
    assert api.get("stream/contents/user/-/label/Nonsense").status_code == 404
    assert api.get("stream/contents/banana").status_code == 400
    assert (
        api.get("stream/items/ids", s="user/-/state/com.google/reading-list", n="ten").status_code
        == 400
    )
    assert (
        api.get("stream/items/ids", s="user/-/state/com.google/reading-list", c="!!").status_code
        == 400
    )
    assert (
        api.get("stream/items/ids", s="user/-/state/com.google/reading-list", ot="soon").status_code
        == 400
    )
    assert (
        api.get(
            "stream/items/ids", s="user/-/state/com.google/reading-list", xt="user/-/label/Nonsense"
        ).status_code
        == 400
    )
    assert api.get("stream/items/contents", i="not-an-id").status_code == 400


def test_item_ids_page_by_keyset_while_articles_arrive(world):
    api = world["api"]
    first = api.json("stream/items/ids", s="user/-/state/com.google/reading-list", n="3")
    assert len(first["itemRefs"]) == 3 and first["continuation"]
    # A new article arrives between pages: it is above the pages being walked.
    make_article("Harbour late", world["harbour"])
    seen = [ref["id"] for ref in first["itemRefs"]]
    token = first["continuation"]
    while token:
        more = api.json(
            "stream/items/ids", s="user/-/state/com.google/reading-list", n="3", c=token
        )
        seen += [ref["id"] for ref in more["itemRefs"]]
        token = more.get("continuation")
    expected = [
        str(a.pk) for a in sorted(world["articles"], key=lambda a: a.created_at, reverse=True)
    ]
    assert seen == expected  # nothing twice, nothing skipped
    newest = api.json("stream/items/ids", s="user/-/state/com.google/reading-list", n="1")
    assert newest["itemRefs"][0]["id"] == str(Article.objects.get(title="Harbour late").pk)


def test_time_and_tag_filters(world):
    api, alice, made = world["api"], world["alice"], world["articles"]
    reading.mark(alice.pk, made[4], True)
    Bookmark.objects.create(user=alice, article=made[1])
    s = "user/-/state/com.google/reading-list"

    def listed(**params):
        return [
            int(r["id"]) for r in api.json("stream/items/ids", s=s, n="50", **params)["itemRefs"]
        ]

    assert made[4].pk not in listed(xt="user/-/state/com.google/read")
    assert len(listed(xt="user/-/state/com.google/read")) == 6
    assert listed(it="user/-/state/com.google/starred") == [made[1].pk]
    read_stream = [
        int(r["id"])
        for r in api.json("stream/items/ids", s="user/-/state/com.google/read")["itemRefs"]
    ]
    assert read_stream == [made[4].pk]
    starred = [
        int(r["id"])
        for r in api.json("stream/items/ids", s="user/-/state/com.google/starred")["itemRefs"]
    ]
    assert starred == [made[1].pk]
    since = int(made[3].created_at.timestamp())
    assert set(listed(ot=str(since))) == {made[3].pk, made[4].pk} | {
        a.pk for a in Article.objects.filter(title__startswith="Summit")
    }
    assert listed(nt=str(int(made[1].created_at.timestamp())), r="o") == [made[0].pk, made[1].pk]
    # microseconds, as some clients send
    assert listed(nt=str(int(made[1].created_at.timestamp() * 1_000_000)), r="o") == [
        made[0].pk,
        made[1].pk,
    ]


def test_items_by_id_in_both_spellings_unknown_ones_left_out(world):
    api, made = world["api"], world["articles"]
    unknown = Article.objects.order_by("-pk").first().pk + 100
    body = [
        ("i", ids.long_id(made[2].pk)),
        ("i", str(made[0].pk)),
        ("i", str(unknown)),
        ("i", ids.long_id(made[1].pk).upper().replace("TAG:GOOGLE.COM,2005:READER/ITEM/", LONG)),
    ]
    found = api.post("stream/items/contents", body).json()
    assert titles(found) == ["Harbour 2", "Harbour 0", "Harbour 1"]
    # Negative decimals spell numbers past 2**63, which no article has; so do
    # numbers outside 64 bits.
    for never in ["-5", str(made[2].pk - 2**64), str(2**64 + made[2].pk)]:
        assert api.post("stream/items/contents", [("i", never)]).status_code == 400
    # Another publisher's article, not followed: public, so readable by id.
    valley = Article.objects.get(title="Valley news")
    assert titles(api.post("stream/items/contents", [("i", str(valley.pk))]).json()) == [
        "Valley news"
    ]


def test_mutes_are_honoured_in_every_read(world):
    api, alice = world["api"], world["alice"]
    Mute.objects.create(user=alice, kind="publisher", key=str(world["summit"].pk))
    Mute.objects.create(user=alice, kind="word", key="harbour 3")
    listed = titles(api.json("stream/contents", n="50"))
    assert listed == ["Harbour 4", "Harbour 2", "Harbour 1", "Harbour 0"]
    counts = {row["id"]: row["count"] for row in api.json("unread-count")["unreadcounts"]}
    assert counts == {f"feed/{world['harbour_url']}": 4, "user/-/state/com.google/reading-list": 4}
    hidden = Article.objects.get(title="Harbour 3")
    assert titles(api.post("stream/items/contents", [("i", str(hidden.pk))]).json()) == []
    ids_only = api.json("stream/items/ids", s=f"feed/{world['summit_url']}")
    assert ids_only["itemRefs"] == []
    atom = api.client.get(
        "/reader/atom/user/-/state/com.google/reading-list", headers=api.headers()
    )
    assert "Harbour 3" not in atom.text and "Summit 0" not in atom.text


# --- writes -------------------------------------------------------------------------


def test_edit_tag_marks_read_unread_and_starred_for_the_token_holder_only(client, world):
    api, alice, made = world["api"], world["alice"], world["articles"]
    bob, bob_secret = reader_with_password("bob")
    token = api.token()
    assert len(token) == 57
    target = made[2]
    done = api.post(
        "edit-tag",
        [
            ("i", ids.long_id(target.pk)),
            ("a", "user/-/state/com.google/read"),
            ("a", "user/-/state/com.google/starred"),
        ],
        token,
    )
    assert done.status_code == 200 and done.text == "OK"
    assert reading.load(alice.pk).marks == {target.pk: True}
    assert Bookmark.objects.filter(user=alice, article=target).exists()
    assert reading.load(bob.pk).marks == {} and not Bookmark.objects.filter(user=bob).exists()
    item = api.post("stream/items/contents", [("i", str(target.pk))]).json()["items"][0]
    assert "user/-/state/com.google/read" in item["categories"]
    assert "user/-/state/com.google/starred" in item["categories"]
    # kept-unread / removing read, in the decimal spelling
    api.post(
        "edit-tag",
        [
            ("i", str(target.pk)),
            ("r", "user/-/state/com.google/read"),
            ("a", "user/-/state/com.google/kept-unread"),
            ("r", "user/-/state/com.google/starred"),
        ],
        token,
    )
    assert reading.load(alice.pk).marks == {}
    assert not Bookmark.objects.filter(user=alice).exists()
    # An article that does not exist is ignored; a malformed id is refused.
    unknown = Article.objects.order_by("-pk").first().pk + 100
    assert (
        api.post(
            "edit-tag", [("i", str(unknown)), ("a", "user/-/state/com.google/read")], token
        ).text
        == "OK"
    )
    assert (
        api.post(
            "edit-tag", [("i", "nope"), ("a", "user/-/state/com.google/read")], token
        ).status_code
        == 400
    )
    # bob's token marks bob's state, even for the article alice reads.
    bob_api = Reader(client, client_login(client, "bob", bob_secret))
    bob_api.post(
        "edit-tag", [("i", str(target.pk)), ("a", "user/-/state/com.google/read")], bob_api.token()
    )
    assert reading.load(bob.pk).marks == {target.pk: True} and reading.load(alice.pk).marks == {}


def test_writes_refuse_a_missing_forged_or_replayed_edit_token(client, world):
    api, alice, made = world["api"], world["alice"], world["articles"]
    body = [("i", str(made[0].pk)), ("a", "user/-/state/com.google/read")]
    _, bob_secret = reader_with_password("bob")
    bob_api = Reader(client, client_login(client, "bob", bob_secret))
    _, other_secret = app_passwords.make(alice, "other app")
    other = Reader(client, client_login(client, "alice", other_secret))
    mine = AppPassword.objects.get(label="tests", user=alice)
    stale = auth.edit_token(mine, int(time.time()) - auth.EDIT_TOKEN_SECONDS - 10)
    for token in [
        None,
        "",
        "x",
        "0" * 57,
        bob_api.token(),
        other.token(),
        stale,
        flipped(api.token()),
    ]:
        refused = api.post("edit-tag", body, token)
        assert refused.status_code == 401, token
        assert refused["X-Reader-Google-Bad-Token"] == "true"
    assert reading.load(alice.pk).marks == {}
    # A token from a revoked password of the same reader is refused with it.
    revoked_token = other.token()
    app_passwords.revoke(alice, AppPassword.objects.get(label="other app").pk)
    assert api.post("edit-tag", body, revoked_token).status_code == 401
    assert api.get("edit-tag").status_code == 405
    assert api.post("edit-tag", body, api.token()).status_code == 200


def test_mark_all_as_read_keeps_what_arrives_later_unread(world):
    api = world["api"]
    shown = time.time()
    token = api.token()
    answer = api.post(
        "mark-all-as-read",
        {"s": f"feed/{world['harbour_url']}", "ts": str(int(shown * 1_000_000))},
        token,
    )
    assert answer.text == "OK"
    later = make_article(
        "Harbour later", world["harbour"], created_at=datetime.fromtimestamp(shown + 5, UTC)
    )
    counts = {row["id"]: row["count"] for row in api.json("unread-count")["unreadcounts"]}
    assert counts[f"feed/{world['harbour_url']}"] == 1
    unread = api.json(
        "stream/items/ids",
        s="user/-/state/com.google/reading-list",
        xt="user/-/state/com.google/read",
        n="50",
    )
    assert {int(r["id"]) for r in unread["itemRefs"]} == {later.pk} | {
        a.pk for a in Article.objects.filter(title__startswith="Summit")
    }
    api.post("mark-all-as-read", {"s": "user/-/label/Sports"}, token)
    api.post(
        "mark-all-as-read",
        {"s": "user/-/state/com.google/reading-list", "ts": str(int(shown))},
        token,
    )
    counts = {row["id"]: row["count"] for row in api.json("unread-count")["unreadcounts"]}
    assert counts == {f"feed/{world['harbour_url']}": 1, "user/-/state/com.google/reading-list": 1}
    assert (
        api.post("mark-all-as-read", {"s": "user/-/state/com.google/starred"}, token).status_code
        == 400
    )
    assert (
        api.post("mark-all-as-read", {"s": "feed/https://nowhere.example/"}, token).status_code
        == 404
    )
    assert (
        api.post(
            "mark-all-as-read", {"s": "user/-/state/com.google/reading-list", "ts": "later"}, token
        ).status_code
        == 400
    )


def test_subscribe_unsubscribe_and_titles(world):
    api, alice = world["api"], world["alice"]
    token = api.token()
    summit = f"feed/{world['summit_url']}"
    assert api.post("subscription/edit", {"ac": "unsubscribe", "s": summit}, token).text == "OK"
    assert not Follow.objects.filter(user=alice, key=str(world["summit"].pk)).exists()
    # A feed daybook polls already is followed without a fetch.
    assert api.post("subscription/edit", {"ac": "subscribe", "s": summit}, token).text == "OK"
    assert Follow.objects.filter(user=alice, key=str(world["summit"].pk)).exists()
    renamed = api.post("subscription/edit", {"ac": "edit", "s": summit, "t": "My Summit"}, token)
    assert renamed.status_code == 400
    assert (
        api.post(
            "subscription/edit", {"ac": "edit", "s": summit, "a": "user/-/label/Folder"}, token
        ).text
        == "OK"
    )
    assert api.post("subscription/edit", {"ac": "explode", "s": summit}, token).status_code == 400
    assert (
        api.post(
            "subscription/edit", {"ac": "unsubscribe", "s": "feed/https://nowhere.example/"}, token
        ).status_code
        == 404
    )


def test_quickadd_uses_the_safe_fetcher_and_the_operators_rules(world, settings):
    from tests.community.test_subscriptions import site_routes
    from tests.servers import serve

    api = world["api"]
    token = api.token()
    known = api.post("subscription/quickadd", {"quickadd": world["summit_url"]}, token).json()
    assert known["numResults"] == 1 and known["streamId"] == f"feed/{world['summit_url']}"
    routes = site_routes()
    with serve(routes) as server:
        # Not allowed by the operator: a private address is never fetched.
        blocked = api.post("subscription/quickadd", {"quickadd": server.url("/")}, token)
        assert blocked.status_code == 400 and blocked.json()["numResults"] == 0
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset({server.host_port})
        settings.DAYBOOK_HOST_DELAY = 0.0
        settings.DAYBOOK_READERS_ADD_SOURCES = False
        refused = api.post("subscription/quickadd", {"quickadd": server.url("/")}, token)
        assert refused.status_code == 400 and "ask the operator" in refused.json()["error"]
        settings.DAYBOOK_READERS_ADD_SOURCES = True
        added = api.post("subscription/quickadd", {"quickadd": server.url("/")}, token).json()
    assert (
        added["streamId"] == f"feed/{server.url('/feed.xml')}"
        and added["streamName"] == "Harbour Post"
    )
    urls = [s["url"] for s in api.json("subscription/list")["subscriptions"]]
    assert server.url("/feed.xml") in urls
    assert api.post("subscription/quickadd", {"quickadd": "x"}).status_code == 401  # no edit token


def test_the_atom_stream_carries_each_items_state(world):
    api, alice, made = world["api"], world["alice"], world["articles"]
    reading.mark(alice.pk, made[0], True)
    Bookmark.objects.create(user=alice, article=made[1])
    response = api.client.get(
        f"/reader/atom/feed/{world['harbour_url']}", {"n": "2", "r": "o"}, headers=api.headers()
    )
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/atom+xml"
    )
    from defusedxml import ElementTree

    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom", "gr": "http://www.google.com/schemas/reader/atom/"}
    entries = root.findall("a:entry", ns)
    assert [e.find("a:id", ns).text for e in entries] == [
        ids.long_id(made[0].pk),
        ids.long_id(made[1].pk),
    ]
    labels = [
        {
            c.get("label")
            for c in e.findall("a:category", ns)
            if c.get("scheme") == "http://www.google.com/reader/"
        }
        for e in entries
    ]
    assert "read" in labels[0] and "fresh" not in labels[0]
    assert {"fresh", "starred"} <= labels[1]
    token = root.find("gr:continuation", ns).text
    rest = api.client.get(
        f"/reader/atom/feed/{world['harbour_url']}",
        {"n": "10", "r": "o", "c": token},
        headers=api.headers(),
    )
    assert rest.text.count("<entry") == 3
    assert api.client.get(f"/reader/atom/feed/{world['harbour_url']}").status_code == 401
