"""What search engines are told: the sitemap (an index of sections, each paged by
Django at 50,000 URLs) and robots.txt, which points at it.

Only originals are listed among articles: a copy's page shows the original's
text, and listing both would offer crawlers the same story twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from daybook.news.models import Article, Source, Story
from daybook.web.pages import TOPIC_NAMES

# The stubs make Sitemap generic in its items; Django's class cannot be subscripted at run time.
if TYPE_CHECKING:
    _Names = Sitemap[str]
    _Stories = Sitemap[Story]
    _Articles = Sitemap[Article]
    _Sources = Sitemap[Source]
else:
    _Names = _Stories = _Articles = _Sources = Sitemap


class HomeSitemap(_Names):
    changefreq = "hourly"

    def items(self) -> list[str]:
        return ["home"]

    def location(self, item: str) -> str:
        return reverse(item)


class StorySitemap(_Stories):
    def items(self) -> QuerySet[Story]:
        # Merged stories only forward to the story they joined.
        return Story.objects.filter(merged_into=None).only("id", "updated_at").order_by("id")

    def location(self, item: Story) -> str:
        return reverse("story", args=[item.pk])

    def lastmod(self, item: Story) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        """One query, where Django's default would load every story."""
        latest: datetime | None = Story.objects.filter(merged_into=None).aggregate(
            latest=Max("updated_at")
        )["latest"]
        return latest


class ArticleSitemap(_Articles):
    def items(self) -> QuerySet[Article]:
        return Article.objects.filter(copy_of=None).only("id", "updated_at").order_by("id")

    def location(self, item: Article) -> str:
        return reverse("article", args=[item.pk])

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        latest: datetime | None = Article.objects.filter(copy_of=None).aggregate(
            latest=Max("updated_at")
        )["latest"]
        return latest


class PublisherSitemap(_Sources):
    def items(self) -> QuerySet[Source]:
        return Source.objects.only("id").order_by("id")

    def location(self, item: Source) -> str:
        return reverse("publisher", args=[item.pk])


class TopicSitemap(_Names):
    changefreq = "hourly"

    def items(self) -> tuple[str, ...]:
        return TOPIC_NAMES

    def location(self, item: str) -> str:
        return reverse("topic", args=[item])


SITEMAPS: dict[str, type[Sitemap[Any]]] = {
    "home": HomeSitemap,
    "stories": StorySitemap,
    "articles": ArticleSitemap,
    "publishers": PublisherSitemap,
    "topics": TopicSitemap,
}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything may be crawled but readers' accounts and the admin."""
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
