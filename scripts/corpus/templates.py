"""One HTML template per publisher, each with its own chrome, class names and metadata.

The extractor has to find the article among navigation, cookie banners, ad slots,
related blocks and comments, so every template carries all of those, laid out the
way that kind of site does it. Body paragraphs are printed one per line, escaped,
so the corpus test can find them again in the page.
"""

# The templates are pages of HTML; their lines are as long as the markup they print.
# ruff: noqa: E501

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from publishers import Publisher


@dataclass
class Page:
    pub: Publisher
    title: str
    authors: list[str]
    credit: str | None  # the wire a copy came from
    published: datetime | None  # in the publisher's time zone; None: the page shows no date
    caption: str
    paragraphs: list[str]
    url: str
    section: str
    summary: str
    related: list[tuple[str, str]]
    comments: list[tuple[str, str]]
    topics: list[str]
    links: dict[str, str] = field(default_factory=dict)  # term -> topic URL, first use linked


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def names(authors: list[str]) -> str:
    if len(authors) <= 1:
        return "".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def linked(paragraph: str, links: dict[str, str], used: set[str]) -> str:
    """Escape a paragraph and link the first mention of each topic term in the article."""
    text = esc(paragraph)
    for term, href in links.items():
        if term in used:
            continue
        pattern = re.compile(rf"(?<![\w>]){re.escape(esc(term))}(?![\w<])")
        match = pattern.search(text)
        if match:
            used.add(term)
            anchor = f'<a href="{attr(href)}">{match.group(0)}</a>'
            text = text[: match.start()] + anchor + text[match.end() :]
    return text


def body(page: Page, tag: str, between: dict[int, str] | None = None) -> str:
    """Paragraphs with optional chrome slipped in after paragraph N (1-based)."""
    used: set[str] = set()
    lines = []
    for number, paragraph in enumerate(page.paragraphs, start=1):
        lines.append(f"<{tag}>{linked(paragraph, page.links, used)}</{tag.split()[0]}>")
        if between and number in between and number < len(page.paragraphs):
            lines.append(between[number])
    return "\n".join(lines)


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def jsonld(page: Page, kind: str = "NewsArticle") -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": kind,
        "headline": page.title,
        "description": page.summary,
        "mainEntityOfPage": page.url,
        "url": page.url,
        "image": [f"{page.pub.origin}/img/{page.section}/lead.jpg"],
        "author": [{"@type": "Person", "name": a} for a in page.authors]
        or [{"@type": "Organization", "name": page.credit or page.pub.name}],
        "publisher": {
            "@type": "Organization",
            "name": page.pub.name,
            "logo": {"@type": "ImageObject", "url": f"{page.pub.origin}/static/logo.png"},
        },
        "articleSection": page.section,
        "keywords": page.topics,
        "inLanguage": "en",
    }
    if page.published is not None:
        data["datePublished"] = iso(page.published)
        data["dateModified"] = iso(page.published)
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def opengraph(page: Page) -> str:
    tags = [
        ("og:type", "article"),
        ("og:title", page.title),
        ("og:description", page.summary),
        ("og:url", page.url),
        ("og:site_name", page.pub.name),
        ("og:image", f"{page.pub.origin}/media/{page.section}-share.jpg"),
        ("article:section", page.section),
    ]
    if page.published is not None:
        tags.append(("article:published_time", iso(page.published)))
    tags += [("article:author", a) for a in page.authors]
    tags += [("article:tag", t) for t in page.topics]
    lines = [f'<meta property="{k}" content="{attr(v)}">' for k, v in tags]
    lines.append('<meta name="twitter:card" content="summary_large_image">')
    lines.append(f'<meta name="twitter:title" content="{attr(page.title)}">')
    return "\n".join(lines)


def related_items(page: Page, wrap: str, item: str) -> str:
    inner = "\n".join(item.format(href=attr(u), title=esc(t)) for t, u in page.related)
    return wrap.format(items=inner)


def comment_items(page: Page, item: str) -> str:
    return "\n".join(item.format(user=esc(u), text=esc(t)) for u, t in page.comments)


def _meridian(page: Page) -> str:
    date = ""
    if page.published is not None:
        shown = page.published.strftime("%B %-d, %Y %H:%M GMT")
        date = f'<time class="mw-dateline" datetime="{iso(page.published)}">{shown}</time>'
    ad = '<div class="mw-ad mw-ad--inline" data-slot="story-mid"><span>Advertisement</span></div>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(page.title)} | Meridian Wire</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{attr(page.summary)}">
