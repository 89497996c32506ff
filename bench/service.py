"""daybook as a service: how fast feeds become stories with 1..N workers, whether the
cost of an article stays flat as the collection grows, and whether pages stay fast
while a worker ingests.

1. Feed to story. An invented corpus (bench/service_corpus.py: ``--articles``
   distinct articles in events of 1 to 6, ten publishers, feeds of at most 100
   entries) is served on 127.0.0.1, each publisher on its own port, so the fetcher's
   two requests per host allow twenty at once. Per backend (``sqlite``: a fresh file
   and the database queue; ``postgres``: a fresh database on
   postgres://postgres@127.0.0.1:5432 and RQ on an empty Redis database of
   127.0.0.1:6379, flushed before and after), the baseline is one ``daybook ingest
   --quiet`` into a fresh database; then, for each W in ``--workers``, a fresh
   database with the same sources and ``daybook worker --concurrency W``, timed from
   its start until every article is stored and in a story and nothing is left to do
   (the database says so, then ``daybook status --json`` agrees: queues other than
   ``llm`` empty, ``oldest_unprocessed_seconds`` None). Figures: articles/s and the
   ratio to the single-process ingest of the same backend, and when the first
   article was stored and the first placed in a story. Each daybook process gets
   DAYBOOK_HOST_DELAY=0, DAYBOOK_POLL_MIN_SECONDS=60 (each feed is polled once),
   DAYBOOK_TICK_SECONDS=1, DAYBOOK_LOG_LEVEL=ERROR and its own DAYBOOK_DATA_DIR.
2. Cost per article as the collection grows. For each size S in ``--stored``, a
   SQLite database is filled with S stored articles as enrichment leaves them
   (vectors, stories, entities, mentions, LSH bands, the tally; the same number of
   articles per day at every size) and ``--new`` new articles of the last day are
   taken from local feeds to their stories in process (the tasks ``daybook ingest``
   runs), after a warm-up batch; twice, keeping the faster. Figure: seconds per
   article and the ratio cost(smallest)/cost(largest) (flat is 1; the target is
   >= 0.8).
3. Pages while ingest runs. ``daybook serve --no-worker`` on the SQLite database of
   part 1's baseline; wrk loads the home page, a story and an article, each cached
   (one URL again and again) and uncached (a unique query per request, rotating over
   many ids; bench/wrk_unique.lua), first idle, then while ``daybook worker
   --concurrency 2`` ingests a second corpus of 2000 articles: once from its first
   article stored, once from its first article placed in a story (see ``PHASES``).
   Figures: requests/s, p50, p99, errors (non-2xx/3xx and socket errors), articles
   stored and placed during each run, ``database is locked`` in the logs, and the
   ratio under-ingest/idle (the target is >= 0.8 for cached pages). The page cache
   keeps its default freshness (DAYBOOK_PAGE_FRESHNESS_SECONDS, 30 s).

Every figure is printed next to its baseline from the same run: the machine is small
and shared, and only ratios carry over from one run to the next.

    .venv/bin/python bench/service.py [--articles 5000] [--workers 1,2,4]
        [--backends sqlite,postgres] [--stored 1000,100000 | ""] [--new 100]
        [--duration 10] [--skip-wrk]

Small sizes while developing: ``--articles 200 --workers 1,2 --stored 500,2000``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from service_corpus import Served, make_corpus, served  # noqa: E402
from web import LUA, STATIC, expect_ok, get_status, read_wrk  # noqa: E402

from tests.service import Process, daybook, free_port  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
POLL_SECONDS = 0.5
LOCKED = "database is locked"
BUSY_ARTICLES = 2000
"""Articles the worker of part 3 ingests: enough to last through both phases of
measurements (it is stopped after the last, however far it got)."""
STORY_WINDOW_DAYS = 2
"""daybook.ai.cluster.ClusterConfig.window: the smallest collection of part 2 spans
one day more, so every size has a full window of stories behind its new articles."""


def main() -> None:
    args = _arguments()
    if not args.skip_wrk and shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk), or pass --skip-wrk")
    workdir = Path(tempfile.mkdtemp(prefix="daybook-service-"))
    print(f"machine: {os.cpu_count()} CPUs; work files in {workdir}", flush=True)
    try:
        corpus = make_corpus(args.articles, label="a")
        with served(corpus) as site:
            baseline = throughput(args, site, workdir)
            if args.stored:
                growth(args, workdir)
            if not args.skip_wrk:
                pages(args, site, workdir, baseline)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _arguments() -> argparse.Namespace:
    def numbers(text: str) -> list[int]:
        return [int(n) for n in text.split(",") if n.strip()]

    def names(text: str) -> list[str]:
        chosen = [n.strip() for n in text.split(",") if n.strip()]
        unknown = set(chosen) - {"sqlite", "postgres"}
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown backend(s): {', '.join(sorted(unknown))}")
        return chosen

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles in the corpus")
    parser.add_argument("--workers", type=numbers, default=[1, 2, 4], help="worker counts")
    parser.add_argument("--backends", type=names, default=["sqlite", "postgres"])
    parser.add_argument(
        "--stored", type=numbers, default=[1000, 100_000], help="sizes ('' leaves out part 2)"
    )
    parser.add_argument("--new", type=int, default=100, help="articles ingested per size")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--skip-wrk", action="store_true", help="leave out part 3")
    return parser.parse_args()


# -- running daybook -----------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """Where one run's data lives: the database, the task queue, the data directory."""

    url: str
    tasks_url: str
    data_dir: Path
    sqlite_path: Path | None = None

    def env(self, hosts: list[str]) -> dict[str, str]:
        """The environment of every daybook process of this run: nothing inherited
        from the caller's DAYBOOK_* settings, the corpus hosts allowed, no spacing
        between requests, each feed polled once (the next poll is a minute away)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DAYBOOK_", "DATABASE"))}
        env.update(
            DATABASE_URL=self.url,
            DAYBOOK_DATA_DIR=str(self.data_dir),
            DAYBOOK_ALLOWED_HOSTS=",".join(hosts),
            DAYBOOK_HOST_DELAY="0",
            DAYBOOK_POLL_MIN_SECONDS="60",
            DAYBOOK_TICK_SECONDS="1",
            DAYBOOK_LOG_LEVEL="ERROR",
            HF_HUB_OFFLINE="1",
        )
        if self.tasks_url:
            env["DAYBOOK_TASKS_URL"] = self.tasks_url
        return env


def run(command: list[str], env: dict[str, str], what: str) -> str:
    """Run a command to its end; its output, or the benchmark stops with it."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def run_daybook(args: list[str], env: dict[str, str]) -> str:
    return run([sys.executable, "-m", "daybook", *args], env, f"daybook {' '.join(args)}")


