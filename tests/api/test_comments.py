"""Comments through the API: reading threads, and writing them with a bearer
token through the same forms, formatting and rate limit as the site."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from daybook.community import comments, tokens
from daybook.community.forms import BODY_MAX
from daybook.community.models import Comment
from daybook.news.models import Article, Story
from daybook.news.store import store_article
from tests.news.test_store import OTHER, WIRE, make

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return store_article(make("https://wire.example/a", WIRE)).article


@pytest.fixture
def ana():
    return get_user_model().objects.create_user("ana", password="a long pass phrase")


@pytest.fixture
def ben():
    return get_user_model().objects.create_user("ben", password="another pass phrase")


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.make_token(user, 'tests')}"}


def post(client, data: dict, auth: dict):
    return client.post("/api/comments", data, content_type="application/json", **auth)


def test_threads_are_the_pages_comments(client, article, ana, ben):
    top = comments.post(ana, article=article, body="First, with **bold**.")
    reply = comments.post(ben, article=article, parent=top, body="A reply.")
    comments.post(ana, article=article, parent=reply, body="A reply to the reply.")
    comments.delete(reply)
    data = client.get(f"/api/articles/{article.pk}/comments").json()
    assert data == {"comments": comments.thread(article=article.pk)}
    assert data["comments"] == client.get(f"/articles/{article.pk}/?format=json").json()["comments"]
    [first] = data["comments"]
    assert first["body_html"] == "<p>First, with <strong>bold</strong>.</p>"
    assert [r["deleted"] for r in first["replies"]] == [True, False]  # flattened, kept in place
    assert first["replies"][0]["user"] == "" and "replies" not in first["replies"][0]

    story = Story.objects.create(title="Rates")
    old = Story.objects.create(title="old", merged_into=story)
    comments.post(ben, story=story, body="On the story.")
    on_story = client.get(f"/api/stories/{old.pk}/comments").json()["comments"]
    assert [c["body"] for c in on_story] == ["On the story."]


def test_writing_needs_a_valid_token(client, article, ana):
    data = {"article": article.pk, "body": "Hello"}
    for auth in (
        {},
        {"HTTP_AUTHORIZATION": "Bearer not-a-token"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Basic YW5hOmEgbG9uZyBwYXNzIHBocmFzZQ=="},
        {"HTTP_AUTHORIZATION": "Bearer " + "x" * 5000},
    ):
        response = post(client, data, auth)
        assert response.status_code == 401, auth
        assert response.json() == {"detail": "Unauthorized"}
    client.force_login(ana)  # a session is not a token
    assert post(client, data, {}).status_code == 401
    assert (
        client.patch("/api/comments/1", {"body": "x"}, content_type="application/json").status_code
        == 401
    )
    assert client.delete("/api/comments/1").status_code == 401

    revoked = bearer(ana)
    ana.api_tokens.all().delete()
    assert post(Client(), data, revoked).status_code == 401
    inactive = bearer(ana)
    ana.is_active = False
    ana.save()
    assert post(Client(), data, inactive).status_code == 401
    assert not Comment.objects.exists()


def test_a_token_posts_formatted_sanitised_comments_without_csrf(article, ana):
    client = Client(enforce_csrf_checks=True)
    auth = bearer(ana)
    body = "Read [this](https://example.org) **now** <script>alert(1)</script> [x](javascript:1)"
    response = post(client, {"article": article.pk, "body": body}, auth)
    assert response.status_code == 201, response.content
    made = response.json()
    stored = Comment.objects.get(pk=made["id"])
    assert stored.user == ana and stored.article_id == article.pk and stored.body == body
    in_thread = comments.thread(article=article.pk)[0]
    assert in_thread.pop("replies") == []
    assert made == in_thread  # a write answers with the comment as its thread shows it
    assert made["user"] == "ana"
    html = made["body_html"]
    assert '<a href="https://example.org" rel="nofollow ugc noopener">this</a>' in html
    assert "<strong>now</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert ana.api_tokens.get().last_used_at is not None


def test_replies_to_replies_join_the_top_level_comment(client, article, ana, ben):
    top = post(client, {"article": article.pk, "body": "Top"}, bearer(ana)).json()
    reply = post(client, {"article": article.pk, "parent": top["id"], "body": "Re"}, bearer(ben))
    again = post(
        client, {"article": article.pk, "parent": reply.json()["id"], "body": "Re re"}, bearer(ana)
    )
    assert again.status_code == 201
    assert "replies" not in again.json()
    assert Comment.objects.get(pk=again.json()["id"]).parent_id == top["id"]
    thread = client.get(f"/api/articles/{article.pk}/comments").json()["comments"]
    assert [[r["body"] for r in c["replies"]] for c in thread] == [["Re", "Re re"]]


def test_comment_on_a_merged_story_lands_on_the_story_it_joined(client, ana):
    story = Story.objects.create(title="Rates")
    old = Story.objects.create(title="old", merged_into=story)
    response = post(client, {"story": old.pk, "body": "Hello"}, bearer(ana))
    assert response.status_code == 201
    assert Comment.objects.get(pk=response.json()["id"]).story_id == story.pk


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * (BODY_MAX + 1)}, "body"),
        ({"article": None, "body": "Where?"}, "__all__"),
        ({"story": -1, "body": "Both"}, "__all__"),
        ({"article": 999999, "body": "Gone"}, "article"),
        ({"parent": 999999, "body": "To nothing"}, "parent"),
    ],
)
def test_the_comment_forms_rules_apply(client, article, ana, data, field):
    story = Story.objects.create(title="Rates")
    payload = {"article": article.pk, **data}
    if payload.get("story") == -1:
        payload["story"] = story.pk
    response = post(client, payload, bearer(ana))
    assert response.status_code == 400, response.content
    answer = response.json()
    assert field in answer["errors"] and answer["detail"]
    assert not Comment.objects.exists()


def test_a_reply_must_be_on_the_same_page(client, article, ana):
    other = store_article(make("https://paper.example/b", OTHER)).article
    elsewhere = comments.post(ana, article=other, body="Over there")
    response = post(
        client, {"article": article.pk, "parent": elsewhere.pk, "body": "Hi"}, bearer(ana)
    )
    assert response.status_code == 400 and "another page" in response.json()["detail"]


def test_malformed_bodies_are_400(client, article, ana):
    auth = bearer(ana)
    for raw, field in (
        ("{not json", None),
        ('{"article": "one", "body": "x"}', "article"),
        ('{"article": 1}', "body"),
        ("[]", "body"),
    ):
        response = client.post("/api/comments", raw, content_type="application/json", **auth)
        assert response.status_code == 400, raw
        assert response.json()["detail"]
        assert field is None or field in response.json()["errors"]


def test_commenting_too_fast_is_429_with_retry_after(client, article, ana):
    auth = bearer(ana)
    codes = []
    for n in range(12):  # the per-minute window may roll over once in between
        response = post(client, {"article": article.pk, "body": f"Comment {n}"}, auth)
        codes.append(response.status_code)
        if response.status_code == 429:
            assert int(response["Retry-After"]) > 0
            assert "too quickly" in response.json()["detail"]
            break
    assert codes[-1] == 429 and set(codes[:-1]) == {201}
    assert Comment.objects.count() == len(codes) - 1


def test_authors_edit_and_delete_only_their_own(client, article, ana, ben):
    mine = comments.post(ana, article=article, body="Typo hear")
    theirs = comments.post(ben, article=article, body="Ben's")
    auth = bearer(ana)

    edited = client.patch(
        f"/api/comments/{mine.pk}", {"body": "Typo *here*"}, content_type="application/json", **auth
    )
    assert edited.status_code == 200
    assert edited.json()["body_html"] == "<p>Typo <em>here</em></p>" and edited.json()["edited"]
    empty = client.patch(
        f"/api/comments/{mine.pk}", {"body": ""}, content_type="application/json", **auth
    )
    assert empty.status_code == 400 and "body" in empty.json()["errors"]

    for method in (client.patch, client.delete):
        refused = method(
            f"/api/comments/{theirs.pk}",
            {"body": "mine now"},
            content_type="application/json",
            **auth,
        )
        assert refused.status_code == 403 and refused.json()["detail"]
    theirs.refresh_from_db()
    assert theirs.body == "Ben's" and not theirs.deleted

    assert client.delete(f"/api/comments/{mine.pk}", **auth).status_code == 204
    mine.refresh_from_db()
    assert mine.deleted and mine.body == ""
    assert client.delete(f"/api/comments/{mine.pk}", **auth).status_code == 404
    gone = client.patch(
        f"/api/comments/{mine.pk}", {"body": "back"}, content_type="application/json", **auth
    )
    assert gone.status_code == 404
    assert client.delete("/api/comments/999999", **auth).status_code == 404
