"""What a signed-in reader has saved, followed and muted, for any page to use.

Pages for signed-out readers are shared and cached; a signed-in reader's page is
the shared data passed through this state (see ``daybook.web.reader``), so the
state is read once per request, in five small queries, and kept on the request.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from django.http import HttpRequest

from daybook.community import reading
from daybook.community.models import Bookmark, Follow, Mute
from daybook.community.reading import ReadState
from daybook.text.script import unspaced

_ATTRIBUTE = "_daybook_reader_state"


def fold(text: str) -> str:
    """Text compared case-insensitively and width-insensitively (ＡＢＣ = abc,
    half-width ｶﾀｶﾅ = カタカナ)."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class ReaderState:
    bookmarks: frozenset[int] = frozenset()
    follows: frozenset[tuple[str, str]] = frozenset()
    """(kind, key): ("publisher", "3"), ("topic", "Sports"), ("entity", "12")."""
    muted_publishers: frozenset[int] = frozenset()
    muted_words: tuple[str, ...] = field(default=())
    reading: ReadState = field(default_factory=ReadState)
    """What the reader has read (``daybook.community.reading``)."""

    @cached_property
    def _word_pattern(self) -> re.Pattern[str] | None:
        parts = [
            # In scripts without spaces a muted word is found as a substring
            # ("地震" in "能登地震の被害"), elsewhere only as a whole word.
            re.escape(w) if unspaced(w) else rf"(?<!\w){re.escape(w)}(?!\w)"
            for w in (fold(word) for word in self.muted_words)
            if w
        ]
        return re.compile("|".join(parts)) if parts else None

    def hides(self, title: str, teaser: str, publisher_id: int | None) -> bool:
        """Whether an article (or story) with this title and teaser is muted: its
        publisher is, or a muted word appears in it as a whole word (as a
        substring in scripts without spaces)."""
        if publisher_id is not None and publisher_id in self.muted_publishers:
            return True
        pattern = self._word_pattern
        return pattern is not None and pattern.search(fold(f"{title}\n{teaser}")) is not None

    def follows_target(self, kind: str, key: str | int) -> bool:
        return (kind, str(key)) in self.follows


def load(user_id: int) -> ReaderState:
    mutes = list(Mute.objects.filter(user_id=user_id).values_list("kind", "key"))
    return ReaderState(
        bookmarks=frozenset(
            Bookmark.objects.filter(user_id=user_id).values_list("article_id", flat=True)
        ),
        follows=frozenset(Follow.objects.filter(user_id=user_id).values_list("kind", "key")),
        muted_publishers=frozenset(
            int(key) for kind, key in mutes if kind == Mute.Kind.PUBLISHER and key.isdigit()
        ),
        muted_words=tuple(key for kind, key in mutes if kind == Mute.Kind.WORD),
        reading=reading.load(user_id),
    )


def state_for(request: HttpRequest) -> ReaderState | None:
    """The signed-in reader's state, read once per request; None when signed out."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    state = getattr(request, _ATTRIBUTE, None)
    if state is None:
        state = load(user.pk)
        setattr(request, _ATTRIBUTE, state)
    return state


def forget(request: HttpRequest) -> None:
    """Drop the memoised state after the request itself changed it."""
    if hasattr(request, _ATTRIBUTE):
        delattr(request, _ATTRIBUTE)
