"""Two texts aligned word by word across their paragraphs, and lines built back from the
aligned words: the mechanics under `journal.evidence`.

A text is its lines (paragraphs and caption lines); a word knows its line and its
characters, so a line can be built again from words of either side, keeping each side's
punctuation. Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from journal import captions
from journal.pagewords import CJK_CHAR, TOKEN, words

CONTEXT = 3  # words on each side of a difference inside a paragraph
CAPTION_KEY = "\x00caption"  # aligns a caption line by its media; no paragraph has it


@dataclass(frozen=True)
class Word:
    text: str
    line: int  # the line it stands in (an index into that side's lines)
    index: int  # its place among the words of that line
    start: int  # its characters in that line
    end: int


def line_words(line: int, text: str) -> list[Word]:
    return [Word(m.group(0), line, n, m.start(), m.end()) for n, m in enumerate(TOKEN.finditer(text))]


@dataclass(frozen=True)
class Built:
    """A word of the text being built, and the lines it stands in on each side."""

    word: Word
    old_line: int | None  # None: not in the latest version
    new_line: int | None  # None: not in the fresh text
    fresh: bool  # its characters are taken from the fresh line (else the latest's)


def edge(seq: list[Word], i: int) -> bool:
    """Whether position i of a word sequence falls on a line break (or an end)."""
    return i <= 0 or i >= len(seq) or seq[i - 1].line != seq[i].line


def context(seq: list[Word], i: int, step: int) -> list[Word]:
    """Up to CONTEXT words from index i on (step ±1), on the line of the word at i."""
    out: list[Word] = []
    if 0 <= i < len(seq):
        line = seq[i].line
        while 0 <= i < len(seq) and seq[i].line == line and len(out) < CONTEXT:
            out.append(seq[i])
            i += step
    return out[::-1] if step < 0 else out


_SAME_PARAGRAPH = 0.5  # share of words in common that makes a fresh line the latest's line, edited


def in_order_of(
    old: tuple[str, ...], new: tuple[str, ...], shown_at: Callable[[str], int] | None = None
) -> tuple[str, ...]:
    """The fresh lines in the order of the latest version's, when the fresh page still
    shows them in that order and only the extractor read them in another (it took a second
    `<article>` block first): each line that is one of the latest's (the same, edited, or a
    caption of the same media) takes that line's place, and any other line follows the
    line it followed. `shown_at(line)` is where the fresh page shows a line (-1: nowhere).
    A page that shows its paragraphs in a new order keeps it: that move is the newsroom's."""
    if len(old) * len(new) > 40_000:
        return new
    keys_old = [_line_set(line) for line in old]
    keys_new = [_line_set(line) for line in new]
    pairs = sorted(
        ((_overlap(a, b), i, j) for i, a in enumerate(keys_old) for j, b in enumerate(keys_new)),
        reverse=True,
    )
    place: dict[int, int] = {}
    taken: set[int] = set()
    for share, i, j in pairs:
        if share < _SAME_PARAGRAPH:
            break
        if i not in taken and j not in place:
            place[j] = i
            taken.add(i)
    order: list[tuple[int, int, int]] = []
    anchor = -1
    for j in range(len(new)):
        anchor = place.get(j, anchor)
        order.append((anchor, 0 if j in place else 1, j))
    ordered = tuple(new[j] for _, _, j in sorted(order))
    if ordered == new or shown_at is None:
        return new
    where = [shown_at(new[j]) for j in sorted(place, key=place.__getitem__)]
    return ordered if -1 not in where and where == sorted(where) else new


def _line_set(line: str) -> frozenset[str]:
    caption = captions.parse(line)
    if caption is not None:
        return frozenset({CAPTION_KEY, caption.media or line})
    return frozenset(words(captions.shown(line)))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


_SEAM = 3  # words of an equal run that may be chance, where a paragraph breaks on one side only


def cleaned(
    opcodes: Sequence[tuple[str, int, int, int, int]], old: list[Word], new: list[Word]
) -> list[tuple[str, int, int, int, int]]:
    """Word differences without chance anchors. A few equal words across a paragraph break
    on one side only ("A" ending one paragraph's match and starting the next) belong to
    the change beside them; a run of equal words inside a paragraph on both sides, no
    longer than the changes on both sides of it ("for" and "the" shared by two unrelated
    paragraphs), is part of one change, not two changes around a word that stayed."""
    ops = _seams(list(opcodes), old, new)
    changed = True
    while changed:
        changed = False
        for k in range(1, len(ops) - 1):
            tag, i1, i2, j1, j2 = ops[k]
            before, after = ops[k - 1], ops[k + 1]
            if tag != "equal" or "equal" in (before[0], after[0]):
                continue
            if any(edge(old, i) for i in (i1, i2)) or any(edge(new, j) for j in (j1, j2)):
                continue
            size = i2 - i1
            if size <= max(before[2] - before[1], before[4] - before[3]) and size <= max(
                after[2] - after[1], after[4] - after[3]
            ):
                ops[k - 1 : k + 2] = [("replace", before[1], after[2], before[3], after[4])]
                changed = True
                break
    return ops


