from django.contrib import admin
from django.utils import timezone

from daybook.news.models import Article, Entity, Feed, FetchAttempt, Source, Story


class FeedInline(admin.TabularInline):
    model = Feed
    extra = 1
    fields = ["url", "title", "active", "poll_interval", "next_poll_at", "last_error"]
    readonly_fields = ["next_poll_at", "last_error"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "site_url", "created_at"]
    search_fields = ["name", "site_url"]
    inlines = [FeedInline]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """Polling at a glance; an operator sets a fixed interval, or a lower floor for a
    feed they own, and turns a feed back on (which clears its failure record)."""

    list_display = [
        "url",
        "source",
        "active",
        "last_success_at",
        "last_error_at",
        "consecutive_failures",
        "poll_interval",
        "interval_override",
        "next_poll_at",
    ]
    list_filter = ["active"]
    search_fields = ["url", "source__name"]
    fields = [
        "source",
        "url",
        "title",
        "active",
        "disabled_reason",
        "interval_override",
        "floor_override",
        "poll_interval",
        "asked_floor",
        "next_poll_at",
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "consecutive_failures",
        "first_failure_at",
        "etag",
        "last_modified",
    ]
    readonly_fields = [
        "disabled_reason",
        "poll_interval",
        "asked_floor",
        "next_poll_at",
        "etag",
        "last_modified",
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "consecutive_failures",
        "first_failure_at",
    ]

    def save_model(self, request: object, obj: Feed, form: object, change: bool) -> None:
        if obj.active and obj.disabled_reason:
            obj.disabled_reason = ""
            obj.consecutive_failures = 0
            obj.first_failure_at = None
        obj.next_poll_at = timezone.now()  # a change shows on the next tick
        super().save_model(request, obj, form, change)  # type: ignore[arg-type]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "site_name", "published_at", "copy_of", "story"]
    list_filter = ["source", "language"]
    search_fields = ["title", "canonical_url"]
    raw_id_fields = ["copy_of", "feed", "story"]
    exclude = ["signature", "embedding"]
    readonly_fields = ["enriched", "enrich_error", "enrich_attempts", "stage", "work_due_at"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "article_count", "publisher_count", "first_seen", "last_seen"]
    search_fields = ["title"]
    raw_id_fields = ["merged_into"]
    exclude = ["centroid"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(FetchAttempt)
class FetchAttemptAdmin(admin.ModelAdmin):
    list_display = ["started_at", "url", "outcome", "status", "duration_ms", "bytes"]
    list_filter = ["outcome"]

    def has_add_permission(self, request: object) -> bool:
        return False