def add_sources(site: Served, database: Database, workdir: Path) -> None:
    opml = workdir / f"sources-{site.corpus.label}.opml"
    opml.write_bytes(site.opml())
    run_daybook(["sources", "import", str(opml)], database.env(site.hosts))


class Backend:
    """A kind of storage and queue; ``fresh()`` gives a new empty database of it."""

    name = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def _data_dir(self) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=self.workdir))

    @contextmanager
    def fresh(self) -> Iterator[Database]:
        raise NotImplementedError
        yield


class SQLite(Backend):
    """A fresh SQLite file per run and the database queue (DAYBOOK_TASKS_URL unset).
    The files are kept until the benchmark ends: part 3 serves the baseline's."""

    name = "sqlite"

    @contextmanager
    def fresh(self) -> Iterator[Database]:
        data_dir = self._data_dir()
        path = data_dir / "daybook.sqlite3"
        yield Database(f"sqlite:///{path}", "", data_dir, path)


class Postgres(Backend):
    """A fresh PostgreSQL database per run, dropped after it, and RQ on a Redis
    database that was empty, flushed before and after (never one holding keys:
    another test run on this machine may be using it)."""

    name = "postgres"

    @contextmanager
    def fresh(self) -> Iterator[Database]:
        import psycopg
        import redis

        name = f"daybook_bench_{secrets.token_hex(4)}"
        number = _empty_redis_db()
        queue = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        queue.flushdb()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Database(
                f"{PG}/{name}", f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}", self._data_dir()
            )
        finally:
            queue.flushdb()
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_redis_db() -> int:
    import redis

    for number in range(15, 0, -1):
        if redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number).dbsize() == 0:
            return number
    raise SystemExit(f"no empty Redis database on {REDIS_HOST}:{REDIS_PORT}")


