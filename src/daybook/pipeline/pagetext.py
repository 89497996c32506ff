"""Articles from captured page text: what "select all, copy" on a news page gives.

A capture has lost its markup, so nothing says which line is the headline and
which is a "related articles" teaser. What survives is layout turned into lines,
and news pages are laid out alike whatever the site:

- a header: a logo line, the headline (often twice: once as the page title,
  once as the heading), the publisher glued to a date or an age
  ("Metro Wire2 hours ago": two elements on screen, no space between them),
  a photo caption and a byline ("By JANE DOE");
- the body: paragraph lines, mostly ending in sentence punctuation;
- the chrome: a copyright line, comment prompts, "Related ..." blocks whose
  teasers repeat their title and carry a publisher and an age, app prompts,
  and short UI lines ("Share", "Comments (12)").

So the parser works from these shapes (repeated lines, short lines ending in a
date, capitalised "By" lines, short lines versus paragraph lines, section
headings) rather than from any one site's wording, and is meant to read sites
it has never seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from rapidfuzz.distance import Indel

from daybook.errors import ExtractError
from daybook.pipeline.metadata import clean_authors, parse_date, split_trailing_date, to_utc
from daybook.pipeline.types import ExtractedArticle, RelatedTeaser
from daybook.text.dateline import find_dateline
from daybook.text.script import CJK, strip_invisible, word_count

_HEADER_WINDOW = 30
_MAX_WRAP = 100  # hard-wrapped text is wrapped at 72-80 columns, rarely more
_MAX_CAPTURE_CHARS = 2_000_000
_MAX_CHROME_LINES = 2_000  # a real page has a few dozen teasers; a hostile one, any number
_MAX_STAMP_CHARS = 160
_SENTENCE_END = ".!?。！？…"
_CLOSERS = "\"'”’»)）」』]】"

_AGE_BODY = (
    r"(?:(?P<num>\d{1,3}|an?|one)\s*"
    r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|"
    r"years?|yrs?|[smhdwy])\.?\s+ago"
    r"|(?P<jnum>\d{1,3})\s*(?P<junit>秒|分|時間|日|週間|か月|ヶ月|カ月|年)前"
    r"|(?P<word>yesterday|just now|moments? ago|a moment ago|昨日|たった今))"
)
_AGE = re.compile(_AGE_BODY, re.IGNORECASE)
_TRAILING_AGE = re.compile(r"(?P<prefix>.*?)(?P<age>" + _AGE_BODY + r")\s*$", re.IGNORECASE)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "秒": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "分": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "時間": 3600,
    "d": 86400,
    "day": 86400,
    "日": 86400,
    "w": 604800,
    "wk": 604800,
    "week": 604800,
    "週間": 604800,
    "mo": 2592000,
    "month": 2592000,
    "か月": 2592000,
    "ヶ月": 2592000,
    "カ月": 2592000,
    "y": 31536000,
    "yr": 31536000,
    "year": 31536000,
    "年": 31536000,
}
# Words that label a date rather than name a publisher ("Updated 2 hours ago").
_STAMP_LABEL = re.compile(
    r"^(?:(?:last\s+)?updated|published|posted|first published|date|最終更新|更新|配信|公開)"
    r"\s*(?:on|at)?\s*[:：]?\s*",
    re.IGNORECASE,
)
_STAMP_SUFFIX = re.compile(r"\s*(?:配信|更新|公開|掲載)$")
_SEPARATORS = " \t•·●▪|｜,，:：-–—/"
_BULLET = re.compile(r"^[•·●▪]\s*")
# The pieces of a publisher/age line: "Metro Wire • 2 hours ago", "METRO WIRE - 2 hours
# ago - 17:40 | All, World".
_STAMP_PARTS = re.compile(r"\s*[•·●▪|｜]\s*|\s+[-–—]\s+")
_CLOCK = re.compile(r"\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?", re.IGNORECASE)

_BYLINE = re.compile(
    r"^(?i:(?:written|words|text|story|reporting|report)\s+)?(?i:by)[:\s]+"
    r"(?=[A-Z\u00c0-\u024f\u3040-\u9fff])"
    r"|^(?:文|取材・文|記者|筆者)\s*[:：・]\s*",
)
_BYLINE_ROLE = re.compile(
    r",\s*(?:(?:senior|chief|staff|special|political|foreign)\s+)?"
    r"(?:writer|reporter|correspondent|editor|columnist)s?$",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\(photo\b|\bphotos?\s*(?::|by\b|courtesy\b|credit\b)|\bphotograph(?:ed)?\s+by\b|"
    r"\bimage\s*(?::|credit\b|courtesy\b)|\bcredit\s*:|\bfile photo\b|"
    r"REUTERS/|\bAP Photo\b|\bGetty Images\b|/AFP\b|\bAFP via\b|\bEPA-EFE\b|"
    r"写真|撮影|画像[:：]|"
    r"[\s(\[（](?:REUTERS|AFP|AP|EPA|Kyodo|Jiji|Xinhua|Yonhap|Bloomberg|共同|時事)[)\]）]?\s*$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:©|ⓒ|\(c\)\s*\d|copyright\s*(?:©|\(c\)|\d{4}))|all rights reserved|無断転載|著作権",
    re.IGNORECASE,
)
# Section labels printed above a headline; a logo fallback must not take them.
_SECTION = re.compile(
    r"^(?:news|top stories|breaking(?: news)?|opinion|editorial|analysis|comment|politics|world|"
    r"national|local|business|economy|markets|tech(?:nology)?|science|health|sports?|culture|"
    r"arts|entertainment|lifestyle|travel|weather|live|exclusive|features?|"
    r"国内|国際|政治|経済|社会|スポーツ|エンタメ|ライフ|地域|科学|速報)$",
    re.IGNORECASE,
)
_CRUMB = re.compile(r"\s[›>»/]\s")  # "News › Politics": a breadcrumb, not a logo
# A wire's closing credit: "(Reporting by Jane Doe; Editing by John Roe)".
_CREDIT_LINE = re.compile(
    r"^[(\[]?(?:additional )?(?:reporting|writing|editing|compiled|compiling|research)"
    r"(?: and \w+)? by\b.{0,200}$",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"^(?:source|出典|提供|配信元)\s*[:：]\s*(?P<name>.{1,60})$", re.IGNORECASE)

_COUNT = r"(?:\s*[(（]?\s*\d[\d,.]*\s*k?\s*[)）]?)?"
_COMMENT_HEADING = re.compile(
    r"^(?:\d[\d,]*\s+)?(?:comments?|replies|discussion|conversation|reader comments|"
    r"(?:be the first to|log ?in to|sign ?in to|sign up to|leave a|add a|post a|write a|"
    r"view all|show all|see all|load more|read all)\s+(?:\w+\s+){0,2}comments?|"
    r"join the (?:conversation|discussion)|what do you think\??|"
    r"コメント(?:する|を書く|を見る|一覧)?|コメント\s*\d*件?)" + _COUNT + r"[:.!]?$",
    re.IGNORECASE,
)
# An app prompt is short, starts with an imperative and names an app or a store:
# "Get the full story in the NewsLine app", "Download on the App Store".
_APP_HEADING = re.compile(
    r"^(?=.{1,90}$)(?!.*[.。]$)(?:get|download|install|open|read|continue|use|try|switch to|"
    r"view|available|keep reading)\b.*\b(?:apps?|application|app store|google play|play store)\b"
    r".{0,40}$|^(?:install(?: now)?|download|open in (?:the )?app)[.!]?$"
    r"|^(?:続きは|詳しくは)?アプリ(?:で|を|版で|から)?(?:続きを)?"
    r"(?:読む|開く|見る|ダウンロード|インストール|入手|チェック)?(?:する|しよう)?[!！]?$",
    re.IGNORECASE,
)
# Blocks that end the article but hold no teasers.
_OTHER_HEADING = re.compile(
    r"^(?:about the author|about (?:the|this) (?:reporter|writer)|author bio|more about\b.{0,30}|"
    r"(?:sign up|subscribe) (?:for|to) (?:our|the) \w+(?: \w+)?|newsletters?|"
    r"this article (?:is|was) (?:brought|provided) .{0,40}|"
    r"記者プロフィール|この記事を書いた人)[:.!]?$",
    re.IGNORECASE,
)
_RELATED_HEADING = re.compile(
    r"^(?:related(?:\s+(?:articles?|stories|news|content|coverage|reading|posts?|topics?))?|"
    r"more (?:from|on|in|about|stories|news|articles|to read|headlines)\b.{0,40}|more|"
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|"
    r"recommended(?:\s+(?:for you|stories|articles|reading))?|"
    r"read (?:more|next|also)|also read|see also|what to read next|up next|keep reading|"
    r"most (?:read|popular|viewed|shared)|popular(?: now| stories| articles)?|trending(?: now)?|"
    r"top (?:stories|news|headlines)|latest(?: news| stories| headlines)?|editor'?s picks?|"
    r"around the web|from (?:the web|our partners)|sponsored(?: content| stories)?|"
    r"(?:こちらも|あわせて|その他の)?(?:おすすめ|オススメ|関連|注目|人気)の?"
    r"(?:記事|ニュース|情報|トピックス|リンク)?|あわせて読みたい|こちらも読まれています|"
    r"人気(?:記事|ランキング)|アクセスランキング|ランキング|最新(?:記事|ニュース)|もっと見る)[:：.]?$",
    re.IGNORECASE,
)
# "More on the plan" may be a subheading inside the body: it is chrome only when
# no paragraph follows it.
_SOFT_HEADING = re.compile(r"^more\s+(?:on|in|about)\b", re.IGNORECASE)
_UI = re.compile(
    r"^(?:share(?: this(?: article| story)?| on \w+)?|tweet|email|e-mail|print|save|saved|"
    r"bookmark|like|likes|reply|report|follow(?:ing)?|unfollow|subscribe|sign ?in|sign ?up|"
    r"log ?in|log ?out|menu|search|home|close|back|next|previous|listen(?: to this article)?|"
    r"copy link|link copied|font size|text size|advertisement|advert|ad|sponsored|"
    r"scroll to continue(?: with content)?|story continues below(?: advertisement)?|"
    r"(?:skip|jump) to (?:the )?(?:main )?(?:content|navigation|menu|search|footer)|"
    r"continue reading|read more|see more|show more|load more|view more|more|"
    r"(?:read|view|see|open) (?:the )?(?:full|original|whole) (?:article|story|text)|"
    r"(?:read|view|open) (?:the )?(?:original|source)(?: article)?|"
    r"facebook|twitter|x|line|whatsapp|linkedin|reddit|hatena|"
    r"シェア|ツイート|保存|フォロー|フォローする|印刷|広告|続きを読む|もっと見る|閉じる)"
    + _COUNT
    + r"[.!]?$"
    r"|^(?:related|read more|see also|also read|read|more|関連)\s*[:：]\s*\S.*$"
    r"|^(?:tags?|topics?|filed under|categories|タグ)\s*[:：].*$",
    re.IGNORECASE,
)


def extract_capture(
    text: str, *, url: str | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """The article in a captured page text, with the related teasers found around it.

    An age ("14 hours ago") becomes a published time only relative to ``now``;
    without ``now`` it is left as None. An absolute date is always read (see
    ``metadata.parse_date`` for the day-first rule and the UTC default). Failing
    both, a wire dateline's day ("MANILA, Nov 20 (Reuters) -") dates the article.
    """
    if len(text) > _MAX_CAPTURE_CHARS:
        raise ExtractError(f"the captured text is too long ({len(text)} characters)")
    lines = _lines(text)
    if not lines:
        raise ExtractError("the captured text is empty")
    header = _read_header(lines)
    body, chrome_start = _read_body(lines, header.body_start)
    if not has_prose(body):
        raise ExtractError("no article body found in the captured text")
    chrome = lines[chrome_start : chrome_start + _MAX_CHROME_LINES]
    site_name = header.publisher or _source_name(lines) or _copyright_holder(chrome) or header.logo
    published = _when(header.stamp, now) if header.stamp else None
    return ExtractedArticle(
        text="\n\n".join(body),
        url=url,
        title=header.title,
        authors=clean_authors(header.byline, drop=[site_name]) if header.byline else (),
        published=published or _dateline_day(body[0], chrome, now),
        site_name=site_name,
        related=tuple(_read_related(chrome)),
    )


def has_prose(paragraphs: list[str]) -> bool:
    """Whether some paragraph reads like article prose, not a menu or a list of links."""
    return sum(len(p) for p in paragraphs) >= 60 and any(
        _ends_sentence(p) and word_count(p) >= 6 for p in paragraphs
    )


def drop_page_chrome(paragraphs: list[str]) -> list[str]:
    """Paragraphs up to a closing copyright line, without UI lines ("Share"), copyright
    lines or closing credits.

    For text that another extractor already took out of its page: it still lets
    a footer or a share bar through now and then. A copyright line ends the text
    only when most of the text is above it: one in a page's header, or a
    standard's front matter, is dropped alone.
    """
    weights = [word_count(p) for p in paragraphs]
    total = sum(weights)
    kept: list[str] = []
    above = 0.0
    for paragraph, weight in zip(paragraphs, weights, strict=True):
        if _COPYRIGHT.search(paragraph) and weight <= 20:
            if above >= total - above - weight:
                break
        elif not _UI.match(paragraph):
            kept.append(paragraph)
        above += weight
    return _drop_trailing_credits(kept)


def _drop_trailing_credits(paragraphs: list[str]) -> list[str]:
    """Without the closing credit lines: they name the staff, they are not the story."""
    while paragraphs and _CREDIT_LINE.match(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    return paragraphs


# ------------------------------------------------------------------------- lines


def _lines(text: str) -> list[str]:
    """Non-empty lines with invisible characters removed and spaces collapsed."""
    text = strip_invisible(text).replace("\u00a0", " ").replace("\u3000", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    if "" in lines:
        lines = _unwrap(lines)
    return [line for line in lines if line]


def _unwrap(lines: list[str]) -> list[str]:
    """Join paragraphs that were hard-wrapped at a fixed width (terminal or e-mail copies).

    Only text with blank lines between paragraphs can be wrapped this way. A
    line is joined to the next only when the next word would not have fitted
    on it (a break made on purpose leaves room), and only when at least three
    breaks look like that: one or two are a coincidence of line lengths.
    """
    widths = [len(line) for line in lines if 40 <= len(line) <= _MAX_WRAP]
    if len(widths) < 3:
        return lines
    width = max(widths)
    joins = [
        bool(previous and line and _wrapped(previous, line, width))
        for previous, line in zip(["", *lines], lines, strict=False)
    ]
    if sum(joins) < 3:
        return lines
    joined: list[str] = []
    for line, join in zip(lines, joins, strict=True):
        if join:
            joined[-1] += " " + line
        else:
            joined.append(line)
    return joined


def _wrapped(previous: str, line: str, width: int) -> bool:
    return (
        0.6 * width <= len(previous) <= width
        and len(previous) + 1 + len(line.split()[0]) > width
        and not CJK.search(previous)
        and (not _ends_sentence(previous) or line[0].islower())
        and not _BYLINE.match(line)
        and _stamp_line(line) is None
        and not _similar(previous, line)
    )


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS + " ")
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _norm(line: str) -> str:
    return re.sub(r"[\W_]+", "", line.casefold())


def _similar(a: str, b: str) -> bool:
    """Same line, or nearly: teasers often repeat their title truncated or re-worded."""
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    shorter, longer = sorted((na, nb), key=len)
    if len(shorter) >= 12 and longer.startswith(shorter):
        return True
    if len(shorter) < 8 or len(longer) > 400 or len(longer) > 1.5 * len(shorter):
        return False  # too different in length to be ~85% alike
    return Indel.normalized_similarity(na, nb) >= 0.85


def _best_copy(*copies: str) -> str:
    """Of a title printed more than once, the copy that is neither cut short ("…")
    nor carrying the site's name ("Headline | Daily Planet"); else the first."""
    whole = [c for c in copies if not c.endswith(("…", "..."))] or list(copies)
    shortest = min(whole, key=len)
    if all(_norm(c).startswith(_norm(shortest)) for c in whole):
        return shortest
    return whole[0]


