"""Comment threads: reading one as plain data, and the writes readers may make.

A thread is top-level comments oldest first, each with its replies oldest first.
Replies go one level deep: a reply to a reply joins the same top-level comment,
which keeps threads readable on a phone. A removed comment (deleted by its
author, hidden by a moderator) keeps its place, blanked, so the replies under
it still make sense.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from daybook.community import formatting
from daybook.community.models import Comment, Report
from daybook.news.models import Article, Story
from daybook.web.shapes import Comment as ShownComment

TargetKind = Literal["article", "story"]


def thread(*, article: int | None = None, story: int | None = None) -> list[ShownComment]:
    """The comments on one article or one story.

    Each comment is ``{"id", "user", "body", "body_html", "created", "edited",
    "deleted", "hidden", "replies"}``; replies have the same keys but
    ``replies``. ``body`` is the source text, for the author's edit form.
    ``deleted`` is true for any removed comment; ``hidden`` says a moderator
    removed it. A removed comment has no user or body.
    """
    rows = Comment.objects.select_related("user").order_by("created_at", "id")
    if article is not None and story is None:
        rows = rows.filter(article_id=article)
    elif story is not None and article is None:
        rows = rows.filter(story_id=story)
    else:
        raise ValueError("give exactly one of article or story")
    top: list[ShownComment] = []
    by_id: dict[int, ShownComment] = {}
    replies: list[tuple[int, ShownComment]] = []
    for comment in rows:
        item = shown(comment)
        if comment.parent_id is None:
            item["replies"] = []
            by_id[comment.pk] = item
            top.append(item)
        else:
            replies.append((comment.parent_id, item))
    for parent_id, item in replies:
        if parent_id in by_id:
            by_id[parent_id].setdefault("replies", []).append(item)
    return top


def shown(comment: Comment) -> ShownComment:
    """One comment as its thread shows it (and as a write through the API answers)."""
    removed = not comment.visible
    return {
        "id": comment.pk,
        "user": "" if removed else comment.user.get_username(),
        "body": "" if removed else comment.body,
        "body_html": "" if removed else comment.body_html,
        "created": comment.created_at.isoformat(),
        "edited": comment.edited_at.isoformat() if comment.edited_at else None,
        "deleted": removed,
        "hidden": comment.hidden,
    }


class CommentError(Exception):
    """A write a reader may not make, with the reason to show them."""


TOO_FAST = "You are commenting too quickly. Please wait a little and try again."


def live(pk: int) -> Comment:
    """A comment that may still be acted on: Http404 if it is gone or removed."""
    comment = get_object_or_404(Comment.objects.select_related("user"), pk=pk)
    if not comment.visible:
        raise Http404("That comment has been removed.")
    return comment


def own(pk: int, user: User) -> Comment:
    """A live comment ``user`` wrote; PermissionDenied for anyone else's."""
    comment = live(pk)
    if comment.user_id != user.pk:
        raise PermissionDenied("Only the author can change a comment.")
    return comment


def post(
    user: User,
    *,
    article: Article | None = None,
    story: Story | None = None,
    parent: Comment | None = None,
    body: str,
) -> Comment:
    """A new comment, or a reply when ``parent`` is given."""
    if (article is None) == (story is None):
        raise CommentError("A comment belongs to one article or one story.")
    if parent is not None:
        here = (article.pk if article else None, story.pk if story else None)
        if (parent.article_id, parent.story_id) != here:
            raise CommentError("That comment is on another page.")
        if parent.parent_id is not None:
            parent = parent.parent
    return Comment.objects.create(
        user=user,
        article=article,
        story=story,
        parent=parent,
        body=body,
        body_html=formatting.render(body),
    )


def edit(comment: Comment, body: str) -> Comment:
    comment.body = body
    comment.body_html = formatting.render(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def delete(comment: Comment) -> None:
    """Blank the comment but keep the row, so its replies keep their place."""
    comment.deleted = True
    comment.body = comment.body_html = ""
    comment.save(update_fields=["deleted", "body", "body_html"])


def report(comment: Comment, user: User, reason: str) -> Report:
    """A reader's report; reporting again updates the reason and reopens it."""
    found, _ = Report.objects.update_or_create(
        comment=comment, user=user, defaults={"reason": reason[:500], "resolved": False}
    )
    return found


def target(comment: Comment) -> tuple[TargetKind, int]:
    if comment.article_id is not None:
        return "article", comment.article_id
    assert comment.story_id is not None
    return "story", comment.story_id
