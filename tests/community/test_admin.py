"""The moderation queue in the admin: reported comments, hide/unhide, resolve."""

from __future__ import annotations

import pytest

from daybook.community.comments import thread
from daybook.community.models import Comment, Report
from daybook.news.models import Revision
from tests.community import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(client):
    user = make_user("mod", staff=True)
    client.force_login(user)
    return user


def comment(article, user, body):
    return Comment.objects.create(user=user, article=article, body=body, body_html=f"<p>{body}</p>")


def test_open_reports_filter_and_hide_unhide(transactional_db, client, moderator):
    """Transactional: the content revision moves when a change commits."""
    article = make_article()
    author, reporter = make_user("author"), make_user("reporter")
    reported = comment(article, author, "nasty")
    fine = comment(article, author, "fine")
    Report.objects.create(comment=reported, user=reporter, reason="abuse")

    queue = client.get("/admin/community/comment/?reports=open")
    assert queue.status_code == 200
    assert "nasty" in queue.content.decode()
    assert "fine" not in queue.content.decode()

    before = Revision.objects.get(name="comments").value
    url = "/admin/community/comment/"
    client.post(url, {"action": "hide", "_selected_action": [reported.pk]})
    reported.refresh_from_db()
    assert reported.hidden
    assert thread(article=article.pk)[0]["deleted"] is True
    assert Revision.objects.get(name="comments").value > before  # cached pages move on

    client.post(url, {"action": "unhide", "_selected_action": [reported.pk]})
    reported.refresh_from_db()
    assert not reported.hidden
    assert not Comment.objects.get(pk=fine.pk).hidden


def test_reports_resolve_and_hide_and_resolve(client, moderator):
    article = make_article()
    author = make_user("author")
    one, two = comment(article, author, "one"), comment(article, author, "two")
    first = Report.objects.create(comment=one, user=moderator, reason="meh")
    second = Report.objects.create(comment=two, user=moderator, reason="spam")

    listing = client.get("/admin/community/report/?resolved__exact=0")
    assert listing.status_code == 200
    assert "spam" in listing.content.decode()

    url = "/admin/community/report/"
    client.post(url, {"action": "resolve", "_selected_action": [first.pk]})
    client.post(url, {"action": "hide_and_resolve", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.resolved and second.resolved
    assert not Comment.objects.get(pk=one.pk).hidden
    assert Comment.objects.get(pk=two.pk).hidden


def test_reader_choices_are_read_only_in_the_admin(client, moderator):
    for model in ("bookmark", "follow", "mute", "apitoken"):
        assert client.get(f"/admin/community/{model}/").status_code == 200
        assert client.get(f"/admin/community/{model}/add/").status_code == 403