<link rel="canonical" href="{attr(page.url)}">
<link rel="stylesheet" href="/static/mw.css">
{jsonld(page)}
</head>
<body class="mw">
<div id="cookie-consent" class="mw-consent" role="dialog">
<p>Meridian Wire uses cookies to measure readership and to keep you signed in.
<a href="/legal/cookies.html">Cookie policy</a></p>
<button class="mw-consent__accept">Accept all</button> <button class="mw-consent__reject">Reject non-essential</button>
</div>
<header class="mw-masthead">
<a class="mw-logo" href="/">MERIDIAN<span>WIRE</span></a>
<nav class="mw-sections" aria-label="Sections">
<ul>
<li><a href="/news/world/">World</a></li>
<li><a href="/news/business/">Business</a></li>
<li><a href="/news/markets/">Markets</a></li>
<li><a href="/news/tech/">Technology</a></li>
<li><a href="/news/science/">Science</a></li>
<li><a href="/news/sports/">Sports</a></li>
<li><a href="/news/asia/">Asia Pacific</a></li>
</ul>
</nav>
<a class="mw-login" href="/account/">Sign in</a>
</header>
<div class="mw-ad mw-ad--leader" data-slot="leaderboard"><span>Advertisement</span></div>
<main id="main">
<article class="mw-story">
<p class="mw-kicker"><a href="/news/{page.section}/">{esc(page.section.title())}</a></p>
<h1 class="mw-headline">{esc(page.title)}</h1>
<div class="mw-meta">
<p class="mw-byline">By {esc(names(page.authors))}</p>
{date}
<p class="mw-readtime">{max(2, len(page.paragraphs) // 2)} min read</p>
</div>
<figure class="mw-photo">
<img src="/img/{page.section}/lead.jpg" alt="" width="1200" height="675">
<figcaption>{esc(page.caption)} MERIDIAN WIRE/Staff</figcaption>
</figure>
<div class="mw-body">
{body(page, "p", {4: ad})}
</div>
<p class="mw-reporting">Reporting by {esc(names(page.authors))}; editing by the Meridian Wire Asia desk.</p>
<p class="mw-trust"><a href="/principles.html">Our Standards: The Meridian Wire Trust Principles.</a></p>
</article>
<aside class="mw-more">
<h2>More from Meridian Wire</h2>
{related_items(page, '<ul class="mw-more__list">{items}</ul>', '<li><a href="{href}">{title}</a></li>')}
</aside>
</main>
<footer class="mw-footer">
<p>Meridian Wire supplies news to more than 900 publishers worldwide.
<a href="/licensing.html">License our content</a> · <a href="/legal/terms.html">Terms of use</a> · <a href="/legal/privacy.html">Privacy</a></p>
<p>&copy; 2026 Meridian Wire. All rights reserved.</p>
</footer>
</body>
</html>
"""


def _hinode(page: Page) -> str:
    date = ""
    if page.published is not None:
        shown = page.published.strftime("%B %-d, %Y (%H:%M JST)")
        date = f'<time class="hn-article__date" datetime="{iso(page.published)}">{shown}</time>'
    byline = esc(names(page.authors))
    if page.credit:
        byline += f" / {esc(page.credit)}"
    else:
        byline = f"{byline} / Hinode Shimbun Staff Writer" if page.authors else "Hinode Shimbun"
    ad = '<div class="hn-ad-rectangle"><iframe title="advertisement" src="/ads/rect.html"></iframe></div>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{esc(page.title)} - The Hinode Shimbun</title>
<meta name="description" content="{attr(page.summary)}">
<link rel="canonical" href="{attr(page.url)}">
<link rel="alternate" hreflang="ja" href="{page.pub.origin}/ja/">
{opengraph(page)}
{jsonld(page, "NewsArticle")}
</head>
<body>
<div class="hn-cookie" id="hnCookie">
<p>We use cookies to improve your experience on our English edition. By continuing you agree to our use of cookies.</p>
<a class="hn-cookie__ok" href="#">OK</a>
</div>
<header id="hn-header">
<div class="hn-header__top"><a class="hn-logo" href="/english/">The Hinode Shimbun <small>English Edition</small></a>
<ul class="hn-edition"><li><a href="/ja/">日本語</a></li><li class="is-current">English</li></ul>
<form class="hn-search" action="/search/"><input type="search" name="q" placeholder="Search"></form></div>
<nav class="hn-gnav">
<a href="/english/national/">Japan</a>
<a href="/english/politics/">Politics</a>
<a href="/english/business/">Business</a>
<a href="/english/world/">World</a>
<a href="/english/sci-tech/">Sci-Tech</a>
<a href="/english/culture/">Culture</a>
<a href="/english/sports/">Sports</a>
<a href="/english/opinion/">Editorials</a>
</nav>
</header>
<ol class="hn-breadcrumb"><li><a href="/english/">Home</a></li><li><a href="/english/{page.section}/">{esc(page.section.title())}</a></li></ol>
<div class="hn-wrap">
<main class="hn-main">
<article class="hn-article">
<div class="hn-article__head">
<h1>{esc(page.title)}</h1>
<div class="hn-article__meta">{date}<span class="hn-author">{byline}</span></div>
<ul class="hn-share"><li><a href="#">Share on X</a></li><li><a href="#">Share on LINE</a></li><li><a href="#">Copy link</a></li></ul>
</div>
<figure class="hn-article__photo"><img src="/photos/{page.section}.jpg" alt="">
<figcaption>{esc(page.caption)} (The Hinode Shimbun)</figcaption></figure>
<div class="hn-article__text">
{body(page, "p", {3: ad})}
</div>
<p class="hn-article__note">The Hinode Shimbun English Edition translates and adapts articles from the Japanese-language newspaper.</p>
</article>
<section class="hn-voices">
<h2>Reader voices</h2>
<ul>
{comment_items(page, "<li><b>{user}</b><p>{text}</p></li>")}
</ul>
<p><a href="/members/login/">Log in</a> to post a comment. Comments are moderated.</p>
</section>
</main>
<aside class="hn-side">
<section class="hn-ranking"><h2>Most read</h2>
{related_items(page, "<ol>{items}</ol>", '<li><a href="{href}">{title}</a></li>')}
</section>
<div class="hn-ad-sky"><span>AD</span></div>
</aside>
</div>
<footer class="hn-footer">
<ul><li><a href="/english/about/">About us</a></li><li><a href="/english/contact/">Contact</a></li><li><a href="/english/terms/">Terms</a></li></ul>
<p>Copyright &copy; The Hinode Shimbun Company. All rights reserved. No reproduction or republication without written permission.</p>
</footer>
</body>
</html>
"""


def _tokyolantern(page: Page) -> str:
    date = ""
    if page.published is not None:
        shown = page.published.strftime("%b %-d, %Y %-I:%M %p")
        date = f'<span class="posted-on">Posted <time datetime="{iso(page.published)}">{shown}</time></span>'
    credit = f" ({esc(page.credit)})" if page.credit else ""
    ad = (
        '<ins class="adsbygoogle" style="display:block" data-ad-client="ca-pub-0000000000"'
        ' data-ad-slot="42"></ins>'
    )
    return f"""<!doctype html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>{esc(page.title)} &#8211; Tokyo Lantern</title>
<meta name="description" content="{attr(page.summary)}">
{opengraph(page)}
<link rel="stylesheet" href="/wp-content/themes/lantern/style.css">
</head>
<body class="post-template-default single single-post">
<div class="tl-topbar">Tokyo: 14°C · <a href="/newsletter/">Get our morning briefing</a> · <a href="/advertise/">Advertise</a></div>
<header class="site-header">
<a class="site-title" href="/">Tokyo<span>Lantern</span></a>
<nav class="tl-menu">
<ul id="menu-main">
<li class="menu-item"><a href="/category/national/">National</a></li>
<li class="menu-item"><a href="/category/business/">Business</a></li>
<li class="menu-item"><a href="/category/world/">World</a></li>
<li class="menu-item"><a href="/category/sports/">Sports</a></li>
<li class="menu-item"><a href="/category/entertainment/">Entertainment</a></li>
<li class="menu-item"><a href="/category/tech/">Tech</a></li>
<li class="menu-item"><a href="/category/crime/">Crime</a></li>
</ul>
</nav>
</header>
<div id="primary" class="content-area">
<main id="main" class="site-main">
<div class="entry">
<h1 class="entry-title">{esc(page.title)}</h1>
<div class="entry-meta">{date} <span class="byline">by <span class="author">{esc(names(page.authors))}</span>{credit}</span></div>
<div class="wp-caption"><img src="/wp-content/uploads/2026/11/{page.section}.jpg" alt=""><p class="wp-caption-text">{esc(page.caption)}</p></div>
<div class="entry-content">
{body(page, "p", {2: ad, 5: ad})}
</div>
<div class="entry-tags">Tags: {", ".join(f'<a href="/tag/{t.lower()}/">{esc(t)}</a>' for t in page.topics)}</div>
</div>
<div class="tl-related">
<h3>You may also like</h3>
{related_items(page, "<ul>{items}</ul>", '<li class="tl-related__item"><a href="{href}">{title}</a></li>')}
</div>
<div id="comments" class="comments-area">
<h2 class="comments-title">{len(page.comments)} thoughts on &ldquo;{esc(page.title)}&rdquo;</h2>
<ol class="comment-list">
{comment_items(page, '<li class="comment"><div class="comment-author">{user} says:</div><div class="comment-content"><p>{text}</p></div></li>')}
</ol>
<div id="respond"><h3>Leave a Reply</h3><p>You must be <a href="/wp-login.php">logged in</a> to post a comment.</p></div>
</div>
</main>
</div>
<footer class="site-footer"><p>&copy; 2026 Tokyo Lantern K.K. &middot; <a href="/privacy-policy/">Privacy Policy</a> &middot; <a href="/about/">About</a></p></footer>
<div class="tl-cookie-bar">This site uses cookies. <a href="/privacy-policy/">Learn more</a> <button>Got it</button></div>
</body>
</html>
"""


def _asialedger(page: Page) -> str:
    date = ""
    if page.published is not None:
        shown = (
            page.published.strftime("%d %b %Y, %-I:%M%p SGT")
            .replace("AM", "am")
            .replace("PM", "pm")
        )
        date = f'<time itemprop="datePublished" datetime="{iso(page.published)}">{shown}</time>'
    authors = "".join(
        f'<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">{esc(a)}</span></span>'
        for a in page.authors
    )
    credit = f'<span class="al-credit">{esc(page.credit)}</span>' if page.credit else ""
    ad = '<div class="al-ad" data-ad-unit="/al/article/mid"></div>'
    return f"""<!DOCTYPE html>
<html lang="en-SG">
<head>
<meta charset="utf-8">
<title>{esc(page.title)} | Asia Ledger</title>
<meta name="description" content="{attr(page.summary)}">
<link rel="canonical" href="{attr(page.url)}">
{jsonld(page, "NewsArticle")}
</head>
<body>
<div class="al-ticker">Nikkei 225 <b>48,112.40</b> <i>+0.6%</i> · Hang Seng <b>26,005.12</b> <i>-0.2%</i> · STI <b>4,502.77</b> <i>+0.1%</i> · USD/JPY <b>151.34</b> · Brent <b>$71.20</b></div>
<header class="al-header"><a href="/" class="al-logo">ASIA LEDGER</a>
<nav class="al-nav"><a href="/markets/">Markets</a> <a href="/business/">Companies</a> <a href="/economy/">Economy</a> <a href="/tech/">Tech</a> <a href="/politics/">Politics</a> <a href="/opinion/">Opinion</a> <a href="/subscribe/" class="al-sub">Subscribe</a></nav></header>
<div class="al-meter">You have 2 free articles left this month. <a href="/subscribe/">Subscribe for full access</a></div>
<main>
<article class="al-story" itemscope itemtype="https://schema.org/NewsArticle">
<header class="al-story__header">
<a class="al-story__section" href="/{page.section}/">{esc(page.section.upper())}</a>
<h1 itemprop="headline">{esc(page.title)}</h1>
<div class="al-story__byline">{authors}{credit}{date}</div>
</header>
<figure class="al-story__figure"><img src="/images/{page.section}/main.jpg" alt=""><figcaption>{esc(page.caption)}</figcaption></figure>
<div class="al-story__body" itemprop="articleBody">
{body(page, "p", {3: ad})}
</div>
<div class="al-share">Share: <a href="#">LinkedIn</a> <a href="#">X</a> <a href="#">Email</a> <button>Gift this article</button></div>
</article>
<section class="al-readnext"><h2>Read next</h2>
{related_items(page, '<div class="al-cards">{items}</div>', '<a class="al-card" href="{href}"><h3>{title}</h3></a>')}
</section>
<section class="al-comments"><h2>Comments ({len(page.comments)})</h2>
{comment_items(page, '<div class="al-comment"><strong>{user}</strong><p>{text}</p></div>')}
<p class="al-comments__note">Subscribers can comment. Please keep the discussion civil.</p>
</section>
</main>
<div class="al-cookies"><p>We and our partners use cookies to personalise content and ads.</p><button>Accept</button><button>Manage preferences</button></div>
<footer class="al-footer"><p>Asia Ledger Pte Ltd. Registered in Singapore. &copy; 2026. Market data delayed by 15 minutes.</p></footer>
</body>
</html>
"""


def _courier(page: Page) -> str:
    date = ""
    if page.published is not None:
        shown = page.published.strftime("%A %-d %B %Y %H.%M CET")
        date = f'<time class="cc-time" datetime="{iso(page.published)}">{shown}</time>'
    credit = f' <span class="cc-agency">({esc(page.credit)})</span>' if page.credit else ""
    readmore = ""
    if page.related:
        t, u = page.related[0]
        readmore = f'<aside class="cc-readmore"><strong>Read more:</strong> <a href="{attr(u)}">{esc(t)}</a></aside>'
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{esc(page.title)} | The Continental Courier</title>
<meta name="description" content="{attr(page.summary)}">
<meta name="author" content="{attr(names(page.authors))}">
{opengraph(page)}
</head>
<body class="cc">
<div class="cc-gdpr" role="dialog" aria-modal="true">
<h2>Your privacy choices</h2>
<p>The Continental Courier and our 212 partners store and access information on your device to deliver personalised advertising and content, measure performance and develop products.</p>
<button class="cc-gdpr__yes">I agree</button> <button class="cc-gdpr__more">More options</button>
</div>
<header class="cc-masthead"><a href="/en/" class="cc-brand">The Continental Courier</a><p class="cc-tagline">Independent journalism since 1891</p></header>
<nav class="cc-nav"><a href="/en/europe/">Europe</a> | <a href="/en/world/">World</a> | <a href="/en/business/">Business</a> | <a href="/en/environment/">Environment</a> | <a href="/en/culture/">Culture</a> | <a href="/en/sports/">Sport</a> | <a href="/en/comment/">Comment</a></nav>
<div class="cc-billboard">ADVERTISEMENT</div>
<main class="cc-main">
<article class="cc-article">
<h1 class="cc-headline">{esc(page.title)}</h1>
<p class="cc-author">{esc(names(page.authors))}{credit}</p>
{date}
<figure class="cc-figure"><img src="/media/{page.section}/top.jpg" alt=""><figcaption>{esc(page.caption)}</figcaption></figure>
<div class="cc-text">
{body(page, 'p class="cc-p"', {3: readmore} if readmore else None)}
</div>
<div class="cc-support"><p>Readers like you keep the Courier independent. <a href="/en/support/">Support us from &euro;2</a></p></div>
</article>
<section class="cc-related"><h2>On the same subject</h2>
{related_items(page, "<ul>{items}</ul>", '<li><a href="{href}">{title}</a></li>')}
</section>
<section class="cc-debate"><h2>Join the debate</h2>
{comment_items(page, '<div class="cc-debate__post"><span class="cc-debate__who">{user}</span> <span class="cc-debate__what">{text}</span></div>')}
<p><a href="/en/account/">Sign in or register</a> to join the debate.</p></section>
</main>
<footer class="cc-footer"><p>&copy; The Continental Courier SA 2026. Published in Brussels. <a href="/en/legal/">Legal notice</a></p></footer>
</body>
</html>
"""


def _sentinel(page: Page) -> str:
    date = ""
    if page.published is not None:
        shown = page.published.strftime("%B %-d, %Y at %-I:%M %p ET")
        date = f'<time class="story-date" datetime="{iso(page.published)}">Published {shown}</time>'
    credit = f'<div class="story-credit">{esc(page.credit)}</div>' if page.credit else ""
    newsletter = (
        '<div class="nl-signup"><h4>The Morning Sentinel</h4><p>Start your day with the news that '
        'matters. Delivered free, weekdays.</p><form><input type="email" placeholder="Email address">'
        "<button>Sign up</button></form></div>"
    )
    ad = '<div class="ad-slot" data-ad="mid-article"><small>Advertisement</small></div>'
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>{esc(page.title)} - The National Sentinel</title>
<link rel="canonical" href="{attr(page.url)}">
<meta name="description" content="{attr(page.summary)}">
{jsonld(page, "NewsArticle")}
{opengraph(page)}
</head>
<body>
<div class="ns-privacy">We use cookies and similar technologies. See our <a href="/privacy/">Privacy Notice</a>. <button>Continue</button></div>
<header class="site-header">
<button class="menu-toggle">Sections</button>
<a class="masthead" href="/">The National Sentinel</a>
<a class="subscribe-cta" href="/subscribe/">Subscribe $1/week</a>
</header>
<nav class="section-nav"><a href="/us/">U.S.</a><a href="/world/">World</a><a href="/politics/">Politics</a><a href="/business/">Business</a><a href="/tech/">Tech</a><a href="/science/">Science</a><a href="/health/">Health</a><a href="/sports/">Sports</a><a href="/arts/">Arts</a></nav>
<main class="layout">
<article class="story">
<header class="story-header">
<h1 class="story-headline">{esc(page.title)}</h1>
<div class="story-byline">By {esc(names(page.authors))}</div>
{credit}
{date}
</header>
<figure class="story-media"><img src="/media/{page.section}/hero.jpg" alt=""><figcaption class="story-caption">{esc(page.caption)}</figcaption></figure>
<section class="story-body">
{body(page, "p", {2: ad, 5: newsletter})}
</section>
</article>
<aside class="most-popular"><h3>Most Popular</h3>
{related_items(page, "<ol>{items}</ol>", '<li><a href="{href}">{title}</a></li>')}
</aside>
<section class="conversation"><h3>Conversation</h3>
{comment_items(page, '<article class="reply"><header>{user}</header><p>{text}</p></article>')}
<p>Comments are open to subscribers for 48 hours after publication.</p></section>
</main>
<footer class="site-footer"><nav><a href="/about/">About</a> <a href="/tips/">Send a tip</a> <a href="/terms/">Terms</a> <a href="/corrections/">Corrections</a></nav><p>&copy; 2026 The National Sentinel Company</p></footer>
</body>
</html>
"""


def _setopost(page: Page) -> str:
    date = ""
    if page.published is not None:
        date = f'<p class="date">{page.published.strftime("%Y/%m/%d %H:%M")}</p>'
    credit = f" ({esc(page.credit)})" if page.credit else ""
    writer = f'<p class="writer">{esc(names(page.authors))}{credit}</p>' if page.authors else ""
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in page.paragraphs)
    side = "\n".join(f'<li><a href="{attr(u)}">{esc(t)}</a></li>' for t, u in page.related)
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(page.title)}</title>
<link rel="stylesheet" type="text/css" href="/css/common.css">
</head>
<body>
<div id="cookie">This website uses cookies. <a href="/policy.html">Details</a> <a href="#" onclick="return false">Close</a></div>
<div id="wrap">
<div id="head"><a href="/"><img src="/img/logo.gif" alt="Seto Inland Post" width="240" height="48"></a>
<span class="headlinks"><a href="/subscribe.html">Subscribe to the paper</a> | <a href="/ads.html">Advertising</a></span></div>
<div id="menu"><a href="/">Top</a> | <a href="/local/">Local</a> | <a href="/business/">Business</a> | <a href="/sports/">Sports</a> | <a href="/national/">National</a> | <a href="/world/">World</a> | <a href="/events.html">Events</a></div>
<table width="100%" cellpadding="0" cellspacing="0"><tr>
<td valign="top" id="content">
<h2>{esc(page.title)}</h2>
{date}
{writer}
<div class="photo"><img src="/photo/{page.section}.jpg"><br><span class="cap">{esc(page.caption)}</span></div>
{paragraphs}
<div class="banner"><a href="/ads/click?id=77"><img src="/ads/ferry.gif" alt="Setouchi Ferries - book your winter crossing"></a></div>
<div class="letters"><b>Letters to the editor</b><br>
{comment_items(page, "<p>{text} &mdash; <i>{user}</i></p>")}
Send your letter to letters@setoinlandpost.example</div>
</td>
<td valign="top" id="side" width="220">
<b>Other news</b>
<ul>{side}</ul>
<div class="banner"><img src="/ads/bank.gif" alt="Setouchi Shinkin Bank"></div>
</td>
</tr></table>
<div id="foot">Copyright (C) Seto Inland Post. Unauthorized reproduction prohibited.</div>
</div>
</body>
</html>
"""


def _bitstream(page: Page) -> str:
    date = ""
    if page.published is not None:
        shown = page.published.strftime("%b %-d, %Y %-I:%M %p PT")
        date = f'<time class="post-date" datetime="{iso(page.published)}">{shown}</time>'
    authors = ", ".join(
        f'<a rel="author" href="/authors/{a.lower().replace(" ", "-")}">{esc(a)}</a>'
        for a in page.authors
    )
    credit = f'<span class="post-via">via {esc(page.credit)}</span>' if page.credit else ""
    sponsor = (
        '<div class="sponsor-box"><span>Sponsored</span><p>Ship faster with CloudKite: '
        "deploy previews for every branch.</p></div>"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(page.title)} — Bitstream Review</title>
<meta name="description" content="{attr(page.summary)}">
{opengraph(page)}
<link rel="stylesheet" href="/assets/app.8f3a.css">
</head>
<body class="bsr">
<div class="bsr-consent"><p>We use cookies for analytics. No ad tracking, ever.</p><button data-consent="yes">Fine</button><button data-consent="no">No thanks</button></div>
<header class="bsr-header"><a class="bsr-logo" href="/">bitstream<b>review</b></a>
<nav class="bsr-nav"><a href="/topics/ai/">AI</a><a href="/topics/chips/">Chips</a><a href="/topics/policy/">Policy</a><a href="/topics/space/">Space</a><a href="/topics/gadgets/">Gadgets</a><a href="/reviews/">Reviews</a><a href="/podcast/">Podcast</a></nav>
<a class="bsr-signin" href="/login">Sign in</a></header>
<main>
<article class="post">
<header class="post-header">
<div class="post-topics">{" ".join(f'<span class="chip">{esc(t)}</span>' for t in page.topics)}</div>
<h1 class="post-title">{esc(page.title)}</h1>
<div class="post-authors">{authors} {credit} {date}</div>
</header>
<figure class="post-hero"><img src="/media/hero/{page.section}.webp" alt=""><figcaption>{esc(page.caption)}</figcaption></figure>
<div class="post-content prose">
{body(page, "p", {4: sponsor})}
</div>
<footer class="post-footer"><p>Got a tip? Email tips@bitstreamreview.example or message us on Signal.</p></footer>
</article>
<section class="post-related"><h2>Keep reading</h2>
{related_items(page, '<div class="grid">{items}</div>', '<a class="card" href="{href}"><span class="card-title">{title}</span></a>')}
</section>
<section class="post-comments"><h2>{len(page.comments)} comments</h2>
{comment_items(page, '<div class="c"><span class="c-user">@{user}</span><p>{text}</p></div>')}
<p><a href="/login">Sign in</a> to comment.</p></section>
</main>
<footer class="bsr-footer"><p>&copy; 2026 Bitstream Media LLC. Made in Portland.</p><p><a href="/rss/">Feeds</a> · <a href="/ethics/">Ethics</a> · <a href="/jobs/">Jobs</a></p></footer>
</body>
</html>
"""


