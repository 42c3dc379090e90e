"""The page as a reader sees it: its text in blocks, and what each block is.

The page is read block by block (every element that is not inline starts and ends a
block, and so does a `<br>`; the cells of a table row stay one line), with what a reader
tells by looking: the link or button each word is in, and whether a block sits in
navigation, a footer, a figure or a widget (a small form and the box that speaks of
it). A paragraph of extracted text is found among the page's words by its letters, from
a word's start to a word's end (so words an extractor glued or split are found too), and
cut where the page's blocks part. `journal.boxes` decides from this what is the article's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from journal import normalize

# Elements inside a line of text; every other element starts and ends a block.
INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr",
})  # fmt: skip
# Elements whose text a reader never sees.
UNSEEN = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "title", "select", "option", "textarea"}
)
_CELLS = frozenset({"td", "th"})  # a row's cells are one line, as tables are read row by row
_IN_LINE = INLINE | _CELLS  # what does not part two blocks
_CHROME = frozenset({"nav", "footer"})  # never the article's text
_FIELDS = frozenset({"input", "select", "textarea"})  # what makes a box a widget (a button alone does not)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINKED = frozenset({"a", "button"})
LEAD_WORDS = 5  # "From the section US & Canada": a few words that lead to a link
GAP_BLOCKS = 20  # blocks an extractor may have left out between two it glued together
WIDGET_WORDS = 40  # a box with a form field and more text than this is not a widget
_SENTENCE_END = ".!?。！？…"
_QUOTES = "'\"”’)»"


@dataclass(frozen=True)
class Block:
    start: int  # its first word's index among the page's words
    end: int
    text: str  # as shown, one line
    owner: etree._Element  # the innermost element that is not inline around it
    kind: str  # "text", "heading", "chrome", "widget" or "figure"
    around: tuple[etree._Element, ...]  # the owner and the elements around it, outwards


@dataclass(frozen=True)
class Reading:
    blocks: tuple[Block, ...]
    letters: str  # the page's words run together: found the same whether or not words were glued
    starts: tuple[int, ...]  # where each word starts in `letters`
    links: tuple[int, ...]  # for each word, the link or button it is in (numbered from 1), or 0
    block_starts: tuple[int, ...]  # each block's first word

    def char(self, word: int) -> int:
        """Where a word starts in `letters` (the end of them for the word past the last)."""
        return self.starts[word] if word < len(self.starts) else len(self.letters)

    def locate(self, paragraph: str, cursor: int) -> list[tuple[int, int, str]] | None:
        """Where a paragraph of extracted text is on the page, after `cursor` (a letter
        offset) if it is there, else anywhere: the paragraph cut where the page's blocks
        part, (first word, end, text) each; None when it is not on the page."""
        text = normalize.clean(paragraph)
        spans = [m.span() for m in normalize.WORD.finditer(text)]
        key = "".join(text[a:b] for a, b in spans)
        if not key:
            return None
        found = self._find(key, cursor)
        if found is not None:
            first, last = found
            starts = [first]
            for block in self.blocks[self.block_at(first) + 1 :]:
                if block.start >= last:
                    break
                starts.append(block.start)
            ends = [*starts[1:], last]
            parts = [(a, b, self.char(a) - self.char(first)) for a, b in zip(starts, ends, strict=True)]
        else:
            parts = self._gapped(key, cursor)
            if not parts:
                return None
        chars = [0, *(_position(text, spans, offset) for _, _, offset in parts[1:]), len(text)]
        pieces = [(a, b, text[chars[i] : chars[i + 1]].strip()) for i, (a, b, _) in enumerate(parts)]
        return [p for p in pieces if p[2]]

    def _gapped(self, key: str, cursor: int) -> list[tuple[int, int, int]]:
        """`key` as whole blocks of the page in order with blocks between them left out
        (an extractor that drops a list between a heading and a paragraph glues their
        text): (first word, end, offset in `key`) each; [] when it is not that. It starts
        at a block that starts with `key`'s first letters."""
        head = key[:3]
        for begin in (cursor, 0):
            at = self.letters.find(head, begin)
            while at >= 0:
                word = bisect_left(self.starts, at)
                j = self.block_at(word)
                if self.char(word) == at and self.blocks[j].start == word:
                    parts = self._consume(key, j)
                    if len(parts) > 1:
                        return parts
                at = self.letters.find(head, at + 1)
        return []

    def _consume(self, key: str, j: int) -> list[tuple[int, int, int]]:
        """`key` as whole blocks from block `j` on, skipping at most GAP_BLOCKS at a time."""
        parts: list[tuple[int, int, int]] = []
        at, skipped = 0, 0
        for block in self.blocks[j:]:
            letters = self.letters[self.char(block.start) : self.char(block.end)]
            if key.startswith(letters, at):
                parts.append((block.start, block.end, at))
                at, skipped = at + len(letters), 0
                if at == len(key):
                    return parts
            elif not parts or skipped == GAP_BLOCKS:
                return []
            else:
                skipped += 1
        return []

    def _find(self, key: str, cursor: int) -> tuple[int, int] | None:
        """The words [first, last) whose letters are `key`, from a word's start to a
        word's end."""
        for begin in (cursor, 0):
            at = self.letters.find(key, begin)
            while at >= 0:
                first = bisect_left(self.starts, at)
                last = bisect_left(self.starts, at + len(key))
                if self.char(first) == at and self.char(last) == at + len(key):
                    return first, last
                at = self.letters.find(key, at + 1)
        return None

    def block_at(self, word: int) -> int:
        """The block a word is in."""
        return bisect_right(self.block_starts, word) - 1

    def spanned(self, start: int, end: int) -> list[int]:
        """The blocks the words [start, end) are in."""
        first = self.block_at(start)
        out = [first]
        for i in range(first + 1, len(self.blocks)):
            if self.blocks[i].start >= end:
                break
            out.append(i)
        return out

    def link_line(self, start: int, end: int) -> bool:
        """Links only ("Second time lucky for Hillary Clinton?": a question is a headline
        too); or no sentence, and mostly link or button text, or a few words that lead
        to a link ("From the section US & Canada", "Tags: Politics"). Numbers beside the
        links are what they count."""
        linked = sum(1 for link in self.links[start:end] if link)
        if linked == end - start:
            return True
        if not linked or sentence(self.blocks[self.block_at(end - 1)].text):
            return False
        uncounted = end - start - self._counts(start, end)
        return linked * 2 > uncounted or (end - start <= LEAD_WORDS and self.links[end - 1] != 0)

    def _counts(self, start: int, end: int) -> int:
        """The words of [start, end) outside links that are counts: a number and the word
        or two that say what it counts ("1.1K shares", "941 comments")."""
        counts, after = 0, 3
        for i in range(start, end):
            if self.links[i]:
                after = 3
            elif self.letters[self.char(i)].isdigit():
                counts, after = counts + 1, 0
            elif after < 2:
                counts, after = counts + 1, after + 1
            else:
                after = 3
        return counts

    def headline_link(self, block: Block) -> bool:
        """Whether a block holds a link of four words or more (a story's title; a share
        bar's links are a word or two each)."""
        words = Counter(link for link in self.links[block.start : block.end] if link)
        return any(count >= 4 for count in words.values())


