"""Screenshots of the site over the demo corpus, for the README.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Runs ``daybook demo`` on a throwaway data directory and photographs home (with
the publishers' pictures), a story, an article with its AI panel answering a
question, search, and an article and the front page at phone width, in Debian's
chromium driven by Playwright; then newsboat, a reader app someone else wrote,
signed in to the demo through the Google Reader API, as a terminal shows it.
Needs `apt install chromium newsboat tmux`.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
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
        shoot_reader_app(base, args.out, env, Path(data))
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


def shoot_reader_app(base: str, out: Path, env: dict[str, str], data: Path) -> None:
    """A reader with an app password follows the demo's publishers through the
    Google Reader API (quickadd), then newsboat (FeedHQ mode) reads them."""
    daybook = [sys.executable, "-m", "daybook"]
    name, password = "newsboat-reader", secrets.token_urlsafe(12)
    run = {"env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([*daybook, "readers", "create", name, "--password", password], **run)  # noqa: S603
    made = subprocess.run([*daybook, "readers", "app-password", name, "--label", "newsboat"], **run)  # noqa: S603
    secret = made.stdout.strip()
    opml = subprocess.run([*daybook, "sources", "export"], **run).stdout  # noqa: S603
    auth = _post(base + "/accounts/ClientLogin", {"Email": name, "Passwd": secret})
    token = re.search(r"^Auth=(\S+)", auth, re.MULTILINE)
    assert token, auth
    headers = {"Authorization": f"GoogleLogin auth={token.group(1)}"}
    edit = _get(base + "/reader/api/0/token", headers)
    for feed in re.findall(r'xmlUrl="([^"]+)"', opml)[:5]:
        form = {"quickadd": html.unescape(feed), "T": edit}
        answer = json.loads(_post(base + "/reader/api/0/subscription/quickadd", form, headers))
        assert answer.get("numResults") == 1, answer
    home = data / "newsboat"
    home.mkdir()
    (home / "urls").touch()
    (home / "config").write_text(
        f'urls-source "feedhq"\nfeedhq-url "{base}"\nfeedhq-login "{name}"\n'
        f'feedhq-password "{secret}"\nrefresh-on-startup yes\n'
    )
    command = f"newsboat -C {home}/config -u {home}/urls -c {home}/cache.db"
    session = f"daybook-shot-{os.getpid()}"
    tmux = ["tmux", "-L", session]
    subprocess.run([*tmux, "new-session", "-d", "-x", "110", "-y", "30", command], check=True)  # noqa: S603
    try:
        screen = _settle(tmux, "unread")
        # Open the publisher with the most unread (the first rows are the API's
        # own lists: people followed, starred, shared).
        rows = [line for line in screen.splitlines()[1:] if re.match(r"\s*\d+ ", line)]
        unread = [int(m.group(1)) if (m := re.search(r"\((\d+)/", r)) else 0 for r in rows]
        for _ in range(unread.index(max(unread))):
            subprocess.run([*tmux, "send-keys", "Down"], check=True)  # noqa: S603
        subprocess.run([*tmux, "send-keys", "Enter"], check=True)  # noqa: S603
        screen = _settle(tmux, "Articles in feed")
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)  # noqa: S603
    page = (
        "<body style='margin:0;background:#1d1f21'><pre style='margin:0;padding:16px;"
        "font:15px/1.35 DejaVu Sans Mono,monospace;color:#e0e0e0'>"
        f"{html.escape(screen)}</pre></body>"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        shot = browser.new_page(viewport={"width": 1010, "height": 600})
        shot.set_content(page)
        shot.screenshot(path=out / "reader-app.png", full_page=True)
        browser.close()


def _post(url: str, form: dict[str, str], headers: dict[str, str] | None = None) -> str:
    body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (our own server)
        return str(answer.read().decode())


def _get(url: str, headers: dict[str, str]) -> str:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (our own server)
        return str(answer.read().decode())


def _settle(tmux: list[str], text: str, seconds: float = 60) -> str:
    """The terminal's screen once ``text`` is on it and it stopped changing."""
    deadline, last = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        screen = subprocess.run(  # noqa: S603
            [*tmux, "capture-pane", "-p"], capture_output=True, text=True, check=True
        ).stdout
        if text in screen and screen == last:
            return screen
        last = screen
        time.sleep(0.5)
    raise SystemExit(f"newsboat never showed {text!r}:\n{last}")


if __name__ == "__main__":
    main()
