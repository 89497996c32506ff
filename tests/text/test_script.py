"""One word count for every stage, whatever the script."""

from __future__ import annotations

from daybook.pipeline.normalise import normalise, reading_minutes
from daybook.pipeline.types import ExtractedArticle
from daybook.text.script import cjk_count, spaced_words, unspaced, word_count


def test_words_are_counted_alike_in_every_script() -> None:
    assert word_count("The ferry returns on Monday, the operator said.") == 8
    assert word_count("— 3.5% — !!") == 1  # punctuation alone is not a word
    assert word_count("東京都は新しい計画を発表した") == 7  # 14 characters, two to a word
    assert word_count("Tokyo 東京都庁") == 1 + 2
    assert spaced_words("Tokyo 東京 rises") == ["Tokyo", "rises"]
    assert cjk_count("ｶﾀｶﾅ と 한국") == 4 + 1 + 2


def test_the_stored_word_count_is_the_same_count() -> None:
    text = "東京都は二十日、新しい防災計画を発表した。\n\n計画は地震と洪水への備えを強める内容だ。"
    stored = normalise(ExtractedArticle(text=text), url="https://jp.example/a")
    assert stored.word_count == word_count(text)
    assert reading_minutes(text) == 1


def test_scripts_written_without_spaces() -> None:
    assert unspaced("防災") and unspaced("ภาษาไทย") and unspaced("한국어")
    assert not unspaced("Tokyo") and not unspaced("Ελληνικά")
