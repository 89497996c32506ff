"""daybook as a service: `daybook serve` keeps itself current with nothing else
running, `daybook worker` processes share the work, and nothing is lost when they
are killed. Every test starts the real commands (as docs/deploy.md gives them) on
free ports, against real databases and real feed servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import signal
import socket

import pytest

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
