"""The page as a reader sees it: its text in blocks, and what each block is.

trafilatura finds where the article is. This module reads the same page block by block
(every element that is not inline starts and ends a block, and so does a `<br>`; the
cells of a table row stay one line) and marks what a reader tells by looking: the words
inside links and buttons, and the blocks that sit in navigation, footers, figures or
widgets (a box holding a form field, with little text). `Reading.settle` then holds
trafilatura's paragraphs against the page:

- a paragraph glued from several blocks (a short page comes out as one: headline,
  byline, text, "Share Comments") is split where the page's blocks part, so each block
  is judged on its own;
- text from navigation, footers and widgets, and a short block that is mostly link or
  button text and no sentence (a share bar, "941 comments", a list of tags), is furniture;
- prose that trafilatura left out comes back at its place when it lies between the
  article's first and last paragraphs, or inside the element that holds them all or the
  article container: a box (a correction, a disclosure, lead paragraphs in a block of
  their own) whose text is sentences, not links, buttons, a widget or a viewer's labels.

Nothing here depends on a class name or an id: a redesign that renames them reads the same.
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
_CHROME = frozenset({"nav", "footer"})  # never the article's text
_FIELDS = frozenset({"input", "select", "textarea"})  # what makes a box a widget (a button alone does not)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINKED = frozenset({"a", "button"})
WIDGET_WORDS = 40  # a box with a form field and more text than this is not a widget
LABEL_WORDS = 8  # a longer heading is not the label of a list of links
SENTENCE_WORDS = 3  # "Roads are closed." is a sentence; "Close." is a viewer's button
PART_GAP_WORDS = 10  # between two parts of an article, no more than an advertisement's words
_SENTENCE_END = ".!?。！？…"
_QUOTES = "'\"”’)»"


@dataclass(frozen=True)
class Block:
    start: int  # its first word's index among the page's words
    end: int
    text: str  # as shown, one line
    owner: etree._Element  # the innermost element that is not inline around it
    kind: str  # "text", "heading", "chrome", "widget" or "figure"


@dataclass(frozen=True)
class Reading:
    blocks: tuple[Block, ...]
    letters: str  # the page's words run together: found the same whether or not words were glued
    starts: tuple[int, ...]  # where each word starts in `letters`
    links: tuple[int, ...]  # for each word, the link or button it is in (numbered from 1), or 0
    block_starts: tuple[int, ...]  # each block's first word

    def settle(self, paragraphs: list[str], container: etree._Element | None = None) -> list[str]:
        """trafilatura's paragraphs held against the page (see the module's docstring)."""
        placed: list[tuple[int, int, str]] = []  # (word index, order, text)
        covered: set[int] = set()  # blocks that trafilatura's paragraphs read
        kept: set[int] = set()  # those of them that are the article's text
        cursor, at = 0, 0
        for order, paragraph in enumerate(paragraphs):
            found = self._find(paragraph, cursor)
            if found is None:
                placed.append((at, order, paragraph))  # not on the page as such: it stays where it was
                continue
            first, last = found
            cursor, at = self._char(last), first
            for start, end, piece in self._pieces(paragraph, first, last):
                blocks = self._blocks(start, end)
                covered.update(blocks)
                if not self._furniture(start, end, blocks):
                    placed.append((start, order, piece))
                    kept.update(blocks)
        if covered:
            for block in self._left_out(covered, kept, container):
                placed.append((block.start, -1, block.text))
        return [text for _, _, text in sorted(placed, key=lambda p: (p[0], p[1]))]

    def _char(self, word: int) -> int:
        return self.starts[word] if word < len(self.starts) else len(self.letters)

    def _find(self, paragraph: str, cursor: int) -> tuple[int, int] | None:
        """The words [first, last) of the page that a paragraph is: its letters, from a
        word's start to a word's end, after `cursor` if they are there, else anywhere."""
        key = "".join(normalize.WORD.findall(normalize.comparable_form(paragraph)))
        if not key:
            return None
        for begin in (cursor, 0):
            at = self.letters.find(key, begin)
            while at >= 0:
                first = bisect_left(self.starts, at)
                last = bisect_left(self.starts, at + len(key))
                if self._char(first) == at and self._char(last) == at + len(key):
                    return first, last
                at = self.letters.find(key, at + 1)
        return None

    def _pieces(self, paragraph: str, first: int, last: int) -> list[tuple[int, int, str]]:
        """The paragraph cut where the page's blocks part: (first word, end, text) each."""
        cuts = []
        for block in self.blocks[self._block_at(first) + 1 :]:
            if block.start >= last:
                break
            cuts.append(block.start)
        if not cuts:
            return [(first, last, paragraph)]
        text = normalize.clean(paragraph)
        spans = [m.span() for m in normalize.WORD.finditer(normalize.comparable_form(text))]
        pieces, begin, begin_char = [], first, 0
        for cut in cuts:
            char = _position(text, spans, self._char(cut) - self._char(first))
            pieces.append((begin, cut, text[begin_char:char].strip()))
            begin, begin_char = cut, char
        pieces.append((begin, last, text[begin_char:].strip()))
        return [p for p in pieces if p[2]]

    def _block_at(self, word: int) -> int:
        return bisect_right(self.block_starts, word) - 1

    def _blocks(self, start: int, end: int) -> list[int]:
        first = self._block_at(start)
        out = [first]
        for i in range(first + 1, len(self.blocks)):
            if self.blocks[i].start >= end:
                break
            out.append(i)
        return out

    def _furniture(self, start: int, end: int, blocks: list[int]) -> bool:
        """Text from navigation, footers or widgets; a short line of links or buttons."""
        kinds = {self.blocks[i].kind for i in blocks}
        if kinds <= {"chrome", "widget"}:
            return True
        if kinds == {"heading"}:
            return self._labels_links(blocks[-1])
        if "heading" in kinds or "figure" in kinds:
            return False
        return self._link_line(start, end)

    def _link_line(self, start: int, end: int) -> bool:
        """Mostly link or button text and no sentence, or links only ("Second time lucky
        for Hillary Clinton?": a question is a headline too)."""
        linked = sum(1 for link in self.links[start:end] if link)
        if linked == end - start:
            return True
        return linked * 2 > end - start and not _sentence(self.blocks[self._block_at(end - 1)].text)

    def _labels_links(self, heading: int) -> bool:
        """A heading over lines of links ("More stories", "Trending"): two or more of them
        right after it, or nothing else up to the next heading in the element that holds
        it (or, when that holds only the heading, the one around that). A linked heading
        is a link of such a list."""
        label = self.blocks[heading]
        if label.end - label.start > LABEL_WORDS or _sentence(label.text):
            return False  # a heading that says something is not a label
        parent = label.owner.getparent()
        for scope in (parent, parent.getparent() if parent is not None else None):
            if scope is None:
                return False
            links = 0
            for block in self.blocks[heading + 1 :]:
                if scope not in _lineage(block.owner):
                    break
                if not self._link_line(block.start, block.end):
                    if block.kind == "heading":
                        break  # the next section
                    return links >= 2
                links += 1
            if links:
                return True
        return False

    def _prose(self, members: list[int]) -> list[int]:
        """The blocks of a box left out that are prose, or none: sentences, and few lines
        that are not (a gallery's "Full Screen", "1 of 24", "Close" are the labels of a
        viewer, not an article's text). Widgets, figures, parts that are all links or
        buttons (a share bar, a list of links) and the headings over such lists, set
        inside the box, are left out of it; a line of links beside its text ("SUBSCRIBE"
        under an invitation, "Read more" under a teaser), or links each with a blurb
        beside it (a list of stories), make the box a promotion."""
        members = [i for i in members if self.blocks[i].kind in ("text", "heading")]
        lines = {i for i in members if self._link_line(self.blocks[i].start, self.blocks[i].end)}
        within = {i: _lineage(self.blocks[i].owner) for i in members}
        for i in lines:
            part = _past_links(self.blocks[i].owner)
            if any(j not in lines for j in members if part in within[j]):
                return []  # links beside text in one element
        text = [i for i in members if i not in lines and not self._labels_links(i)]
        headlines = {i for i in lines if self._headline_link(self.blocks[i])}
        blurbs = [i for i in text if self._blurb(i, members, headlines, within)]
        if blurbs and len(blurbs) * 2 >= len(text):
            return []  # links each with a blurb beside it: a list of stories
        blocks = [self.blocks[i] for i in text]
        words = sum(b.end - b.start for b in blocks)
        links = sum(1 for b in blocks for link in self.links[b.start : b.end] if link)
        if not words or links * 4 > words:
            return []
        sentences = sum(
            1 for b in blocks if b.kind == "text" and _sentence(b.text) and b.end - b.start >= SENTENCE_WORDS
        )
        others = sum(1 for b in blocks if b.kind == "text" and not _sentence(b.text))
        if sentences > 0 and others <= max(1, sentences // 2):
            return text
        return [i for i in text if self._paragraph([self.blocks[i]])]  # a standfirst among a header's lines

    def _headline_link(self, block: Block) -> bool:
        """Whether a block holds a link of four words or more (a story's title; a share
        bar's links are a word or two each)."""
        words = Counter(link for link in self.links[block.start : block.end] if link)
        return any(count >= 4 for count in words.values())

    def _blurb(
        self, i: int, members: list[int], headlines: set[int], within: dict[int, list[etree._Element]]
    ) -> bool:
        """Whether a block stands beside a linked headline in a small element of their
        own (a story's title and its blurb): the smallest element around it that holds a
        link of four words or more holds three blocks at most. (Beside a share bar's
        short links, a paragraph is no blurb.)"""
        for element in within[i][1:]:
            inside = [j for j in members if element in within[j]]
            if any(j in headlines for j in inside):
                return len(inside) <= 3
        return False

    def _paragraph(self, found: list[Block]) -> bool:
        """A paragraph element alone in its box among the article's ("(Image credit: …)"),
        not links or buttons: the article's text, sentence or not."""
        return (
            len(found) == 1
            and found[0].owner.tag == "p"
            and found[0].kind == "text"
            and not self._link_line(found[0].start, found[0].end)
        )

    def _left_out(self, covered: set[int], kept: set[int], container: etree._Element | None) -> list[Block]:
        """The prose blocks of the article that trafilatura left out: between the first and
        the last block it read, inside the element that holds all it read (a correction
        at the end of the body) or the article's other parts beside it (`_parts`), or
        before them in the article container (lead paragraphs in a block of their own;
        what follows the body there is an author's bio, comments or promotions), box by box. A box (the largest element around such blocks
        that holds none it read) comes back when its text is sentences, not links or a
        widget; a heading comes back over text that is the article's."""
        lo, hi = min(covered), max(covered)
        lineages = [_lineage(self.blocks[i].owner) for i in covered]
        bearing = set().union(*lineages)
        common = set(lineages[0]).intersection(*lineages[1:])
        holder = next((n for n in lineages[0] if n in common), None)
        if holder is not None and holder.tag in ("body", "html"):
            holder = None  # the whole page is not the article's element
        if container is not None and container.tag in ("body", "html"):
            container = None
        parts = _parts(holder)
        boxes: dict[etree._Element | Block, list[int]] = {}
        for i, block in enumerate(self.blocks):
            if i in covered:
                continue
            lineage = _lineage(block.owner)
            inside = holder in lineage or parts.intersection(lineage)
            if not (lo < i < hi or inside or (i < lo and container in lineage)):
                continue
            box: etree._Element | Block = block
            for element in lineage:
                if element in bearing:
                    break
                box = element
            boxes.setdefault(box, []).append(i)
        chosen: set[int] = set()
        headings = []
        for members in boxes.values():
            found = [self.blocks[i] for i in members]
            if self._paragraph(found):
                chosen.update(members)
                continue
            prose = self._prose(members)
            if prose:
                chosen.update(prose)
            elif all(b.kind == "heading" and not self._link_line(b.start, b.end) for b in found):
                headings.append(members)
        for members in reversed(headings):  # a run of headings: the last one decides first
            if members[-1] + 1 in chosen or members[-1] + 1 in kept:
                chosen.update(members)
        return [self.blocks[i] for i in sorted(chosen)]


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


def _parts(holder: etree._Element | None) -> set[etree._Element]:
    """The article's other parts: the <article> elements beside the one that holds what
    was read (a body split into several), past what has a few words only (an
    advertisement), up to one with a headline of its own (the next story)."""
    found: set[etree._Element] = set()
    article = next((n for n in _lineage(holder) if n.tag == "article"), None) if holder is not None else None
    if article is None:
        return found
    for siblings in (article.itersiblings(), article.itersiblings(preceding=True)):
        for sibling in siblings:
            if sibling.tag != "article":
                if normalize.word_count(" ".join(str(t) for t in sibling.itertext())) > PART_GAP_WORDS:
                    break
                continue
            if sibling.find(".//h1") is not None:
                break
            found.add(sibling)
    return found


def _past_links(node: etree._Element) -> etree._Element:
    """The element a block stands in, past the links and buttons that make it up."""
    parent = node.getparent()
    while node.tag in _LINKED and parent is not None:
        node, parent = parent, parent.getparent()
    return node


def _sentence(text: str) -> bool:
    return text.rstrip(_QUOTES)[-1:] in _SENTENCE_END


def _lineage(element: etree._Element) -> list[etree._Element]:
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
                if tag not in INLINE and tag not in _CELLS:
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
                if tag not in INLINE and tag not in _CELLS:
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
        pieces = [(normalize.comparable_form(text), link) for text, link in self.pieces]
        self.pieces.clear()
        raw = "".join(text for text, _ in pieces)
        found = list(normalize.WORD.finditer(raw))
        if not found:
            return
        marks: list[int] = []
        for text, link in pieces:
            marks += [link] * len(text)
        owner = next((n for n in reversed(stack) if n.tag not in INLINE and n.tag not in _CELLS), self.root)
        start = len(self.words)
        self.words += [m.group(0) for m in found]
        self.links += [marks[m.start()] for m in found]
        kind = self._kind(stack, owner)
        self.blocks.append(Block(start, len(self.words), normalize.clean(raw), owner, kind))

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
    if node.get("hidden") is not None or (node.get("aria-hidden") or "").lower() == "true":
        return True
    style = (node.get("style") or "").replace(" ", "").lower()
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