@lru_cache(maxsize=4096)
def _is_name(line: str) -> bool:
    """A publisher-shaped line: a few words, capitalised, no sentence."""
    if not line or word_count(line) > 6 or len(line) > 50 or _ends_sentence(line):
        return False
    if _BYLINE.match(line) or _UI.match(line) or _is_heading(line):
        return False
    if line[0].islower() or line.replace(" ", "").isdigit() or ":" in line or "：" in line:
        return False  # a label ("Source: ...", "Updated: ...") is not a name
    # Names are capitalised ("Daily Planet", "The Asahi Shimbun"); a phrase is not.
    words = [w for w in re.findall(r"[^\W\d_]+", CJK.sub(" ", line)) if len(w) > 3]
    return not words or sum(w[0].isupper() for w in words) * 2 >= len(words)


def _is_heading(line: str) -> bool:
    return any(
        p.match(line) for p in (_COMMENT_HEADING, _APP_HEADING, _RELATED_HEADING, _OTHER_HEADING)
    )


def _is_title(line: str) -> bool:
    """Could head a teaser: not a sentence ending in a full stop, not too long."""
    stripped = line.rstrip(_CLOSERS + " ")
    return (
        1 <= word_count(line) <= 35
        and not stripped.endswith((".", "。"))
        and not _UI.match(line)
        and not _is_heading(line)
        and not _COPYRIGHT.search(line)
        and _stamp_line(line) is None
    )


