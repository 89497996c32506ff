"""The ``daybook`` command.

Each subcommand is a thin shell over a service in ``daybook.news``; the
database is migrated on first use so that a fresh install needs no extra step.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from daybook.news.locks import migration_lock

    with migration_lock():  # a site and its workers start, and migrate, together
        call_command("migrate", verbosity=0, interactive=False)


@click.group()
@click.version_option(package_name="daybook")
def main() -> None:
    """daybook: the day's news from many sources, without the noise."""


# -- sources -----------------------------------------------------------------


@main.group()
def sources() -> None:
    """Add, list, remove, import and export the publishers' feeds."""


@sources.command("add")
@click.argument("url", required=False)
@click.option("--name", help="Name of the publisher (default: the feed's title).")
@click.option("--defaults", is_flag=True, help="Add the shipped list of public news feeds.")
def sources_add(url: str | None, name: str | None, defaults: bool) -> None:
    """Add a feed URL, or a site whose feed is discovered from its home page."""
    _setup()
    from daybook.errors import DaybookError
    from daybook.news import sources as service
    from daybook.news.fetching import make_fetcher

    if defaults:
        added, existing = service.add_defaults()
        click.echo(f"added {added} default sources ({existing} already present)")
        return
    if not url:
        raise click.UsageError("give a URL, or --defaults")
    with make_fetcher() as fetcher:
        try:
            feed = service.add_source(fetcher, url, name)
        except DaybookError as error:
            raise click.ClickException(f"{type(error).__name__}: {error}") from error
    click.echo(f"added {feed.source.name}: {feed.url}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed.")
def sources_list(as_json: bool) -> None:
    """Show every feed with its last success, last error and next poll."""
    _setup()
    from django.db.models import Count

    from daybook.news.models import Feed

    feeds = Feed.objects.select_related("source").annotate(n=Count("articles")).order_by("id")
    rows = [
        {
            "id": feed.source_id,
            "name": feed.source.name,
            "feed": feed.url,
            "articles": feed.n,
            "last_success": _iso(feed.last_success_at),
            "last_error": feed.last_error or None,
            "failures": feed.consecutive_failures,
            "interval": feed.interval_override or feed.poll_interval,
            "interval_override": feed.interval_override,
            "floor_override": feed.floor_override,
            "next_poll": _iso(feed.next_poll_at) if feed.active else None,
            "active": feed.active,
            "disabled_reason": feed.disabled_reason or None,
        }
        for feed in feeds
    ]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "id", "name", "feed", "articles", "last success", "last error", "interval", "next poll"
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["name"],
            row["feed"],
            str(row["articles"]),
            row["last_success"] or "never",
            _short(row["last_error"]),
            _duration(row["interval"]) + (" (fixed)" if row["interval_override"] else ""),
            row["next_poll"] or f"disabled: {_short(row['disabled_reason'], 40)}",
        )
    Console(width=200).print(table)


@sources.command("edit")
@click.argument("key")
@click.option("--interval", help="Fixed poll interval in seconds, or 'auto' to follow the feed.")
@click.option("--floor", help="Shortest interval in seconds for a feed you own, or 'auto'.")
@click.option("--enable/--disable", default=None, help="Resume or stop polling.")
@click.option("--name", help="New name of the publisher.")
def sources_edit(
    key: str, interval: str | None, floor: str | None, enable: bool | None, name: str | None
) -> None:
    """Change a source's polling: a fixed interval, a lower floor, on or off."""
    _setup()
    from daybook.errors import SourceError
    from daybook.news import sources as service

    try:
        feeds = service.edit_source(
            key,
            interval=_seconds_or_auto(interval, "--interval"),
            floor=_seconds_or_auto(floor, "--floor"),
            active=enable,
            name=name,
        )
    except SourceError as error:
        raise click.ClickException(str(error)) from error
    for feed in feeds:
        fixed, floor_set = feed.interval_override, feed.floor_override
        click.echo(
            f"{feed.source.name}: {feed.url} "
            f"interval {'fixed ' + _duration(fixed) if fixed else 'auto'}, "
            f"floor {_duration(floor_set) if floor_set else 'auto'}, "
            f"{'active' if feed.active else 'disabled'}"
        )