BACKENDS: dict[str, type[Backend]] = {"sqlite": SQLite, "postgres": Postgres}


# -- watching the work ---------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    articles: int
    unfinished: int
    """Articles not yet in a story, or with work still due."""
    pages_due: int
    stories_due: int
    stories: int

    @property
    def placed(self) -> int:
        return self.articles - self.unfinished

    def done(self, expected: int) -> bool:
        return (
            self.articles == expected
            and self.unfinished == 0
            and self.pages_due == 0
            and self.stories_due == 0
        )


PROGRESS_SQL = """
SELECT
  (SELECT COUNT(*) FROM news_article),
  (SELECT COUNT(*) FROM news_article
     WHERE story_id IS NULL OR stage <> 'done' OR work_due_at IS NOT NULL),
  (SELECT COUNT(*) FROM news_entry WHERE fetch_due_at IS NOT NULL),
  (SELECT COUNT(*) FROM news_story WHERE refresh_due_at IS NOT NULL),
  (SELECT COUNT(*) FROM news_story WHERE merged_into_id IS NULL AND article_count > 0)
"""


def progress(database: Database) -> Progress:
    """What the database says is done, read directly (a ``daybook status`` per poll
    would start Django each time, on the cores the workers need)."""
    if database.sqlite_path is not None:
        with sqlite3.connect(f"file:{database.sqlite_path}?mode=ro", uri=True, timeout=30) as conn:
            row = conn.execute(PROGRESS_SQL).fetchone()
    else:
        import psycopg

        with psycopg.connect(database.url, autocommit=True) as conn:
            row = conn.execute(PROGRESS_SQL).fetchone()
    assert row is not None
    return Progress(*row)


def status(database: Database, hosts: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run_daybook(["status", "--json"], database.env(hosts)))
    return data


def idle(report: dict[str, Any]) -> bool:
    """Nothing waits or runs in any queue but ``llm``, and no article is unprocessed."""
    busy = [q for q in report["queues"] if q["name"] != "llm" and (q["waiting"] or q["running"])]
    return not busy and report["oldest_unprocessed_seconds"] is None


# -- 1. feed to story ----------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    label: str
    articles: int
    seconds: float
    first: float
    """Seconds from the start to the first stored article (start-up, first polls)."""
    first_placed: float
    """Seconds from the start to the first article placed in a story."""
    stories: int

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds


def throughput(args: argparse.Namespace, site: Served, workdir: Path) -> Database | None:
    """Part 1; returns SQLite's baseline database (part 3 serves it), if it ran."""
    corpus = site.corpus
    print(
        f"\n1. feed to story: {len(corpus.items):,} articles in {corpus.events:,} events, "
        f"{len(corpus.publishers)} publishers, {len(site.feeds())} feeds; each publisher "
        f"on its own port, so fetching (2 requests per host) allows "
        f"{2 * len(corpus.publishers)} at once; times from the process's start",
        flush=True,
    )
    kept = None
    for name in args.backends:
        backend = BACKENDS[name](workdir)
        with backend.fresh() as database:
            base = timed(["ingest", "--quiet"], "ingest (1 process)", site, database, workdir)
        kept = database if name == "sqlite" else kept  # a SQLite file outlives its run
        _print_rate(name, base, base)
        for count in args.workers:
            command = ["worker", "--concurrency", str(count)]
            with backend.fresh() as fresh:
                rate = timed(command, f"worker --concurrency {count}", site, fresh, workdir)
            _print_rate(name, rate, base)
    return kept


