"""How good the enrichment is, measured against the demo corpus's ground truth.

The corpus is served on 127.0.0.1 and goes through the real path, as `daybook demo`
runs it: ingest (feeds, pages, captures), enrich, cluster. Then every stored article
is matched to its truth.json entry and scored:

- stories: B-cubed precision, recall and F1 of stories against truth events;
- near-duplicates: pairwise precision and recall of copy groups;
- entities: micro precision and recall of canonical names per article;
- quotes: share of truth quotes found with the right speaker;
- topics: micro precision, recall and F1, and exact-set accuracy (World, which the
  corpus does not name, is expected where its regions make an article foreign news);
- summaries: ROUGE-1/2/L F1 against the reference summaries, next to a lead-3
  baseline (the article's first three sentences) computed in the same run, and the
  paired margin over lead-3 with a 95% bootstrap interval;
- related articles: precision@5, where a related article counts when it shares the
  event or a named entity with the article, and stricter, the event or a person or
  organisation, and the event alone;
- ask: recall@1 and @3 of the facts in the corpus's questions.json, and how often a
  question the articles cannot answer gets no answer; then the same over real news
  pages (bench/realask.py), when ../shared holds them.

    .venv/bin/python bench/quality.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from statistics import mean
from typing import Any

import realask


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="daybook-quality-")
    os.environ["DAYBOOK_DATA_DIR"] = workdir
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/quality.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "daybook.settings"

    from daybook.demo.server import CorpusServer, load_truth

    with CorpusServer() as corpus:
        os.environ["DAYBOOK_ALLOWED_HOSTS"] = ",".join(corpus.hosts)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        if args.database_url:
            call_command("flush", verbosity=0, interactive=False)
        from daybook.demo.run import ingest_demo
        from daybook.news.enrich import Enricher

        ingest_demo(corpus)
        stats = Enricher().run()
        print(f"enriched {stats.done} articles, {stats.failed} failed")
        truth = load_truth()
        rows = _match(corpus, truth["articles"])
        report(truth["articles"], rows)


def _match(corpus: Any, articles: list[dict[str, Any]]) -> dict[str, Any]:
    """truth id -> stored Article row (several truth ids may share one row)."""
    from daybook.news.models import ArticleLink

    rows: dict[str, Any] = {}
    for article in articles:
        if article["kind"] == "page":
            url = corpus.local_url(article["url"])
        else:
            url = (corpus.corpus / article["file"]).resolve().as_uri()
        link = ArticleLink.objects.select_related("article").filter(url=url).first()
        if link is not None:
            rows[article["id"]] = link.article
    return rows


def report(articles: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    by_id = {a["id"]: a for a in articles}
    matched = [a for a in articles if a["id"] in rows]
    print(f"matched {len(matched)}/{len(articles)} truth articles to stored rows")
    _stories(matched, rows)
    _duplicates(matched, rows, by_id)
    _entities(matched, rows)
    _quotes(matched, rows)
    _topics(matched, rows)
    _summaries(matched, rows)
    _related(matched, rows)
    _ask(matched, rows)


def _ask(matched: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    """Each question of the corpus's questions.json asked of its event's stored
    articles, as a story page asks: right at 1 when the first answer holds the fact,
    at 3 when one of the first three does; a question the articles cannot answer is
    right only with no answer."""
    import json

    from django.conf import settings

    from daybook.ai.ask import answer
    from daybook.ai.embed import load_embedder
    from daybook.demo.server import CORPUS
    from daybook.news.ask import as_doc

    embed = load_embedder(settings.DAYBOOK_EMBEDDING_BACKEND).embed
    events: dict[str, dict[int, Any]] = defaultdict(dict)
    for a in matched:
        events[a["event"]][rows[a["id"]].pk] = rows[a["id"]]
    questions = json.loads((CORPUS / "questions.json").read_text("utf-8"))["questions"]
    at1 = at3 = answerable = refused = unanswerable = 0
    for q in questions:
        docs = [as_doc(row) for row in events[q["event"]].values()]
        texts = [c.sentence.text for c in answer(q["question"], docs, embed)]
        if q["answer"] is None:
            unanswerable += 1
            refused += not texts
            continue
        answerable += 1
        at1 += bool(texts) and q["answer"] in texts[0]
        at3 += any(q["answer"] in t for t in texts)
    print(
        f"ask:                   recall@1 {at1 / answerable:.3f}  recall@3 "
        f"{at3 / answerable:.3f} ({answerable} questions); no answer where the articles "
        f"do not say: {refused}/{unanswerable}"
    )
    if realask.PAGES.is_dir():
        print(f"ask on real pages:     {realask.score(embed).line()}")


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _stories(matched: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    predicted = {a["id"]: rows[a["id"]].story_id for a in matched}
    event = {a["id"]: a["event"] for a in matched}
    precision, recall = [], []
    for a in matched:
        same_story = {b["id"] for b in matched if predicted[b["id"]] == predicted[a["id"]]}
        same_event = {b["id"] for b in matched if event[b["id"]] == event[a["id"]]}
        both = len(same_story & same_event)
        precision.append(both / len(same_story))
        recall.append(both / len(same_event))
    p, r = mean(precision), mean(recall)
    stories = len(set(predicted.values()))
    events = len(set(event.values()))
    print(
        f"stories (B-cubed):     precision {p:.3f}  recall {r:.3f}  F1 {2 * p * r / (p + r):.3f}"
        f"  ({stories} stories for {events} events)"
    )


def _duplicates(
    matched: list[dict[str, Any]], rows: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> None:
    def truth_root(article: dict[str, Any]) -> str:
        while article["copy_of"]:
            article = by_id[article["copy_of"]]
        return str(article["id"])

    def stored_root(row: Any) -> int:
        return int(row.copy_of_id or row.pk)

    tp = fp = fn = 0
    for a, b in combinations(matched, 2):
        same_truth = truth_root(a) == truth_root(b)
        same_stored = stored_root(rows[a["id"]]) == stored_root(rows[b["id"]])
        tp += same_truth and same_stored
        fp += same_stored and not same_truth
        fn += same_truth and not same_stored
    p, r, _ = _prf(tp, fp, fn)
    print(f"near-duplicates:       precision {p:.3f}  recall {r:.3f}  ({tp + fn} true pairs)")


def _names(values: Iterable[str]) -> set[str]:
    return {v.casefold() for v in values}


def _entities(matched: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    tp = fp = fn = 0
    for a in matched:
        truth = _names(a["people"] + a["organisations"] + a["places"])
        found = _names(rows[a["id"]].mentions.values_list("entity__name", flat=True))
        tp += len(truth & found)
        fp += len(found - truth)
        fn += len(truth - found)
    p, r, f = _prf(tp, fp, fn)
    print(f"entities:              precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\w+", text.casefold())


def _overlaps(a: str, b: str) -> bool:
    """Quote texts match when most of the shorter one's words are in the longer."""
    x, y = _words(a), _words(b)
    if not x or not y:
        return False
    short, long = (x, set(y)) if len(x) <= len(y) else (y, set(x))
    return sum(w in long for w in short) / len(short) >= 0.8


