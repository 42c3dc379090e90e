"""Page furniture: lines of a page that are not the article's words.

Judged by what a line is, on any page: a stamp saying when the page was touched (dates
are metadata, never words), a byline, a label of stamp words ("Published"), a counter
(a number and a noun with no sentence around it: "941 comments"), a copyright notice, or
one of a few whole lines that sites print around articles ("Advertisement"). A stamp that
leads or trails a paragraph is cut off it; a date inside a sentence ("On May 25, 2025 the
council voted") stays. Pure functions, no third-party imports.
"""

from __future__ import annotations

import re

# Whole lines that sites print around articles (compared case-insensitively, without
# surrounding punctuation). Each is a whole line, never a prefix: an article sentence
# that merely starts with "Advertisement" stays.
_LINES = frozenset(
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

_MONTHS = (
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
    "august september october november december"
)
_DAYS = "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday"
_ZONES = "gmt utc bst est edt cst cdt mst mdt pst pdt et pt ct mt cet cest eet eest ist jst aest aedt sast uk"
_DATE_WORDS = frozenset((_MONTHS + " " + _DAYS).split())
_ZONE_WORDS = frozenset(_ZONES.split())
# Words that say a page was touched ("Updated", "First published").
_LABELS = frozenset({"updated", "update", "modified", "published", "posted", "first", "last"})
# Words of a relative stamp ("3 hours ago", "Updated today").
_RELATIVE_WORDS = (
    "ago today yesterday now seconds second secs sec minutes minute mins min hours hour hrs hr "
    "days day weeks week months month years year"
)
_RELATIVE = frozenset(_RELATIVE_WORDS.split())
# Words that join the parts of a stamp ("Updated on Monday at 10:42"); a stamp never ends with one.
_JOINER_WORDS = "on at by since the of a an and about just page"
_JOINERS = frozenset(_JOINER_WORDS.split())
_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:t[\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?"  # ISO date, maybe with a time
    r"|\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s?[ap]\.?m\.?(?!\w))?"  # a time
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?!\d)"  # 25/05/2025, 5.25.25
    r"|\d{1,4}(?:st|nd|rd|th)?(?:\s?[ap]\.?m\.?(?!\w))?(?!\w)"  # a day, a year, an hour ("10am")
    r"|[ap]\.m\.?"
    r"|[^\W\d_]+(?:\.(?=\s|$))?",  # a word ("Nov." keeps its point)
    re.IGNORECASE,
)
# What may stand between the words of a stamp.
_GLUE = re.compile(r"[\s,():]*")
# What sets a leading stamp apart from the text after it.
_SEPARATOR = re.compile(r"\s*[–—•·/:]\s*|\s+-\s+|\s*[.!?]['\"”’)]*\s+")
# What sets a trailing stamp apart from the text before it.
_SEPARATED = re.compile(r"(?:[–—•·/:()]|\s-|[.!?]['\"”’)]*)\s*$")
_SEPARATOR_TAIL = re.compile(r"[\s–—•·/:(-]+$")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SPACE = re.compile(r"\s+")
_READING_TIME = re.compile(r"^\d+\s*(?:-\s*)?min(?:ute)?s?\s+(?:read|listen|watch)$", re.IGNORECASE)
# "941 comments", "1.2K shares", "12 photos", a share bar's bare "81K": a number and at
# most a word or two, nothing else (a number ending in a point is a list's rank: "1.
# Paris" stays).
_COUNTER = re.compile(r"^\(?\d(?:[\d,.]*\d)?\s?[km]?\+?\)?(?:\s+[^\W\d_]+){0,2}$")
# "© 2019 Hearst Communications, Inc.", "Copyright (c) 2025 The Daily Fixture": the site's notice.
_COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\b)", re.IGNORECASE)
_AGO = re.compile(
    r"\b\d+\s+(?:secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|years?)\s+ago\b", re.I
)
_SENTENCE_END = re.compile(r"[.!?。！？…]['\"”’)\]]*$")
# Words a byline's names may hold besides capitalised ones ("Anna de la Cruz and Li Wei").
_PARTICLES = "and & de del della der di da das dos du la le van von y bin al el st"
_NAME_JOINERS = frozenset(_PARTICLES.split())
_BYLINE_PARTS = re.compile(r"\s*[|•·]\s*|\s+[-–—]\s+")


