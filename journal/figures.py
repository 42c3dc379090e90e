"""Photo captions in an article page: each captioned <figure> of the article container,
the identity of the photo or video it shows, and its place among the article's words,
so that its caption line goes where the figure stands (see `journal.captions`)."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from itertools import accumulate
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from journal import captions, normalize
from journal.blocks import INLINE

# Elements whose text a reader does not read as part of a caption or of the article.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "button", "svg", "select", "option", "head"})
# Figures there are not the article's (related stories, promotions).
_NOT_ARTICLE = frozenset({"nav", "footer", "aside"})
_MEDIA_URL_LIMIT = 2000


@dataclass(frozen=True)
class Figures:
    """The captioned figures of an article container, each with the number of words of
    the container's text (figures left out) before it, and those words (" a b c ")."""

    found: tuple[tuple[int, captions.Caption], ...]
    stream: str

    def placed(self, paras: tuple[str, ...]) -> tuple[str, ...]:
        """The paragraphs as lines of the file, each caption line at its figure's place:
        before the first paragraph that starts after the figure in the page. A paragraph
        that is only a caption's text, read from the figure, is that caption's line."""
        if not self.found:
            return tuple(captions.paragraph(p) for p in paras)
        read = {normalize.comparable(caption.text) for _, caption in self.found}
        placed: list[tuple[int, str]] = []
        cursor, last = 0, -1
        for para in paras:
            key = normalize.comparable(para)
            at = self.stream.find(f" {key} ", cursor) if key else -1
            if at >= 0:
                last = self.stream.count(" ", 0, at)  # the words before it
                cursor = at + len(key) + 1
            elif key in read:
                continue  # not in the text outside figures: the extractor read a caption
            placed.append((last, captions.paragraph(para)))  # one not found goes with the one before
        out: list[str] = []
        seen: set[str] = set()
        figures = list(self.found)
        for para_at, text in placed:
            while figures and figures[0][0] <= para_at:
                out += _once(captions.line(figures.pop(0)[1]), seen)
            out.append(text)
        for _, caption in figures:
            out += _once(captions.line(caption), seen)
        return tuple(out)


NONE = Figures((), "")


def _once(line: str, seen: set[str]) -> list[str]:
    """The same photo with the same caption twice (a page's mobile and desktop copies) is one line."""
    if line in seen:
        return []
    seen.add(line)
    return [line]


def read(container: etree._Element, url: str) -> Figures:
    """The captioned <figure>s of the article container, in document order."""
    captioned = {}
    for figure in container.iter("figure"):
        if not _set_aside(figure, container):
            caption = _caption(figure, url)
            if caption is not None:
                captioned[figure] = caption
    if not captioned:
        return NONE  # the page's text is walked only when a figure has a caption
    # the text before each captioned figure, and after the last
    segments = _reading(container, _HIDDEN | _NOT_ARTICLE, cut=captioned)
    found = list(captioned.values())  # in document order, as the walk meets them
    words = [normalize.comparable(segment) for segment in segments]
    offsets = list(accumulate(len(w.split()) for w in words[:-1]))
    stream = " ".join(w for w in words if w)
    return Figures(_identified(list(zip(offsets, found, strict=True))), f" {stream} ")


def _set_aside(node: etree._Element, container: etree._Element) -> bool:
    """Whether an element of the container sits in a part that is not the article's text."""
    parent = node.getparent()
    while parent is not None and parent is not container:
        if parent.tag in _HIDDEN or parent.tag in _NOT_ARTICLE:
            return True
        parent = parent.getparent()
    return False


def _identified(found: list[tuple[int, captions.Caption]]) -> tuple[tuple[int, captions.Caption], ...]:
    """The figures, with a media URL that two differently captioned figures share
    (a placeholder, a player) cleared: it does not say which photo a caption is about."""
    texts: dict[str, set[str]] = {}
    for _, caption in found:
        texts.setdefault(caption.media, set()).add(caption.text)
    return tuple(
        (at, captions.Caption(caption.text) if len(texts[caption.media]) > 1 else caption)
        for at, caption in found
    )