def timed(command: list[str], label: str, site: Served, database: Database, workdir: Path) -> Rate:
    """Add the corpus's sources to ``database``, then run ``daybook COMMAND`` and time
    it: ``ingest`` until it exits (and has done everything), ``worker`` until the
    database shows every article stored, placed and nothing due, and ``daybook status
    --json`` agrees (the time is that of the database reading)."""
    add_sources(site, database, workdir)
    expected = len(site.corpus.items)
    finishes = command[0] == "ingest"
    limit = max(900.0, expected * 3.0)
    started = time.monotonic()
    first = first_placed = None
    with daybook(command, database.env(site.hosts), database.data_dir) as process:
        while True:
            seen = time.monotonic()
            state = _progress_now(database)
            if first is None and state is not None and state.articles:
                first = seen - started
            if first_placed is None and state is not None and state.placed:
                first_placed = seen - started
            if process.popen.poll() is not None:
                if not finishes or process.popen.returncode != 0:
                    raise SystemExit(f"daybook {label} exited:\n{process.output()[-3000:]}")
                state = progress(database)
                if not state.done(expected):
                    raise SystemExit(f"daybook {label} left work undone: {state}")
                seen = time.monotonic()
                break
            done = not finishes and state is not None and state.done(expected)
            if done and idle(status(database, site.hosts)):
                break
            if seen - started > limit:
                raise SystemExit(f"{label}: not done in {limit:.0f} s: {state}")
            with suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=POLL_SECONDS)
    return Rate(
        label,
        state.articles,
        seen - started,
        first or 0.0,
        first_placed or seen - started,
        state.stories,
    )


def _progress_now(database: Database) -> Progress | None:
    """``progress``, or None while the database is not there yet or not migrated."""
    try:
        return progress(database)
    except (sqlite3.Error, OSError):
        return None
    except Exception as error:  # psycopg's errors, imported only for PostgreSQL
        if type(error).__module__.startswith("psycopg"):
            return None
        raise


def _print_rate(backend: str, rate: Rate, base: Rate) -> None:
    ratio = rate.per_second / base.per_second
    print(
        f"  {backend:<8} {rate.label:<24} {rate.articles:>6,} articles in {rate.seconds:>7.1f} s"
        f" = {rate.per_second:>6.2f} articles/s, ratio to ingest {ratio:5.2f}"
        f"  (first stored after {rate.first:.1f} s, first in a story after "
        f"{rate.first_placed:.1f} s; {rate.stories:,} stories)",
        flush=True,
    )


# -- 2. cost per article as the collection grows --------------------------------------


def growth(args: argparse.Namespace, workdir: Path) -> None:
    sizes = sorted(args.stored)
    per_day = sizes[0] / (STORY_WINDOW_DAYS + 1)
    print(
        f"\n2. cost per article as the collection grows: {args.new} new articles of the last "
        f"day into SQLite collections of {', '.join(f'{s:,}' for s in sizes)} stored articles, "
        f"{per_day:,.0f} a day at every size; in process, after a warm-up batch; the faster "
        f"of two runs",
        flush=True,
    )
    now = datetime.now(UTC)
    batches = [
        make_corpus(n, seed=seed, label=label, publishers=5, now=now, span=timedelta(hours=8))
        for n, seed, label in ((10, 71, "warm"), (args.new, 72, "one"), (args.new, 73, "two"))
    ]
    costs: dict[int, float] = {}
    with ExitStack() as stack:
        sites = [stack.enter_context(served(corpus)) for corpus in batches]
        for size in sizes:
            costs[size] = grow_once(size, per_day, sites, workdir)
    small, large = costs[sizes[0]], costs[sizes[-1]]
    print(
        f"  ratio cost({sizes[0]:,}) / cost({sizes[-1]:,}) = {small / large:.2f}"
        f"  (1.00 is flat; the target is >= 0.80)",
        flush=True,
    )


def grow_once(size: int, per_day: float, sites: list[Served], workdir: Path) -> float:
    """Fill a collection of ``size``, then ingest the batches; seconds per article."""
    data_dir = workdir / f"grow-{size}"
    data_dir.mkdir()
    database = Database(f"sqlite:///{data_dir / 'daybook.sqlite3'}", "", data_dir)
    env = database.env([host for site in sites for host in site.hosts])
    script = str(BENCH / "service_corpus.py")
    filled = _last_json(run([sys.executable, script, "fill", str(size), str(per_day)], env, "fill"))
    paths = []
    for site in sites:
        path = data_dir / f"{site.corpus.label}.opml"
        path.write_bytes(site.opml())
        paths.append(str(path))
    runs = _last_json(run([sys.executable, script, "grow", *paths], env, "grow"))
    for batch, site in zip(runs, sites, strict=True):
        expected = len(site.corpus.items)
        if batch["articles"] != expected or batch["placed"] != expected:
            raise SystemExit(f"batch {batch} of {expected} articles not all stored and placed")
    warm, *measured = runs
    each = [r["seconds"] / r["articles"] for r in measured]
    cost = min(each)
    print(
        f"  {size:>8,} stored ({filled['stories']:,} stories, {filled['entities']:,} entities, "
        f"{filled['days']:.0f} days; filled in {filled['seconds']:.0f} s): "
        f"{cost * 1000:7.1f} ms per article (runs: "
        f"{', '.join(f'{c * 1000:.1f}' for c in each)} ms; "
        f"warm-up batch of {warm['articles']}: {warm['seconds']:.1f} s)",
        flush=True,
    )
    shutil.rmtree(data_dir, ignore_errors=True)
    return float(cost)


