"""Quote verification: a quote is verified only when a reader would find it on the source page.

The rule, written once (the Method page and README say the same in prose):

1. **Where.** The locator names a part of the source, and each part is shown as separate pieces
   of text, its *segments*; a quote must lie within one segment. `tldr`, `bottom-line` and
   `moment/<at>` are one segment each; `insight/<id>` is the point's title and its text (two
   segments); `table/<id>` is the table's title, each column header and each cell, every one a
   segment of its own; `body` is the text the rendered Markdown shows, one segment per paragraph,
   heading, list item paragraph, table cell and code block. Of the body, link targets, link
   titles, reference definitions and images (the sanitiser drops them, alt text included) are not
   text; Markdown syntax is not either (`**a**` shows `a`); text that looks like HTML (a tag or a
   comment: the page prints it escaped, another renderer would hide it) is never quotable, and a
   quote cannot reach across it or start or end in a word it splits.
2. **Normalisation**, applied to quote and segment alike, changes nothing a reader would read
   differently: Unicode NFC (canonical composition only: superscripts, subscripts, fractions and
   full-width forms stay distinct, so `10⁶` never reads `106`); invisible characters dropped
   (soft hyphen, zero-width spaces and joiners, direction marks, byte-order mark, tag characters,
   control characters); typographic quotes and primes to `'` and `"`; dashes (U+2010-U+2015,
   U+2E3A/B, the small and full-width forms) and the minus sign U+2212 to `-` (a minus and a
   hyphen-minus read alike in `-5%`); every run of whitespace, non-breaking spaces included, to
   one space; full Unicode case folding (which also spells out a few ligatures, `ﬁ` as `fi`).
3. **Whole words.** After normalising, the quote must occur in the segment starting and ending at
   word boundaries: never inside a word. A word is a run of letters, digits and combining marks,
   in which an apostrophe between two such characters (`can't`), a `.`, `,`, `:`, `/` or `^`
   between two digits (`3.5`, `1,000`, `10:30`, `1/2`, `10^6`), and a `-`, `+` or `.` directly
   before a number that does not continue a word (`-5%`, `.5`) stay inside the word, so a quote
   can never cut a number or a contraction. Two more ways a quote could change a number are
   refused: a quote that starts with such a sign where the source has it between two words or
   numbers (`-30%` is not in `20-30%`, `+2` is not in `1+2`), and a quote that starts or ends
   between digit groups written with a space (`5` is not in `5 000 units`, nor `000 units`).
   Chinese and Japanese characters are words each on
   their own (those scripts put no space between words). A combining mark stays with the character
   it sits on. A quote must hold at least one letter or digit.

Used by `graph` when linking evidence: `located_parts` gives each locator's `LocatedText`, which
normalises its segments once, when it is first asked, however many quotes cite it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.token import Token

from .markup import body_tokens
from .models import Source

_INVISIBLE = {
    0xAD, 0x61C, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
    *range(0x2060, 0x2065), *range(0x2066, 0x2070), *range(0xE0000, 0xE0080),
    *(c for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if not chr(c).isspace()),
}
_TYPOGRAPHIC = str.maketrans({
    **dict.fromkeys(_INVISIBLE),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u2039\u203a\uff07", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d", "-"),
})
_WHITESPACE = re.compile(r"\s+")

_MARKUP = "\ue000"
"""Stands, in a body segment, for text that looks like HTML (a private-use character, which no
verified quote may contain). It is transparent to words: a tag inside a word leaves one word, a
tag beside a space or punctuation is a boundary; a quote cannot reach across it."""
_INSIDE_NUMBER = frozenset(".,:/^")
_NUMBER_SIGN = frozenset("-+.")
_DIGIT_GROUP_AFTER = re.compile(r" \d{3}(?!\w)")
"""A group of a number written in space-separated groups: three digits that are a word of their
own (`5 000`, not `5 000A`)."""
_DIGIT_GROUP_BEFORE = re.compile(r"\d $")
_STANDALONE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def normalise_text(text: str) -> str:
    """The form in which quotes and source text are compared (rule 2 of the module docstring)."""
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC).casefold()
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _is_word(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def _is_number(char: str) -> bool:
    return unicodedata.category(char)[0] == "N"


def _joined(text: str, at: int) -> bool:
    """Whether `text[at - 1]` and `text[at]` belong to one word (rule 3): `at` is no boundary."""
    if at <= 0 or at >= len(text):
        return False
    before, after = text[at - 1], text[at]
    if _MARKUP in (before, after):
        left, right = text[:at].rstrip(_MARKUP)[-1:], text[at:].lstrip(_MARKUP)[:1]
        return bool(left and right) and _is_word(left) and _is_word(right)
    if unicodedata.category(after)[0] == "M":
        return True  # a combining mark never leaves the character it sits on
    if _is_word(before) and _is_word(after):
        return not (_STANDALONE.match(before) or _STANDALONE.match(after))
    if _is_word(before) and at + 1 < len(text):
        return _inside_word(before, after, text[at + 1])
    if _is_word(after) and at >= 2 and _inside_word(text[at - 2], before, after):
        return True
    return (before in _NUMBER_SIGN and _is_number(after)
            and (at < 2 or not _is_word(text[at - 2])))


def _inside_word(left: str, middle: str, right: str) -> bool:
    """Whether the punctuation `middle` between `left` and `right` is part of one word."""
    if middle == "'":
        return _is_word(left) and _is_word(right)
    return middle in _INSIDE_NUMBER and _is_number(left) and _is_number(right)


def _changes_a_number(segment: str, start: int, end: int) -> bool:
    """Whether taking `segment[start:end]` alone would read a number the source does not state
    (rule 3): a sign the source has between two words (`20-30%` → `-30%`), or one group of a
    number whose digit groups are separated by spaces (`5 000` → `5`, `000`)."""
    quote = segment[start:end]
    if quote[0] in _NUMBER_SIGN and len(quote) > 1 and _is_number(quote[1]) and start and _is_word(segment[start - 1]):
        return True
    if _is_number(quote[-1]) and _DIGIT_GROUP_AFTER.match(segment, end):
        return True
    return bool(re.match(r"\d{3}(?!\w)", quote) and _DIGIT_GROUP_BEFORE.search(segment, 0, start))


def _has_word(text: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in text)


KeptAnswers = Callable[[str, Callable[[], bool]], bool]
"""(a quote, how to verify it) → whether it is in the text, as kept or verified now (`LocatedText.answer_from`)."""


class LocatedText:
    """The segments one locator shows, normalised once (on first use) for every quote that cites
    it, and the answer for each quote asked (a source's parts may serve many runs, `graph.Located`)."""

    __slots__ = ("_answers", "_kept", "_make", "_segments")

    def __init__(self, segments: Iterable[str] | Callable[[], Iterable[str]]) -> None:
        self._make = segments
        self._segments: tuple[str, ...] | None = None
        self._answers: dict[str, bool] = {}
        self._kept: KeptAnswers | None = None

    def answer_from(self, kept: KeptAnswers) -> None:
        """Take each answer from `kept` (what an earlier run answered for the same text and quote),
        which asks this text for the answers it does not hold."""
        self._kept = kept

    @property
    def segments(self) -> tuple[str, ...]:
        """Normalised segments, in the order the page shows them; empty ones left out."""
        if self._segments is None:
            raw = self._make() if callable(self._make) else self._make
            self._segments = tuple(s for s in map(normalise_text, raw) if s)
            self._make = ()
        return self._segments

    def contains(self, quote: str) -> bool:
        """Whether the quote lies, as whole words, within one segment (rules 1-3)."""
        answer = self._answers.get(quote)
        if answer is None:
            verify = functools.partial(self._contains, quote)
            answer = self._answers[quote] = verify() if self._kept is None else self._kept(quote, verify)
        return answer

    def _contains(self, quote: str) -> bool:
        wanted = normalise_text(quote)
        if _MARKUP in wanted or not _has_word(wanted):
            return False
        for segment in self.segments:
            start = segment.find(wanted)
            while start != -1:
                end = start + len(wanted)
                if not _joined(segment, start) and not _joined(segment, end) and not _changes_a_number(segment, start, end):
                    return True
                start = segment.find(wanted, start + 1)
        return False


def body_segments(markdown: str) -> list[str]:
    """The visible text of a Markdown body, one string per block, as `markup.render_body` shows it."""
    segments: list[str] = []
    for token in body_tokens(markdown):
        if token.type in ("code_block", "fence"):
            segments.append(token.content)
        elif token.type == "inline":
            segments.append("".join(_visible(token.children or ())))
    return segments


def _visible(children: Iterable[Token]) -> Iterable[str]:
    """Inline tokens → the text they show. An image is one token (its alt text its children), and
    the sanitiser drops `<img>`: it shows nothing. Link tokens carry only the target and title."""
    struck = 0
    for child in children:
        if child.type in ("s_open", "s_close"):  # struck-out text shows as withdrawn: never quotable, nor crossed
            struck += 1 if child.type == "s_open" else -1
            yield _MARKUP
        elif struck:
            continue
        elif child.type == "text":
            text = child.content.replace(_MARKUP, "")
            yield HTML_TAG_RE.sub(_MARKUP, text) if "<" in text else text
        elif child.type == "code_inline":
            yield child.content
        elif child.type in ("softbreak", "hardbreak"):
            yield " "


def located_parts(source: Source) -> dict[str, LocatedText]:
    """Every locator the source offers → the segments a quote at it must come from (rule 1)."""
    parts: dict[str, LocatedText] = {"tldr": LocatedText([source.tldr])}
    if source.bottom_line:
        parts["bottom-line"] = LocatedText([source.bottom_line])
    if source.body:
        body = source.body
        parts["body"] = LocatedText(lambda: body_segments(body))
    for group in source.insights:
        for point in group.points:
            parts[f"insight/{point.id}"] = LocatedText([point.title, point.text])
    for moment in source.moments:
        parts[f"moment/{moment.at}"] = LocatedText([moment.text])
    for table in source.tables:
        cells = [table.title, *table.columns, *(cell for row in table.rows for cell in row)]
        parts[f"table/{table.id}"] = LocatedText(cells)
    return parts


def quote_is_in(quote: str, located: LocatedText | str | Iterable[str]) -> bool:
    """Whether `quote` verifies against a `LocatedText`, one raw segment or a list of them."""
    if isinstance(located, str):
        located = LocatedText([located])
    elif not isinstance(located, LocatedText):
        located = LocatedText(list(located))
    return located.contains(quote)
