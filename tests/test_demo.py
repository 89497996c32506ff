"""`daybook demo` ends with the whole site running, and its demo reader can sign in."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import httpx

from tests.conftest import daybook_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_the_site_and_prints_a_reader_who_can_sign_in(new_database, tmp_path):
    port = free_port()
    env = daybook_env(new_database()) | {"DAYBOOK_DATA_DIR": str(tmp_path)}
    demo = subprocess.Popen(
        [sys.executable, "-m", "daybook", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        credentials = None
        assert demo.stdout is not None
        for line in demo.stdout:
            found = re.search(r"sign in as '(\w+)' with password '([\w-]+)'", line)
            if found:
                credentials = found.groups()
            if "is running on" in line:
                break
        assert credentials, "the demo printed its reader"
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(100):
                try:
                    home = client.get("/")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert home.status_code == 200 and "Top stories" in home.text
            assert 'class="story-card' in home.text
            form = client.get("/accounts/signin/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
            assert token
            name, password = credentials
            signed = client.post(
                "/accounts/signin/",
                data={"username": name, "password": password, "csrfmiddlewaretoken": token[1]},
                headers={"Referer": base + "/accounts/signin/"},
            )
            assert signed.status_code == 302
            assert client.get("/saved/").status_code == 200  # signed in
            # Static files were collected under hashed names: cached for good.
            hashed = re.search(r'href="(/static/web/site\.[0-9a-f]{12}\.css)"', home.text)
            assert hashed, "the page links the hashed stylesheet"
            css = client.get(hashed[1])
            assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    finally:
        demo.terminate()
        demo.wait(timeout=60)
