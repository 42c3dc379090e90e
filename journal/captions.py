"""Photo captions: how the article file holds them, and when a change to one is news.

A caption is one line among the paragraphs, at the figure's place, in Markdown's image
form: the caption text, then the identity of the photo or video it describes (its URL
without query string or fragment; empty when the figure has no media):

    ![A negative stain electron micrograph of an mpox virus virion.](https://cdn.example/mpox.jpeg)

Brackets and backslashes in the text are escaped, the URL is percent-encoded, and a
paragraph of article text that would read as a caption (or starts with a backslash)
is written with a leading backslash, so no string from the web can pass for another
kind of line.

Captions change with every redesign (a new lead photo, a video instead of a photo, a
CDN move), so a caption edit counts only when the same media shows in both versions
and both have a caption (`settle`). Pure functions: the read commands use them too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import quote

from journal.normalize import clean

LABEL = "Caption"
_LINE = re.compile(r"!\[((?:[^\\\[\]]|\\.)*)\]\(([^\s()<>\\]*)\)")
_ESCAPE = re.compile(r"([\\\[\]])")
_UNESCAPE = re.compile(r"\\(.)")
# Characters a media URL keeps as they are; everything else is percent-encoded.
_URL_SAFE = "/:@!$&'*+,;=%-._~[]"


@dataclass(frozen=True)
class Caption:
    text: str
    media: str = ""


def line(caption: Caption) -> str:
    """The caption's line in the article file."""
    text = _ESCAPE.sub(r"\\\1", clean(caption.text))
    return f"![{text}]({quote(clean(caption.media), safe=_URL_SAFE)})"


def parse(text: str) -> Caption | None:
    """The caption a line holds, or None for a line of article text."""
    match = _LINE.fullmatch(text)
    if match is None:
        return None
    return Caption(_UNESCAPE.sub(r"\1", match.group(1)), match.group(2))


def is_caption(text: str) -> bool:
    return text.startswith("![") and _LINE.fullmatch(text) is not None


def paragraph(text: str) -> str:
    """A paragraph of article text as a line of the file: one that starts like a caption
    line or with a backslash gets a leading backslash."""
    return "\\" + text if text.startswith(("\\", "![")) else text


def shown(text: str) -> str:
    """What a reader reads of a line: a caption's text, or the paragraph unescaped."""
    caption = parse(text)
    if caption is not None:
        return caption.text
    return text[1:] if text.startswith("\\") else text


def body(lines: Sequence[str]) -> list[str]:
    """The paragraphs of article text, captions left out, as a reader reads them."""
    return [shown(text) for text in lines if not is_caption(text)]


def settle(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    """The fresh lines `new`, with caption lines settled against the latest version `old`.

    A fresh caption is kept only when a caption of the latest version shows the same
    media (then an edit of its text is an edit of the article). A caption that comes with
    new media, or with none, is left out; a caption of the latest version whose media
    the fresh page no longer shows keeps its line and its place. So a redesign, a swapped
    photo or a CDN move changes nothing here, and a real edit committed at the same time
    does not carry it. Returns `new` itself when nothing is settled.
    """
    old_captions = [(i, c) for i, c in enumerate(map(parse, old)) if c is not None]
    if not old_captions and not any(is_caption(text) for text in new):
        return new
    available = Counter(c.media for _, c in old_captions if c.media)
    kept: Counter[str] = Counter()
    out: list[str] = []
    for text in new:
        caption = parse(text)
        if caption is None:
            out.append(text)
        elif caption.media and kept[caption.media] < available[caption.media]:
            kept[caption.media] += 1
            out.append(text)
    missing = []
    for i, caption in old_captions:
        if caption.media and kept[caption.media] > 0:
            kept[caption.media] -= 1  # answered by a fresh caption of the same media
        else:
            missing.append(i)
    settled = _put_back(old, out, missing)
    return new if settled == new else settled


def adopt(found: tuple[str, ...], latest: tuple[str, ...]) -> tuple[str, ...]:
    """The latest version's lines with the caption lines of a fresh extraction put in
    their places: for a version written before captions were read, when the page behind
    it is no longer at hand."""
    if any(is_caption(text) for text in latest):
        return latest
    placed = [i for i, text in enumerate(found) if is_caption(text)]
    return _put_back(found, list(latest), placed) if placed else latest


def _key(text: str) -> tuple[str, str]:
    caption = parse(text)
    return ("caption", caption.media) if caption is not None and caption.media else ("line", text)


def _put_back(source: Sequence[str], target: list[str], chosen: list[int]) -> tuple[str, ...]:
    """`target` with the lines `source[i]` (i in `chosen`) put back where they stood in
    `source`. The other lines of `source` are aligned with `target` (a caption by its
    media, any other line by its text); a chosen line goes just before the line that
    followed it in `source`, or, inside a changed stretch, after as many lines of the
    stretch as came before it there."""
    wanted = set(chosen)
    others = [i for i in range(len(source)) if i not in wanted]
    gaps: dict[int, list[str]] = {}  # g: chosen lines that stood before others[g]
    for i in chosen:
        gaps.setdefault(bisect_left(others, i), []).append(source[i])
    matcher = SequenceMatcher(
        None, [_key(source[i]) for i in others], [_key(t) for t in target], autojunk=False
    )
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                out += gaps.get(i1 + k, [])
                out.append(target[j1 + k])
            continue
        stretch = target[j1:j2]
        placed = 0  # lines of the stretch already out
        for g in range(i1, i2):
            if g in gaps:
                at = max(placed, min(g - i1, len(stretch)))
                out += stretch[placed:at]
                placed = at
                out += gaps[g]
        out += stretch[placed:]
    out += gaps.get(len(others), [])
    return tuple(out)
