# ruff: noqa: E501  (the hostile markup reads best unwrapped)
"""Hostile publishers: a feed and pages full of script injections are ingested
through the real fetch path, then every page that shows them is opened in a real
browser. No script of theirs may run: no dialog, no marker set on the page, no
element of theirs that executes, and the policy header forbids inline script."""

from __future__ import annotations

import pytest

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
