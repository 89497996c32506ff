"""Comments: new, edit, delete and report, as whole pages or htmx fragments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from daybook.community import comments, throttle
from daybook.community.forms import (
    CommentForm,
    EditForm,
    ReportForm,
    as_id,
)
from daybook.community.models import Comment
from daybook.community.views.common import is_htmx, page_url, reader_of
from daybook.news.models import Article, Story


def _thread_response(
    request: HttpRequest, kind: str, target_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "comments": comments.thread(**{kind: target_id}),
        "target_kind": kind,
        "target_id": target_id,
        **extra,
    }
    return render(request, "community/thread.html", context, status=status)


def _done(request: HttpRequest, comment: Comment, notice: str = "") -> HttpResponse:
    kind, target_id = comments.target(comment)
    if is_htmx(request):
        return _thread_response(request, kind, target_id, notice=notice)
    if notice:
        messages.success(request, notice)
    return redirect(f"{page_url(kind, target_id)}#comment-{comment.pk}")


def _refused(
    request: HttpRequest,
    form: BaseForm,
    *,
    slot: str,
    slot_id: int | None,
    target: tuple[str, int] | None,
    action: str,
    status: int = 400,
    message: str = "",
    retry_after: int = 0,
) -> HttpResponse:
    """A comment write that did not happen: with htmx, the thread again with the
    form open, filled in and showing why; without, a page with the same form."""
    if is_htmx(request) and target is not None:
        failed = {"slot": slot, "id": slot_id, "form": form, "message": message}
        # htmx swaps only 2xx answers by default: a form error is shown as a 200.
        response = _thread_response(
            request, *target, status=429 if retry_after else 200, failed=failed
        )
    else:
        context = {
            "form": form,
            "action": action,
            "message": message,
            "back": page_url(*target) if target else "",
        }
        response = render(request, "community/comment_form.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _posted_target(request: HttpRequest) -> tuple[str, int] | None:
    """The article or story a (possibly invalid) new-comment form was for, if it exists."""
    for kind in ("article", "story"):
        pk = as_id(str(request.POST.get(kind, "")))
        if pk is not None:
            model = Article if kind == "article" else Story
            return (kind, pk) if model.objects.filter(pk=pk).exists() else None
    return None


@login_required
@require_POST
def comment_new(request: HttpRequest) -> HttpResponse:
    form = CommentForm(request.POST)
    parent_id = as_id(str(request.POST.get("parent", "")))
    slot = "reply" if parent_id is not None else "new"
    action = reverse("comment-new")
    target = _posted_target(request)
    if not form.is_valid():
        return _refused(request, form, slot=slot, slot_id=parent_id, target=target, action=action)
    wait = throttle.take_comment(reader_of(request).pk)
    if wait:
        message = comments.TOO_FAST
        return _refused(
            request,
            form,
            slot=slot,
            slot_id=parent_id,
            target=target,
            action=action,
            status=429,
            message=message,
            retry_after=wait,
        )
    data = form.cleaned_data
    comment = comments.post(
        reader_of(request),
        article=data["article"],
        story=data["story"],
        parent=data["parent"],
        body=data["body"],
    )
    return _done(request, comment)


@login_required
@require_POST
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comments.own(pk, reader_of(request))
    form = EditForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            form,
            slot="edit",
            slot_id=pk,
            target=comments.target(comment),
            action=reverse("comment-edit", args=[pk]),
        )
    comments.edit(comment, form.cleaned_data["body"])
    return _done(request, comment)


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comments.own(pk, reader_of(request))
    comments.delete(comment)
    return _done(request, comment, notice="Your comment has been deleted.")


@login_required
@require_POST
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comments.live(pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            form,
            slot="report",
            slot_id=pk,
            target=comments.target(comment),
            action=reverse("comment-report", args=[pk]),
        )
    comments.report(comment, reader_of(request), form.cleaned_data["reason"])
    return _done(request, comment, notice="Thank you. A moderator will look at that comment.")