def _quotes(matched: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    total = found = right = 0
    for a in matched:
        stored = list(rows[a["id"]].quotes.select_related("speaker"))
        for quote in a["quotes"]:
            total += 1
            hit = next((q for q in stored if _overlaps(q.text, quote["text"])), None)
            if hit is None:
                continue
            found += 1
            right += hit.speaker is not None and hit.speaker.name == quote["speaker"]
    print(
        f"quotes:                speaker accuracy {right / total:.3f} "
        f"({right}/{total}; {found} quotes found)"
    )


def _topics(matched: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    from daybook.demo.server import truth_topics

    tp = fp = fn = exact = 0
    for a in matched:
        truth, found = truth_topics(a), set(rows[a["id"]].topics)
        tp += len(truth & found)
        fp += len(found - truth)
        fn += len(truth - found)
        exact += truth == found
    p, r, f = _prf(tp, fp, fn)
    print(
        f"topics:                precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
        f"exact-set accuracy {exact / len(matched):.3f}"
    )


def _summaries(matched: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    from rouge_score import rouge_scorer

    from daybook.ai.text import paragraphs, split_sentences

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    ours: dict[str, list[float]] = defaultdict(list)
    lead: dict[str, list[float]] = defaultdict(list)
    for a in matched:
        reference = a.get("reference_summary")
        if not reference:
            continue
        row = rows[a["id"]]
        summary = " ".join(s["text"] for s in row.summary)
        lead3 = " ".join(s.text for s in split_sentences(paragraphs(row.text))[:3])
        for name, score in scorer.score(reference, summary).items():
            ours[name].append(score.fmeasure)
        for name, score in scorer.score(reference, lead3).items():
            lead[name].append(score.fmeasure)
    count = len(ours["rouge1"])
    if not count:
        print("summaries:             no reference summaries in truth.json")
        return
    for label, scores in (("daybook", ours), ("lead-3 ", lead)):
        print(
            f"summary ROUGE {label}: R1 {mean(scores['rouge1']):.3f}  "
            f"R2 {mean(scores['rouge2']):.3f}  RL {mean(scores['rougeL']):.3f}  "
            f"({count} references)"
        )
    for name in ("rouge1", "rouge2", "rougeL"):
        low, high = _bootstrap_margin(ours[name], lead[name])
        margin = mean(ours[name]) - mean(lead[name])
        verdict = "beats lead-3" if low > 0 else "does not beat lead-3"
        print(
            f"summary margin {name:7}: {margin:+.3f} (95% bootstrap interval "
            f"{low:+.3f} to {high:+.3f}): {verdict}"
        )


def _bootstrap_margin(
    ours: list[float], baseline: list[float], rounds: int = 10_000
) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the mean paired difference over resampled
    references: the margin counts only when the whole interval is above zero."""
    import numpy as np

    differences = np.asarray(ours) - np.asarray(baseline)
    rng = np.random.default_rng(20261202)  # fixed, so one corpus gives one interval
    picks = rng.integers(0, len(differences), size=(rounds, len(differences)))
    means = differences[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def _related(matched: list[dict[str, Any]], rows: dict[str, Any]) -> None:
    from daybook.news.related import related_ids

    truth_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in matched:
        truth_of[rows[a["id"]].pk].append(a)
    precisions, specific, same_event, lengths = [], [], [], []
    counted: set[int] = set()
    for a in matched:
        row = rows[a["id"]]
        if row.copy_of_id is not None or row.pk in counted:
            continue
        counted.add(row.pk)
        related = related_ids(row, limit=5)
        lengths.append(len(related))
        if not related:
            continue
        names = _names(a["people"] + a["organisations"] + a["places"])
        actors = _names(a["people"] + a["organisations"])
        good = sharp = same = 0
        for pk in related:
            others = truth_of.get(pk, [])
            good += any(
                o["event"] == a["event"]
                or names & _names(o["people"] + o["organisations"] + o["places"])
                for o in others
            )
            sharp += any(
                o["event"] == a["event"] or actors & _names(o["people"] + o["organisations"])
                for o in others
            )
            same += any(o["event"] == a["event"] for o in others)
        precisions.append(good / len(related))
        specific.append(sharp / len(related))
        same_event.append(same / len(related))
    print(
        f"related precision@5:   {mean(precisions):.3f} (same event or a shared person or "
        f"organisation: {mean(specific):.3f}; same event only: {mean(same_event):.3f}); "
        f"{mean(lengths):.2f} related a list over {len(lengths)} originals, "
        f"{lengths.count(0)} with none"
    )


if __name__ == "__main__":
    main()