def _last_json(output: str) -> Any:
    """The JSON line a bench/service_corpus.py command ends its output with."""
    return json.loads(output.strip().splitlines()[-1])


# -- 3. pages while ingest runs --------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    stored: int = 0
    """Articles stored while it ran (under ingest)."""
    placed: int = 0
    """Articles that reached their story while it ran: enriched and placed."""


@dataclass(frozen=True)
class Page:
    name: str
    paths: tuple[str, ...]
    """Cached runs ask for the first; uncached ones rotate over them all."""


PHASES = ("storing", "placing")
"""Under ingest, pages are measured twice: from the first new article stored, and
from the first new article placed in a story. A poll queues its feed's every page
at once, ahead of the enrichments, so on this corpus the first phase is mostly
fetching and storing and the second mostly enriching and placing (the stored/placed
counts of each run say what really happened)."""


def pages(args: argparse.Namespace, site: Served, workdir: Path, database: Database | None) -> None:
    origin = "part 1's SQLite baseline"
    if database is None:
        origin = "a fresh SQLite database filled by daybook ingest"
        with SQLite(workdir).fresh() as database:
            timed(["ingest", "--quiet"], "ingest", site, database, workdir)
    second = make_corpus(BUSY_ARTICLES, seed=91, label="b")
    with served(second) as more:
        env = database.env(site.hosts + more.hosts)
        with _server(env, database.data_dir) as (base, server):
            targets = _pages(database)
            print(
                f"\n3. pages while ingest runs: daybook serve --no-worker on {origin} "
                f"({progress(database).articles:,} articles); wrk -t2 -c16 -d{args.duration}s "
                f"after 2 s warm-up, cached (one URL) and uncached (a unique query per request, "
                f"rotating over {len(targets[1].paths)} stories, {len(targets[2].paths)} "
                f"articles); idle, then while daybook worker --concurrency 2 ingests "
                f"{len(second.items):,} more articles: from its first article stored, and from "
                f"its first article placed in a story (stopped after the last run)",
                flush=True,
            )
            loads = {"idle": _measure_all(args, base, workdir, targets)}
            add_sources(more, database, workdir)
            before = progress(database)
            with daybook(["worker", "--concurrency", "2"], env, database.data_dir) as worker:
                for phase in PHASES:
                    _wait_for(phase, before, database, worker)
                    loads[phase] = _measure_all(args, base, workdir, targets, database)
                worker_log = worker.output()
            server_log = server.output()
    _print_pages(loads)
    for name, log in (("daybook serve", server_log), ("daybook worker", worker_log)):
        print(f"  {LOCKED!r} in the {name} log: {log.count(LOCKED)} times")


def _measure_all(
    args: argparse.Namespace,
    base: str,
    workdir: Path,
    targets: list[Page],
    database: Database | None = None,
) -> dict[tuple[str, str], Load]:
    return {
        (page.name, mode): measure(args, base, workdir, page, mode, database)
        for page, mode in _runs(targets)
    }


def _runs(targets: list[Page]) -> Iterator[tuple[Page, str]]:
    for page in targets:
        for mode in ("cached", "uncached"):
            yield page, mode


@contextmanager
def _server(env: dict[str, str], log_dir: Path) -> Iterator[tuple[str, Process]]:
    port = free_port()
    command = ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)]
    with daybook(command, env, log_dir) as server:
        base = f"127.0.0.1:{port}"
        _wait(lambda: _answers(base), "daybook serve to answer", server, 120)
        yield base, server


def _answers(base: str) -> bool:
    try:
        return get_status(base, STATIC) == 200
    except OSError:
        return False


