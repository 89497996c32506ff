from daybook.pipeline import dedupe

WIRE = "\n\n".join(
    [
        "The central bank kept its key interest rate unchanged on Thursday, citing uneven "
        "wage growth and a weaker yen that has pushed up the cost of imported food and fuel.",
        "Governor Aiko Tanabe told reporters the board wanted more evidence that price gains "
        "were being driven by domestic demand rather than by temporary factors abroad.",
        "Economists polled last week had been split, with a narrow majority expecting the "
        "bank to wait until the spring wage talks conclude before moving again.",
        "The decision was made by a seven to two vote, with two members arguing for an "
        "immediate quarter point increase to cool services inflation.",
        "Markets reacted calmly, with the yen little changed against the dollar in late "
        "trading and government bond yields edging slightly lower.",
    ]
)
OTHER = (
    "A record number of visitors crowded the northern island's snow festival this weekend, "
    "where sculptors carved castles, trains and cartoon characters out of packed ice while "
    "food stalls sold grilled scallops and hot corn soup to queues that stretched for blocks."
)


def paragraphs(text):
    return text.split("\n\n")


def test_trimmed_copy_with_new_paragraph_is_near_duplicate():
    parts = paragraphs(WIRE)
    copy = "\n\n".join(
        [*parts[:4], "Local exporters in the prefecture said they would review their plans."]
    )
    score = dedupe.containment(dedupe.signature(WIRE), dedupe.signature(copy))
    assert score >= 0.6


def test_unrelated_texts_are_not_near_duplicates():
    score = dedupe.containment(dedupe.signature(WIRE), dedupe.signature(OTHER))
    assert score < 0.2


def test_near_duplicates_share_a_band_and_unrelated_do_not():
    copy = "\n\n".join(paragraphs(WIRE)[:3])
    wire_keys = set(dedupe.band_keys(dedupe.signature(WIRE)))
    assert wire_keys & set(dedupe.band_keys(dedupe.signature(copy)))
    assert not wire_keys & set(dedupe.band_keys(dedupe.signature(OTHER)))


def test_signature_round_trips_through_bytes():
    sig = dedupe.signature(WIRE)
    again = dedupe.Signature.from_bytes(sig.to_bytes(), sig.shingle_count)
    assert dedupe.jaccard(sig, again) == 1.0


def test_best_match_picks_the_highest_score_above_threshold():
    sig = dedupe.signature(WIRE)
    candidates = {
        1: dedupe.signature(OTHER),
        2: dedupe.signature("\n\n".join(paragraphs(WIRE)[:2])),
        3: dedupe.signature(WIRE + "\n\nOne more closing paragraph about the outlook."),
    }
    match = dedupe.best_match(sig, candidates, 0.6)
    assert match is not None and match.article_id in (2, 3)
    assert dedupe.best_match(sig, {1: candidates[1]}, 0.6) is None
    assert dedupe.containment(sig, dedupe.signature("")) == 0.0
