"""compare(): what a republishing outlet added to or cut from the wire original."""

from __future__ import annotations

import random

from daybook.pipeline.compare import MAX_PARAGRAPHS, Change, Comparison, compare

LEDE = (
    "TOKYO (Kyodo) -- The Bank of Japan kept its ultra-loose monetary policy unchanged on "
    "Tuesday, as policymakers said they wanted more evidence that wages would keep rising "
    "before ending eight years of negative interest rates."
)
SECOND = (
    "Governor Kazuo Ueda told reporters the central bank would scrutinise the outcome of "
    "this spring's wage talks between major companies and unions, with the first tally "
    "due in mid-March."
)
THIRD = (
    "The yen weakened to 148 per dollar after the decision, while the Nikkei stock average "
    "closed 1.2 percent higher at a fresh 34-year high."
)
FOURTH = (
    "Economists polled by Kyodo News expect the bank to scrap negative rates by April, "
    "though some said weak consumer spending could delay the move."
)
FIFTH = "Japan's core consumer prices rose 2.3 percent in December from a year earlier."
ORIGINAL = [LEDE, SECOND, THIRD, FOURTH, FIFTH]


def text(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def kinds(comparison: Comparison) -> list[str]:
    return [change.kind for change in comparison.changes]


def assert_spans_rebuild(change: Change, sep: str = " ") -> None:
    """Same+cut spans read as the original, same+added as the copy, with no repeated kind."""
    assert change.kind == "edited"
    assert sep.join(s.text for s in change.spans if s.kind != "added") == change.original
    assert sep.join(s.text for s in change.spans if s.kind != "cut") == change.copy
    assert all(s.text for s in change.spans)
    assert all(a.kind != b.kind for a, b in zip(change.spans, change.spans[1:], strict=False))


def test_identical_texts() -> None:
    result = compare(text(*ORIGINAL), text(*ORIGINAL))

    assert result.identical
    assert kinds(result) == ["same"] * 5
    assert (result.same, result.added, result.cut, result.edited) == (5, 0, 0, 0)
    assert [c.original for c in result.changes] == ORIGINAL
    assert [c.copy for c in result.changes] == ORIGINAL
    assert all(c.spans == () for c in result.changes)
    assert not result.truncated


def test_rewrapped_whitespace_is_not_a_change() -> None:
    rewrapped = "\r\n\r\n  \r\n".join(p.replace(" the ", "\n the  ") for p in ORIGINAL)

    result = compare(text(*ORIGINAL), rewrapped + "\n\n\n")

    assert result.identical
    assert [c.copy for c in result.changes] == ORIGINAL


def test_trimmed_copy_cuts_last_paragraphs() -> None:
    result = compare(text(*ORIGINAL), text(*ORIGINAL[:3]))

    assert kinds(result) == ["same", "same", "same", "cut", "cut"]
    assert [c.original for c in result.changes[3:]] == [FOURTH, FIFTH]
    assert all(c.copy is None for c in result.changes[3:])
    assert (result.cut, result.same) == (2, 3)
    assert not result.identical


def test_outlet_intro_and_closing_line_are_added() -> None:
    intro = "Our Tokyo desk reports on the central bank's first meeting of the year."
    closing = "Follow Asia Markets Daily for live coverage of the yen and Japanese stocks."

    result = compare(text(*ORIGINAL), text(intro, *ORIGINAL, closing))

    assert kinds(result) == ["added", "same", "same", "same", "same", "same", "added"]
    assert result.changes[0] == Change("added", None, intro, ())
    assert result.changes[-1] == Change("added", None, closing, ())
    assert result.added == 2


def test_changed_word_gives_same_cut_added_same() -> None:
    edited = THIRD.replace("weakened", "slipped")

    result = compare(text(*ORIGINAL), text(LEDE, SECOND, edited, FOURTH, FIFTH))

    assert kinds(result) == ["same", "same", "edited", "same", "same"]
    change = result.changes[2]
    assert (change.original, change.copy) == (THIRD, edited)
    assert [(s.kind, s.text) for s in change.spans] == [
        ("same", "The yen"),
        ("cut", "weakened"),
        ("added", "slipped"),
        ("same", THIRD.split("weakened ")[1]),
    ]
    assert_spans_rebuild(change)


def test_replaced_dateline_is_one_edited_paragraph() -> None:
    ours = LEDE.replace("TOKYO (Kyodo) --", "TOKYO, Jan 23 (Asia Markets Daily) —")

    result = compare(text(*ORIGINAL), text(ours, *ORIGINAL[1:]))

    assert kinds(result) == ["edited", "same", "same", "same", "same"]
    spans = result.changes[0].spans
    assert [(s.kind, s.text) for s in spans[:2]] == [
        ("cut", "TOKYO (Kyodo) --"),
        ("added", "TOKYO, Jan 23 (Asia Markets Daily) —"),
    ]
    assert spans[2].kind == "same" and spans[2].text.startswith("The Bank of Japan kept")
    assert_spans_rebuild(result.changes[0])


def test_dropped_sentence_is_an_edit_not_a_cut_and_an_add() -> None:
    original = SECOND + " Ueda said the bank was in no hurry."

    result = compare(text(LEDE, original, THIRD), text(LEDE, SECOND, THIRD))

    assert kinds(result) == ["same", "edited", "same"]
    assert [s.kind for s in result.changes[1].spans] == ["same", "cut"]
    assert result.changes[1].spans[1].text == "Ueda said the bank was in no hurry."


def test_every_paragraph_edited_pairs_each_in_order() -> None:
    copy = [
        LEDE.replace("Tuesday", "Tues."),
        SECOND.replace("scrutinise", "scrutinize"),
        THIRD.replace("percent", "per cent"),
        FOURTH.replace("polled", "surveyed"),
        FIFTH.replace("December", "Dec."),
    ]

    result = compare(text(*ORIGINAL), text(*copy))

    assert kinds(result) == ["edited"] * 5
    assert [(c.original, c.copy) for c in result.changes] == list(zip(ORIGINAL, copy, strict=True))
    for change in result.changes:
        assert_spans_rebuild(change)


def test_intro_paraphrasing_the_lede_does_not_take_its_pairing() -> None:
    intro = (
        "The Bank of Japan kept its monetary policy unchanged on Tuesday, a decision that "
        "sent the yen lower and stocks to a fresh high."
    )
    lede = LEDE.replace("(Kyodo)", "(Asia Markets Daily)")

    result = compare(text(*ORIGINAL), text(intro, lede, *ORIGINAL[1:]))

    assert kinds(result)[:2] == ["added", "edited"]
    assert result.changes[0].copy == intro
    assert (result.changes[1].original, result.changes[1].copy) == (LEDE, lede)


def test_unrelated_replacement_is_cut_and_added() -> None:
    other = "Heavy snow disrupted bullet train services across northern Japan on Tuesday."

    result = compare(text(LEDE, FOURTH, FIFTH), text(LEDE, other, FIFTH))

    assert kinds(result) == ["same", "cut", "added", "same"]
    assert (result.changes[1].original, result.changes[2].copy) == (FOURTH, other)


def test_reordering_is_shown_as_cut_and_added() -> None:
    result = compare(text(*ORIGINAL), text(LEDE, THIRD, SECOND, FOURTH, FIFTH))

    assert result.edited == 0
    moved = [c for c in result.changes if c.kind != "same"]
    assert len(moved) == 2
    assert {c.kind for c in moved} == {"cut", "added"}
    assert (moved[0].original or moved[0].copy) == (moved[1].original or moved[1].copy)
    assert (moved[0].original or moved[0].copy) in (SECOND, THIRD)
    assert not result.identical


def test_empty_copy_cuts_everything() -> None:
    result = compare(text(*ORIGINAL), "  \n\n \n")

    assert kinds(result) == ["cut"] * 5
    assert [c.original for c in result.changes] == ORIGINAL
    assert compare("", "").identical
    assert compare("", "").changes == ()


def test_japanese_paragraphs_pass_through_and_are_diffed_by_character() -> None:
    first = "【東京共同】日本銀行は23日、金融政策決定会合で大規模な金融緩和策の維持を決めた。"
    second = "植田和男総裁は記者会見で、春闘の結果を見極める考えを示した。"
    edited = first.replace("23日", "24日")

    same = compare(text(first, second), text(first, second))
    result = compare(text(first, second), text(edited, second))

    assert same.identical and [c.copy for c in same.changes] == [first, second]
    assert kinds(result) == ["edited", "same"]
    change = result.changes[0]
    assert [(s.kind, s.text) for s in change.spans] == [
        ("same", "【東京共同】日本銀行は"),
        ("cut", "23"),
        ("added", "24"),
        ("same", "日、金融政策決定会合で大規模な金融緩和策の維持を決めた。"),
    ]
    assert_spans_rebuild(change, sep="")


def test_html_like_text_passes_through_unchanged() -> None:
    hostile = 'Officials said <script>alert("x")</script> &amp; <b onclick="go()">more</b> later.'
    edited = hostile.replace("later.", "on Friday.")

    result = compare(text(LEDE, hostile), text(LEDE, edited))

    assert result.changes[1].original == hostile
    assert result.changes[1].copy == edited
    assert '<script>alert("x")</script> &amp; <b onclick="go()">more</b>' in (
        result.changes[1].spans[0].text
    )
    assert_spans_rebuild(result.changes[1])


def test_a_million_characters_in_thousands_of_paragraphs_is_truncated() -> None:
    many = [f"{ORIGINAL[i % 5]} (Item {i}.)" for i in range(6_000)]
    original = text(*many)
    copy = text(*(p.replace("Tuesday", "Wednesday") for p in many))
    assert len(original) > 1_000_000

    result = compare(original, copy)

    assert result.truncated and not result.identical
    assert result.edited + result.same + result.cut <= MAX_PARAGRAPHS
    assert result.edited == MAX_PARAGRAPHS // 5
    assert result.same == MAX_PARAGRAPHS - result.edited
    assert compare(original, original).truncated  # only the first 400 were looked at


def test_a_million_character_paragraph_is_cut_and_added_whole() -> None:
    original = " ".join([THIRD] * 8_000)
    copy = original.replace("weakened", "slipped", 1)
    assert len(original) > 1_000_000

    result = compare(original, copy + " " + "x" * 400_000)

    assert kinds(result) == ["edited"]
    assert [s.kind for s in result.changes[0].spans] == ["cut", "added"]
    assert_spans_rebuild(result.changes[0])
    assert not result.truncated


def test_a_repetitive_paragraph_is_diffed_by_word_like_any_other() -> None:
    words = ["the"] * 1_500
    original = " ".join(words)
    words[700] = "a"
    copy = " ".join(words)

    result = compare(text(LEDE, original), text(LEDE, copy))

    assert kinds(result) == ["same", "edited"]
    spans = result.changes[1].spans
    assert [(s.kind, s.text) for s in spans if s.kind != "same"] == [("cut", "the"), ("added", "a")]
    assert_spans_rebuild(result.changes[1])
    assert not result.truncated


def test_hostile_block_runs_out_of_budget_and_says_so() -> None:
    # 400 paragraphs a side, each a shuffle of the same 300 words: every pair
    # shares all its words, so each would need an order-aware diff.
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(300)]

    def shuffled() -> str:
        rng.shuffle(vocabulary)
        return " ".join(vocabulary)

    original = text(*(shuffled() for _ in range(MAX_PARAGRAPHS)))
    copy = text(*(shuffled() for _ in range(MAX_PARAGRAPHS)))

    result = compare(original, copy)

    assert result.truncated
    assert result.cut + result.edited == MAX_PARAGRAPHS
    assert result.added + result.edited == MAX_PARAGRAPHS
