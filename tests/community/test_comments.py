"""Comments: threads, the writes readers may make, moderation's effect, the
brake on flooding, and the two ways every form is sent (plain POST, htmx)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from daybook.community import throttle
from daybook.community.comments import thread
from daybook.community.models import Comment, Report
from tests.community import make_article, make_story, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post(client, url, **data):
    return client.post(url, data)


def new(client, target_kind, target_id, body, parent=None, **extra):
    data = {target_kind: target_id, "body": body}
    if parent is not None:
        data["parent"] = parent
    return client.post("/comments/new", data, **extra)


def test_posting_redirects_to_the_comment_on_its_page(client, alice):
    article = make_article()
    response = new(client, "article", article.pk, "First! *really*")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.pk}/#comment-{comment.pk}"
    assert comment.user == alice
    assert comment.body_html == "<p>First! <em>really</em></p>"

    story = make_story()
    response = new(client, "story", story.pk, "On the story")
    on_story = Comment.objects.get(story=story)
    assert response["Location"] == f"/stories/{story.pk}/#comment-{on_story.pk}"


def test_thread_shape_with_replies_one_level_deep(client, alice):
    article = make_article()
    new(client, "article", article.pk, "top")
    top = Comment.objects.get()
    new(client, "article", article.pk, "a reply", parent=top.pk)
    reply = Comment.objects.get(body="a reply")
    new(client, "article", article.pk, "a reply to the reply", parent=reply.pk)
    new(client, "article", article.pk, "second top")

    flattened = Comment.objects.get(body="a reply to the reply")
    assert flattened.parent_id == top.pk

    comments = thread(article=article.pk)
    assert [c["body_html"] for c in comments] == ["<p>top</p>", "<p>second top</p>"]
    first = comments[0]
    assert set(first) >= {"id", "user", "body_html", "created", "edited", "deleted", "replies"}
    assert first["user"] == "alice"
    assert first["deleted"] is False
    assert first["edited"] is None
    assert first["created"] == top.created_at.isoformat()
    assert [r["body_html"] for r in first["replies"]] == [
        "<p>a reply</p>",
        "<p>a reply to the reply</p>",
    ]
    assert "replies" not in first["replies"][0]
    assert comments[1]["replies"] == []
    assert thread(story=make_story().pk) == []


def test_a_reply_must_be_on_the_same_page(client, alice):
    one, other = make_article(), make_article("Other")
    new(client, "article", one.pk, "top")
    top = Comment.objects.get()
    response = new(client, "article", other.pk, "sneaky", parent=top.pk)
    assert response.status_code == 400
    assert "on another page" in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "   "}, "Write something first."),
        ({"body": "x" * 5001}, "Keep it to 5,000 characters"),
        ({"body": "ok", "article": ""}, "one article or one story"),
        ({"body": "ok", "article": "999999"}, "That article is no longer here."),
        ({"body": "ok", "story": "99999999999999999999999"}, "That story is no longer here."),
    ],
)
def test_bad_comments_get_clear_errors(client, alice, data, message):
    article = make_article()
    data = {"article": article.pk, **data}
    response = client.post("/comments/new", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Comment.objects.count() == 0


def test_exactly_5000_characters_is_fine(client, alice):
    article = make_article()
    assert new(client, "article", article.pk, "y" * 5000).status_code == 302


def test_only_the_author_edits_or_deletes(client, alice):
    article = make_article()
    new(client, "article", article.pk, "original")
    comment = Comment.objects.get()

    other = Client()
    other.force_login(make_user("mallory"))
    assert post(other, f"/comments/{comment.pk}/edit", body="pwned").status_code == 403
    assert post(other, f"/comments/{comment.pk}/delete").status_code == 403
    comment.refresh_from_db()
    assert comment.body == "original"
    assert not comment.deleted

    response = post(client, f"/comments/{comment.pk}/edit", body="**better**")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.body_html == "<p><strong>better</strong></p>"
    assert thread(article=article.pk)[0]["edited"] == comment.edited_at.isoformat()

    assert post(client, f"/comments/{comment.pk}/edit", body="").status_code == 400


def test_a_deleted_comment_keeps_its_place_and_its_replies(client, alice):
    article = make_article()
    new(client, "article", article.pk, "top")
    top = Comment.objects.get()
    other = Client()
    other.force_login(make_user("bob"))
    new(other, "article", article.pk, "reply", parent=top.pk)

    assert post(client, f"/comments/{top.pk}/delete").status_code == 302
    [entry] = thread(article=article.pk)
    assert entry["deleted"] is True
    assert entry["body_html"] == ""
    assert entry["user"] == ""
    assert [r["body_html"] for r in entry["replies"]] == ["<p>reply</p>"]
    # Gone for further actions.
    assert post(client, f"/comments/{top.pk}/edit", body="back").status_code == 404
    assert post(client, f"/comments/{top.pk}/delete").status_code == 404


def test_report_and_moderator_hiding(client, alice):
    article = make_article()
    new(client, "article", article.pk, "rude words")
    comment = Comment.objects.get()
    reporter = Client()
    reporter.force_login(make_user("bob"))
    response = post(reporter, f"/comments/{comment.pk}/report", reason="spam")
    assert response.status_code == 302
    # Reporting again updates the one report.
    post(reporter, f"/comments/{comment.pk}/report", reason="spam, really")
    report = Report.objects.get()
    assert (report.comment, report.user.username, report.reason) == (comment, "bob", "spam, really")
    assert not report.resolved

    comment.hidden = True
    comment.save()
    [entry] = thread(article=article.pk)
    assert entry["deleted"] is True
    assert entry["hidden"] is True
    assert entry["body_html"] == ""
    page = client.post(f"/comments/{Comment.objects.get().pk}/report", HTMX)
    assert page.status_code == 404
    fragment = render_thread(article.pk, alice)
    assert "Removed by a moderator" in fragment
    assert "rude words" not in fragment


def test_comments_need_a_signed_in_reader(client):
    article = make_article()
    response = new(client, "article", article.pk, "anon")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/signin/?next=")
    assert Comment.objects.count() == 0


def test_get_is_not_allowed(client, alice):
    assert client.get("/comments/new").status_code == 405


def test_csrf_is_enforced():
    article = make_article()
    user = make_user("alice")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert new(browser, "article", article.pk, "no token").status_code == 403
    assert Comment.objects.count() == 0

    page = browser.get("/accounts/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        "/comments/new", {"article": article.pk, "body": "with token", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_rate_limit_gives_429(client, alice):
    article = make_article()
    per_minute = dict(throttle.COMMENT_LIMITS)[60]
    for n in range(per_minute):
        assert new(client, "article", article.pk, f"comment {n}").status_code == 302
    refused = new(client, "article", article.pk, "one too many")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "too quickly" in refused.content.decode()
    assert Comment.objects.count() == per_minute
    # The brake is per reader.
    other = Client()
    other.force_login(make_user("bob"))
    assert new(other, "article", article.pk, "mine").status_code == 302
    # With htmx the thread comes back with the message and the text kept.
    refused = new(client, "article", article.pk, "keep this text", **HTMX)
    assert refused.status_code == 429
    assert "too quickly" in refused.content.decode()
    assert "keep this text</textarea>" in refused.content.decode()


def test_htmx_gets_the_thread_fragment(client, alice):
    article = make_article()
    response = new(client, "article", article.pk, "via htmx", **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="comments"')
    assert "<html" not in body
    comment = Comment.objects.get()
    assert f'<article id="comment-{comment.pk}"' in body
    assert "<p>via htmx</p>" in body

    # A form error comes back inside the thread (htmx swaps only 2xx), text kept.
    response = new(client, "article", article.pk, "", parent=comment.pk, **HTMX)
    assert response.status_code == 200
    assert "Write something first." in response.content.decode()
    assert re.search(r'<details class="reply" open>', response.content.decode())

    for action, data in [("edit", {"body": "edited"}), ("delete", {})]:
        response = client.post(f"/comments/{comment.pk}/{action}", data, **HTMX)
        assert response.status_code == 200
        assert response.content.decode().lstrip().startswith('<section id="comments"')
    assert "Your comment has been deleted." in response.content.decode()


def render_thread(article_id, user):
    request = RequestFactory().get(f"/articles/{article_id}/")
    request.user = user
    context = {
        "comments": thread(article=article_id),
        "target_kind": "article",
        "target_id": article_id,
        "user": user,
    }
    return render_to_string("community/thread.html", context, request=request)


def test_thread_template_for_signed_in_and_signed_out_readers(client, alice):
    article = make_article()
    new(client, "article", article.pk, "mine <script>alert(1)</script>")
    bob = make_user("bob")
    other = Client()
    other.force_login(bob)
    new(other, "article", article.pk, "bob's")
    mine, bobs = Comment.objects.order_by("pk")

    html = render_thread(article.pk, alice)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert f'<article id="comment-{mine.pk}"' in html
    assert f'<time datetime="{mine.created_at.isoformat()}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'hx-post="/comments/new" hx-target="#comments"' in html
    assert 'action="/comments/new"' in html
    # Every visible field has a label.
    for field_id in re.findall(r'<textarea id="([^"]+)"', html):
        assert f'<label for="{field_id}">' in html
    # Edit and delete on one's own, report on others'.
    assert f'action="/comments/{mine.pk}/edit"' in html
    assert f'action="/comments/{bobs.pk}/edit"' not in html
    assert f'action="/comments/{bobs.pk}/report"' in html
    assert f'action="/comments/{mine.pk}/report"' not in html
    assert "style=" not in html
    assert "<script" not in html

    signed_out = render_thread(article.pk, AnonymousUser())
    assert "<form" not in signed_out
    assert "Sign in to comment" in signed_out
    assert f"/accounts/signin/?next=%2Farticles%2F{article.pk}%2F%23comments" in signed_out
