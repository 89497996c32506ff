# ruff: noqa: E501  (the hostile markup reads best unwrapped)
"""Hostile publishers: a feed and pages full of script injections are ingested
through the real fetch path, then every page that shows them is opened in a real
browser. No script of theirs may run: no dialog, no marker set on the page, no
element of theirs that executes, and the policy header forbids inline script."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from daybook.news.enrich import Enricher
from daybook.news.fetching import make_fetcher
from daybook.news.ingest import Ingester
from daybook.news.models import Article, Story
from daybook.news.sources import add_source
from tests.servers import serve

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD_TITLE = (
    '<script>window.__pwned=1;alert("title")</script>Harbour fire <img src=x onerror=alert(1)>'
)
NORMAL = (
    "Firefighters in the port city battled a blaze at a waterfront warehouse for six hours "
    "on Tuesday, officials said, as thick smoke drifted over the harbour and nearby homes. "
)


def page_html(n: int) -> str:
    paragraphs = "".join(f"<p>{NORMAL * 2} Paragraph {i} of report {n}.</p>" for i in range(6))
    return f"""<!doctype html><html><head>
<title>{PAYLOAD_TITLE}</title>
<meta property="og:title" content="{PAYLOAD_TITLE.replace('"', "&quot;")}">
<meta property="og:image" content="javascript:alert('og')">
<meta name="description" content="&lt;script&gt;alert('desc')&lt;/script&gt; smoke over the harbour">
<style>body {{ background: expression(alert('css')); }}</style>
<script>window.__pwned = 'head';</script>
</head><body onload="alert('body')">
<article>
<h1>{PAYLOAD_TITLE}</h1>
<p class="byline">By <a href="javascript:alert('byline')">Mallory &lt;script&gt;</a></p>
{paragraphs}
<p>Officials said: <img src=x onerror="alert('img')"> "We are containing it," the chief said.</p>
<svg onload="alert('svg')"><script>alert('svg-script')</script></svg>
<iframe src="data:text/html,&lt;script&gt;alert('iframe')&lt;/script&gt;"></iframe>
<p style="background:url(javascript:alert('style'))">Residents were told to keep windows shut <b><i>broken markup
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">a data link</a>
<p>The cause is under investigation, officials said.
</article></body></html>"""


def feed_xml(base: str) -> str:
    items = "".join(
        f"""<item><title>{PAYLOAD_TITLE.replace("<", "&lt;").replace(">", "&gt;")} {n}</title>
<link>{base}/news/{n}.html</link><guid>{base}/news/{n}.html</guid>
<description><![CDATA[<script>alert('feed')</script><img src=x onerror=alert('feed-img')>Smoke]]></description>
<pubDate>Tue, 24 Nov 2026 0{n}:00:00 GMT</pubDate></item>"""
        for n in range(1, 4)
    )
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Evil &lt;script&gt; Gazette</title>
<link>{base}/</link><description>x</description>{items}</channel></rss>"""


@pytest.fixture
def hostile_news(settings) -> list[Article]:
    routes: dict = {}
    with serve(routes) as server:
        base = server.url("").rstrip("/")
        routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, feed_xml(base))
        for n in range(1, 4):
            routes[f"/news/{n}.html"] = (200, {"Content-Type": "text/html"}, page_html(n))
        routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, "")
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset([server.host_port])
        settings.DAYBOOK_HOST_DELAY = 0.0
        with make_fetcher() as fetcher:
            add_source(fetcher, f"{base}/feed.xml", 'Evil <script>alert("name")</script> Gazette')
        Ingester().run_due(due_only=False)
    Enricher().run()
    articles = list(Article.objects.all())
    assert articles, "the hostile pages were ingested"
    return articles


def test_no_hostile_script_runs_anywhere_it_is_shown(live_server, open_page, hostile_news):
    watched = open_page()
    page = watched.page
    first = hostile_news[0]
    paths = ["/", f"/articles/{first.pk}/", "/search/?q=harbour", "/publishers/"]
    paths += [f"/publishers/{first.source_id}/", "/topics/"]
    paths += [f"/stories/{s.pk}/" for s in Story.objects.all()[:2]]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert page.evaluate("() => window.__pwned") is None, path
        # Only our own script files, from our own origin, are in the page.
        sources = page.evaluate(
            "() => [...document.scripts].map(s => s.src || ('inline:' + s.textContent))"
        )
        assert all(src.startswith(live_server.url + "/static/") for src in sources), sources
        assert page.locator("iframe, svg script, [onerror], [onload]").count() == 0, path
        hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))], path
    # The payload is shown, as text: the reader sees what the publisher sent.
    page.goto(live_server.url + f"/articles/{first.pk}/")
    assert "<script>window.__pwned" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Dark mode").click()  # our own script does run
    assert page.evaluate("() => document.documentElement.dataset.theme") in ("dark", "light")
    watched.assert_clean()


def test_publishers_images_load_through_the_proxy_and_hostile_ones_show_nothing(
    live_server, open_page, news, settings, tmp_path
):
    """Cards show publishers' pictures from /media/ (naturalWidth > 0, nothing asked
    of the publisher by the browser); a script-carrying SVG, an HTML page that says it
    is a PNG and a redirect to a private address leave no image and run nothing."""
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (640, 360), (20, 90, 160)).save(picture, "JPEG")
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
    )
    routes = {
        "/good.jpg": (200, {"Content-Type": "image/jpeg"}, picture.getvalue()),
        "/evil.svg": (200, {"Content-Type": "image/svg+xml"}, svg),
        "/lie.png": (200, {"Content-Type": "image/png"}, b"<script>alert(3)</script>"),
        "/private.png": (302, {"Location": "http://10.0.0.1/x.png"}, b""),
    }
    settings.DATA_DIR = tmp_path
    settings.DAYBOOK_RESPECT_ROBOTS = False
    with serve(routes) as images:
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset({images.host_port})
        good, *hostile = (news[k] for k in ("quake", "gdp", "flu", "stranded"))
        Article.objects.filter(pk=good.pk).update(image=images.url("/good.jpg"))
        for row, path in zip(hostile, ("/evil.svg", "/lie.png", "/private.png"), strict=True):
            Article.objects.filter(pk=row.pk).update(image=images.url(path))
        watched = open_page()
        page = watched.page
        asked_elsewhere: list[str] = []
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith(live_server.url)
                else asked_elsewhere.append(request.url)
            ),
        )
        page.goto(f"{live_server.url}/publishers/{good.source_id}/")
        shown = page.locator(f"main .card[data-article='{good.pk}'] img.thumb")
        expect(shown).to_have_attribute("src", re.compile(r"^/media/thumb/"))
        page.wait_for_function(
            "el => el.complete && el.naturalWidth > 0", arg=shown.element_handle()
        )
        for row in hostile:
            page.goto(f"{live_server.url}/articles/{row.pk}/")
            figure = page.locator("main figure img")
            if figure.count():
                page.wait_for_function("el => el.complete", arg=figure.element_handle())
                expect(figure).to_be_hidden()
        assert asked_elsewhere == [], asked_elsewhere
        watched.assert_clean()