# ------------------------------------------------------------------- stamps


def _split_stamp(part: str) -> tuple[str, str] | None:
    """(prefix, stamp) when ``part`` ends with a date or an age; the longest stamp wins."""
    if len(part) > _MAX_STAMP_CHARS:
        return None
    part = _STAMP_SUFFIX.sub("", part)  # "11/3(月) 14:05配信"
    found = split_trailing_date(part)
    age = _TRAILING_AGE.fullmatch(part)
    if age and (found is None or len(age["prefix"]) < len(found[0])):
        found = (age["prefix"], age["age"])
    return found


@lru_cache(maxsize=4096)
def _stamp_line(line: str) -> tuple[str | None, str | None] | None:
    """(publisher, stamp) for a publisher/date line, None for any other line.

    Recognised: "Metro Wire2 hours ago", "Metro Wire • 2 hours ago",
    "time5 hours ago" (an icon's label glued on), "03-11-2025", "• Metro Wire".
    """
    if word_count(line) > 14 or _BYLINE.match(line):
        return None
    bulleted = bool(_BULLET.match(line))
    parts = [p for p in _STAMP_PARTS.split(line) if p.strip()]
    if not parts:
        return None
    publisher: str | None = None
    stamp: str | None = None
    for part in parts:
        split = _split_stamp(part)
        if split is not None:
            stamp = stamp or split[1]
            prefix = _clean_prefix(split[0])
            if prefix is None:
                continue
            if not _is_name(prefix):
                return None
            publisher = publisher or prefix
        elif _STAMP_LABEL.fullmatch(part) or _CLOCK.fullmatch(part) or _sections(part):
            continue  # "Updated", "17:40", "All, World": beside the stamp, not a name
        elif _is_name(part):
            publisher = publisher or part
        else:
            return None
    if stamp is None and not (bulleted and publisher):
        return None
    return publisher, stamp