def is_furniture(line: str, byline: str | None = None) -> bool:
    """True for a line that is page furniture rather than article text. `byline` is the
    article's byline, when known: a line naming only it is furniture too."""
    if len(line) > 160:
        return False
    bare = _EDGE_PUNCT.sub("", line).casefold()
    if not bare:
        return True  # a line of punctuation only: separators, bullets, "----"
    bare = _SPACE.sub(" ", bare).replace("\u2019", "'")
    return (
        bare in _LINES
        or bool(_READING_TIME.match(bare) or _COUNTER.match(bare) or _COPYRIGHT.match(line))
        or is_stamp(line)
        or _is_label(bare)
        or _is_age(line)
        or is_byline(line, byline)
    )


def is_stamp(text: str) -> bool:
    """A line made only of date, time and "updated"-like words, with a date or time in it:
    "Updated 5 minutes ago", "Tuesday 12 April 2015 09:30 BST", "2019-11-19T13:23:00Z"."""
    text = _EDGE_PUNCT.sub("", text.replace("|", " "))
    end = _run(text, 0)
    return end is not None and not text[end:].strip(" .,;:)–—-")


def without_stamps(line: str) -> str:
    """The line without a stamp that leads or trails it; "" when it is all stamp.

    A leading stamp is cut when it holds a time or says "ago", when a separator (":", a
    dash) or a sentence's end sets it apart, when it opens with a capitalised label
    ("Updated …"), or when it is a whole date followed by a capitalised word (two blocks
    glued: "May 25, 2025 Acting Mayor …"); never when it opens with a preposition ("On
    May 25, 2025 the council voted"). A trailing stamp is cut when a separator or a
    sentence's end sets it apart, or when it opens with a capitalised label ("… snow
    plan Updated 10:42 am"); never "… was held at 10:42 am". A table row ("May 25 | …")
    keeps its dates: "|" parts cells, not a stamp from its text."""
    while not is_stamp(line):
        shorter = _without_trailing(_without_leading(line))
        if shorter == line:
            return line
        line = shorter
    return ""


def _without_leading(line: str) -> str:
    end = _run(line, 0)
    if end is None:
        return line
    rest = line[end:]
    gap = _SEPARATOR.match(rest)
    tokens = _TOKEN.findall(line[:end])
    first = tokens[0].casefold()
    labelled = first in _LABELS and tokens[0][:1].isupper()
    if first in _JOINERS:
        return line  # "On May 25, 2025 the council voted", "At 10:42 am police arrived"
    glued = _is_full_date(tokens) and rest.lstrip(" ,")[:1].isupper()
    if gap is None and not (labelled or _has_time(tokens) or glued):
        return line
    remainder = rest[gap.end() :] if gap else rest.lstrip(" ,")
    return remainder if remainder.strip() else line


def _without_trailing(line: str, anyhow: bool = False) -> str:
    """The line without its trailing stamp: when set apart or labelled (see
    `without_stamps`), or `anyhow` (after a byline's names, where a stamp needs no mark)."""
    tail = line.find(" ", len(line) - 200) + 1 if len(line) > 200 else 0  # a stamp is short
    tokens = list(_TOKEN.finditer(line, tail))
    if not tokens or line[tokens[-1].end() :].strip(" .,;:)"):
        return line
    first = len(tokens) - 1  # the first of the stamp words that end the line
    while first > 0 and _stamp_word(tokens[first - 1].group(0)):
        if not _GLUE.fullmatch(line, tokens[first - 1].end(), tokens[first].start()):
            break
        first -= 1
    if not _stamp_word(tokens[first].group(0)):
        return line
    start = tokens[first].start()
    end = _run(line, start)
    if not start or end is None or line[end:].strip(" .,;:)"):
        return line
    head, word = line[:start], tokens[first].group(0)
    labelled = word.casefold() in _LABELS and word[:1].isupper()
    if head.strip() and (anyhow or labelled or _SEPARATED.search(head)):
        return _SEPARATOR_TAIL.sub("", head) or head
    return line


