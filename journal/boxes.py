"""Which of the page's text is the article's: trafilatura's paragraphs held against the
page's blocks (`journal.blocks`).

- A paragraph glued from several blocks (a short page comes out as one: headline,
  byline, text, "Share Comments") is split where the page's blocks part, so each block
  is judged on its own.
- Text from navigation, footers and widgets, a block that is mostly link or button text
  and no sentence (a share bar, "941 comments", a list of tags), and a short heading
  over such blocks ("More stories") are furniture.
- Prose that trafilatura left out comes back at its place when it lies between the
  article's first and last paragraphs, inside the element that holds them all, in the
  article's other <article> parts, or before them in the article container: a box (a
  correction, a disclosure, lead paragraphs in a block of their own) whose text is
  sentences, not links, buttons, a widget, a viewer's labels or a list of stories; or a
  paragraph element of its own that is not links.

Nothing here depends on a class name or an id: a redesign that renames them reads the same.
"""

from __future__ import annotations

from lxml import etree

from journal import normalize
from journal.blocks import Block, Reading, lineage, past_links, sentence
from journal.furniture import is_furniture

LABEL_WORDS = 8  # a longer heading is not the label of a list of links
SENTENCE_WORDS = 3  # "Roads are closed." is a sentence; "Close." is a viewer's button
PART_GAP_WORDS = 10
STORY_BLOCKS = 5  # a story in a list of stories: its title and a few blocks around it
BLURB_WORDS = 40  # the words of a story's blurb, besides its links  # between two parts of an article, no more than an advertisement's words


def settle(r: Reading, paragraphs: list[str], container: etree._Element | None = None) -> list[str]:
    """trafilatura's paragraphs held against the page (see the module's docstring)."""
    placed: list[tuple[int, int, str]] = []  # (word index, order, text)
    covered: set[int] = set()  # blocks that trafilatura's paragraphs read
    kept: set[int] = set()  # those of them that are the article's text
    stories = _stories(r)
    cursor, at = 0, 0
    for order, paragraph in enumerate(paragraphs):
        found = r.locate(paragraph, cursor)
        if not found:
            placed.append((at, order, paragraph))  # not on the page as such: it stays where it was
            continue
        cursor, at = r.char(found[-1][1]), found[0][0]
        for start, end, piece in found:
            blocks = r.spanned(start, end)
            covered.update(blocks)
            if not (stories.issuperset(blocks) or _furniture(r, start, end, blocks, stories)):
                placed.append((start, order, piece))
                kept.update(blocks)
    if covered:
        for block in _left_out(r, covered, kept, container, stories):
            placed.append((block.start, -1, block.text))
    return [text for _, _, text in sorted(placed, key=lambda p: (p[0], p[1]))]


def _stories(r: Reading) -> set[int]:
    """The blocks of lists of stories: two or more items side by side, each a linked
    title (four words or more) with a few blocks of its own around it (a blurb, a
    section, a date) and no other title; the blurbs, a sentence or two, are short."""
    titles = {i: b.text for i, b in enumerate(r.blocks) if r.link_line(b.start, b.end) and r.headline_link(b)}
    items: dict[etree._Element, list[tuple[int, int]]] = {}
    for i in titles:
        item: tuple[etree._Element, int, int] | None = None
        for element in r.blocks[i].around:
            lo, hi = _extent(r, i, element, STORY_BLOCKS + 1)
            if hi - lo > STORY_BLOCKS or any(titles.get(j, titles[i]) != titles[i] for j in range(lo, hi)):
                break
            item = (element, lo, hi)
        if item is None or item[2] - item[1] < 2:
            continue
        element, lo, hi = item
        prose = sum(1 for link in r.links[r.blocks[lo].start : r.blocks[hi - 1].end] if not link)
        parent = element.getparent()
        if prose <= BLURB_WORDS and parent is not None:
            items.setdefault(parent, []).append((lo, hi))
    return {j for found in items.values() if len(set(found)) >= 2 for lo, hi in found for j in range(lo, hi)}


def _extent(r: Reading, i: int, element: etree._Element, limit: int) -> tuple[int, int]:
    """The blocks [lo, hi) inside `element`, around block `i`, at most `limit` of them."""
    lo, hi = i, i + 1
    while lo > 0 and hi - lo <= limit and element in r.blocks[lo - 1].around:
        lo -= 1
    while hi < len(r.blocks) and hi - lo <= limit and element in r.blocks[hi].around:
        hi += 1
    return lo, hi


def _furniture(r: Reading, start: int, end: int, blocks: list[int], stories: set[int]) -> bool:
    """Text from navigation, footers or widgets; a short line of links or buttons."""
    kinds = {r.blocks[i].kind for i in blocks}
    if kinds <= {"chrome", "widget"}:
        return True
    if kinds == {"heading"}:
        return _labels_links(r, blocks[-1], stories)
    if "heading" in kinds or "figure" in kinds:
        return False
    return r.link_line(start, end)


def _labels_links(r: Reading, heading: int, stories: set[int]) -> bool:
    """A heading over lines of links ("More stories", "Trending") or a list of stories:
    two or more of them right after it, or nothing else up to the next heading in the
    element that holds it (or, when that holds only the heading, the one around that).
    A linked heading is a link of such a list."""
    label = r.blocks[heading]
    if label.end - label.start > LABEL_WORDS or sentence(label.text):
        return False  # a heading that says something is not a label
    parent = label.owner.getparent()
    for scope in (parent, parent.getparent() if parent is not None else None):
        if scope is None:
            return False
        links = 0
        for i in range(heading + 1, len(r.blocks)):
            block = r.blocks[i]
            if scope not in block.around:
                break
            if i not in stories and not r.link_line(block.start, block.end):
                if block.kind == "heading":
                    break  # the next section
                return links >= 2
            links += 1
            if links == 2:
                return True  # whatever follows, two lines of links under it make it their label
        if links:
            return True
    return False


