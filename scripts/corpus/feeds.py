"""RSS 2.0 and Atom renderers for the publishers' feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from publishers import Publisher


@dataclass
class Item:
    title: str
    link: str  # as the feed writes it: may be relative or carry tracking parameters
    guid: str
    published: datetime | None  # None: the item carries no date
    authors: list[str]
    categories: list[str]
    summary: str
    content_html: str | None  # full text, for content:encoded


def rss(pub: Publisher, items: list[Item], built: datetime) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{escape(pub.name)}</title>",
        f"<link>{pub.origin}/</link>",
        f"<description>{escape(pub.name)}: latest stories</description>",
        "<language>en</language>",
        f"<lastBuildDate>{format_datetime(built.astimezone(pub.tz))}</lastBuildDate>",
        f'<atom:link href="{pub.origin}{pub.feed}" rel="self" type="application/rss+xml"/>',
        "<ttl>15</ttl>",
    ]
    for item in items:
        out.append("<item>")
        out.append(f"<title>{escape(item.title)}</title>")
        out.append(f"<link>{escape(item.link)}</link>")
        out.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.published is not None:
            out.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        out.extend(f"<dc:creator>{escape(a)}</dc:creator>" for a in item.authors)
        out.extend(f"<category>{escape(c)}</category>" for c in item.categories)
        out.append(f"<description>{escape(item.summary)}</description>")
        if item.content_html is not None:
            out.append(f"<content:encoded><![CDATA[{item.content_html}]]></content:encoded>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def atom(pub: Publisher, items: list[Item], built: datetime) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<title>{escape(pub.name)}</title>",
        f"<subtitle>Latest from {escape(pub.name)}</subtitle>",
        f"<id>tag:{pub.host}.example,2026:feed</id>",
        f"<updated>{built.astimezone(pub.tz).isoformat(timespec='seconds')}</updated>",
        f'<link rel="self" type="application/atom+xml" href="{pub.origin}{pub.feed}"/>',
        f'<link rel="alternate" type="text/html" href="{pub.origin}/"/>',
        f"<generator>{escape(pub.name)} CMS</generator>",
    ]
    for item in items:
        if item.published is None:
            raise ValueError("an Atom entry needs a date")
        stamp = item.published.isoformat(timespec="seconds")
        out.append("<entry>")
        out.append(f'<title type="text">{escape(item.title)}</title>')
        out.append(f"<id>{escape(item.guid)}</id>")
        out.append(f'<link rel="alternate" type="text/html" href={quoteattr(item.link)}/>')
        out.append(f"<published>{stamp}</published>")
        out.append(f"<updated>{stamp}</updated>")
        out.extend(f"<author><name>{escape(a)}</name></author>" for a in item.authors)
        out.extend(f"<category term={quoteattr(c)}/>" for c in item.categories)
        out.append(f'<summary type="text">{escape(item.summary)}</summary>')
        if item.content_html is not None:
            out.append(f'<content type="html">{escape(item.content_html)}</content>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)
