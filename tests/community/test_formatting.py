"""Comment formatting: the small subset comes through, nothing that could run or
load anything does."""

from __future__ import annotations

import re

import pytest

from daybook.community.formatting import render

REL = 'rel="nofollow ugc noopener"'


def test_the_allowed_subset_renders():
    html = render(
        "Hello *there* and **you**, see `x = 1`.\nNext line.\n\n> quoted\n\n- one\n- two\n\n"
        "1. first\n2. second"
    )
    assert "<p>Hello <em>there</em> and <strong>you</strong>, see <code>x = 1</code>." in html
    assert "<br>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_http_links_get_rel_and_nothing_else():
    html = render('[paper](https://paper.example/a?x=1&y=2 "a title") <http://plain.example/>')
    assert html == (
        f'<p><a href="https://paper.example/a?x=1&amp;y=2" {REL}>paper</a> '
        f'<a href="http://plain.example/" {REL}>http://plain.example/</a></p>'
    )


@pytest.mark.parametrize(
    "body",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox)",
        "[click](/accounts/signout/)",
        "[click](//evil.example/)",
        "<javascript:alert(1)>",
    ],
)
def test_links_that_are_not_absolute_http_never_become_links(body):
    html = render(body)
    assert "<a" not in html
    assert "href" not in html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<a href='https://ok.example' onclick='alert(1)'>x</a>",
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
        '<p style="color:red">x</p>',
        "<svg onload=alert(1)>",
    ],
)
def test_raw_html_comes_out_as_text(body):
    html = render(body)
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert "<svg" not in html
    assert "<p style" not in html
    # An attribute name may survive as escaped text, never inside a tag.
    assert "&lt;" in html


def test_images_headings_rules_and_code_blocks_are_not_in_the_subset():
    html = render(
        "![pic](https://img.example/a.png)\n\n# Big\n\n---\n\n    indented\n\n```\nfence\n```"
    )
    assert "<img" not in html
    for tag in ("<h1", "<hr", "<pre"):
        assert tag not in html
    assert "# Big" in html


def test_only_allowlisted_tags_remain_in_any_output():
    html = render(
        "**a** *b* `c` [d](https://e.example) \n\n> f\n\n- g\n\n1. h\n\n<b>i</b> <u>j</u>"
    )
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", html))
    assert tags <= {"p", "br", "em", "strong", "code", "a", "blockquote", "ul", "ol", "li"}
