"""How Ask does on real news pages: questions nobody here wrote the text for.

``bench/realask_facts.json`` holds questions written for this bench over the 24 real
pages ``bench/realquotes.py`` reads (from ``../shared/corpora/readability-test-pages/``
at run time; their text never enters the project), each with the paragraphs that
state its answer, as indexes into ``realquotes.paragraphs`` of the page, or null when
the page does not say. About half are worded unlike the text.

Each question is asked of its page alone, as an article's own Ask does. Right at 1
when the first answer sentence comes from a listed paragraph, at 3 when one of the
first three does; a question the page cannot answer is right only with no answer.
``bench/quality.py`` prints this beside the demo corpus's figure.

    .venv/bin/python bench/realask.py [--pages DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from realquotes import PAGES, paragraphs

from daybook.ai.ask import answer
from daybook.ai.embed import EmbedFn, load_embedder
from daybook.ai.text import Doc

FACTS = Path(__file__).with_name("realask_facts.json")


@dataclass
class AskScore:
    at1: int = 0
    at3: int = 0
    answerable: int = 0
    refused: int = 0
    unanswerable: int = 0

    def line(self) -> str:
        return (
            f"recall@1 {self.at1 / self.answerable:.3f}  recall@3 "
            f"{self.at3 / self.answerable:.3f} ({self.answerable} questions); no answer "
            f"where the page does not say: {self.refused}/{self.unanswerable}"
        )


def score(embed: EmbedFn, pages: Path = PAGES, *, verbose: bool = False) -> AskScore:
    questions = json.loads(FACTS.read_text("utf-8"))["questions"]
    docs: dict[str, Doc] = {}
    result = AskScore()
    for q in questions:
        if q["page"] not in docs:
            html = (pages / q["page"] / "expected.html").read_text(encoding="utf-8")
            docs[q["page"]] = Doc(len(docs), q["page"], tuple(paragraphs(html)))
        found = [c.sentence.paragraph for c in answer(q["question"], [docs[q["page"]]], embed)]
        if q["paragraphs"] is None:
            right = not found
            result.unanswerable += 1
            result.refused += right
        else:
            right = bool(found) and found[0] in q["paragraphs"]
            result.answerable += 1
            result.at1 += right
            result.at3 += any(p in q["paragraphs"] for p in found)
        if verbose and not right:
            print(f"  {q['page']:<28} {q['question']}  want {q['paragraphs']}, got {found}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--verbose", action="store_true", help="list the questions missed")
    args = parser.parse_args()
    embed = load_embedder().embed  # the default backend, as bench/quality.py uses
    print(f"ask on real pages:     {score(embed, args.pages, verbose=args.verbose).line()}")


if __name__ == "__main__":
    main()
