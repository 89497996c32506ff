"""A real browser against the real site: Debian's chromium driven by Playwright
(``executablePath``; Playwright never downloads a browser here), and the site
served by pytest-django's live server on 127.0.0.1.

Every page the browser opens is watched: a JavaScript dialog, an uncaught
error or a CSP violation fails the test, so a script that should not run, or a
policy that blocks our own scripts, cannot pass unnoticed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test's thread, which
# Django's guard takes for async code calling the ORM; the test code is plain sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DAYBOOK_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"chromium is not installed at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


class Watched:
    """A page with everything unexpected it did recorded."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: object) -> None:
        if message.type in ("error", "warning"):
            self.console.append(message.text)

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a script opened a dialog: {self.dialogs}"
        assert self.errors == [], f"page errors: {self.errors}"
        blocked = [m for m in self.console if "Content Security Policy" in m]
        assert blocked == [], f"CSP blocked something of ours: {blocked}"


@pytest.fixture
def open_page(browser: object) -> Iterator[object]:
    """Opens a new browser context (no shared cookies) at a given width."""
    contexts: list[object] = []
    watched: list[Watched] = []

    def make(width: int = 1280, height: int = 900, **options: object) -> Watched:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        page = Watched(context.new_page())
        watched.append(page)
        return page

    yield make
    for context in contexts:
        context.close()