def _sections(part: str) -> bool:
    """A list of section labels ("All, World"), as printed beside a teaser's age."""
    labels = [label.strip() for label in part.split(",")]
    return all(_SECTION.match(label) or label.lower() == "all" for label in labels)


def _clean_prefix(prefix: str) -> str | None:
    """The publisher part of a stamp line, None when it is only a label or an icon name."""
    prefix = _STAMP_LABEL.sub("", prefix.strip(_SEPARATORS)).strip(_SEPARATORS)
    if not prefix or re.fullmatch(r"[a-z_]+", prefix):  # "time", "schedule": icon labels
        return None
    return prefix


def _when(stamp: str, now: datetime | None) -> datetime | None:
    """The time a stamp stands for: an absolute date always, an age only given ``now``."""
    absolute = parse_date(stamp, now=now)
    if absolute is not None or now is None:
        return absolute
    age = _AGE.fullmatch(stamp.strip())
    if age is None:
        return None
    now = to_utc(now)
    word = (age["word"] or "").lower()
    if word in ("yesterday", "昨日"):
        return now - timedelta(days=1)
    if word:
        return now
    if age["junit"]:
        return now - timedelta(seconds=int(age["jnum"]) * _UNIT_SECONDS[age["junit"]])
    num = age["num"].lower()
    count = 1 if num in ("a", "an", "one") else int(num)
    unit = age["unit"].lower().rstrip("s") or "s"
    return now - timedelta(seconds=count * _UNIT_SECONDS[unit])