def _seconds_or_auto(value: str | None, option: str) -> int | bool | None:
    """None: not given; False: back to automatic; an int: seconds."""
    if value is None:
        return None
    if value.strip().lower() == "auto":
        return False
    if not value.strip().isdigit() or int(value) <= 0:
        raise click.BadParameter(
            f"{value!r} is neither a positive number of seconds nor 'auto'", param_hint=option
        )
    return int(value)


@sources.command("remove")
@click.argument("key")
def sources_remove(key: str) -> None:
    """Remove a source by id, name or feed URL (its stored articles stay)."""
    _setup()
    from daybook.errors import SourceError
    from daybook.news import sources as service

    try:
        source = service.remove_source(key)
    except SourceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"removed {source.name}")


@sources.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sources_import(path: Path) -> None:
    """Add every feed listed in an OPML file."""
    _setup()
    from daybook.errors import DaybookError
    from daybook.news import sources as service

    try:
        added, existing = service.import_opml(path.read_bytes())
    except DaybookError as error:
        raise click.ClickException(f"{path}: {error}") from error
    click.echo(f"imported {added} feeds ({existing} already present)")


@sources.command("export")
def sources_export() -> None:
    """Print the sources as OPML 2.0."""
    _setup()
    from daybook.news import sources as service

    click.echo(service.export_opml().decode())


# -- readers -------------------------------------------------------------------


@main.group()
def readers() -> None:
    """Reader accounts and the app passwords their reader apps sign in with."""


@readers.command("create")
@click.argument("name")
@click.option("--password", help="The account's password (default: one is made and printed).")
def readers_create(name: str, password: str | None) -> None:
    """Make a reader account."""
    _setup()
    from daybook.community import readers as service
    from daybook.errors import DaybookError

    try:
        user, made = service.create(name, password)
    except DaybookError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"made reader {user.get_username()}" + (f" with password {made}" if made else ""))


@readers.command("list")
def readers_list() -> None:
    """Every reader with their app passwords, follows and when an app last signed in."""
    _setup()
    from rich.console import Console
    from rich.table import Table

    from daybook.community import readers as service

    table = Table("name", "app passwords", "follows", "last used")
    for row in service.rows():
        last = _iso(row.last_used) or "never"
        table.add_row(row.name, str(row.app_passwords), str(row.follows), last)
    Console(width=200).print(table)


@readers.command("app-password")
@click.argument("name")
@click.option("--label", default="", help="Which app or device it is for.")
def readers_app_password(name: str, label: str) -> None:
    """Make an app password for a reader and print it (the only time it is shown)."""
    _setup()
    from daybook.community import app_passwords
    from daybook.community import readers as service
    from daybook.errors import DaybookError

    try:
        user = service.find(name)
    except DaybookError as error:
        raise click.ClickException(str(error)) from error
    _, secret = app_passwords.make(user, label)
    click.echo(secret)


# -- ingest, extract, export ----------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--url", "base_url", help="Base URL for the files given (links, identity).")
@click.option("--all", "poll_all", is_flag=True, help="Poll every active feed, due or not.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-enrich", is_flag=True, help="Store only; leave enrichment to `enrich`.")
def ingest(
    paths: tuple[Path, ...], base_url: str | None, poll_all: bool, quiet: bool, no_enrich: bool
) -> None:
    """Poll every due feed once, or ingest local files (feeds, pages, captures);
    then enrich what arrived and place it in stories."""
    _setup()
    from daybook.news.ingest import Ingester

    with _progress(quiet) as progress:
        ingester = Ingester(progress=progress)
        if paths:
            stats = ingester.ingest_paths(paths, base_url=base_url)
        else:
            stats = ingester.run_due(due_only=not poll_all, enrich=not no_enrich)
    _summary(stats)
    enriched = None if no_enrich else _enrich(stale=False, quiet=quiet)
    if stats.failed or stats.feeds_failed or (enriched and enriched.failed):
        sys.exit(1)