def _prose(r: Reading, members: list[int], stories: set[int]) -> list[int]:
    """The blocks of a box left out that are prose, or none: sentences, and few lines
    that are not, furniture aside (a gallery's "Full Screen", "1 of 24", "Close" are
    the labels of a viewer, not an article's text). Widgets, figures, parts that are all links or
    buttons (a share bar, a list of links) and the headings over such lists, set
    inside the box, are left out of it; a line of links beside its text ("SUBSCRIBE"
    under an invitation, "Read more" under a teaser), or links each with a blurb
    beside it (a list of stories), make the box a promotion."""
    members = [i for i in members if r.blocks[i].kind in ("text", "heading")]
    lines = {i for i in members if r.link_line(r.blocks[i].start, r.blocks[i].end)}
    within = {i: r.blocks[i].around for i in members}
    for i in lines:
        part = past_links(r.blocks[i].owner)
        if any(j not in lines for j in members if part in within[j]):
            return []  # links beside text in one element
    text = [i for i in members if i not in lines and not _labels_links(r, i, stories)]
    headlines = {i for i in lines if r.headline_link(r.blocks[i])}
    blurbs = [i for i in text if _blurb(r, i, members, headlines, within)]
    if blurbs and len(blurbs) * 2 >= len(text):
        return []  # links each with a blurb beside it: a list of stories
    blocks = [r.blocks[i] for i in text]
    words = sum(b.end - b.start for b in blocks)
    links = sum(1 for b in blocks for link in r.links[b.start : b.end] if link)
    if not words or links * 4 > words:
        return []
    sentences = sum(
        1 for b in blocks if b.kind == "text" and sentence(b.text) and b.end - b.start >= SENTENCE_WORDS
    )
    others = sum(1 for b in blocks if b.kind == "text" and not sentence(b.text) and not is_furniture(b.text))
    if sentences > 0 and others <= max(1, sentences // 2):
        return text
    return [i for i in text if _paragraph(r, [r.blocks[i]])]  # a standfirst among a header's lines


def _blurb(
    r: Reading, i: int, members: list[int], headlines: set[int], within: dict[int, tuple[etree._Element, ...]]
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


def _paragraph(r: Reading, found: list[Block]) -> bool:
    """A paragraph element alone in its box among the article's ("(Image credit: …)"),
    not links or buttons: the article's text, sentence or not."""
    return (
        len(found) == 1
        and found[0].owner.tag == "p"
        and found[0].kind == "text"
        and not r.link_line(found[0].start, found[0].end)
    )


def _left_out(
    r: Reading, covered: set[int], kept: set[int], container: etree._Element | None, stories: set[int]
) -> list[Block]:
    """The prose blocks of the article that trafilatura left out: between the first and
    the last block it read, inside the element that holds all it read (a correction at
    the end of the body) or the article's other parts beside it (`_parts`), or before
    them in the article container (lead paragraphs in a block of their own; what
    follows the body there is an author's bio, comments or promotions), box by box. A
    box (the largest element around such blocks that holds none it read) comes back
    when it is prose (`_prose`) or one paragraph element; a heading comes back over
    text that is the article's."""
    lo, hi = min(covered), max(covered)
    lineages = [r.blocks[i].around for i in covered]
    bearing = set().union(*lineages)
    common = set(lineages[0]).intersection(*lineages[1:])
    holder = next((n for n in lineages[0] if n in common), None)
    if holder is not None and holder.tag in ("body", "html"):
        holder = None  # the whole page is not the article's element
    if container is not None and container.tag in ("body", "html"):
        container = None
    parts = _parts(holder)
    boxes: dict[etree._Element | Block, list[int]] = {}
    for i, block in enumerate(r.blocks):
        if i in covered or i in stories:
            continue
        around = block.around
        inside = holder in around or parts.intersection(around)
        if not (lo < i < hi or inside or (i < lo and container in around)):
            continue
        box: etree._Element | Block = block
        for element in around:
            if element in bearing:
                break
            box = element
        boxes.setdefault(box, []).append(i)
    chosen: set[int] = set()
    headings = []
    for members in boxes.values():
        found = [r.blocks[i] for i in members]
        if _paragraph(r, found):
            chosen.update(members)
            continue
        prose = _prose(r, members, stories)
        if prose:
            chosen.update(prose)
        elif all(b.kind == "heading" and not r.link_line(b.start, b.end) for b in found):
            headings.append(members)
    for members in reversed(headings):  # a run of headings: the last one decides first
        if members[-1] + 1 in chosen or members[-1] + 1 in kept:
            chosen.update(members)
    return [r.blocks[i] for i in sorted(chosen)]


def _parts(holder: etree._Element | None) -> set[etree._Element]:
    """The article's other parts: the <article> elements beside the one that holds what
    was read (a body split into several), past what has a few words only (an
    advertisement), up to one with a headline of its own (the next story)."""
    found: set[etree._Element] = set()
    article = next((n for n in lineage(holder) if n.tag == "article"), None) if holder is not None else None
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