def _dateline_day(first: str, chrome: list[str], now: datetime | None) -> datetime | None:
    """Noon UTC (the same calendar day from UTC-11 to UTC+11) of the day a dateline
    gives. It names no year: the latest such day not after ``now`` has it, or else
    the year of the capture's copyright line; with neither, the day stays unknown."""
    dateline = find_dateline(first)
    if dateline is None or dateline.date is None:
        return None
    if now is not None:
        now = to_utc(now)
        years = [now.year, now.year - 1]
    else:
        marked = [line for line in chrome if _COPYRIGHT.search(line)]
        years = sorted({int(y) for line in marked for y in re.findall(r"\b20\d\d\b", line)})[-1:]
    for year in years:
        day = parse_date(f"{dateline.date} {year}")
        if day is not None and (now is None or day <= now + timedelta(days=1)):
            return day.replace(hour=12)
    return None


# ------------------------------------------------------------------- header


@dataclass(frozen=True)
class _Header:
    title: str | None
    publisher: str | None
    stamp: str | None
    byline: str | None
    logo: str | None
    body_start: int


def _read_header(lines: list[str]) -> _Header:
    window = _first_paragraph(lines)
    stamp_at = next(
        (i for i in range(window) if (s := _stamp_line(lines[i])) is not None and s[1]), None
    )
    title_at = _headline(lines, window, stamp_at)
    title = _best_copy(*(lines[i] for i in title_at)) if title_at else None
    used = set(title_at or ())

    publisher = stamp = None
    if stamp_at is not None:
        publisher, stamp = _stamp_line(lines[stamp_at]) or (None, None)
        used.add(stamp_at)
        before = stamp_at - 1
        if (
            publisher is None
            and before >= 0
            and before not in used
            and _is_name(lines[before])
            and (title_at is None or before > max(title_at))
        ):
            publisher = lines[before]  # "Metro Wire" on its own line above "2 hours ago"
            used.add(before)
        after = stamp_at + 1
        if (
            publisher is None
            and after < len(lines)
            and after not in used
            and _is_name(lines[after])
        ):
            publisher = lines[after]  # or below it
            used.add(after)

    byline_at, byline = _byline(lines, min(len(lines), window + 4))
    if byline_at is not None:
        stamp = stamp or byline[1]
    start = max(used) + 1 if used else 0
    if byline_at is not None and byline_at >= start:
        start = byline_at + 1  # whatever sat between the date and the byline was a caption
    start = _skip_captions(lines, start)
    logo = next(
        (
            line
            for line in lines[: min(used, default=0)]
            if _is_name(line) and not _CRUMB.search(line) and not _SECTION.match(line)
        ),
        None,
    )
    return _Header(
        title=title,
        publisher=publisher,
        stamp=stamp,
        byline=byline[0] if byline_at is not None else None,
        logo=logo,
        body_start=start,
    )


