"""Evidence from the whole page: the newsroom's changes told from the reading's.

An extractor does not always take the same blocks of a page: a redesign moves a credit
into a paragraph, splits the body over two `<article>` elements, shows the headline again
as a paragraph. Every difference between the latest version and a fresh extraction is
the newsroom's or the reading's, and the pages on both sides tell which:

- the newsroom's: its words left the page, or were not on the page before;
- the reading's: the words the latest version had there are still on the fresh page
  (outside the fresh text), and the words the fresh text has there were already on the
  page behind the latest version (outside the latest text).

Differences are found word by word (a CJK character is a word) across paragraph breaks,
so a credit glued to a paragraph, or a paragraph split in two, is one small difference,
not a paragraph removed and another added. A difference inside a paragraph is judged
with a few words of context on each side, so "five" becoming "six" is judged as "said
five people died" leaving the page, not as the word "five" somewhere on it. At a
paragraph's edge there is no context to take: a block that joined or left a paragraph
brings none of its own.

`decide` is pure: the checker calls it on every changed page, `bench/redesign.py` on
generated redesigns. A page's words are `journal.pagewords`; aligning two texts word by
word is `journal.alignment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from journal import captions
from journal.alignment import (
    CAPTION_KEY,
    Built,
    Word,
    back,
    by_line,
    cleaned,
    context,
    edge,
    in_order_of,
    join,
    line_words,
    moves,
    on,
    placed,
    together,
)
from journal.models import ArticleText
from journal.normalize import fingerprint, same_words
from journal.pagewords import STRONG, Page, canonical, key, occurrences, weight, words


@dataclass(frozen=True)
class Decision:
    """What a fresh extraction means for the archive.

    `reflow`: the same words in the same order as the latest version, laid out in other
    paragraphs (a `reextract` if the file differs). Otherwise `interim`, when set, is the
    latest version plus the paragraphs the extractor reads now that were on the page all
    along (a `reextract`), and `text` is the fresh text with every difference of the
    reading undone: an edit when its words differ from `interim` (or the latest version).
    """

    text: ArticleText
    interim: ArticleText | None = None
    reflow: bool = False
    reading: int = 0  # differences put down to the reading
    newsroom: int = 0  # differences put down to the newsroom
    version: bool = False  # `text` is an edit: its words differ from `interim` (or the latest)


def decide(latest: ArticleText, old_page: Page | None, fresh: ArticleText, new_page: Page) -> Decision:
    """Tell the newsroom's changes from the reading's. `fresh` is the fresh extraction as
    a text; `old_page` is None when the page behind the latest version is not kept.
    Captions settle first (`captions.settle`): a caption counts only for the same media."""
    lines = in_order_of(
        latest.paragraphs,
        captions.settle(latest.paragraphs, fresh.paragraphs),
        lambda line: new_page.position(captions.shown(line)),
    )
    fresh = replace(fresh, paragraphs=lines)
    if same_words((fresh.title, lines), (latest.title, latest.paragraphs)):
        return Decision(text=fresh, reflow=True)
    judge = _Judge(latest.paragraphs, lines, old_page, new_page)
    title = latest.title if judge.title_is_read(latest.title, fresh.title) else fresh.title
    interim, final = judge.lines()
    picked_up = replace(latest, paragraphs=interim) if interim != latest.paragraphs else None
    base = picked_up or latest
    return Decision(
        text=replace(fresh, title=title, paragraphs=final),
        interim=picked_up,
        reading=judge.reading,
        newsroom=judge.newsroom,
        version=fingerprint(title, final) != fingerprint(base.title, base.paragraphs),
    )


class _Judge:
    def __init__(
        self, old: tuple[str, ...], new: tuple[str, ...], old_page: Page | None, new_page: Page
    ) -> None:
        self.old, self.new = old, new
        self.old_text = [canonical(captions.shown(t)) for t in old]
        self.new_text = [canonical(captions.shown(t)) for t in new]
        self.old_page, self.new_page = old_page, new_page
        # The article's own words on each side, paragraphs and captions apart: the checker
        # never pairs a caption with a paragraph, so text that moves between the two (a
        # credit glued to a paragraph, split off a caption) stays "outside" the other kind.
        self.old_lines = {kind: self._words(old, self.old_text, kind) for kind in (False, True)}
        self.new_lines = {kind: self._words(new, self.new_text, kind) for kind in (False, True)}
        self.old_all = Page.of(" | ".join(self.old_text))
        self.caption = False  # the kind of line being judged
        self.retitled = False  # the title changed, and not in the reading only
        self.reading = 0
        self.newsroom = 0

    @staticmethod
    def _words(lines: tuple[str, ...], texts: list[str], caption: bool) -> Page:
        return Page.of(
            " | ".join(t for t, x in zip(texts, lines, strict=True) if captions.is_caption(x) is caption)
        )

    # -- the evidence --------------------------------------------------------------------

    def still_there(self, piece: Sequence[str], whole: bool = False) -> bool:
        """Words of the latest version are still shown on the fresh page, outside the
        fresh lines of their kind. A whole paragraph is still there only where what shares
        its block on the fresh page was on the page before: a paragraph the newsroom
        lengthened, in a block the extractor left out, is not the paragraph it was."""
        if not piece:
            return True
        inside = self.new_lines[self.caption].count(piece)
        outside = self.new_page.count(piece) - inside
        if weight(piece) >= STRONG:
            if whole and outside >= 1 and self.old_page is not None:
                return self._unchanged_around(self.new_page, self.old_page, piece)
            return outside >= 1 or (inside == 0 and self.new_page.holds(piece, self.old_page))
        # A short text: whole elements of the page, shown no less often than before.
        fewer = self.old_page is not None and self.new_page.count(piece) < self.old_page.count(piece)
        return outside >= 1 and self.new_page.units(piece) >= 1 and not fewer

    def was_there(self, piece: Sequence[str], whole: bool = False) -> bool:
        """Words of the fresh text were on the page behind the latest version, outside the
        latest lines of their kind; shown, or (long enough) stated as its description. A
        whole paragraph was there only where what shared its block then is still on the
        page: one the newsroom shortened is not the paragraph it was."""
        page = self.old_page
        if not piece:
            return True
        if page is None:
            return False
        had = self.old_lines[self.caption].count(piece)
        outside = page.count(piece) - had
        if weight(piece) >= STRONG:
            # A copy of words the article already had (a standfirst shown twice) is not new.
            copied = 1 <= had < self.new_lines[self.caption].count(piece)
            if whole and outside >= 1 and not copied:
                return self._unchanged_around(page, self.new_page, piece)
            return (
                outside >= 1
                or copied
                or (had == 0 and (page.holds(piece, self.new_page) or page.declares(piece)))
            )
        # A short text: whole elements of the page, shown no more often than before.
        return outside >= 1 and page.units(piece) >= 1 and self.new_page.count(piece) <= page.count(piece)

    @staticmethod
    def _unchanged_around(here: Page, there: Page, piece: Sequence[str]) -> bool:
        """Whether the words sharing the piece's block on page `here` are on page `there`
        (at one of its places, at least)."""
        for before, after in here.beside(piece):
            if all(not rest or there.count(rest) or there.holds(rest) for rest in (before, after)):
                return True
        return False

    def shown(self, piece: Sequence[str]) -> bool:
        """A paragraph shown on the page behind the latest version, and nowhere in it."""
        page = self.old_page
        if page is None or self.old_all.count(piece):
            return False
        return page.count(piece) >= 1 or (weight(piece) >= STRONG and page.holds(piece))

    def is_read(
        self,
        old_piece: Sequence[str],
        new_piece: Sequence[str],
        old_whole: bool = False,
        new_whole: bool = False,
    ) -> bool:
        """Whether a difference is the reading's (and count it either way); `*_whole` says
        a piece is whole paragraphs."""
        old_head = bool(old_piece) and (self.old_page or self.new_page).is_headline(old_piece)
        new_head = bool(new_piece) and self.new_page.is_headline(new_piece)
        if "".join(old_piece) == "".join(new_piece):
            # The same letters, spaced otherwise ("Friday<b> </b>that" read as one word): the
            # reading's when the fresh page still shows the old spacing.
            read = occurrences(self.new_page.text, key(old_piece)) > 0
        elif (old_head or not old_piece) and (new_head or not new_piece):
            # A line that is its page's displayed headline is the title read as a paragraph:
            # it comes with the reading, and goes or changes with the title.
            read = not (old_piece and self.retitled)
        else:
            old_read = not old_piece or old_head or self.still_there(old_piece, old_whole)
            read = old_read and (not new_piece or new_head or self.was_there(new_piece, new_whole))
        if read:
            self.reading += 1
        else:
            self.newsroom += 1
        return read

    def title_is_read(self, old: str, new: str) -> bool:
        """The title is the displayed headline (`<h1>`). When both pages display headlines,
        the title changed only if they did: one headline left and another came (a title
        that changes beside the same headline changed in the metadata only, a headline
        written for social media). Without displayed headlines to go by, a new title is
        the reading's when the old one is still shown and the new one was shown before,
        or is not shown at all."""
        a, b = words(old), words(new)
        if a == b:
            return False
        before, after = (self.old_page.headlines if self.old_page else frozenset()), self.new_page.headlines
        if before and after:
            read = not (before - after and after - before)
        else:
            shown_before = self.old_page is not None and self.old_page.count(b) > 0
            read = self.new_page.count(a) > 0 and (shown_before or self.new_page.count(b) == 0)
        if read:
            self.reading += 1
        else:
            self.newsroom += 1
            self.retitled = True
        return read

    # -- the lines -----------------------------------------------------------------------

    def lines(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(interim, final): the latest lines plus the paragraphs the extractor picks up
        now; the fresh lines with the reading's differences undone."""
        old_keys = [self._linekey(self.old, self.old_text, i) for i in range(len(self.old))]
        new_keys = [self._linekey(self.new, self.new_text, j) for j in range(len(self.new))]
        opcodes = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
        moved_old, moved_new = moves(old_keys, new_keys, [op for op in opcodes if op[0] != "equal"])
        interim: list[str] = []
        final: list[str] = []
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                interim += self.old[i1:i2]
                final += [self._caption(i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            olds = [i for i in range(i1, i2) if i not in moved_old and not captions.is_caption(self.old[i])]
            news = [j for j in range(j1, j2) if j not in moved_new and not captions.is_caption(self.new[j])]
            picked, built = self._stretch(olds, news)
            # Lines that stand as they are: moved paragraphs, and captions (settled already;
            # a caption of the latest version in here stands in the fresh lines as well).
            interim += placed([(i, self.old[i]) for i in range(i1, i2)], picked, i1)
            final += placed([(j, self.new[j]) for j in range(j1, j2) if j not in news], built, j1)
        return tuple(interim), tuple(final)

    @staticmethod
    def _linekey(lines: tuple[str, ...], texts: list[str], index: int) -> tuple[str, ...]:
        if captions.is_caption(lines[index]):
            caption = captions.parse(lines[index])
            media = caption.media if caption is not None and caption.media else lines[index]
            return (CAPTION_KEY, media)  # aligned by its media; its text is judged apart
        return tuple(words(texts[index]))

    def _caption(self, i: int, j: int) -> str:
        """The fresh line of an aligned pair; for a caption of the same media whose text
        changed, that text with the reading's differences undone (a credit that joined it
        or left it)."""
        old, new = self.old[i], self.new[j]
        caption = captions.parse(new)
        if old == new or caption is None or words(self.old_text[i]) == words(self.new_text[j]):
            return new
        self.caption = True
        _, built = self._stretch([i], [j])
        self.caption = False
        text = " ".join(t for _, t in built)
        return captions.line(captions.Caption(text, caption.media)) if text else old

    def _stretch(
        self, olds: list[int], news: list[int]
    ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """A stretch of lines that differ, word by word. Returns the paragraphs picked up
        (each with the latest line it follows) and the lines built (each with the fresh
        line it stands at; -1: after the line before)."""
        old_words = [w for i in olds for w in line_words(i, self.old_text[i])]
        new_words = [w for j in news for w in line_words(j, self.new_text[j])]
        picked: list[tuple[int, str]] = []
        built: list[Built] = []
        matcher = SequenceMatcher(
            None, [w.text for w in old_words], [w.text for w in new_words], autojunk=False
        )
        for tag, i1, i2, j1, j2 in cleaned(matcher.get_opcodes(), old_words, new_words):
            if tag == "equal":
                pairs = zip(old_words[i1:i2], new_words[j1:j2], strict=True)
                built += [Built(n, o.line, n.line, True) for o, n in pairs]
                continue
            for a1, a2, b1, b2 in by_line(old_words, new_words, i1, i2, j1, j2):
                fresh = new_words[b1:b2]
                old_piece, new_piece = self._pieces(old_words, new_words, a1, a2, b1, b2)
                old_whole = a1 < a2 and edge(old_words, a1) and edge(old_words, a2)
                new_whole = b1 < b2 and edge(new_words, b1) and edge(new_words, b2)
                if not self.is_read(old_piece, new_piece, old_whole, new_whole):
                    if b1 == b2 and old_whole:
                        # A paragraph the extractor left out, edited on the fresh page.
                        kept = self._as_shown(old_words[a1:a2], False, self.new_page, self.new_lines[False])
                        built += kept or []
                    if a1 == a2 and new_whole:
                        # A paragraph the extractor reads now, edited since the page before.
                        former = self._as_shown(fresh, True, self.old_page, self.old_lines[False])
                        if former:
                            text = self._characters(former)
                            after = old_words[a1 - 1].line if a1 > 0 else -1
                            picked.append((after, captions.paragraph(text)))
                    built += [Built(n, None, n.line, True) for n in fresh]
                elif a1 == a2 and edge(new_words, b1) and edge(new_words, b2) and self.shown(new_piece):
                    # A paragraph the extractor reads now, shown on the page all along (not
                    # a copy of one the article has, not the page's description): kept,
                    # and recorded first as what the latest version should have held.
                    built += [Built(n, None, n.line, True) for n in fresh]
                    after = old_words[a1 - 1].line if a1 > 0 else -1
                    picked += [(after, self.new[j]) for j in dict.fromkeys(n.line for n in fresh)]
                else:
                    built += [Built(o, o.line, None, False) for o in old_words[a1:a2]]
        return picked, self._as_lines(built)

    def _as_shown(self, line: list[Word], fresh: bool, page: Page | None, text: Page) -> list[Built] | None:
        """A whole line as `page` shows it edited (`Page.near`), built from the line's own
        characters and the page's changed words (a new line of the latest side), or None:
        the line is not on that page, or is there unchanged, or `text` holds it as often as
        the page shows it (a standfirst the article held once for its two copies)."""
        tokens = [w.text for w in line]
        if page is None or self.caption or weight(tokens) < STRONG:
            return None
        shown = page.near(tokens)
        if shown is None or shown == tokens or text.count(shown) >= page.count(shown):
            return None
        source = (self.new_text if fresh else self.old_text)[line[0].line]
        pieces: list[str] = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, tokens, shown, autojunk=False).get_opcodes():
            if tag == "equal":
                pieces.append(source[back(source, line[i1].start) : on(source, line[i2 - 1].end)])
            elif j2 > j1:
                pieces.append(" ".join(shown[j1:j2]))
        self.old_text.append(join(pieces))
        index = len(self.old_text) - 1
        home = line[0].line
        made = line_words(index, self.old_text[index])
        return [Built(w, None if fresh else home, home if fresh else None, False) for w in made]

    def _pieces(
        self, old: list[Word], new: list[Word], a1: int, a2: int, b1: int, b2: int
    ) -> tuple[list[str], list[str]]:
        """The words of a difference on each side, with context on each side that lies
        inside a paragraph on both sides. A pure addition or removal at a line break
        leaves nothing to look for on the side where nothing is."""
        left = edge(old, a1) or edge(new, b1)
        right = edge(old, a2) or edge(new, b2)

        def piece(seq: list[Word], i1: int, i2: int) -> list[str]:
            if i1 == i2 and (left or right):
                return []
            before = [] if left else context(seq, i1 - 1, -1)
            after = [] if right else context(seq, i2, +1)
            return [w.text for w in (*before, *seq[i1:i2], *after)]

        return piece(old, a1, a2), piece(new, b1, b2)

    def _as_lines(self, built: list[Built]) -> list[tuple[int, str]]:
        """Words into lines: two words share a line when they share one in the latest
        version (both there), else when they share one in the fresh text. So a layout
        that only the reading changed stays as it was."""
        groups: list[list[Built]] = []
        for item in built:
            last = groups[-1][-1] if groups else None
            if last is not None and together(last, item):
                groups[-1].append(item)
            else:
                groups.append([item])
        out = []
        for group in groups:
            at = next((g.new_line for g in group if g.new_line is not None), -1)
            out.append((at, self._characters(group)))
        return out

    def _characters(self, group: list[Built]) -> str:
        """The characters of a line built from words: each run of consecutive words of one
        source line keeps its punctuation; runs are joined by a space (none between CJK)."""
        parts: list[str] = []
        run: list[Built] = []

        def flush() -> None:
            if run:
                text = (self.new_text if run[0].fresh else self.old_text)[run[0].word.line]
                parts.append(text[back(text, run[0].word.start) : on(text, run[-1].word.end)])
                run.clear()

        for item in group:
            prev = run[-1] if run else None
            if prev is not None and (
                item.fresh != prev.fresh
                or item.word.line != prev.word.line
                or item.word.index != prev.word.index + 1
            ):
                flush()
            run.append(item)
        flush()
        return join(parts)