def _position(text: str, spans: list[tuple[int, int]], letters: int) -> int:
    """Where in `text`, whose words stand at `spans`, the page's next block starts: after
    `letters` letters of its words. At a word's start that is the first space before the
    word (a quote mark opening it goes with it); inside a word the page shows as two, there."""
    previous = 0
    for start, end in spans:
        if letters < end - start:
            if letters:
                return start + letters
            gap = text.find(" ", previous, start)
            return gap if gap >= 0 else start
        letters -= end - start
        previous = end
    return len(text)


def past_links(node: etree._Element) -> etree._Element:
    """The element a block stands in, past the links and buttons that make it up."""
    parent = node.getparent()
    while node.tag in _LINKED and parent is not None:
        node, parent = parent, parent.getparent()
    return node


def sentence(text: str) -> bool:
    return text.rstrip(_QUOTES)[-1:] in _SENTENCE_END


def lineage(element: etree._Element) -> list[etree._Element]:
    out = []
    node: etree._Element | None = element
    while node is not None:
        out.append(node)
        node = node.getparent()
    return out


def read(root: etree._Element) -> Reading:
    """The blocks of the page under `root` (its <body>), in reading order."""
    walker = _Walker(root)
    walker.walk()
    starts, at = [], 0
    for word in walker.words:
        starts.append(at)
        at += len(word)
    found = tuple(walker.blocks)
    return Reading(
        found, "".join(walker.words), tuple(starts), tuple(walker.links), tuple(b.start for b in found)
    )