def _first_paragraph(lines: list[str]) -> int:
    """Index of the first line that reads like body text; the header lies above it."""
    limit = min(len(lines), _HEADER_WINDOW)
    for i in range(limit):
        line = lines[i]
        if (
            _ends_sentence(line)
            and word_count(line) >= 10
            and not _CREDIT.search(line)
            and not _BYLINE.match(line)
            and not (i + 1 < len(lines) and _similar(line, lines[i + 1]))
        ):
            return i
    return limit


def _headline(lines: list[str], window: int, stamp_at: int | None) -> tuple[int, ...] | None:
    """Indexes of the headline (both, when it is printed twice)."""

    def candidate(i: int) -> bool:
        line = lines[i]
        return (
            i != stamp_at
            and word_count(line) >= 2
            and not _UI.match(line)
            and not _is_heading(line)
            and not _BYLINE.match(line)
            and not _CREDIT.search(line)
        )

    for i in range(window):
        if not candidate(i):
            continue
        for j in range(i + 1, min(i + 4, window + 1, len(lines))):
            if candidate(j) and _similar(lines[i], lines[j]):
                return (i, j)
    if stamp_at is not None:
        before = [i for i in range(stamp_at) if candidate(i) and word_count(lines[i]) >= 3]
        if before:
            return (max(before, key=lambda i: word_count(lines[i])),)
        after = [i for i in range(stamp_at + 1, window) if candidate(i) and _is_title(lines[i])]
        if after and word_count(lines[after[0]]) >= 3:
            return (after[0],)
        return None
    titles = [i for i in range(window) if candidate(i) and word_count(lines[i]) >= 3]
    titles = [i for i in titles if _is_title(lines[i])]
    if len(titles) > 1 and titles[0] == 0 and (word_count(lines[0]) <= 4 or lines[0].isupper()):
        titles.pop(0)  # a logo ("THE NORTHERN LEDGER") above the headline
    return (titles[0],) if titles else None