TEMPLATES: dict[str, Callable[[Page], str]] = {
    "meridian": _meridian,
    "hinode": _hinode,
    "tokyolantern": _tokyolantern,
    "asialedger": _asialedger,
    "courier": _courier,
    "sentinel": _sentinel,
    "setopost": _setopost,
    "bitstream": _bitstream,
}


def home(pub: Publisher, items: list[tuple[str, str, str]], feed_link: str | None) -> str:
    """The publisher's front page: latest headlines, and the feed link when it advertises one."""
    link = ""
    if feed_link:
        kind = "application/atom+xml" if pub.feed_kind == "atom" else "application/rss+xml"
        link = f'<link rel="alternate" type="{kind}" title="{attr(pub.name)}" href="{attr(feed_link)}">'
    lines = "\n".join(
        f'<li><a href="{attr(u)}">{esc(t)}</a> <span class="teaser">{esc(s)}</span></li>'
        for t, u, s in items
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(pub.name)}</title>
{link}
</head>
<body class="home home-{pub.slug}">
<header><h1>{esc(pub.name)}</h1></header>
<nav><a href="/">Home</a> <a href="/about/">About</a> <a href="/contact/">Contact</a></nav>
<main>
<h2>Latest</h2>
<ul class="latest">
{lines}
</ul>
</main>
<footer><p>&copy; 2026 {esc(pub.name)}</p></footer>
</body>
</html>
"""
