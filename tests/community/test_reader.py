"""Bookmarks, follows and mutes; the saved list; and the reader state other pages
use to mark what is saved and hide what is muted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template
from django.test import RequestFactory

from daybook.community.forms import MUTES_MAX
from daybook.community.models import Bookmark, Follow, Mute
from daybook.community.state import ReaderState, state_for
from daybook.news.models import Entity, Source
from tests.community import make_article, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_bookmark_toggles_and_returns_to_a_safe_page(client, alice):
    article = make_article()
    url = f"/articles/{article.pk}/bookmark"
    response = client.post(url, {"next": "/topics/Sports/"})
    assert response.status_code == 302
    assert response["Location"] == "/topics/Sports/"
    assert Bookmark.objects.filter(user=alice, article=article).exists()

    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == f"/articles/{article.pk}/"
    assert not Bookmark.objects.exists()

    response = client.post(url, HTTP_REFERER="http://testserver/search/?q=rates")
    assert response["Location"] == "/search/?q=rates"
    response = client.post(url, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == f"/articles/{article.pk}/"
    assert client.post("/articles/999999/bookmark").status_code == 404


def test_bookmark_with_htmx_returns_the_button(client, alice):
    article = make_article()
    response = client.post(f"/articles/{article.pk}/bookmark", {"next": "/"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form class="bookmark-button"')
    assert 'aria-pressed="true"' in body
    assert ">Saved<" in body
    response = client.post(f"/articles/{article.pk}/bookmark", {"next": "/"}, **HTMX)
    assert 'aria-pressed="false"' in response.content.decode()


def test_signed_out_readers_are_sent_to_sign_in(client):
    article = make_article()
    response = client.post(f"/articles/{article.pk}/bookmark")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/signin/")
    assert client.get("/saved/")["Location"].startswith("/accounts/signin/")


def test_saved_lists_newest_saved_first_as_html_and_json(client, alice):
    source = Source.objects.create(name="Hinode Shimbun")
    first = make_article("First saved", source=source)
    second = make_article("Second saved", site_name="Sentinel", published_at=None)
    make_article("Not saved")
    client.post(f"/articles/{first.pk}/bookmark")
    client.post(f"/articles/{second.pk}/bookmark")

    data = client.get("/saved/?format=json").json()
    assert data == {
        "articles": [
            {
                "id": second.pk,
                "title": "Second saved",
                "publisher": "Sentinel",
                "url": f"/articles/{second.pk}/",
                "published": None,
            },
            {
                "id": first.pk,
                "title": "First saved",
                "publisher": "Hinode Shimbun",
                "url": f"/articles/{first.pk}/",
                "published": datetime(2026, 11, 20, 3, 0, tzinfo=UTC).isoformat(),
            },
        ]
    }
    page = client.get("/saved/").content.decode()
    assert page.index("Second saved") < page.index("First saved")
    assert "Not saved" not in page
    assert "Hinode Shimbun" in page
    assert 'aria-pressed="true"' in page


def test_follow_toggles_for_each_kind_and_checks_the_target(client, alice):
    source = Source.objects.create(name="Courier")
    entity = Entity.objects.create(name="Kirinada", kind="place")
    for kind, key in [("publisher", source.pk), ("topic", "Sports"), ("entity", entity.pk)]:
        response = client.post("/follow", {"kind": kind, "key": key, "next": "/"})
        assert response.status_code == 302
        assert Follow.objects.filter(user=alice, kind=kind, key=str(key)).exists()
    response = client.post("/follow", {"kind": "topic", "key": "Sports"}, **HTMX)
    assert response.status_code == 200
    assert 'aria-pressed="false"' in response.content.decode()
    assert not Follow.objects.filter(kind="topic").exists()
    response = client.post("/follow", {"kind": "topic", "key": "Japan"}, **HTMX)
    assert 'aria-pressed="true"' in response.content.decode()
    assert ">Following<" in response.content.decode()

    for kind, key in [
        ("publisher", "999999"),
        ("topic", "Gossip"),
        ("entity", "x"),
        ("publisher", "1" * 40),
        ("planet", "Mars"),
    ]:
        response = client.post("/follow", {"kind": kind, "key": key}, **HTMX)
        assert response.status_code == 400
    assert Follow.objects.count() == 3
    # A plain POST is sent back with the reason as a message.
    response = client.post("/follow", {"kind": "topic", "key": "Gossip"}, follow=True)
    assert "There is no such topic to follow." in response.content.decode()


def test_a_follow_whose_target_is_gone_can_still_be_removed(client, alice):
    source = Source.objects.create(name="Gone Gazette")
    key = source.pk
    client.post("/follow", {"kind": "publisher", "key": key})
    source.delete()
    page = client.get("/accounts/").content.decode()
    assert "(no longer here)" in page
    client.post("/follow", {"kind": "publisher", "key": key})
    assert not Follow.objects.exists()


def test_muting_words_and_publishers(client, alice):
    source = Source.objects.create(name="Noisy Daily")
    assert client.post("/mute", {"kind": "word", "key": "Rates"}).status_code == 302
    client.post("/mute", {"kind": "word", "key": "rates"})  # the same word again
    assert list(Mute.objects.values_list("kind", "key")) == [("word", "Rates")]

    response = client.post("/mute", {"kind": "word", "key": "x" * 61}, **HTMX)
    assert response.status_code == 400
    assert "at most 60 characters" in response.content.decode()
    assert client.post("/mute", {"kind": "word", "key": " "}, **HTMX).status_code == 400

    response = client.post("/mute", {"kind": "publisher", "key": source.pk}, **HTMX)
    assert 'aria-pressed="true"' in response.content.decode()
    assert Mute.objects.filter(kind="publisher", key=str(source.pk)).exists()
    response = client.post("/mute", {"kind": "publisher", "key": source.pk}, **HTMX)
    assert 'aria-pressed="false"' in response.content.decode()
    assert client.post("/mute", {"kind": "publisher", "key": "424242"}, **HTMX).status_code == 400

    page = client.get("/accounts/").content.decode()
    assert "“Rates”" in page
    assert '<label for="mute-word">Mute a word</label>' in page
    mute = Mute.objects.get()
    assert client.post(f"/mute/{mute.pk}/delete", {"next": "/accounts/"}).status_code == 302
    assert not Mute.objects.exists()


def test_mutes_are_capped_and_private(client, alice):
    Mute.objects.bulk_create(
        Mute(user=alice, kind="word", key=f"word{n}") for n in range(MUTES_MAX)
    )
    response = client.post("/mute", {"kind": "word", "key": "one more"}, **HTMX)
    assert response.status_code == 400
    assert f"at most {MUTES_MAX}" in response.content.decode()

    theirs = Mute.objects.create(user=make_user("bob"), kind="word", key="theirs")
    assert client.post(f"/mute/{theirs.pk}/delete").status_code == 404
    assert Mute.objects.filter(pk=theirs.pk).exists()


def test_reader_state_hides_muted_publishers_and_words():
    state = ReaderState(
        bookmarks=frozenset(),
        follows=frozenset(),
        muted_publishers=frozenset({7}),
        muted_words=("rates", "地震", "ＡＩ"),
    )
    assert state.hides("Anything", "", 7)
    assert not state.hides("Anything", "", 8)
    assert not state.hides("Anything", "", None)
    assert state.hides("Bank holds RATES steady", "", None)
    assert state.hides("Quiet day", "Interest rates, again.", None)
    assert not state.hides("Pirates win the cup", "", None)  # whole words only
    assert not state.hides("Rate cut", "", None)
    assert state.hides("能登地震の被害が拡大", "", None)  # Japanese: by substring
    assert state.hides("New AI rules", "", 3)  # width-insensitive
    assert not ReaderState().hides("rates 地震", "", 7)


def _request(user):
    request = RequestFactory().get("/somewhere/?page=2")
    request.user = user
    return request


def test_state_for_is_read_once_per_request(alice, django_assert_num_queries):
    article = make_article()
    Bookmark.objects.create(user=alice, article=article)
    Follow.objects.create(user=alice, kind="topic", key="Sports")
    Mute.objects.create(user=alice, kind="publisher", key="5")
    Mute.objects.create(user=alice, kind="word", key="rates")
    request = _request(alice)
    with django_assert_num_queries(5):
        state = state_for(request)
        assert state_for(request) is state
    assert state == ReaderState(
        bookmarks=frozenset({article.pk}),
        follows=frozenset({("topic", "Sports")}),
        muted_publishers=frozenset({5}),
        muted_words=("rates",),
    )
    assert state_for(_request(AnonymousUser())) is None


def test_button_tags(alice):
    article = make_article()
    source = Source.objects.create(name="Courier & Co")
    Bookmark.objects.create(user=alice, article=article)
    template = Template(
        "{% load community %}{% bookmark_button article_id %}"
        "{% follow_button 'publisher' source_id name %}{% mute_button source_id name %}"
    )
    context = {"article_id": article.pk, "source_id": source.pk, "name": source.name}
    html = template.render(RequestContext(_request(alice), context))
    assert f'action="/articles/{article.pk}/bookmark"' in html
    assert 'aria-pressed="true">Saved</button>' in html
    assert f'<input type="hidden" name="key" value="{source.pk}">' in html
    assert html.count('aria-pressed="false"') == 2  # not followed, not muted
    assert "Courier &amp; Co" in html
    assert 'name="next" value="/somewhere/?page=2"' in html
    assert 'name="csrfmiddlewaretoken"' in html

    html = template.render(RequestContext(_request(AnonymousUser()), context))
    assert "<form" not in html
    assert "Sign in to save" in html
    assert "Sign in to follow" in html
    assert "/accounts/signin/?next=%2Fsomewhere%2F%3Fpage%3D2" in html