def _byline(lines: list[str], limit: int) -> tuple[int | None, tuple[str, str | None]]:
    """Where the byline is and (names, stamp): "By JANE DOE | Nov 3, 2025"."""
    for i in range(min(limit, len(lines))):
        line = lines[i]
        if word_count(line) > 16:
            continue
        if _BYLINE.match(line) or (_BYLINE_ROLE.search(line) and word_count(line) <= 8):
            names, stamp = line, None
            parts = re.split(r"\s*[•·|｜]\s*", line)
            for part in parts[1:]:
                split = _split_stamp(part)
                if split is not None and not split[0].strip(_SEPARATORS):
                    stamp = split[1]
                    names = names.replace(part, "")
            split = _split_stamp(names)
            if split is not None:
                names, stamp = split[0], stamp or split[1]
            return i, (names.strip(_SEPARATORS), stamp)
    return None, ("", None)


def _skip_captions(lines: list[str], start: int) -> int:
    """First body line after ``start``, skipping photo captions and UI lines."""
    skipped = 0
    while start < len(lines) - 1 and skipped < 3:
        line = lines[start]
        if _UI.match(line) or _SOURCE.match(line):
            start += 1
            continue
        caption = _CREDIT.search(line) or (
            not _ends_sentence(line) and word_count(line) >= 3 and not _is_heading(line)
        )
        if not caption:
            break
        start += 1
        skipped += 1
    return start


# --------------------------------------------------------------------- body


def _read_body(lines: list[str], start: int) -> tuple[list[str], int]:
    """Body paragraphs from ``start`` and the index where the page chrome begins."""
    end = _chrome_start(lines, start)
    body = [line for line in lines[start:end] if not (_UI.match(line) or _SOURCE.match(line))]
    while body and word_count(body[-1]) <= 4 and not _ends_sentence(body[-1]):
        body.pop()
    return _drop_trailing_credits(body), end


def _chrome_start(lines: list[str], start: int) -> int:
    for k in range(start, len(lines)):
        line = lines[k]
        if (_COPYRIGHT.search(line) and word_count(line) <= 25) or _is_heading(line):
            following = lines[k + 1] if k + 1 < len(lines) else ""
            if not (_SOFT_HEADING.match(line) and _ends_sentence(following)):
                return k
        if _stamp_line(line) is not None:
            # A teaser with no heading above it: its title (and publisher) sit above.
            for first in range(max(start + 1, k - 3), k):
                opened = _open_teaser(lines, first)
                if opened is not None and opened[3] > k:
                    return first
            return k
        if k + 1 < len(lines) and _is_title(line) and _similar(line, lines[k + 1]):
            return k  # a teaser title printed twice
    return len(lines)


def _source_name(lines: list[str]) -> str | None:
    for line in lines[:_HEADER_WINDOW]:
        match = _SOURCE.match(line)
        if match and _is_name(match["name"]):
            return match["name"].strip()
    return None