def _caption(figure: etree._Element, url: str) -> captions.Caption | None:
    """A figure's caption and the identity of its media. The caption is the figure's own
    <figcaption>s; without one, the figure's own text beside its media (a
    `<p class="caption">`), when short. A figure without a caption is left out."""

    def own(node: etree._Element) -> bool:
        parent = node.getparent()
        while parent is not None and parent.tag != "figure":
            parent = parent.getparent()
        return parent is figure

    media = _media(figure, own, url)
    labels = [node for node in figure.iter("figcaption") if own(node)]
    if labels:
        text = " ".join(_visible_text(node) for node in labels)
    elif media:
        text = _visible_text(figure)
    else:
        return None
    if normalize.word_count(text) > normalize.CAPTION_WORDS * (4 if labels else 1):
        return None  # a block of text of another kind, not a line about a photo
    text = normalize.caption(text)
    return captions.Caption(text, media) if text else None


def _visible_text(root: etree._Element) -> str:
    """The text of an element as a reader sees it: hidden elements and nested figures left out."""
    return " ".join("".join(_reading(root, _HIDDEN)).split())


def _reading(root: etree._Element, skip: frozenset[str], cut: Container[etree._Element] = ()) -> list[str]:
    """The text of `root` as a reader reads it, in pieces cut before each figure of `cut`.
    Elements tagged in `skip`, and figures other than `root`, are left out with what they
    hold (a figure of `cut` still makes its cut); a block element, read or left out,
    parts the words on either side of it."""
    pieces: list[str] = []
    segments: list[str] = []
    skipping = 0  # depth inside an element left out
    for event, node in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skipping and node.tail:
                pieces.append(node.tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if node in cut:
                segments.append("".join(pieces))
                pieces.clear()
            if skipping or (node is not root and (tag in skip or tag == "figure")):
                skipping += 1
                continue
            if tag not in INLINE:
                pieces.append(" ")
            if node.text:
                pieces.append(node.text)
            continue
        if skipping:
            skipping -= 1
            if skipping:
                continue
        if tag not in INLINE:
            pieces.append(" ")  # a block ends: its last word and the next are two words
        if node is not root and node.tail:
            pieces.append(node.tail)
    segments.append("".join(pieces))
    return segments


def _media(figure: etree._Element, own: Callable[[etree._Element], bool], url: str) -> str:
    """The identity of a figure's photo or video: the URL of its first image (a lazy
    image's `data-src` before its placeholder `src`), else of its picture's source, else
    its video's poster or source, else its audio; the first candidate of a srcset;
    without query string or fragment. Not an <iframe>'s: that is a player's address,
    the same for every video, with the video's id in the query. Empty when the figure
    shows no media."""
    candidates: list[tuple[etree._Element, tuple[str, ...]]] = []
    candidates += [(n, ("data-src", "src", "srcset", "data-srcset")) for n in figure.iter("img")]
    candidates += [(n, ("srcset", "src", "data-srcset")) for n in figure.iter("source") if _in(n, "picture")]
    for player in figure.iter("video", "audio"):
        candidates.append((player, ("poster", "src")))
        candidates += [(n, ("src",)) for n in player.iter("source")]
    for node, names in candidates:
        if own(node):
            for name in names:
                found = _media_url(node.get(name) or "", url, srcset=name.endswith("srcset"))
                if found:
                    return found
    return ""


def _in(node: etree._Element, tag: str) -> bool:
    parent = node.getparent()
    return parent is not None and parent.tag == tag


def _media_url(value: str, base: str, srcset: bool) -> str:
    value = value.strip()
    if srcset:
        # The first candidate's URL: up to the first white space (a URL may hold commas).
        words = value.lstrip(",").split()
        value = words[0].rstrip(",") if words else ""
    if not value or value.lower().startswith(("data:", "javascript:", "about:", "blob:")):
        return ""
    try:
        parts = urlsplit(urljoin(base, value))
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    found = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))
    return found if len(found) <= _MEDIA_URL_LIMIT else ""
