"""A reader's visit in a real browser: sign up, save, follow, comment and reply,
ask the AI panel, search; the install prompt is there; and the article page is
usable on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and quiet river"


def sign_up(page, base: str, name: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(name)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()


def test_a_reader_signs_up_saves_follows_comments_replies_asks_and_searches(
    live_server, open_page, news
):
    base = live_server.url
    watched = open_page()
    page = watched.page
    sign_up(page, base, "ana")
    quake = news["quake"]

    page.goto(f"{base}/articles/{quake.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(quake.title)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Saved")).to_have_attribute("aria-pressed", "true")
    page.locator(".ai-panel .chip.place").first.click()  # an entity's page
    page.locator(".actions").get_by_role("button", name=re.compile("^Follow")).click()
    expect(
        page.locator(".actions").get_by_role("button", name=re.compile("^Following"))
    ).to_have_attribute("aria-pressed", "true")
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="For you")).to_be_visible()
    page.goto(f"{base}/articles/{quake.pk}/")

    page.get_by_label("Add a comment").fill("**Useful** summary. <script>alert('x')</script>")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment").first
    expect(comment.locator("strong")).to_have_text("Useful")
    expect(comment).to_contain_text("<script>alert('x')</script>")  # shown, not run

    sign_out = page.get_by_role("button", name="Sign out")
    sign_out.click()
    sign_up(page, base, "ben")
    page.goto(f"{base}/articles/{quake.pk}/")
    page.locator(".comment").first.get_by_text("Reply", exact=True).click()
    page.get_by_label("Reply to ana").fill("Agreed, and the copy adds *more*.")
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator(".replies .comment").first
    expect(reply.locator("em")).to_have_text("more")

    page.get_by_label("Ask about this article").fill("How strong was the quake?")
    page.get_by_role("button", name="Ask", exact=True).click()
    answer = page.locator("#answer")
    expect(answer.locator("q").first).to_be_visible()
    assert "/ask" not in page.url  # answered in place

    page.goto(f"{base}/saved/")
    expect(page.get_by_role("main")).not_to_contain_text(quake.title)  # ben saved nothing

    page.get_by_label("Search articles").fill("quake")
    page.get_by_label("Search articles").press("Enter")
    expect(page.locator(".hit mark").first).to_be_visible()
    expect(page.locator(".hit").first).to_contain_text("quake")

    install = page.locator("#install")
    expect(install).to_contain_text("Install daybook")
    manifest = page.locator("link[rel=manifest]").get_attribute("href")
    assert page.request.get(base + manifest).json()["name"] == "daybook"
    watched.assert_clean()


def test_saved_articles_are_listed_for_their_reader(live_server, open_page, news):
    watched = open_page()
    page = watched.page
    sign_up(page, live_server.url, "cy")
    page.goto(f"{live_server.url}/articles/{news['gdp'].pk}/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Saved")).to_be_visible()
    page.get_by_role("link", name="Saved").first.click()
    expect(page.get_by_role("main")).to_contain_text(news["gdp"].title)
    watched.assert_clean()


def test_pages_are_usable_at_phone_width(live_server, open_page, news):
    watched = open_page(width=390, height=844, is_mobile=True, has_touch=True)
    page = watched.page
    for path in ("/", f"/articles/{news['quake'].pk}/", f"/stories/{news['quake'].story_id}/"):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        expect(page.get_by_role("heading", level=1).first).to_be_attached()
    page.goto(f"{live_server.url}/articles/{news['quake'].pk}/")
    expect(page.get_by_role("heading", name="AI features")).to_be_visible()
    box = page.get_by_role("heading", level=1).bounding_box()
    assert box is not None and box["width"] <= 390
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    # A compact header: the main places one tap away, in at most a fifth of the screen.
    header = page.locator(".masthead").bounding_box()
    assert header is not None and header["height"] <= 844 / 5, header
    for place in ("Top stories", "Topics", "Publishers"):
        link = page.locator(".masthead").get_by_role("link", name=place)
        expect(link).to_be_visible()
        assert link.bounding_box()["y"] < header["height"]
    watched.assert_clean()


def test_the_install_prompt_is_offered_once_and_can_be_dismissed(live_server, open_page, news):
    page = open_page(width=390, height=844, is_mobile=True, has_touch=True).page
    page.goto(live_server.url + "/")
    install = page.locator("#install")
    expect(install).to_be_visible()
    page.goto(f"{live_server.url}/articles/{news['quake'].pk}/")
    expect(install).to_be_hidden()  # offered once, not at the foot of every page
    page.evaluate("() => localStorage.removeItem('daybook-install')")
    page.reload()
    expect(install).to_be_visible()
    page.get_by_role("button", name="Not now").click()
    expect(install).to_be_hidden()
    page.reload()
    expect(install).to_be_hidden()


def test_a_reader_reads_with_the_keyboard_and_marks_a_list_read(live_server, open_page, news):
    """j/k/o/m and ? on a publisher's page, read state shown and kept, unread only,
    and "Mark all as read"."""
    base = live_server.url
    watched = open_page()
    page = watched.page
    sign_up(page, base, "kai")
    source = news["quake"].source_id
    page.goto(f"{base}/publishers/{source}/")
    cards = page.locator("main .card")
    count = cards.count()
    assert count >= 1
    expect(cards.first).to_have_attribute("data-read", "false")

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    expect(cards.first).to_be_focused()
    page.keyboard.press("m")  # read without opening
    expect(cards.first).to_have_attribute("data-read", "true")
    page.reload()
    expect(cards.first).to_have_attribute("data-read", "true")
    expect(cards.first).to_have_class(re.compile(r"\bis-read\b"))
    page.keyboard.press("j")
    page.keyboard.press("m")  # and unread again
    expect(cards.first).to_have_attribute("data-read", "false")

    if count > 1:
        page.keyboard.press("j")
        expect(cards.nth(1)).to_be_focused()
        page.keyboard.press("k")
        expect(cards.first).to_be_focused()
    page.keyboard.press("j" if count > 1 else "k")
    opened = cards.nth(1 if count > 1 else 0)
    title = opened.locator("h3 a").inner_text()
    page.keyboard.press("o")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.go_back()
    page.reload()
    expect(opened).to_have_attribute("data-read", "true")  # opening read it

    page.get_by_role("link", name="Unread only").click()
    expect(page.locator("main .card")).to_have_count(count - 1 if count > 1 else 0)
    page.get_by_role("link", name="Show all").click()
    page.get_by_role("button", name="Mark all as read").click()
    for n in range(count):
        expect(cards.nth(n)).to_have_attribute("data-read", "true")
    page.get_by_role("link", name="Unread only").click()
    expect(page.locator("main .card")).to_have_count(0)

    page.keyboard.press("/")
    expect(page.get_by_label("Search articles")).to_be_focused()


def test_a_reader_adds_a_feed_and_imports_opml_on_the_web(
    live_server, open_page, settings, tmp_path
):
    from tests.community.test_subscriptions import site_routes
    from tests.servers import serve

    routes = site_routes()
    with serve(routes) as site:
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset({site.host_port})
        settings.DAYBOOK_HOST_DELAY = 0.0
        base = live_server.url
        page = open_page().page
        sign_up(page, base, "lee")
        page.get_by_role("link", name="Subscriptions").click()
        page.get_by_label("Add a site or feed").fill(site.url("/"))
        page.get_by_role("button", name="Add").click()
        expect(page.get_by_role("status")).to_have_text("Following Harbour Post.")
        expect(page.locator(".follows")).to_contain_text("Harbour Post")

        page.get_by_label("Add a site or feed").fill("http://10.1.2.3/feed.xml")
        page.get_by_role("button", name="Add").click()
        expect(page.get_by_role("status")).to_contain_text("Could not add http://10.1.2.3/")

        opml = tmp_path / "mine.opml"
        opml.write_text(
            '<?xml version="1.0"?><opml version="2.0"><body>'
            '<outline text="Isle Times" title="Isle Times" xmlUrl="https://isle.example/rss"/>'
            "</body></opml>"
        )
        page.get_by_label("Import OPML").set_input_files(str(opml))
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Imported 1 feed: 1 newly followed.")
        expect(page.locator(".follows")).to_contain_text("Isle Times")
