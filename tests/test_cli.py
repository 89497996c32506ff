"""The ``daybook`` command, run for real in a subprocess against a real
database and the demo corpus served on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from daybook.demo.server import load_truth
from tests.conftest import daybook_env, run_daybook
from tests.service import Peek, wait_for

pytestmark = pytest.mark.django_db  # runs on SQLite and again on PostgreSQL


def add_all(corpus, database):
    for site in corpus.sites:
        result = run_daybook(
            ["sources", "add", site.local + "/", "--name", site.name],
            database=database,
            allowed=corpus.hosts,
        )
        assert result.returncode == 0, result.stderr


def export(database):
    result = run_daybook(["export", "--jsonl"], database=database)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def stored(database):
    """What an export says is stored and what enrichment made of each article, keyed
    so two databases can be compared. Story membership is left out: online clustering
    depends on the order articles arrive in, which a killed run changes."""
    records = export(database)
    by_id = {r["id"]: r for r in records}
    return sorted(
        (
            r["canonical_url"],
            r["title"],
            r["text"],
            by_id[r["copy_of"]]["canonical_url"] if r["copy_of"] else None,
            json.dumps([r["summary"], r["key_points"], r["topics"], r["keywords"]]),
            json.dumps(sorted((q["text"], q["speaker"]) for q in r["quotes"])),
            r["story"] is not None,
        )
        for r in records
    )


def stories_of(records):
    """Stories as sets of canonical URLs: comparable across databases."""
    groups = {}
    for r in records:
        groups.setdefault(r["story"], set()).add(r["canonical_url"])
    return {frozenset(g) for g in groups.values()}


def test_sources_add_list_export_remove_import(corpus, new_database, tmp_path):
    db = new_database()
    site = corpus.sites[0]
    added = run_daybook(["sources", "add", site.local + "/"], database=db, allowed=corpus.hosts)
    assert added.returncode == 0, added.stderr
    listed = run_daybook(["sources", "list", "--json"], database=db)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["feed"].startswith(site.local)
    assert rows[0]["last_success"] is None and rows[0]["next_poll"]

    again = run_daybook(["sources", "add", site.local + "/"], database=db, allowed=corpus.hosts)
    assert again.returncode != 0 and "already" in again.stderr

    opml = run_daybook(["sources", "export"], database=db).stdout
    assert rows[0]["feed"] in opml
    (tmp_path / "s.opml").write_text(opml)
    assert run_daybook(["sources", "remove", rows[0]["name"]], database=db).returncode == 0
    assert run_daybook(["sources", "list", "--json"], database=db).stdout.strip() == ""
    imported = run_daybook(["sources", "import", str(tmp_path / "s.opml")], database=db)
    assert "imported 1" in imported.stdout


def test_blocked_source_is_refused_with_a_clear_error(corpus, new_database):
    db = new_database()
    result = run_daybook(["sources", "add", corpus.sites[0].local + "/"], database=db)
    assert result.returncode != 0
    assert "BlockedAddress" in result.stderr or "not allowed" in result.stderr.lower()


def test_ingesting_twice_stores_nothing_twice(corpus, new_database):
    db = new_database()
    add_all(corpus, db)
    first = run_daybook(["ingest", "--quiet"], database=db, allowed=corpus.hosts)
    assert "new" in first.stdout
    before = stored(db)
    assert len(before) >= 100
    # Every feed is due again only after its interval; make them due now.
    forced = run_daybook(["ingest", "--quiet", "--all"], database=db, allowed=corpus.hosts)
    assert " 0 new" in forced.stdout, forced.stdout
    assert stored(db) == before


def test_sigkill_at_any_moment_then_rerun_stores_exactly_what_one_run_stores(corpus, new_database):
    reference = new_database()
    add_all(corpus, reference)
    run_daybook(["ingest", "--quiet"], database=reference, allowed=corpus.hosts)
    expected = stored(reference)

    db = new_database()
    add_all(corpus, db)
    env = daybook_env(db, corpus.hosts)
    # Each run is killed the moment the database shows it one step further on.
    moments = [
        ("a feed polled", "SELECT count(*) FROM news_entry"),
        ("a page stored", "SELECT count(*) FROM news_article"),
        ("an article enriched", "SELECT count(*) FROM news_article WHERE stage <> 'enrich'"),
        ("an article placed", "SELECT count(*) FROM news_article WHERE story_id IS NOT NULL"),
        ("a story made", "SELECT count(*) FROM news_story"),
    ]
    with Peek(db) as peek:
        for what, sql in moments:
            before = peek.count(sql)
            process = subprocess.Popen(
                [sys.executable, "-m", "daybook", "ingest", "--quiet", "--all"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:

                def moved(sql: str = sql, before: int = before, run=process) -> bool:
                    return peek.count(sql) > before or run.poll() is not None

                wait_for(moved, what, every=0.01)
                assert process.poll() is None, f"the run ended before {what}"
            finally:
                process.send_signal(signal.SIGKILL)
                process.wait()
    final = run_daybook(["ingest", "--quiet", "--all"], database=db, allowed=corpus.hosts)
    assert final.returncode in (0, 1), final.stderr
    assert stored(db) == expected


def test_ingest_enriches_and_operators_can_rebuild_reenrich_and_ask(corpus, new_database):
    db = new_database()
    add_all(corpus, db)
    result = run_daybook(["ingest", "--quiet"], database=db, allowed=corpus.hosts)
    assert result.returncode == 0, result.stderr
    assert "0 failed" in result.stdout.splitlines()[-1]
    records = export(db)
    by_id = {r["id"]: r for r in records}
    for r in records:
        assert r["story"] is not None
        assert set(r["enriched"]) == {
            "embedding",
            "summary",
            "entities",
            "quotes",
            "topics",
            "story",
        }
        assert r["topics"]
        if r["copy_of"]:
            assert r["story"] == by_id[r["copy_of"]]["story"]
            assert r["copy_of"] not in r["related_articles"]
        assert r["id"] not in r["related_articles"]
        assert len(r["related_articles"]) <= 5
    with_quotes = [r for r in records if r["quotes"]]
    assert with_quotes and all(q["speaker"] for r in with_quotes for q in r["quotes"][:1])
    assert sum(1 for r in records if len(r["summary"]) >= 2) >= len(records) * 0.9

    again = run_daybook(["enrich", "--quiet"], database=db)
    assert again.returncode == 0, again.stderr
    assert "enriched: 0 of 0" in again.stdout
    stale = run_daybook(["enrich", "--quiet", "--stale"], database=db)
    assert "enriched: 0 of 0" in stale.stdout  # same models: nothing is stale

    # A rebuild sees every article's entities from the start, so its stories may
    # differ a little from the online pass; two rebuilds agree exactly.
    rebuilt = run_daybook(["stories", "rebuild", "--quiet"], database=db)
    assert rebuilt.returncode == 0, rebuilt.stderr
    first = export(db)
    assert run_daybook(["stories", "rebuild", "--quiet"], database=db).returncode == 0
    assert stories_of(export(db)) == stories_of(first)
    assert abs(len(stories_of(first)) - len(stories_of(records))) <= 3
    first_by_id = {r["id"]: r for r in first}
    for r in first:
        assert r["story"] is not None
        if r["copy_of"]:
            assert r["story"] == first_by_id[r["copy_of"]]["story"]

    latest = export(db)
    by_id = {r["id"]: r for r in latest}
    quake = next(r for r in latest if r["title"].startswith("Magnitude 6.4 quake"))
    asked = run_daybook(
        [
            "ask",
            "--json",
            "--story",
            str(quake["story"]),
            "What was the magnitude of the earthquake?",
        ],
        database=db,
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "6.4" in answer["sentences"][0]["text"]
    assert by_id[answer["sentences"][0]["article"]]["story"] == quake["story"]
    unknown = run_daybook(["ask", "--article", "999999", "Who?"], database=db)
    assert unknown.returncode != 0 and "no article 999999" in unknown.stderr
    neither = run_daybook(["ask", "What?"], database=db)
    assert neither.returncode == 2 and "exactly one of" in neither.stderr


def test_extract_prints_one_record_per_input_and_goes_on_after_a_failure(corpus, new_database):
    from daybook.demo.server import load_truth

    db = new_database()
    truth = load_truth()
    capture = next(a for a in truth["articles"] if a["kind"] == "capture" and a["published"])
    page = next(a for a in truth["articles"] if a["kind"] == "page" and not a["page_missing"])
    inputs = [
        str(corpus.corpus / capture["file"]),
        "/nonexistent/page.html",
        corpus.local_url(page["url"]),
    ]
    result = run_daybook(["extract", *inputs], database=db, allowed=corpus.hosts)
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in records] == inputs
    assert records[0]["title"] == capture["title"]
    assert records[0]["text"] == "\n\n".join(capture["body"])
    assert records[0]["published"] == capture["published"].replace("+00:00", "Z")
    assert [t["title"] for t in records[0]["related"]] == [t["title"] for t in capture["related"]]
    assert "error" in records[1]
    assert records[2]["title"] == page["title"]
    assert set(records[2]) >= {
        "url",
        "canonical_url",
        "authors",
        "site_name",
        "language",
        "image",
        "description",
    }


def test_local_files_are_ingested_and_exported_with_their_path(corpus, new_database):
    db = new_database()
    captures = sorted((corpus.corpus / "captures").glob("*.txt"))
    result = run_daybook(["ingest", "--quiet", *map(str, captures)], database=db)
    assert result.returncode == 0, result.stderr
    exported = [
        json.loads(line)
        for line in run_daybook(["export", "--jsonl"], database=db).stdout.splitlines()
    ]
    assert {r["input"] for r in exported} == {str(p) for p in captures}
    # Dated by what the capture says: a date, or an age ("3 hours ago") that says
    # nothing of when, so no date at all (never the file's modification time).
    truth = {a["file"]: a["published"] for a in load_truth()["articles"] if a.get("file")}
    dates = {r["input"]: (r["published"] or "")[:10] for r in exported}
    assert dates == {str(p): (truth[f"captures/{p.name}"] or "")[:10] for p in captures}
    assert "" in dates.values()
    again = run_daybook(["ingest", "--quiet", *map(str, captures)], database=db)
    assert " 0 new" in again.stdout


def test_sources_edit_sets_polling_and_status_reports_it(corpus, new_database):
    db = new_database()
    site = corpus.sites[0]
    assert (
        run_daybook(
            ["sources", "add", site.local + "/", "--name", "Edited"],
            database=db,
            allowed=corpus.hosts,
        ).returncode
        == 0
    )
    fixed = run_daybook(
        ["sources", "edit", "Edited", "--interval", "900", "--floor", "60"], database=db
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "interval fixed 15m, floor 1m, active" in fixed.stdout
    [row] = [
        json.loads(line)
        for line in run_daybook(["sources", "list", "--json"], database=db).stdout.splitlines()
    ]
    assert (
        row["interval"] == 900 and row["interval_override"] == 900 and row["floor_override"] == 60
    )
    off = run_daybook(["sources", "edit", "Edited", "--disable", "--interval", "auto"], database=db)
    assert "interval auto" in off.stdout and "disabled" in off.stdout
    [row] = [
        json.loads(line)
        for line in run_daybook(["sources", "list", "--json"], database=db).stdout.splitlines()
    ]
    assert not row["active"] and row["next_poll"] is None and row["interval_override"] is None
    bad = run_daybook(["sources", "edit", "Edited", "--interval", "soon"], database=db)
    assert bad.returncode == 2 and "neither a positive number of seconds nor 'auto'" in bad.stderr
    missing = run_daybook(["sources", "edit", "Nobody", "--disable"], database=db)
    assert missing.returncode == 1 and "no source matches" in missing.stderr

    report = json.loads(run_daybook(["status", "--json"], database=db).stdout)
    assert report["backend"] == "database"
    assert report["feeds"] == {"active": 0, "disabled": 1, "due": 0, "overdue": 0}
    assert report["workers"] == [] and report["last_tick"] is None
    text = run_daybook(["status"], database=db)
    assert "feeds: 0 active, 1 disabled" in text.stdout

    wrong = run_daybook(["worker", "--queues", "feeds,nonsense"], database=db)
    assert wrong.returncode == 2 and "unknown queue(s) nonsense" in wrong.stderr
