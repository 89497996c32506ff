"""Read state as a reader meets it on the site: opening reads, marks toggle, lists
show unread only, "mark all as read" covers what was shown and nothing that came
after, and counts beside what the reader follows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from daybook.community import reading
from daybook.community.models import Follow, ReadBound, ReadMark
from daybook.news.models import Source
from tests.community import make_article, make_user

pytestmark = pytest.mark.django_db


def listed(client, path: str) -> dict[int, bool | None]:
    """Article id -> read, as the page's JSON shows them."""
    return {a["id"]: a.get("read") for a in client.get(path + "&format=json").json()["articles"]}


@pytest.fixture
def gazette():
    return Source.objects.create(name="Gazette")


def test_opening_an_article_reads_it_and_m_can_make_it_unread_again(client, alice, gazette):
    first, second = make_article("One", gazette), make_article("Two", gazette)
    path = f"/publishers/{gazette.pk}/?x=1"
    assert listed(client, path) == {first.pk: False, second.pk: False}
    assert client.get(f"/articles/{first.pk}/").status_code == 200
    assert listed(client, path) == {first.pk: True, second.pk: False}
    page = client.get(f"/publishers/{gazette.pk}/").content.decode()
    assert f'data-article="{first.pk}" data-read="true"' in page
    client.post(f"/articles/{first.pk}/read", {"read": "0"})
    assert listed(client, path) == {first.pk: False, second.pk: False}
    # Another reader's state is their own.
    client.force_login(make_user("bob"))
    assert listed(client, path) == {first.pk: False, second.pk: False}


def test_unread_only_lists_leave_out_what_was_read(client, alice, gazette):
    rows = [make_article(f"Item {n}", gazette) for n in range(4)]
    client.get(f"/articles/{rows[1].pk}/")
    unread = listed(client, f"/publishers/{gazette.pk}/?unread=1")
    assert set(unread) == {rows[0].pk, rows[2].pk, rows[3].pk}
    assert set(listed(client, f"/publishers/{gazette.pk}/?x=1")) == {r.pk for r in rows}
    # Signed out, the switch changes nothing (and the shared cache holds no one's state).
    client.logout()
    assert set(listed(client, f"/publishers/{gazette.pk}/?unread=1")) == {r.pk for r in rows}


def test_mark_all_as_read_covers_what_was_shown_not_what_arrived_since(client, alice, gazette):
    now = timezone.now()
    shown = [
        make_article(f"Old {n}", gazette, created_at=now - timedelta(hours=n + 1)) for n in range(3)
    ]
    other = Source.objects.create(name="Other")
    elsewhere = make_article("Elsewhere", other, created_at=now - timedelta(hours=2))
    data = client.get(f"/publishers/{gazette.pk}/?format=json").json()
    # An article arrives after the page was shown, with an older publication date.
    late = make_article("Late", gazette, created_at=now + timedelta(minutes=5))
    response = client.post(
        "/read",
        {"kind": "publisher", "key": str(gazette.pk), "shown_at": data["as_of"], "next": "/"},
    )
    assert response.status_code == 302
    after = listed(client, f"/publishers/{gazette.pk}/?x=1")
    assert [after[a.pk] for a in shown] == [True, True, True]
    assert after[late.pk] is False, "what arrived after the page was shown stays unread"
    assert listed(client, f"/publishers/{other.pk}/?x=1") == {elsewhere.pk: False}
    assert ReadBound.objects.filter(user=alice).count() == 1


def test_marking_everything_read_moves_the_watermark_and_drops_the_marks(client, alice, gazette):
    now = timezone.now()
    rows = [
        make_article(f"A {n}", gazette, created_at=now - timedelta(hours=n + 1)) for n in range(3)
    ]
    client.get(f"/articles/{rows[0].pk}/")
    client.post(f"/articles/{rows[1].pk}/read", {"read": "0"})
    assert ReadMark.objects.filter(user=alice).count() == 1  # rows[1] was unread anyway
    client.post(f"/articles/{rows[2].pk}/read", {"read": "1"})
    assert ReadMark.objects.filter(user=alice).count() == 2
    as_of = client.get("/?format=json").json()["as_of"]
    client.post("/read", {"kind": "all", "shown_at": as_of})
    assert ReadMark.objects.filter(user=alice).count() == 0, "the watermark says it all"
    assert all(listed(client, f"/publishers/{gazette.pk}/?x=1").values())
    # An article can still be made unread below the watermark: an exception.
    client.post(f"/articles/{rows[0].pk}/read", {"read": "0"})
    assert listed(client, f"/publishers/{gazette.pk}/?x=1")[rows[0].pk] is False


def test_mark_all_refuses_what_is_not_a_list_or_a_time(client, alice):
    for bad in (
        {"kind": "everything", "shown_at": timezone.now().isoformat()},
        {"kind": "publisher", "key": "drop table", "shown_at": timezone.now().isoformat()},
        {"kind": "topic", "key": "Not a topic", "shown_at": timezone.now().isoformat()},
        {"kind": "all", "shown_at": "yesterday"},
        {"kind": "all", "shown_at": "2026-12-01T10:00:00"},  # no zone
    ):
        response = client.post("/read", bad | {"next": "/"})
        assert response.status_code == 302
        assert not ReadBound.objects.exists(), bad
    # A time in the future marks no more than now does.
    client.post("/read", {"kind": "all", "shown_at": "2999-01-01T00:00:00+00:00"})
    assert ReadBound.objects.get(user=alice).before <= timezone.now()


def test_signed_out_readers_cannot_mark(client, gazette):
    article = make_article("One", gazette)
    assert client.post(f"/articles/{article.pk}/read").status_code == 302  # to sign in
    assert (
        client.post("/read", {"kind": "all", "shown_at": "2026-12-01T00:00:00+00:00"}).status_code
        == 302
    )
    assert not ReadMark.objects.exists() and not ReadBound.objects.exists()


def test_unread_counts_beside_followed_publishers(client, alice, gazette):
    other = Source.objects.create(name="Other")
    rows = [make_article(f"G {n}", gazette) for n in range(3)]
    make_article("O", other)
    Follow.objects.create(user=alice, kind="publisher", key=str(gazette.pk))
    Follow.objects.create(user=alice, kind="publisher", key=str(other.pk))
    client.get(f"/articles/{rows[0].pk}/")
    counts = reading.unread_by_publisher(reading.load(alice.pk), [gazette.pk, other.pk])
    assert counts == {gazette.pk: 2, other.pk: 1}
    page = client.get("/accounts/").content.decode()
    assert f'href="/publishers/{gazette.pk}/?unread=1">2 unread' in page
