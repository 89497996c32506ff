"""Scripts and words: one definition of what a word is, for every stage that counts,
compares or searches them.

Most scripts separate words with spaces. Chinese and Japanese do not; Thai, Lao,
Myanmar and Khmer do not either, and Korean attaches its particles to words. For
those, word boundaries and tokenisers fail, so matching goes by character
(``UNSPACED_CHARS``). For counting, a CJK character (Han, kana, Hangul) is half a
word: a Japanese or Chinese word is two characters on average, so "six words"
means about the same amount of text in any language.
"""

from __future__ import annotations

import re

UNSPACED_CHARS = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff"
    "\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff01-\uffef"
    "\U00020000-\U0003134f"
)
"""Scripts whose words are not separated by spaces, or not only by them (Thai, Lao,
Myanmar, Khmer, CJK ideographs and punctuation, kana, Hangul), as the body of a
regex character class."""
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f"
"""Kana, Han ideographs, Hangul syllables and half-width katakana, as the body of a
regex character class: the characters read and counted one by one."""

_UNSPACED = re.compile(f"[{UNSPACED_CHARS}]")
CJK = re.compile(f"[{CJK_CHARS}]")


def unspaced(text: str) -> bool:
    """Whether ``text`` has a character of a script written without spaces."""
    return _UNSPACED.search(text) is not None


def cjk_count(text: str) -> int:
    """How many CJK characters ``text`` holds."""
    return len(CJK.findall(text))


def spaced_words(text: str) -> list[str]:
    """The space-separated words of ``text`` with its CJK characters left out; a
    run of punctuation alone is not a word."""
    return [w for w in CJK.sub(" ", text).split() if any(c.isalnum() for c in w)]


def word_count(text: str) -> int:
    """Words in ``text``, two CJK characters counting as one."""
    return len(spaced_words(text)) + cjk_count(text) // 2


_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def strip_invisible(text: str) -> str:
    """``text`` without zero-width characters and soft hyphens: pages set them to
    guide line breaks ("Netan&shy;yahu"), and left in they split one name in two."""
    return _INVISIBLE.sub("", text)
