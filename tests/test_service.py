"""daybook as a service: `daybook serve` keeps itself current with nothing else
running, `daybook worker` processes share the work, and nothing is lost when they
are killed. Every test starts the real commands (as docs/deploy.md gives them) on
free ports, against real databases and real feed servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from daybook.community import throttle
from tests.community import PASSWORD
from tests.conftest import run_daybook
from tests.service import (
    GrowingFeed,
    daybook,
    deploy_command,
    free_port,
    get,
    get_json,
    service_env,
    story_text,
    wait_for,
)


def titles(base: str) -> set[str]:
    return {card["title"] for card in get_json(f"{base}/api/articles")["articles"]}


def test_serve_keeps_the_site_current_with_no_other_command(new_database, tmp_path):
    db = new_database()
    feed = GrowingFeed()
    with feed.served() as server:
        feed.add("harbour-1", "Harbour tunnel approved", story_text(1, "harbour tunnel"))
        env = service_env(db, [server.host_port])
        added = run_daybook(
            ["sources", "add", server.url("/feed.xml"), "--name", "Gazette"],
            database=db,
            allowed=[server.host_port],
        )
        assert added.returncode == 0, added.stderr
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with daybook(deploy_command("serve --port", port), env, tmp_path) as site:
            wait_for(lambda: "Harbour tunnel approved" in titles(base), "the first entry", site)
            feed.add(
                "rail-2", "Night trains return to the coast line", story_text(2, "night train")
            )
            wait_for(
                lambda: "Night trains return to the coast line" in titles(base),
                "an entry added while serving",
                site,
            )
            status, home = get(f"{base}/")
            assert status == 200 and b"Night trains return to the coast line" in home
            health = json.loads(get(f"{base}/healthz")[1])
            assert health["ok"], health
            code = site.stop(signal.SIGTERM)
        assert code == 0, site.output()
        assert "Traceback" not in site.output(), site.output()


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_serve_stops_cleanly_while_clients_hold_connections_open(how, new_database, tmp_path):
    """A browser keeps connections open, idle or with a request half sent; stopping
    must not wait for them until the web process is killed."""
    env = service_env(new_database(), [])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with daybook(deploy_command("serve --port", port), env, tmp_path) as site:
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, "the site", site)
        with contextlib.ExitStack() as stack:
            for opening in (b"", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"):
                conn = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
                conn.sendall(opening)
            kept = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert kept.recv(65536).startswith(b"HTTP/1.1 200")
            code = site.ctrl_c() if how == "ctrl-c" else site.stop(signal.SIGTERM)
    output = site.output()
    assert code == 0, output
    assert "SIGKILL" not in output and "Traceback" not in output, output
    assert "press Ctrl+C again" not in output, output


def _form_client(base: str, path: str) -> tuple[httpx.Client, str]:
    """A browser's session: a client holding the CSRF cookie, and the form's token."""
    client = httpx.Client(base_url=base, timeout=30, headers={"Referer": base + path})
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:300]
    return client, token[1]


def _all_at_once(calls: list[Callable[[], int]]) -> list[int]:
    """Run ``calls`` in parallel threads released together; their status codes."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], int]) -> int:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_sign_in_and_comment_limits_hold_for_parallel_requests_to_two_processes(
    corpus, new_database, tmp_path
):
    """Parallel requests spread over two web processes: each is counted before it is
    let through, so no more get through than the limits allow."""
    db = new_database()
    capture = sorted((corpus.corpus / "captures").glob("*.txt"))[0]
    assert run_daybook(["ingest", "--quiet", str(capture)], database=db).returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--workers", "2", "--no-worker"]
    with daybook(args, service_env(db, []), tmp_path) as site:
        wait_for(lambda: get(f"{base}/")[0] == 200, "the site", site)
        [article] = get_json(f"{base}/api/articles")["articles"]

        # A reader posts many comments at once, from several tabs.
        writer, token = _form_client(base, "/accounts/signup/")
        fields = {"username": "bea", "password1": PASSWORD, "password2": PASSWORD}
        signed_up = writer.post("/accounts/signup/", data=fields | {"csrfmiddlewaretoken": token})
        assert signed_up.status_code == 302, signed_up.text[:300]
        page = writer.get(article["path"]).text
        session_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert session_token, "the article page offers the comment form"
        posts = [
            lambda n=n: (
                writer.post(
                    "/comments/new",
                    data={
                        "article": article["id"],
                        "body": f"Comment number {n} on this.",
                        "csrfmiddlewaretoken": session_token[1],
                    },
                ).status_code
            )
            for n in range(12)
        ]
        codes = _all_at_once(posts)
        per_minute = dict(throttle.COMMENT_LIMITS)[60]
        assert set(codes) <= {302, 429}, codes
        assert codes.count(302) <= per_minute, codes

        # Guesses at a password, all at once.
        guesses = []
        for _ in range(12):
            client, form_token = _form_client(base, "/accounts/signin/")
            data = {"username": "bea", "password": "wrong", "csrfmiddlewaretoken": form_token}
            guesses.append(
                lambda client=client, data=data: (
                    client.post("/accounts/signin/", data=data).status_code
                )
            )
        codes = _all_at_once(guesses)
        assert codes.count(200) <= throttle.SIGNIN_LIMIT, codes  # 200: checked, and wrong
        assert codes.count(429) >= len(codes) - throttle.SIGNIN_LIMIT, codes
        client, form_token = _form_client(base, "/accounts/signin/")
        right = {"username": "bea", "password": PASSWORD, "csrfmiddlewaretoken": form_token}
        assert client.post("/accounts/signin/", data=right).status_code == 429
