"""Text normalisation: what makes two extractions of one article compare equal.

Pure functions, no third-party imports: the read commands use them too.
Bump NORMALISER_VERSION whenever a rule changes the output, so that
`journal reextract` can tell re-flowed text from an edit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from journal.furniture import is_furniture, without_stamps

# 3: photo captions read; 4: lists and cards of links dropped, with the headings of such lists;
# 5: the page's blocks (glued paragraphs split, furniture by structure, prose left out read),
# stamps, bylines, counters and credits dropped, the displayed headline, repeats dropped.
NORMALISER_VERSION = "5"

# Zero-width and formatting characters that never carry meaning in article text:
# soft hyphen, zero-width space/joiners, LRM/RLM, bidi embeddings and isolates,
# word joiner, invisible operators, BOM.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# C0/C1 controls other than whitespace; whitespace is collapsed separately.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_ODD = re.compile(_INVISIBLE.pattern[:-1] + _CONTROL.pattern[1:])  # either of the two above

WORD = re.compile(r"\w+")
# Scripts written without spaces between words: each character counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_COUNTED = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")


def clean(text: str) -> str:
    """One line of text in canonical form: NFC, no invisibles, single spaces."""
    if (
        text.isprintable()  # no control, format (invisible) or separator but " "
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and unicodedata.is_normalized("NFC", text)
    ):
        return text  # already clean: most text is, by the time it is written out
    text = unicodedata.normalize("NFC", text)
    if _ODD.search(text):
        text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    return " ".join(text.split())  # str.split() splits where \s matches


# Words a caption carries for the page's controls or for screen readers, not for its
# readers: "image caption", "Enlarge /", "toggle caption".
_CAPTION_FURNITURE = re.compile(
    r"^(?:(?:image|media|photo|video)\s+caption|(?:caption|enlarge(?:\s+this\s+image)?)\b)\s*(?:[/:|·•–—-]\s*)?"
    r"|\s*(?:[/|·•–—-]\s*)?\b(?:toggle|hide|show)\s+caption$",
    re.IGNORECASE,
)
CAPTION_WORDS = 80  # longer text beside a photo is not its caption (a <figcaption>: 4 times as long)


def caption(text: str) -> str:
    """A figure's caption in canonical form: one clean line without the words of the
    page's controls; empty when nothing but furniture is left."""
    line = clean(text)
    while True:
        shorter = _CAPTION_FURNITURE.sub("", line, count=1).strip()
        if shorter == line:
            break
        line = shorter
    return "" if not line or is_furniture(line) else line


def paragraphs(
    lines: Iterable[str], title: str = "", echoes: Iterable[str] = (), byline: str | None = None
) -> tuple[str, ...]:
    """Clean lines into paragraphs: furniture dropped (`journal.furniture`), stamps cut off
    their edges, a line that repeats an earlier one or the headline (`title`, or one of its
    `echoes`: the page's other names for it) left out."""
    out: list[str] = []
    headlines = {comparable(t) for t in (title, *echoes)} - {""}
    seen: set[str] = set()
    for raw in lines:
        line = without_stamps(clean(raw))
        if not line or is_furniture(line, byline):
            continue
        key = comparable(line)
        if key in headlines or key in seen:
            continue  # the headline echoed in the body; a second copy of a paragraph
        seen.add(key)
        out.append(line)
    return tuple(out)


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of letters and digits, and each character of
    scripts written without spaces (Chinese, Japanese)."""
    return len(_COUNTED.findall(text))


def comparable(text: str) -> str:
    """The words of a text, one space apart: what is left when everything that is
    not a word (whitespace, punctuation, controls, invisibles) is gone."""
    return " ".join(WORD.findall(comparable_form(text)))


def comparable_form(text: str) -> str:
    """The text in NFC without invisible characters: `WORD` finds in it the words of
    `comparable`, at their places."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return text


def fingerprint(title: str, body: Iterable[str]) -> str:
    """A hash that changes only when the words of an article change.

    Two texts that differ only in whitespace, punctuation, invisible characters or
    the order of whole paragraphs have the same fingerprint: none of those is an edit
    a reader of a change journal wants to see, and all of them occur when a page is
    redesigned or re-rendered.
    """
    keys = sorted(k for k in (comparable(p) for p in body) if k)
    digest = hashlib.sha256()
    digest.update(comparable(title).encode())
    for key in keys:
        digest.update(b"\n")
        digest.update(key.encode())
    return digest.hexdigest()[:32]


def same_words(a: tuple[str, Iterable[str]], b: tuple[str, Iterable[str]]) -> bool:
    """Whether two (title, paragraphs) texts have the same words in the same order,
    wherever their paragraph breaks and punctuation fall (a re-flow, not an edit)."""

    def words(text: tuple[str, Iterable[str]]) -> list[str]:
        return comparable(text[0]).split() + [w for p in text[1] for w in comparable(p).split()]

    return words(a) == words(b)


def single_line(value: str, limit: int = 500) -> str:
    """A value from the web made safe for one line of a header: no newlines, bounded."""
    value = clean(value)
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value