class _Walker:
    """One walk of the tree, collecting blocks."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.blocks: list[Block] = []
        self.words: list[str] = []
        self.links: list[int] = []
        self.pieces: list[tuple[str, int]] = []  # the text of the block being read, with its link
        self.widgets = _widgets(root)

    def walk(self) -> None:
        stack: list[etree._Element] = []
        skipping = 0  # depth inside an element a reader does not see
        depth, link, count = 0, 0, 0  # depth inside links and buttons; the one we are in; how many so far
        for event, node in etree.iterwalk(self.root, events=("start", "end", "comment", "pi")):
            if event in ("comment", "pi"):
                if not skipping and node.tail:
                    self.pieces.append((node.tail, link))
                continue
            tag = node.tag if isinstance(node.tag, str) else ""
            if event == "start":
                if skipping or _unseen(node, tag):
                    skipping += 1
                    continue
                if tag not in _IN_LINE and self.pieces:
                    self.flush(stack)
                stack.append(node)
                if tag in _LINKED:
                    depth += 1
                    if depth == 1:
                        count += 1
                        link = count
                if tag in _CELLS:
                    self.pieces.append((" ", 0))
                if node.text:
                    self.pieces.append((node.text, link))
                continue
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            else:
                if tag not in _IN_LINE and self.pieces:
                    self.flush(stack)  # a block ends (a <br> too)
                stack.pop()
                if tag in _LINKED:
                    depth -= 1
                    link = link if depth else 0
                if tag in _CELLS:
                    self.pieces.append((" ", 0))
            if node is not self.root and node.tail:
                self.pieces.append((node.tail, link))
        self.flush(stack)

    def flush(self, stack: list[etree._Element]) -> None:
        """End the block being read: its words join the page's, with what it is."""
        if not self.pieces:
            return
        pieces, self.pieces = self.pieces, []
        if all(text.isspace() for text, _ in pieces):
            return  # the white space between two blocks: most flushes
        if any(link for _, link in pieces):
            pieces = [(normalize.comparable_form(text), link) for text, link in pieces]
            raw = "".join(text for text, _ in pieces)
            marks: list[int] = []
            for text, link in pieces:
                marks += [link] * len(text)
        else:
            raw = normalize.comparable_form("".join(text for text, _ in pieces))
            marks = []
        found = list(normalize.WORD.finditer(raw))
        if not found:
            return
        depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d].tag not in _IN_LINE), -1)
        owner = stack[depth] if depth >= 0 else self.root
        around = (*stack[depth::-1], *lineage(self.root)[1:]) if depth >= 0 else tuple(lineage(self.root))
        start = len(self.words)
        self.words += [m.group(0) for m in found]
        self.links += [marks[m.start()] for m in found] if marks else [0] * len(found)
        kind = self._kind(stack, owner)
        self.blocks.append(Block(start, len(self.words), normalize.clean(raw), owner, kind, around))

    def _kind(self, stack: list[etree._Element], owner: etree._Element) -> str:
        tags = {n.tag for n in stack}
        if tags & _CHROME:
            return "chrome"
        if "figure" in tags:
            return "figure"
        if any(n in self.widgets for n in stack):
            return "widget"
        return "heading" if owner.tag in _HEADINGS else "text"


def _unseen(node: etree._Element, tag: str) -> bool:
    if not tag or tag in UNSEEN or tag == "input":
        return True
    attrib = node.attrib
    if not attrib:
        return False
    if "hidden" in attrib or attrib.get("aria-hidden", "").lower() == "true":
        return True
    style = attrib.get("style", "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _widgets(root: etree._Element) -> set[etree._Element]:
    """The boxes around form fields (a newsletter sign-up, a search, a poll): the form (a
    small one), with the smallest element around it that holds other text when that text
    is what a box says about its form (a heading, one short paragraph), never the article's."""
    counts: dict[etree._Element, int] = {}

    def words(node: etree._Element) -> int:
        if node not in counts:
            counts[node] = normalize.word_count(" ".join(str(t) for t in node.itertext()))
        return counts[node]

    boxes: set[etree._Element] = set()
    for field in root.iter(*_FIELDS):
        if (field.get("type") or "").lower() == "hidden":
            continue
        # the form the field is in, unless that is the whole page (ASP.NET wraps pages in one)
        form = next((a for a in field.iterancestors("form") if words(a) <= WIDGET_WORDS), field.getparent())
        if form is None or words(form) > WIDGET_WORDS:
            continue
        box, node = form, form.getparent()
        while node is not None and node is not root and node.tag not in _ARTICLE:
            outside = words(node) - words(form)
            if outside > 0:
                if _says_about(node, form, outside) and words(node) <= WIDGET_WORDS:
                    box = node
                break
            node = node.getparent()
        boxes.add(box)
    return boxes


def _says_about(box: etree._Element, form: etree._Element, words: int) -> bool:
    """Whether the text of `box` beside `form` is a box's: no headline, at most one
    paragraph, and a heading over it or a few words only."""
    if box.find(".//h1") is not None:
        return False
    inside = set(form.iter())
    paragraphs = [n for n in box.iter("p", "li", "blockquote") if n not in inside]
    headed = any(n not in inside for n in box.iter("h2", "h3", "h4", "h5", "h6"))
    return len(paragraphs) <= 1 and (headed or words <= 15)


_ARTICLE = frozenset({"article", "main", "body"})
