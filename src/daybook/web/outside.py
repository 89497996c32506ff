"""Routes outside the site's pages: feeds, the sources list, the sitemap,
robots.txt and the installable app. They sit at fixed, root-level paths
because feed readers, crawlers and browsers look for them there."""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.urls import URLPattern, path

from daybook.web import pwa, sitemaps, syndication

urlpatterns: list[URLPattern] = [
    path("feeds/home.rss", syndication.HomeRss(), name="feed-home-rss"),
    path("feeds/home.atom", syndication.HomeAtom(), name="feed-home-atom"),
    path("feeds/topics/<str:name>.rss", syndication.TopicRss(), name="feed-topic-rss"),
    path("feeds/topics/<str:name>.atom", syndication.TopicAtom(), name="feed-topic-atom"),
    path("feeds/publishers/<int:pk>.rss", syndication.PublisherRss(), name="feed-publisher-rss"),
    path("feeds/publishers/<int:pk>.atom", syndication.PublisherAtom(), name="feed-publisher-atom"),
    path("feeds/stories/<int:pk>.rss", syndication.StoryRss(), name="feed-story-rss"),
    path("feeds/stories/<int:pk>.atom", syndication.StoryAtom(), name="feed-story-atom"),
    path("sources.opml", syndication.sources_opml, name="sources-opml"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
]
