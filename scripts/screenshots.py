"""Screenshots of the site over the demo corpus, for the README.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Runs ``daybook demo`` on a throwaway data directory and photographs home (with
the publishers' pictures), a story, an article with its AI panel answering a
question, search, and an article and the front page at phone width, in Debian's
chromium driven by Playwright. Needs `apt install chromium`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("DAYBOOK_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own server)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the site did not come up at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="daybook-shots-")
    env = {**os.environ, "DAYBOOK_DATA_DIR": data, "DAYBOOK_HOST_DELAY": "0"}
    env.pop("DATABASE_URL", None)
    daybook = [sys.executable, "-m", "daybook"]
    port = free_port()
    # `daybook demo` itself: its corpus keeps serving the images the pages link to.
    server = subprocess.Popen([*daybook, "demo", "--port", str(port)], env=env)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/static/web/site.css", seconds=600)
        shoot(base, args.out)
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=60)
    print(f"screenshots written to {args.out}")


def shoot(base: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        desktop = browser.new_page(viewport={"width": 1280, "height": 900})
        desktop.goto(base + "/")
        # The pictures in sight (lazy ones further down do not load until scrolled to).
        loaded = (
            "() => [...document.images]"
            ".filter(i => i.getBoundingClientRect().top < innerHeight).every(i => i.complete)"
        )
        desktop.wait_for_function(loaded)  # the publishers' pictures, through /media/
        desktop.screenshot(path=out / "home.png")
        top = desktop.locator(".story-card h3 a").first
        top.click()
        desktop.wait_for_load_state()
        desktop.screenshot(path=out / "story.png")
        # The article with the most to show: the first of the top story's timeline.
        desktop.locator(".timeline a").first.click()
        desktop.wait_for_load_state()
        desktop.get_by_label("Ask about this article").fill("What happened?")
        desktop.get_by_role("button", name="Ask", exact=True).click()
        desktop.locator("#answer q").first.wait_for()
        desktop.set_viewport_size({"width": 1280, "height": 1800})
        desktop.evaluate("() => window.scrollTo(0, 0)")
        desktop.screenshot(path=out / "article.png")
        article_url = desktop.url
        desktop.set_viewport_size({"width": 1280, "height": 900})
        desktop.goto(base + "/search/?q=quake")
        desktop.screenshot(path=out / "search.png")
        phone = browser.new_page(
            viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2
        )
        phone.goto(article_url)
        phone.screenshot(path=out / "article-phone.png")
        phone.goto(base + "/")
        phone.wait_for_function(loaded)
        phone.screenshot(path=out / "home-phone.png")
        browser.close()


if __name__ == "__main__":
    main()
