"""Comment threads, and writing comments with an API token.

Writes go through exactly what the site's comment forms use: the same forms
validate the fields, the same per-reader rate limit applies, and
``daybook.community.comments`` stores, renders and flattens replies. Reading
answers with ``comments.thread``, the data the article and story pages show.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import HttpError

from daybook.api.auth import Token, reader
from daybook.api.schemas import CommentEdit, Error, NewComment
from daybook.community import comments, throttle
from daybook.community.forms import CommentForm, EditForm
from daybook.community.models import Comment
from daybook.news.models import Article
from daybook.web import pages
from daybook.web.shapes import Comment as CommentOut
from daybook.web.shapes import Thread

router = Router(tags=["comments"])


@router.get(
    "/articles/{pk}/comments",
    response={200: Thread, 404: Error},
    exclude_unset=True,
    summary="An article's comments",
)
def article_comments(request: HttpRequest, pk: int) -> Thread:
    """Top-level comments oldest first, each with its replies oldest first."""
    if not Article.objects.filter(pk=pk).exists():
        raise Http404("No such article.")
    return {"comments": comments.thread(article=pk)}


@router.get(
    "/stories/{pk}/comments",
    response={200: Thread, 404: Error},
    exclude_unset=True,
    summary="A story's comments",
)
def story_comments(request: HttpRequest, pk: int) -> Thread:
    """For a story merged into another, the comments of the story it joined."""
    return {"comments": comments.thread(story=pages.resolve_story(pk).pk)}


@router.post(
    "/comments",
    auth=Token(),
    response={201: CommentOut, 400: Error, 401: Error, 429: Error},
    exclude_unset=True,
    summary="Comment on an article or a story, or reply to a comment",
)
def create(request: HttpRequest, response: HttpResponse, payload: NewComment) -> Status[Any]:
    """Rate limited per reader, like the site's comment form: a 429 answer's
    Retry-After header says how many seconds to wait."""
    story = payload.story
    if story is not None:  # an old id of a merged story comments on the story it joined
        with suppress(Http404):
            story = pages.resolve_story(story).pk
    fields = {"article": payload.article, "story": story, "parent": payload.parent}
    form = CommentForm({**fields, "body": payload.body})
    if not form.is_valid():
        return _refused(form)
    user = reader(request)
    wait = throttle.take_comment(user.pk)
    if wait:
        response["Retry-After"] = str(wait)
        return Status(429, {"detail": comments.TOO_FAST})
    data = form.cleaned_data
    comment = comments.post(
        user, article=data["article"], story=data["story"], parent=data["parent"], body=data["body"]
    )
    return Status(201, comments.shown(comment))


@router.patch(
    "/comments/{pk}",
    auth=Token(),
    response={200: CommentOut, 400: Error, 401: Error, 403: Error, 404: Error},
    exclude_unset=True,
    summary="Edit one of your comments",
)
def edit(request: HttpRequest, pk: int, payload: CommentEdit) -> Status[Any]:
    comment = _own(request, pk)
    form = EditForm({"body": payload.body})
    if not form.is_valid():
        return _refused(form)
    return Status(200, comments.shown(comments.edit(comment, form.cleaned_data["body"])))


@router.delete(
    "/comments/{pk}",
    auth=Token(),
    response={204: None, 401: Error, 403: Error, 404: Error},
    summary="Delete one of your comments",
)
def delete(request: HttpRequest, pk: int) -> Status[None]:
    """The comment keeps its place in the thread, blanked, so replies to it still
    make sense."""
    comments.delete(_own(request, pk))
    return Status(204, None)


def _own(request: HttpRequest, pk: int) -> Comment:
    try:
        return comments.own(pk, reader(request))
    except PermissionDenied as refused:
        raise HttpError(403, str(refused)) from refused


def _refused(form: Form) -> Status[Any]:
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return Status(400, {"detail": detail, "errors": errors})
