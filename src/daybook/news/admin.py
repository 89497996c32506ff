from django.contrib import admin

from daybook.news.models import Article, Feed, FetchAttempt, Source


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
    list_display = [
        "url",
        "source",
        "active",
        "last_success_at",
        "consecutive_failures",
        "next_poll_at",
    ]
    list_filter = ["active"]
    search_fields = ["url", "source__name"]
    readonly_fields = [
        "etag",
        "last_modified",
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "consecutive_failures",
    ]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "site_name", "published_at", "copy_of"]
    list_filter = ["source", "language"]
    search_fields = ["title", "canonical_url"]
    raw_id_fields = ["copy_of", "feed"]
    exclude = ["signature"]


@admin.register(FetchAttempt)
class FetchAttemptAdmin(admin.ModelAdmin):
    list_display = ["started_at", "url", "outcome", "status", "duration_ms", "bytes"]
    list_filter = ["outcome"]

    def has_add_permission(self, request: object) -> bool:
        return False