def _copyright_holder(chrome: list[str]) -> str | None:
    """ "© 2025 Metro Wire. All rights reserved." -> "Metro Wire"."""
    for line in chrome[:5]:
        if not _COPYRIGHT.search(line):
            continue
        holder = re.sub(r"(?i)all rights reserved.*$|無断転載.*$|copyright|\(c\)|[©ⓒ]", " ", line)
        holder = re.sub(r"\b\d{4}(?:\s*[-–]\s*\d{4})?\b", " ", holder)
        holder = " ".join(holder.split()).strip(_SEPARATORS + ".")
        return holder if holder and _is_name(holder) else None
    return None


# ------------------------------------------------------------------ related


def _read_related(chrome: list[str]) -> list[RelatedTeaser]:
    """Teasers from the chrome, section by section; comment and app sections are skipped."""
    teasers: list[RelatedTeaser] = []
    section: list[str] = []
    collecting = True
    for line in [*chrome, ""]:
        heading = bool(line) and _is_heading(line)
        if heading or not line:
            if collecting:
                teasers.extend(_teasers(section))
            section = []
            collecting = bool(line) and bool(_RELATED_HEADING.match(line))
            continue
        if not (_COPYRIGHT.search(line) or _UI.match(line)):
            section.append(line)
    return teasers


def _teasers(lines: list[str]) -> list[RelatedTeaser]:
    """Title [title again] [publisher] [publisher/age line] [text]... in a run of lines.

    A line opens a teaser only when it is printed twice or is followed by a
    publisher/age line; anything else (an unknown heading, a stray button) is
    passed over. A section that starts with a publisher/age line prints it
    above each title instead.
    """
    if lines and _stamp_line(lines[0]) is not None:
        return _stamp_first_teasers(lines)
    found: list[RelatedTeaser] = []
    i = 0
    while i < len(lines):
        opened = _open_teaser(lines, i)
        if opened is None:
            i += 1
            continue
        title, publisher, age, j = opened
        text: list[str] = []
        while j < len(lines) and _open_teaser(lines, j) is None:
            if word_count(lines[j]) > 4 or _ends_sentence(lines[j]):  # else a button or a label
                text.append(lines[j])
            j += 1
        found.append(
            RelatedTeaser(title=title, publisher=publisher, age=age, text="\n\n".join(text) or None)
        )
        i = j
    return found


def _stamp_first_teasers(lines: list[str]) -> list[RelatedTeaser]:
    """Teasers laid out as "Publisher · 2 hours ago", title, [title again], [text]."""
    found: list[RelatedTeaser] = []
    starts = [i for i, line in enumerate(lines) if _stamp_line(line) is not None]
    for at, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        body = lines[at + 1 : end]
        if not body or not _is_title(body[0]) or word_count(body[0]) < 3:
            continue
        publisher, age = _stamp_line(lines[at]) or (None, None)
        rest = body[2:] if len(body) > 1 and _similar(body[0], body[1]) else body[1:]
        text = [line for line in rest if word_count(line) > 4 or _ends_sentence(line)]
        found.append(
            RelatedTeaser(
                title=body[0], publisher=publisher, age=age, text="\n\n".join(text) or None
            )
        )
    return found


def _open_teaser(lines: list[str], i: int) -> tuple[str, str | None, str | None, int] | None:
    """(title, publisher, age, index after the teaser's header) if a teaser starts at ``i``."""
    title = lines[i]
    if not _is_title(title):
        return None
    j = i + 1
    repeated = j < len(lines) and _similar(title, lines[j])
    if repeated:
        title = _best_copy(title, lines[j])
        j += 1
    publisher: str | None = None
    age: str | None = None
    seen_stamp = False
    while j < len(lines):
        stamp = _stamp_line(lines[j])
        if stamp is not None:
            publisher = publisher or stamp[0]
            age = age or stamp[1]
            seen_stamp = True
            j += 1
            continue
        if publisher is None and not seen_stamp and _is_name(lines[j]):
            after = lines[j + 1] if j + 1 < len(lines) else None
            after_stamp = _stamp_line(after) if after is not None else None
            # A stamp line that names its own publisher leaves no room for this one.
            if (after_stamp is not None and after_stamp[0] is None) or (
                repeated
                and after_stamp is None
                and (after is None or not _is_title(after) or after.endswith(("…", "...")))
            ):
                publisher = lines[j]
                j += 1
                continue
        break
    if not (repeated or seen_stamp):
        return None
    return title, publisher, age, j