def _seams(
    ops: list[tuple[str, int, int, int, int]], old: list[Word], new: list[Word]
) -> list[tuple[str, int, int, int, int]]:
    """Equal runs cut back to a paragraph break that only one side has, when no more than
    _SEAM of their words lie beyond it next to a change; adjacent changes are joined."""
    out: list[tuple[str, int, int, int, int]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal" and k + 1 < len(ops):  # a change follows: cut its tail
            for cut in range(max(i1 + 1, i2 - _SEAM), i2):
                if edge(old, cut) != edge(new, j1 + cut - i1):
                    out.append(("equal", i1, cut, j1, j1 + cut - i1))
                    tag, i1, j1 = "replace", cut, j1 + cut - i1
                    break
        if tag == "equal" and k > 0 and ops[k - 1][0] != "equal":  # a change precedes: cut its head
            for cut in range(min(i2 - 1, i1 + _SEAM), i1, -1):
                if edge(old, cut) != edge(new, j1 + cut - i1):
                    out.append(("replace", i1, cut, j1, j1 + cut - i1))
                    tag, i1, j1 = "equal", cut, j1 + cut - i1
                    break
        out.append((tag, i1, i2, j1, j2))
    joined: list[tuple[str, int, int, int, int]] = []
    for op in out:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if joined and op[0] != "equal" and joined[-1][0] != "equal":
            last = joined.pop()
            op = ("replace", last[1], op[2], last[3], op[4])
        joined.append(op)
    return joined


def by_line(
    old: list[Word], new: list[Word], a1: int, a2: int, b1: int, b2: int
) -> Iterator[tuple[int, int, int, int]]:
    """A difference of whole paragraphs cut where its lines break: each paragraph that came
    or went is judged on its own, and whole paragraphs replaced by other words (whole
    paragraphs, or words at a paragraph's edge) are ones that went and words that came.
    Any other difference is judged as one."""
    whole = any(edge(seq, i) and edge(seq, j) for seq, i, j in ((old, a1, a2), (new, b1, b2)))
    if a1 != a2 and b1 != b2 and not whole:
        yield a1, a2, b1, b2
        return
    for seq, start, end in ((old, a1, a2), (new, b1, b2)):
        cut = start
        for i in range(start + 1, end + 1):
            if i == end or edge(seq, i):
                yield (cut, i, b1, b1) if seq is old else (a2, a2, cut, i)
                cut = i


def join(parts: Sequence[str]) -> str:
    """Pieces of a line joined by a space (none between Chinese or Japanese characters)."""
    out = ""
    for part in (p.strip() for p in parts):
        if out and part and not (CJK_CHAR.match(out[-1]) or CJK_CHAR.match(part[0])):
            out += " "
        out += part
    return out


def together(a: Built, b: Built) -> bool:
    if a.old_line is not None and b.old_line is not None:
        return a.old_line == b.old_line
    if a.new_line is not None and b.new_line is not None:
        return a.new_line == b.new_line
    return False


def back(text: str, start: int) -> int:
    """From a word's start back over the punctuation before it (an opening quote)."""
    while start > 0 and not text[start - 1].isspace() and not TOKEN.match(text[start - 1]):
        start -= 1
    return start


def on(text: str, end: int) -> int:
    """From a word's end on over the punctuation after it (a full stop, a closing quote)."""
    while end < len(text) and not text[end].isspace() and not TOKEN.match(text[end]):
        end += 1
    return end


def moves(
    old_keys: list[tuple[str, ...]],
    new_keys: list[tuple[str, ...]],
    stretches: list[tuple[str, int, int, int, int]],
) -> tuple[set[int], set[int]]:
    """Paragraphs that left one place and stand unchanged at another: a move, not a change
    (as in the fingerprint, the order of whole paragraphs is not the article's words)."""
    gone: dict[tuple[str, ...], list[int]] = {}
    for _, i1, i2, _, _ in stretches:
        for i in range(i1, i2):
            if old_keys[i] and old_keys[i][0] != CAPTION_KEY:
                gone.setdefault(old_keys[i], []).append(i)
    moved_old: set[int] = set()
    moved_new: set[int] = set()
    for _, _, _, j1, j2 in stretches:
        for j in range(j1, j2):
            if gone.get(new_keys[j]):
                moved_old.add(gone[new_keys[j]].pop(0))
                moved_new.add(j)
    return moved_old, moved_new


def placed(standing: list[tuple[int, str]], built: list[tuple[int, str]], start: int) -> list[str]:
    """Lines that stand where they are (by index) and lines built (each by the index it
    stands at or follows; -1: after the line built before it), in order."""
    items = [(at, 0, text) for at, text in standing]
    last = start - 1
    for order, (at, text) in enumerate(built, start=1):
        last = max(at, last) if at >= 0 else last
        items.append((last, order, text))
    items.sort(key=lambda item: (item[0], item[1]))
    return [text for _, _, text in items]