@main.command()
@click.option("--stale", is_flag=True, help="Also redo what an older model or method made.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def enrich(stale: bool, quiet: bool) -> None:
    """Enrich articles not enriched yet (and failures due for a retry): vector,
    summary, key points, entities, quotes, topics, story."""
    _setup()
    if _enrich(stale=stale, quiet=quiet).failed:
        sys.exit(1)


def _enrich(*, stale: bool, quiet: bool) -> Any:
    from daybook.news.enrich import Enricher

    with _progress(quiet, "enriching") as progress:
        stats = Enricher().run(stale=stale, progress=progress)
    click.echo(
        f"enriched: {stats.done} of {stats.total}, {stats.failed} failed; "
        f"{stats.stories} story summaries written"
    )
    for error in stats.errors[:20]:
        click.echo(f"  error: {error}", err=True)
    return stats


@main.group()
def stories() -> None:
    """Operate on story clusters."""


@stories.command("rebuild")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def stories_rebuild(quiet: bool) -> None:
    """Cluster every article again from scratch, in publication order."""
    _setup()
    from daybook.news.enrich import Enricher
    from daybook.news.stories import rebuild

    enricher = Enricher()
    with _progress(quiet, "clustering") as progress:
        stats = rebuild(enricher.embedder, progress=progress)
    click.echo(f"stories: {stats.stories} from {stats.done} articles, {stats.failed} failed")
    if stats.failed:
        sys.exit(1)


@main.command()
@click.argument("question")
@click.option("--article", "article_id", type=int, help="Ask about this article.")
@click.option("--story", "story_id", type=int, help="Ask about this story.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def ask(question: str, article_id: int | None, story_id: int | None, as_json: bool) -> None:
    """Answer a question with sentences from an article or a story."""
    if (article_id is None) == (story_id is None):
        raise click.UsageError("give exactly one of --article and --story")
    _setup()
    from daybook.errors import DaybookError
    from daybook.news.ask import ask_about

    try:
        result = ask_about(question, article_id=article_id, story_id=story_id)
    except (ValueError, LookupError, DaybookError) as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if not result["sentences"]:
        click.echo("No sentence answers that.")
    for item in result["sentences"]:
        click.echo(f"- {item['text']}  [{item['publisher']}, article {item['article']}]")
    if result.get("generated"):
        click.echo(f"\n{result['generated']}")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--url", "base_url", help="Base URL for files (links, canonical URL).")
def extract(inputs: tuple[str, ...], base_url: str | None) -> None:
    """Extract the article from files or URLs; one JSON object per input."""
    _setup()
    from daybook.news.fetching import make_fetcher
    from daybook.news.records import extract_inputs

    failed = False
    with make_fetcher() as fetcher:
        for record in extract_inputs(inputs, fetcher=fetcher, base_url=base_url):
            failed = failed or "error" in record
            click.echo(json.dumps(record, ensure_ascii=False))
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--jsonl", is_flag=True, required=True, help="One JSON object per line.")
def export(jsonl: bool) -> None:
    """Print every stored article."""
    _setup()
    from daybook.news.records import export_articles

    for record in export_articles():
        click.echo(json.dumps(record, ensure_ascii=False))


# -- demo and serve ---------------------------------------------------------------


DEMO_BASE_PORT = 8100


@main.command()
@click.option("--no-serve", is_flag=True, help="Stop after ingesting; print the summary.")
@click.option("--port", default=8000, show_default=True, help="Port of the web site.")
def demo(no_serve: bool, port: int) -> None:
    """Serve the invented demo corpus locally, ingest it, and open the site."""
    from daybook.demo.server import CorpusServer

    with CorpusServer(base_port=DEMO_BASE_PORT, to_now=True) as corpus:
        os.environ["DAYBOOK_ALLOWED_HOSTS"] = ",".join(
            filter(None, [os.environ.get("DAYBOOK_ALLOWED_HOSTS", ""), *corpus.hosts])
        )
        # The corpus servers are on this machine: spacing requests to them would
        # only make the demo slow.
        os.environ["DAYBOOK_HOST_DELAY"] = "0"
        _setup()
        from daybook.demo.run import ingest_demo

        with _progress(False) as progress:
            stats = ingest_demo(corpus, progress=progress)
        _summary(stats)
        _enrich(stale=False, quiet=False)
        from daybook.demo.run import demo_reader

        name, password = demo_reader()
        click.echo(f"demo reader: sign in as {name!r} with password {password!r}")
        if not no_serve:  # the corpus keeps serving: its pages and images are linked
            _serve(port)


@main.command()
@click.option("--port", default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", default=1, show_default=True, help="Web processes (PostgreSQL: more).")
@click.option("--threads", default=8, show_default=True, help="Threads per web process.")
@click.option(
    "--worker/--no-worker",
    "with_worker",
    default=True,
    show_default=True,
    help="Also run the scheduler and a task worker, so the site keeps itself current.",
)
def serve(port: int, host: str, workers: int, threads: int, with_worker: bool) -> None:
    """Serve the web site (and, by default, keep it current: scheduler and worker)."""
    _setup()
    _serve(port, host, workers=workers, threads=threads, with_worker=with_worker)


def _serve(
    port: int,
    host: str = "127.0.0.1",
    *,
    workers: int = 1,
    threads: int = 8,
    with_worker: bool = True,
) -> None:
    from daybook.web.server import serve as run

    click.echo(f"daybook is running on http://{host}:{port}/ (Ctrl+C to stop)")
    run(host, port, workers=workers, threads=threads, with_worker=with_worker)


@main.command()
@click.option("--concurrency", default=1, show_default=True, help="Worker processes.")
@click.option("--queues", help="Comma-separated queues to serve (default: all).")
@click.option("--no-tick", is_flag=True, help="Do not run the scheduler's tick here.")
def worker(concurrency: int, queues: str | None, no_tick: bool) -> None:
    """Run task workers and the scheduler's tick until stopped (SIGTERM, Ctrl+C)."""
    _setup()
    from django.conf import settings

    from daybook.news.worker import run

    chosen = [
        q.strip() for q in (queues or ",".join(settings.DAYBOOK_QUEUES)).split(",") if q.strip()
    ]
    unknown = sorted(set(chosen) - set(settings.DAYBOOK_QUEUES))
    if unknown:
        raise click.BadParameter(
            f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(settings.DAYBOOK_QUEUES)}",
            param_hint="--queues",
        )
    if concurrency < 1:
        raise click.BadParameter("must be at least 1", param_hint="--concurrency")
    run(chosen, concurrency=concurrency, tick=not no_tick)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Queues, workers, feeds due and the oldest unprocessed article."""
    _setup()
    from daybook.news.status import report

    data = report()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
        return
    click.echo(f"queue backend: {data['backend']}; last tick: {data['last_tick'] or 'never'}")
    for queue in data["queues"]:
        click.echo(
            f"  queue {queue['name']:<8} waiting {queue['waiting']:>6}  "
            f"running {queue['running']:>4}  failed {queue['failed']:>5}"
        )
    click.echo(f"workers seen in the last minute: {len(data['workers'])}")
    for seen in data["workers"]:
        click.echo(f"  {seen['name']} ({seen['queues']})")
    feeds = data["feeds"]
    click.echo(
        f"feeds: {feeds['active']} active, {feeds['disabled']} disabled, "
        f"{feeds['due']} due, {feeds['overdue']} overdue"
    )
    oldest = data["oldest_unprocessed_seconds"]
    age = f"{_duration(oldest)} old" if oldest is not None else "none"
    click.echo(f"oldest unprocessed article: {age}")


# -- helpers ------------------------------------------------------------------------


@contextmanager
def _progress(quiet: bool, label: str = "ingesting") -> Iterator[Any]:
    """A progress bar fed by a service's stats object: anything with ``total`` and
    ``done`` (or the ingester's ``feeds_total`` and ``feeds_done``) and a summary line."""
    if quiet or (not sys.stderr.isatty() and os.environ.get("DAYBOOK_PROGRESS") != "1"):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        transient=False,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(stats: Any) -> None:
            if hasattr(stats, "feeds_total"):
                total, done = stats.feeds_total, stats.feeds_done
                line = (
                    f"new {stats.new}  updated {stats.updated}  "
                    f"duplicate {stats.duplicate}  failed {stats.failed}"
                )
            else:
                total, done = stats.total, stats.done + stats.failed
                line = f"failed {stats.failed}"
            bar.update(task, total=total or None, completed=done, description=line)

        yield update


def _summary(stats: Any) -> None:
    click.echo(
        f"feeds: {stats.feeds_done}/{stats.feeds_total} done, {stats.feeds_failed} failed; "
        f"articles: {stats.new} new, {stats.updated} updated, {stats.duplicate} duplicate, "
        f"{stats.unchanged} unchanged, {stats.failed} failed"
    )
    for error in stats.errors[:20]:
        click.echo(f"  error: {error}", err=True)
    if len(stats.errors) > 20:
        click.echo(f"  ... and {len(stats.errors) - 20} more errors", err=True)


def _iso(moment: Any) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}".removesuffix(".0") + unit
    return f"{seconds}s"


def _short(text: str | None, limit: int = 60) -> str:
    if not text:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
