from django.contrib import admin

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
    list_display = ["title", "source", "site_name", "published_at", "copy_of", "story"]
    list_filter = ["source", "language"]
    search_fields = ["title", "canonical_url"]
    raw_id_fields = ["copy_of", "feed", "story"]
    exclude = ["signature", "embedding"]
    readonly_fields = ["enriched", "enrich_error", "enrich_attempts", "enrich_after"]


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
