"""Everything outside the pages, through the real app: feeds as a feed reader
parses them, the sources as OPML, the sitemap and robots.txt as a crawler reads
them, and the manifest, icons, service worker and offline page a browser installs."""

from __future__ import annotations

import hashlib
import json
import struct
from datetime import UTC, datetime, timedelta
from itertools import count

import feedparser
import pytest
from defusedxml import ElementTree
from django.contrib.auth import get_user_model

from daybook.community.models import Bookmark
from daybook.news.models import Article, Feed, Source, Story
from daybook.pipeline.opml import parse_opml

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
_serial = count()


def article(title: str, hours: int = 0, **fields) -> Article:
    """A stored article, published ``hours`` after T0."""
    n = next(_serial)
    fields.setdefault("text", f"Text of {title}.")
    return Article.objects.create(
        url=f"https://paper.example/{n}",
        canonical_url=f"https://paper.example/{n}",
        title=title,
        text_hash=hashlib.sha256(f"{n}{title}".encode()).hexdigest(),
        published_at=T0 + timedelta(hours=hours),
        **fields,
    )


def parsed(client, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def local_paths(feed) -> list[str]:
    return [entry.link.removeprefix("http://testserver") for entry in feed.entries]


def test_home_feeds_list_originals_newest_first_with_summary_author_and_link(client):
    source = Source.objects.create(name="Wire Service")
    older = article(
        "Older news", 0, source=source, authors=["Ann Lee", "Bo Chen"], description="A teaser."
    )
    newer = article(
        "Newer news",
        2,
        source=source,
        summary=[{"text": "First line.", "paragraph": 0, "sentence": 0}, {"text": "Second."}],
    )
    copy = article("Copied news", 3, copy_of=newer)
    for path, content_type in [
        ("/feeds/home.rss", "application/rss+xml"),
        ("/feeds/home.atom", "application/atom+xml"),
    ]:
        assert client.get(path)["Content-Type"].startswith(content_type)
        feed = parsed(client, path)
        assert feed.feed.title == "daybook: latest"
        assert local_paths(feed) == [f"/articles/{newer.pk}/", f"/articles/{older.pk}/"]
        assert f"/articles/{copy.pk}/" not in local_paths(feed)
        first, second = feed.entries
        assert first.title == "Newer news" and first.summary == "First line. Second."
        assert second.summary == "A teaser." and second.author == "Ann Lee, Bo Chen"
        assert first.id == "http://testserver" + f"/articles/{newer.pk}/"
        assert first.published_parsed[:4] == (2026, 11, 20, 5)


def test_feeds_escape_markup_and_drop_characters_xml_cannot_carry(client):
    # (No NUL: PostgreSQL cannot store one, so no article can hold it.)
    hostile = 'Rates <script>alert("x")</script> & \x01\x08held\x0b'
    article(hostile, summary=[{"text": "<img src=x onerror=alert(1)> \x1fsaid"}])
    for path in ["/feeds/home.rss", "/feeds/home.atom"]:
        body = client.get(path).content
        assert b"<script" not in body and b"<img" not in body
        assert not any(bytes([c]) in body for c in [1, 8, 11, 31])
        ElementTree.fromstring(body)  # well-formed XML
        entry = parsed(client, path).entries[0]
        # The reader shows the headline as written, markup as text, and the
        # summary (HTML in both formats) as escaped text, never as an element.
        assert entry.title == 'Rates <script>alert("x")</script> & held'
        assert entry.summary == "&lt;img src=x onerror=alert(1)&gt; said"


def test_topic_feed_lists_articles_tagged_with_that_topic_only(client):
    sports = article("Cup final", topics=["Sports", "Japan"])
    article("Markets", 1, topics=["Business", "Economy"])
    copy = article("Cup final again", 2, topics=["Sports"], copy_of=sports)
    assert local_paths(parsed(client, "/feeds/topics/Sports.rss")) == [f"/articles/{sports.pk}/"]
    atom = parsed(client, "/feeds/topics/Japan.atom")
    assert local_paths(atom) == [f"/articles/{sports.pk}/"]
    assert atom.feed.title == "daybook: Japan"
    assert atom.feed.link == "http://testserver/topics/Japan/"
    middle_east = parsed(client, "/feeds/topics/Middle%20East.rss")
    assert middle_east.entries == []
    assert f"/articles/{copy.pk}/" not in local_paths(parsed(client, "/feeds/topics/Sports.atom"))
    for unknown in ["/feeds/topics/Nope.rss", "/feeds/topics/sports.atom"]:
        assert client.get(unknown).status_code == 404


def test_publisher_feed_lists_its_articles_copies_included(client):
    wire = Source.objects.create(name="Wire <Service>")
    paper = Source.objects.create(name="Daily Paper")
    original = article("Original", 0, source=wire)
    copy = article("Reprint", 1, source=paper, copy_of=original)
    rss = parsed(client, f"/feeds/publishers/{paper.pk}.rss")
    assert local_paths(rss) == [f"/articles/{copy.pk}/"]
    atom = parsed(client, f"/feeds/publishers/{wire.pk}.atom")
    assert atom.feed.title == "daybook: Wire <Service>"
    assert local_paths(atom) == [f"/articles/{original.pk}/"]
    assert client.get(f"/feeds/publishers/{paper.pk + 100}.rss").status_code == 404


def test_story_feed_lists_originals_and_copies_and_follows_merges(client):
    story = Story.objects.create(title="Quake in the north")
    merged = Story.objects.create(title="Old quake story", merged_into=story)
    original = article("Quake strikes", 0, story=story)
    copy = article("Quake strikes (reprint)", 1, story=story, copy_of=original)
    article("Unrelated", 2)
    expected = [f"/articles/{copy.pk}/", f"/articles/{original.pk}/"]
    rss = parsed(client, f"/feeds/stories/{story.pk}.rss")
    assert rss.feed.title == "daybook: Quake in the north"
    assert local_paths(rss) == expected
    assert local_paths(parsed(client, f"/feeds/stories/{merged.pk}.atom")) == expected
    assert client.get(f"/feeds/stories/{story.pk + 100}.atom").status_code == 404


def test_feed_language_comes_from_the_articles(client):
    source = Source.objects.create(name="NHK")
    article("地震", 0, source=source, language="ja")
    assert parsed(client, f"/feeds/publishers/{source.pk}.rss").feed.language == "ja"
    article("Quake", 1, source=source, language="en")
    body = client.get(f"/feeds/publishers/{source.pk}.atom").content.decode()
    root_tag = body[body.index("<feed") : body.index(">", body.index("<feed"))]
    assert "xml:lang" not in root_tag  # mixed languages: none claimed for the feed
    assert '<entry xml:lang="ja">' in body and '<entry xml:lang="en">' in body


def test_sources_export_as_opml(client):
    wire = Source.objects.create(name="Wire & Co", site_url="https://wire.example/")
    Feed.objects.create(source=wire, url="https://wire.example/rss.xml")
    Feed.objects.create(
        source=Source.objects.create(name="Paper"), url="https://paper.example/feed"
    )
    response = client.get("/sources.opml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-opml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="daybook-sources.opml"'
    outlines = {o.url: o for o in parse_opml(response.content)}
    assert set(outlines) == {"https://wire.example/rss.xml", "https://paper.example/feed"}
    assert outlines["https://wire.example/rss.xml"].title == "Wire & Co"
    assert outlines["https://wire.example/rss.xml"].site_url == "https://wire.example/"


def sitemap_locations(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    root = ElementTree.fromstring(response.content)
    return [loc.text for loc in root.iterfind(".//s:loc", SITEMAP_NS)]


def test_sitemap_index_points_at_sections_listing_pages(client):
    source = Source.objects.create(name="Wire")
    story = Story.objects.create(title="A story")
    Story.objects.create(title="Merged away", merged_into=story)
    original = article("Original", source=source, story=story)
    copy = article("Copy", 1, copy_of=original)
    sections = sitemap_locations(client, "/sitemap.xml")
    assert set(sections) == {
        f"http://testserver/sitemap-{name}.xml"
        for name in ["home", "stories", "articles", "publishers", "topics"]
    }
    urls = {
        loc.removeprefix("http://testserver")
        for section in sections
        for loc in sitemap_locations(client, section.removeprefix("http://testserver"))
    }
    assert {"/", f"/stories/{story.pk}/", f"/articles/{original.pk}/"} <= urls
    assert {f"/publishers/{source.pk}/", "/topics/Sports/", "/topics/Middle%20East/"} <= urls
    assert f"/articles/{copy.pk}/" not in urls
    assert len([u for u in urls if u.startswith("/stories/")]) == 1
    body = client.get("/sitemap-articles.xml").content.decode()
    assert f"<lastmod>{original.updated_at.date().isoformat()}" in body


def test_robots_txt_keeps_crawlers_out_of_accounts_and_admin_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert {"Disallow: /accounts/", "Disallow: /admin/"} <= set(lines)
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_describes_an_installable_app_whose_icons_are_served(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "daybook" and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["description"]
    assert manifest["theme_color"].startswith("#") and manifest["background_color"]
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(icons)
    for (sizes, _), icon in icons.items():
        served = client.get(icon["src"])
        assert served.status_code == 200, icon["src"]
        data = b"".join(served.streaming_content)
        if icon["type"] == "image/png":
            assert png_size(data) == tuple(int(n) for n in sizes.split("x"))
        else:
            assert data.lstrip().startswith(b"<svg") and b"<script" not in data


def test_service_worker_is_served_from_the_root_with_its_precache_list(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert "__VERSION__" not in script
    version = script.split('const VERSION = "', 1)[1].split('"', 1)[0]
    assert len(version) == 12 and int(version, 16) >= 0
    for url in ['"/offline/"', '"/static/web/site.css"', '"/static/web/site.js"']:
        assert url in script
    assert '"/saved/?format=json"' in script and '"sync-saved"' in script
    for path in ["/static/web/site.css", "/static/web/site.js", "/static/web/icons/icon.svg"]:
        assert client.get(path).status_code == 200, path  # what it precaches exists
    assert client.post("/sw.js").status_code == 405


def test_offline_page_says_so_and_lists_a_readers_saved_articles(client):
    page = client.get("/offline/")
    assert page.status_code == 200
    assert "offline" in page.content.decode()
    reader = get_user_model().objects.create_user("reader", password="pw-for-tests-only")
    saved = article("Kept <for> later")
    article("Not saved")
    Bookmark.objects.create(user=reader, article=saved)
    client.force_login(reader)
    html = client.get("/offline/").content.decode()
    assert f'href="/articles/{saved.pk}/"' in html
    assert "Kept &lt;for&gt; later" in html and "Not saved" not in html
