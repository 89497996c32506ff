"""Moderation: the comment queue (open reports first among the filters) and
read-mostly views of what readers saved, followed, muted and the tokens they made.

Moderators hide and unhide comments rather than edit them: what a reader wrote
stays theirs. Bulk updates bypass the save signal, so they mark comments changed
themselves, or cached pages would keep showing a hidden comment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from daybook.community.models import ApiToken, Bookmark, Comment, Follow, Mute, Report
from daybook.news import revision

# The admin classes are generic only in django-stubs; subscripting them at run time
# fails, so the type checker alone sees the parameters.
if TYPE_CHECKING:
    CommentModelAdmin = admin.ModelAdmin[Comment]
    ReportModelAdmin = admin.ModelAdmin[Report]
    AnyModelAdmin = admin.ModelAdmin[Any]
else:
    CommentModelAdmin = ReportModelAdmin = AnyModelAdmin = admin.ModelAdmin


class OpenReportsFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reports"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "With open reports"), ("none", "No open reports")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        open_reports = Q(reports__resolved=False)
        if self.value() == "open":
            return queryset.filter(open_reports).distinct()
        if self.value() == "none":
            return queryset.exclude(open_reports)
        return queryset


def _set_hidden(queryset: QuerySet[Comment], hidden: bool) -> int:
    count = queryset.update(hidden=hidden)
    revision.changed(revision.COMMENTS)
    return count


@admin.register(Comment)
class CommentAdmin(CommentModelAdmin):
    list_display = [
        "id",
        "user",
        "on",
        "excerpt",
        "created_at",
        "open_reports",
        "hidden",
        "deleted",
    ]
    list_filter = ["hidden", "deleted", OpenReportsFilter]
    search_fields = ["body", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "article",
        "story",
        "parent",
        "body",
        "body_html",
        "created_at",
        "edited_at",
        "deleted",
    ]
    fields = [*readonly_fields, "hidden"]
    actions = ["hide", "unhide"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return (
            super()
            .get_queryset(request)
            .select_related("user", "article", "story")
            .annotate(open_count=Count("reports", filter=Q(reports__resolved=False)))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="on")
    def on(self, comment: Comment) -> str:
        return str(comment.article or comment.story)[:60]

    @admin.display(description="comment")
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:80]

    @admin.display(description="open reports", ordering="open_count")
    def open_reports(self, comment: Comment) -> int:
        return int(getattr(comment, "open_count", 0))

    @admin.action(description="Hide the selected comments")
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = _set_hidden(queryset, True)
        self.message_user(request, f"Hid {count} comment(s).", messages.SUCCESS)

    @admin.action(description="Show the selected comments again")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = _set_hidden(queryset, False)
        self.message_user(request, f"Showed {count} comment(s) again.", messages.SUCCESS)


@admin.register(Report)
class ReportAdmin(ReportModelAdmin):
    list_display = ["id", "comment_excerpt", "comment_hidden", "user", "reason", "created_at"]
    list_filter = ["resolved"]
    search_fields = ["reason", "comment__body", "user__username"]
    readonly_fields = ["comment", "user", "reason", "created_at"]
    fields = [*readonly_fields, "resolved"]
    actions = ["resolve", "hide_and_resolve"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        return super().get_queryset(request).select_related("comment", "user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="comment")
    def comment_excerpt(self, report: Report) -> str:
        return report.comment.body[:80]

    @admin.display(description="hidden", boolean=True)
    def comment_hidden(self, report: Report) -> bool:
        return report.comment.hidden

    @admin.action(description="Resolve the selected reports (keep the comments)")
    def resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        count = queryset.update(resolved=True)
        self.message_user(request, f"Resolved {count} report(s).", messages.SUCCESS)

    @admin.action(description="Hide the reported comments and resolve their reports")
    def hide_and_resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        comment_ids = set(queryset.values_list("comment_id", flat=True))
        hidden = _set_hidden(Comment.objects.filter(pk__in=comment_ids), True)
        Report.objects.filter(comment_id__in=comment_ids).update(resolved=True)
        self.message_user(request, f"Hid {hidden} comment(s).", messages.SUCCESS)


class ReadOnly(AnyModelAdmin):
    """What readers chose for themselves: moderators may look and delete, not add or edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Bookmark)
class BookmarkAdmin(ReadOnly):
    list_display = ["user", "article", "created_at"]
    search_fields = ["user__username", "article__title"]
    list_select_related = ["user", "article"]


@admin.register(Follow)
class FollowAdmin(ReadOnly):
    list_display = ["user", "kind", "key", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "key"]


@admin.register(Mute)
class MuteAdmin(ReadOnly):
    list_display = ["user", "kind", "key", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "key"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly):
    """Deleting a token here revokes it; the digest is useless to anyone reading it."""

    list_display = ["user", "name", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    exclude = ["digest"]