def _run(text: str, start: int) -> int | None:
    """Where the stamp that starts at `start` ends: the words from there on, as far as
    they are stamp words (a joiner never ends one), when they hold a date or a time."""
    pos = start
    tokens: list[str] = []
    ends: list[int] = []
    while len(tokens) <= 16:
        glue = _GLUE.match(text, pos)
        match = _TOKEN.match(text, glue.end() if glue else pos)
        if match is None or not _stamp_word(match.group(0)):
            break
        tokens.append(match.group(0))
        ends.append(match.end())
        pos = match.end()
    while tokens and tokens[-1].casefold() in _JOINERS:
        tokens.pop()
        ends.pop()
    return ends[-1] if tokens and len(tokens) <= 16 and _dated(tokens) else None


def _stamp_word(token: str) -> bool:
    word = token.casefold().rstrip(".")
    return (
        token[:1].isdigit()
        or word in _DATE_WORDS
        or word in _ZONE_WORDS
        or word in _LABELS
        or word in _RELATIVE
        or word in _JOINERS
        or word in ("a.m", "p.m", "am", "pm")
    )


def _dated(tokens: list[str]) -> bool:
    words = [t.casefold().rstrip(".") for t in tokens]
    if any(w in _DATE_WORDS or w in _ZONE_WORDS for w in words) or _has_time(tokens):
        return True
    if any(w[:1].isdigit() and ("-" in w or "/" in w) for w in words):
        return True  # an ISO or numeric date
    numbers = any(w[:1].isdigit() for w in words)
    return numbers and any(w in _RELATIVE or w in _LABELS for w in words)


def _has_time(tokens: list[str]) -> bool:
    """A clock time ("10:42", "10am", "3 p.m.") or a relative stamp ("ago")."""
    for token in tokens:
        word = token.casefold().rstrip(".")
        if word == "ago":
            return True
        if word[:1].isdigit() and (":" in word or word.endswith(("am", "pm", "a.m", "p.m"))):
            return True
    return False


def _is_full_date(tokens: list[str]) -> bool:
    """A month and a year, or a numeric date: "May 25, 2025", "2025-05-25", "25/05/2025"."""
    words = [t.casefold().rstrip(".") for t in tokens]
    month = any(w in _DATE_WORDS for w in words)
    year = any(w.isdigit() and len(w) == 4 for w in words)
    numeric = any(w[:1].isdigit() and ("-" in w or "/" in w) for w in words)
    return (month and year) or numeric


def _is_age(line: str) -> bool:
    """A short line that says how long ago the page was made, no sentence: "This article
    was published more than 4 years ago". It goes stale by itself."""
    return len(line.split()) <= 12 and bool(_AGO.search(line)) and not _SENTENCE_END.search(line)


def is_label(text: str) -> bool:
    """A text of stamp words only, with no date: "Published", "Published Updated"."""
    return _is_label(_SPACE.sub(" ", _EDGE_PUNCT.sub("", text).casefold()))


def _is_label(bare: str) -> bool:
    """A line of stamp words only, with no date: "Published", "Last updated", "By"."""
    words = bare.replace(",", " ").split()
    return (
        0 < len(words) <= 4
        and all(w in _LABELS or w in ("on", "at", "by", "and") for w in words)
        and (any(w in _LABELS - {"first", "last"} for w in words) or words == ["by"])
    )


def is_byline(line: str, byline: str | None = None) -> bool:
    """A line that only names the article's authors, maybe with a stamp or a reading time:
    "By Jane Doe", "By JANE DOE and Li Wei, Reuters | May 25, 2025 10:42 am", or the
    article's known byline itself."""
    parts = [p for p in _BYLINE_PARTS.split(line.strip()) if p.strip()]
    if not parts or len(parts) > 4:
        return False
    first = _without_trailing(parts[0], anyhow=True)
    named = _names_after_by(first) or (bool(byline) and _letters(first) == _letters(byline or "") != "")
    if not named:
        return False
    return all(is_stamp(p) or _READING_TIME.match(p.strip()) or _names(p) for p in parts[1:])


def _names_after_by(text: str) -> bool:
    words = text.split()
    return len(words) >= 2 and words[0].casefold() == "by" and _names(" ".join(words[1:]))


def _names(text: str) -> bool:
    """Capitalised names, joined by "and", commas and name particles: no sentence."""
    words = text.replace(",", " ").split()
    if not words or len(words) > 12:
        return False
    capitals = [w for w in words if w.casefold() not in _NAME_JOINERS]
    return bool(capitals) and all(w[:1].isupper() or w[:1] in "@(" for w in capitals)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())