def _wait(check: Callable[[], bool], what: str, process: Process, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise SystemExit(f"{process.args} exited waiting for {what}:\n{process.output()}")
        if check():
            return
        time.sleep(0.25)
    raise SystemExit(f"gave up waiting for {what}:\n{process.output()[-3000:]}")


def _pages(database: Database) -> list[Page]:
    """Home, the biggest story and its first article; the uncached runs rotate over
    up to 200 stories and 200 articles."""
    assert database.sqlite_path is not None
    with sqlite3.connect(f"file:{database.sqlite_path}?mode=ro", uri=True) as conn:
        stories = [
            pk
            for (pk,) in conn.execute(
                "SELECT id FROM news_story WHERE merged_into_id IS NULL AND article_count > 0 "
                "ORDER BY article_count DESC, id LIMIT 200"
            )
        ]
        articles = [
            pk
            for (pk,) in conn.execute(
                "SELECT id FROM news_article WHERE story_id = ? "
                "UNION ALL SELECT id FROM (SELECT id FROM news_article ORDER BY id LIMIT 200)",
                (stories[0],),
            )
        ]
    return [
        Page("home", ("/",)),
        Page("story", tuple(f"/stories/{pk}/" for pk in stories)),
        Page("article", tuple(f"/articles/{pk}/" for pk in dict.fromkeys(articles))),
    ]


def _wait_for(phase: str, before: Progress, database: Database, worker: Process) -> None:
    """Until the worker has stored its first article (``storing``: loading models and
    polling the feeds come before) or placed its first one in a story (``placing``)."""

    def reached() -> bool:
        now = progress(database)
        return now.articles > before.articles if phase == "storing" else now.placed > before.placed

    what = "stored" if phase == "storing" else "placed in a story"
    _wait(reached, f"the first new article {what}", worker, 900)


def measure(
    args: argparse.Namespace,
    base: str,
    workdir: Path,
    page: Page,
    mode: str,
    database: Database | None = None,
) -> Load:
    """A warm-up, then the measured wrk run; with ``database``, also how many articles
    were stored meanwhile."""
    for path in page.paths[:1] if mode == "cached" else page.paths[:3]:
        expect_ok(base, path)
    url, script = f"http://{base}{page.paths[0]}", None
    if mode == "uncached":
        script = workdir / f"paths-{page.name}.txt"
        script.write_text("\n".join(page.paths) + "\n")
        url = f"http://{base}"
    wrk(url, 2, [str(script), f"warm-{time.monotonic_ns()}"] if script else None)
    before = progress(database) if database else None
    load = wrk(url, args.duration, [str(script), f"run-{time.monotonic_ns()}"] if script else None)
    if database is None or before is None:
        return load
    after = progress(database)
    return replace(
        load,
        stored=after.articles - before.articles,
        placed=after.placed - before.placed,
    )


def wrk(url: str, seconds: int, unique: list[str] | None) -> Load:
    """One wrk run as bench/web.py drives it; errors are counted, not fatal."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    command += ["-s", str(LUA), url, "--", *unique] if unique else [url]
    figures = read_wrk(run(command, dict(os.environ), " ".join(command)), " ".join(command))
    return Load(figures.rate, figures.p50_ms, figures.p99_ms, figures.requests, figures.errors)


def _print_pages(loads: dict[str, dict[tuple[str, str], Load]]) -> None:
    """One line per page, mode and phase, each with its ratio to the same page idle."""
    print(
        f"  {'page':<8} {'mode':<9} {'phase':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'errors':>6} {'stored/placed':>13} {'vs idle':>7}"
    )
    for key, idle_load in loads["idle"].items():
        for phase, by_page in loads.items():
            load = by_page[key]
            moved = f"{load.stored}/{load.placed}" if phase != "idle" else ""
            target = "  (target >= 0.80)" if key[1] == "cached" and phase != "idle" else ""
            print(
                f"  {key[0]:<8} {key[1]:<9} {phase:<8} {load.rate:>8,.1f} {load.p50_ms:>8.1f}"
                f" {load.p99_ms:>8.1f} {load.errors:>6} {moved:>13}"
                f" {load.rate / idle_load.rate:>7.2f}{target}"
            )


if __name__ == "__main__":
    main()
