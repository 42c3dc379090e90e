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

# 3: photo captions read; 4: lists and cards of links dropped, with the headings of such lists.
NORMALISER_VERSION = "4"

# Zero-width and formatting characters that never carry meaning in article text:
# soft hyphen, zero-width space/joiners, LRM/RLM, bidi embeddings and isolates,
# word joiner, invisible operators, BOM.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# C0/C1 controls other than whitespace; whitespace is collapsed separately.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_ODD = re.compile(_INVISIBLE.pattern[:-1] + _CONTROL.pattern[1:])  # either of the two above

# Lines that are page furniture wherever they appear (compared case-insensitively,
# without surrounding punctuation). Each is a whole line, never a prefix: an article
# sentence that merely starts with "Advertisement" stays.
_BOILERPLATE_LINES = frozenset(
    line.strip()
    for line in """
    advertisement
    advertisements
    ad
    sponsored
    sponsored content
    promoted content
    supported by
    related
    related topics
    related articles
    related stories
    related content
    related coverage
    related links
    don't miss
    must read
    recommended
    recommended for you
    you may also like
    you might also like
    editor's picks
    more stories
    around the web
    more on this story
    more on this topic
    top stories
    most read
    most popular
    trending
    read more
    read more here
    continue reading
    continue reading the main story
    story continues below
    story continues below advertisement
    article continues below
    article continues below advertisement
    scroll to continue reading
    skip past newsletter promotion
    after newsletter promotion
    keep reading
    see more
    show more
    load more
    view comments
    comments
    share
    share this
    share this article
    share this story
    share this page
    share article
    share on facebook
    share on twitter
    share on x
    share on whatsapp
    share on linkedin
    share via email
    share by email
    share full article
    give this article
    gift this article
    save
    save article
    save for later
    email
    facebook
    twitter
    whatsapp
    linkedin
    pinterest
    reddit
    print
    copy link
    link copied
    copied
    tweet
    listen to this article
    listen to this story
    listen to article
    ad feedback
    video ad feedback
    toggle caption
    hide caption
    enlarge this image
    play video
    watch video
    video player loading
    image caption
    media caption
    image source
    image copyright
    getty images
    skip to content
    skip to main content
    skip advertisement
    sign up for our newsletter
    subscribe now
    follow us
    back to top
    scroll to continue with content
    """.strip().splitlines()
)

# Short lines that only say when the page was touched ("Updated 5 minutes ago",
# "Last updated: 18 September 2015", "Updated Nov. 19, 2019 at 1:23 p.m. EST", or a
# bare "12 April 2015"): every word is a date, a time, a zone or a word like
# "updated". The commit time already records when a version was seen.
_MONTHS = "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december"
_DAYS = "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday"
_ZONES = "gmt utc bst est edt cst cdt mst mdt pst pdt et pt ct mt cet cest eet eest ist jst aest aedt sast uk"
_STAMP_WORDS = frozenset(
    [
        "updated",
        "update",
        "modified",
        "published",
        "posted",
        "first",
        "last",
        "page",
        "on",
        "at",
        "by",
        "since",
        "the",
        "of",
        "a",
        "an",
        "about",
        "ago",
        "seconds",
        "second",
        "minutes",
        "minute",
        "mins",
        "min",
        "hours",
        "hour",
        "hrs",
        "hr",
        "days",
        "day",
        "weeks",
        "week",
        "today",
        "yesterday",
        "and",
        "am",
        "pm",
        "a.m",
        "p.m",
        "read",
    ]
)
_DATE_WORDS = frozenset((_MONTHS + " " + _DAYS).split())
_ZONE_WORDS = frozenset(_ZONES.split())
_STAMP_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:t[\d:.]+z?)?|\d{1,4}(?:st|nd|rd|th)?|\d{1,2}[:.]\d{2}(?:[:.]\d{2})?|a\.m|p\.m|[a-z]+"
)
_READING_TIME = re.compile(r"^\d+\s*(?:-\s*)?min(?:ute)?s?\s+read$", re.IGNORECASE)
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_WORD = re.compile(r"\w+")


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


def is_boilerplate(line: str) -> bool:
    """True for a line that is page furniture rather than article text."""
    if len(line) > 120:
        return False
    bare = _EDGE_PUNCT.sub("", line).casefold()
    if not bare:
        return True  # a line of punctuation only: separators, bullets, "----"
    bare = _SPACE.sub(" ", bare).replace("\u2019", "'")
    if bare in _BOILERPLATE_LINES:
        return True
    return bool(_READING_TIME.match(bare)) or _is_stamp(bare)


def _is_stamp(bare: str) -> bool:
    """A line made only of date, time and "updated"-like words, with a date or time in it."""
    tokens = _STAMP_TOKEN.findall(bare.replace(",", " ").replace("|", " "))
    if not tokens or len(tokens) > 16:
        return False
    dated = False
    for token in tokens:
        if (
            token in _DATE_WORDS
            or token in _ZONE_WORDS
            or (token[:1].isdigit() and (":" in token or "-" in token))
        ):
            dated = True
        elif token[:1].isdigit() or token.rstrip(".") in _DATE_WORDS:
            continue
        elif token in ("a.m", "p.m"):
            dated = True
        elif token not in _STAMP_WORDS:
            return False
        elif token in ("ago", "updated", "published", "posted", "modified"):
            dated = dated or any(t[:1].isdigit() for t in tokens)
    return dated


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
    return "" if not line or is_boilerplate(line) else line


def paragraphs(lines: Iterable[str], title: str = "") -> tuple[str, ...]:
    """Clean lines into paragraphs: furniture dropped, repeats and the title echo removed."""
    out: list[str] = []
    title_key = comparable(title) if title else ""
    for raw in lines:
        line = clean(raw)
        if not line or is_boilerplate(line):
            continue
        if out and out[-1] == line:
            continue
        if title_key and comparable(line) == title_key:
            continue  # the headline repeated inside the body
        out.append(line)
    return tuple(out)


def comparable(text: str) -> str:
    """The words of a text, one space apart: what is left when everything that is
    not a word (whitespace, punctuation, controls, invisibles) is gone."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return " ".join(_WORD.findall(text))


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
