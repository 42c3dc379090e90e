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
generated redesigns. What the pages are made of is `journal.pagetext`'s business.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import cached_property

from journal import captions
from journal.models import ArticleText
from journal.normalize import fingerprint, same_words

# A text of at least this many words (a CJK character counts half) is strong evidence on
# its own: on a news page a run of eight words recurs only where the text itself is
# repeated (a standfirst shown twice, a pull quote). Shorter texts ("Photo: AP", "By Jane
# Doe", "police said") recur by chance, so they count only as the whole text of elements
# of the page ("Photo: AP" in its figure, not two words inside a sentence), and only when
# the page shows them as often as before (a phrase the newsroom added shows once more).
STRONG = 8.0
CONTEXT = 3  # words on each side of a difference inside a paragraph
GAP = 6  # words of a page that may stand between two words of a long text found on it
NEAR = 0.75  # share of a paragraph's words, in order, that finds it edited on a page

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CAPTION_KEY = "\x00caption"


def words(text: str) -> list[str]:
    """The words of a text as evidence counts them: `\\w+` runs, each CJK character a word
    of its own (Chinese and Japanese put no spaces between words)."""
    return _TOKEN.findall(canonical(text))


def weight(tokens: Sequence[str]) -> float:
    """How much text `tokens` are, in words: a CJK character is half a word."""
    return sum(0.5 if _CJK_CHAR.fullmatch(t) else 1.0 for t in tokens)


def canonical(text: str) -> str:
    """NFC, without invisible characters: the form every text is compared in."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def _key(tokens: Sequence[str]) -> str:
    return f" {' '.join(tokens)} "


@dataclass(frozen=True)
class Page:
    """The words a page shows, in reading order, and where its elements begin and end
    among them; the words of each displayed headline; the words it declares as its
    description."""

    text: str = "  "  # " w1 w2 … ": every word between single spaces
    spans: tuple[tuple[int, int], ...] = ()  # the words of each element: [first, past the last)
    headlines: frozenset[str] = frozenset()
    declared: str = "  "

    @classmethod
    def of(
        cls,
        shown: str,
        spans: Sequence[tuple[int, int]] = (),
        headlines: Sequence[str] = (),
        declared: Sequence[str] = (),
    ) -> Page:
        """A page from the text it shows (`_canonical` already), the character spans of its
        elements in that text, its headlines and its descriptions."""
        found = list(_TOKEN.finditer(shown))
        first = [m.start() for m in found]
        last = [m.end() for m in found]
        ranges = {(bisect_left(first, begin), bisect_right(last, end)) for begin, end in spans}
        return cls(
            _key([m.group(0) for m in found]),
            tuple(sorted((a, b) for a, b in ranges if a < b)),
            frozenset(_key(words(h)) for h in headlines if words(h)),
            " | ".join(_key(words(d)) for d in declared) or "  ",
        )

    def count(self, tokens: Sequence[str]) -> int:
        return _occurrences(self.text, _key(self._unglued(tokens))) if tokens else 0

    def units(self, tokens: Sequence[str]) -> int:
        """How often the words stand on the page as the whole text of one element or of
        several in a row (a credit, a byline, a label), not as words inside a sentence."""
        if not tokens:
            return 0
        tokens = self._unglued(tokens)
        page, n = self._tokens, len(tokens)
        return sum(
            1
            for at in self._where.get(tokens[0], ())
            if at in self.starts and at + n in self.ends and page[at : at + n] == tokens
        )

    def is_headline(self, tokens: Sequence[str]) -> bool:
        return _key(tokens) in self.headlines

    def declares(self, tokens: Sequence[str]) -> bool:
        return bool(tokens) and _key(tokens) in self.declared

    def holds(self, tokens: Sequence[str]) -> bool:
        """The words on the page in this order, allowing up to GAP words of the page between
        two of them (an element the extractor left out: a hidden label, a duplicate name)
        and a word that the page's markup splits in two or the extractor joins."""
        if not tokens or self.count(tokens):
            return bool(tokens)
        page = self._tokens
        slack = len(tokens)  # the words found span at most twice as many words of the page
        return any(_follows(page, start + 1, tokens, slack) for start in self._where.get(tokens[0], ()))

    def _unglued(self, tokens: Sequence[str]) -> list[str]:
        """The words with each one the page does not have, but has as two words in a row,
        cut in two: an extractor joins the texts of two elements ("BiographySarah")."""
        out: list[str] = []
        for word in tokens:
            if word not in self._where and len(word) >= 4:
                cut = next(
                    (
                        i
                        for i in range(2, len(word) - 1)
                        if word[:i] in self._where and word[i:] in self._where
                    ),
                    0,
                )
                if cut:
                    out += [word[:cut], word[cut:]]
                    continue
            out.append(word)
        return out

    def beside(self, tokens: Sequence[str]) -> list[tuple[list[str], list[str]]]:
        """For each place the words stand on the page: up to STRONG words before and after
        them inside the smallest element that holds them (what shares a block with them)."""
        if not tokens:
            return []
        tokens = self._unglued(tokens)
        page, n, out = self._tokens, len(tokens), []
        reach = int(STRONG)
        for at in self._where.get(tokens[0], ()):
            if page[at : at + n] != tokens:
                continue
            holders = [(e - s, s, e) for s, e in self.spans if s <= at and at + n <= e]
            _, s, e = min(holders, default=(0, at, at + n))
            out.append((page[max(s, at - reach) : at], page[at + n : min(e, at + n + reach)]))
        return out

    def near(self, tokens: Sequence[str], other: Page | None) -> list[str] | None:
        """The paragraph these words are, as this page shows it when it shows it edited:
        the words of the page that match most of them (NEAR or more, in order), with the
        words next to those inside the same element that `other` does not have (a
        sentence the newsroom added to the paragraph). None when no place matches."""
        page, n = self._tokens, len(tokens)
        rare = sorted((len(self._where[t]), q) for q, t in enumerate(tokens) if t in self._where)
        best: tuple[float, int, int] | None = None
        for _, q in rare[:4]:
            for at in self._where[tokens[q]][:20]:
                low, high = max(0, at - q - n // 2), min(len(page), at - q + n + n // 2)
                blocks = [
                    b
                    for b in SequenceMatcher(
                        None, tokens, page[low:high], autojunk=False
                    ).get_matching_blocks()
                    if b.size
                ]
                matched = sum(b.size for b in blocks)
                if matched < NEAR * n:
                    continue
                start, end = low + blocks[0].b, low + blocks[-1].b + blocks[-1].size
                holders = [(e - s, s, e) for s, e in self.spans if s <= start and end <= e]
                _, first, last = min(holders, default=(0, start, end))
                if first < start and not (other and other.count(page[first:start])):
                    start = first
                if end < last and not (other and other.count(page[end:last])):
                    end = last
                score = matched / max(n, end - start)
                if best is None or score > best[0]:
                    best = (score, start, end)
        return page[best[1] : best[2]] if best else None

    @cached_property
    def starts(self) -> frozenset[int]:
        return frozenset(s for s, _ in self.spans)

    @cached_property
    def ends(self) -> frozenset[int]:
        return frozenset(e for _, e in self.spans)

    @cached_property
    def _tokens(self) -> list[str]:
        return self.text.split()

    @cached_property
    def _where(self) -> dict[str, list[int]]:
        where: dict[str, list[int]] = {}
        for i, word in enumerate(self._tokens):
            where.setdefault(word, []).append(i)
        return where


def _occurrences(text: str, key: str) -> int:
    """How often `key` (words between spaces) stands in `text`, overlaps counted: a text and
    a copy of its first words side by side are two occurrences of those words."""
    found, at = 0, text.find(key)
    while at >= 0:
        found += 1
        at = text.find(key, at + 1)
    return found


def _follows(page: list[str], at: int, tokens: Sequence[str], slack: int) -> bool:
    """Whether tokens[1:] follow on the page from index `at` (see `Page.holds`)."""
    k = 1
    while k < len(tokens):
        word = tokens[k]
        window = page[at : at + GAP + 1]
        if word in window:
            skipped = window.index(word)
            slack -= skipped
            at += skipped + 1
        elif at + 1 < len(page) and page[at] + page[at + 1] == word:
            at += 2  # the page splits the word ("T" "he": a drop cap)
        elif k + 1 < len(tokens) and word + tokens[k + 1] == (page[at] if at < len(page) else ""):
            at += 1  # the extractor split a word the page has whole
            k += 1
        else:
            return False
        if slack < 0:
            return False
        k += 1
    return True


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
    lines = _in_order_of(latest.paragraphs, captions.settle(latest.paragraphs, fresh.paragraphs))
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


# -- words and where they stand -------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    line: int  # the line it stands in (an index into that side's lines)
    index: int  # its place among the words of that line
    start: int  # its characters in that line
    end: int


def _line_words(line: int, text: str) -> list[_Word]:
    return [_Word(m.group(0), line, n, m.start(), m.end()) for n, m in enumerate(_TOKEN.finditer(text))]


@dataclass(frozen=True)
class _Built:
    """A word of the text being built, and the lines it stands in on each side."""

    word: _Word
    old_line: int | None  # None: not in the latest version
    new_line: int | None  # None: not in the fresh text
    fresh: bool  # its characters are taken from the fresh line (else the latest's)


def _edge(seq: list[_Word], i: int) -> bool:
    """Whether position i of a word sequence falls on a line break (or an end)."""
    return i <= 0 or i >= len(seq) or seq[i - 1].line != seq[i].line


def _context(seq: list[_Word], i: int, step: int) -> list[_Word]:
    """Up to CONTEXT words from index i on (step ±1), on the line of the word at i."""
    out: list[_Word] = []
    if 0 <= i < len(seq):
        line = seq[i].line
        while 0 <= i < len(seq) and seq[i].line == line and len(out) < CONTEXT:
            out.append(seq[i])
            i += step
    return out[::-1] if step < 0 else out


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
            return outside >= 1 or (inside == 0 and self.new_page.holds(piece))
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
            return outside >= 1 or copied or (had == 0 and (page.holds(piece) or page.declares(piece)))
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
            read = _occurrences(self.new_page.text, _key(old_piece)) > 0
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
        old_keys = [self._line_key(self.old, self.old_text, i) for i in range(len(self.old))]
        new_keys = [self._line_key(self.new, self.new_text, j) for j in range(len(self.new))]
        opcodes = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
        moved_old, moved_new = _moves(old_keys, new_keys, [op for op in opcodes if op[0] != "equal"])
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
            interim += _placed([(i, self.old[i]) for i in range(i1, i2)], picked, i1)
            final += _placed([(j, self.new[j]) for j in range(j1, j2) if j not in news], built, j1)
        return tuple(interim), tuple(final)

    @staticmethod
    def _line_key(lines: tuple[str, ...], texts: list[str], index: int) -> tuple[str, ...]:
        if captions.is_caption(lines[index]):
            caption = captions.parse(lines[index])
            media = caption.media if caption is not None and caption.media else lines[index]
            return (_CAPTION_KEY, media)  # aligned by its media; its text is judged apart
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
        old_words = [w for i in olds for w in _line_words(i, self.old_text[i])]
        new_words = [w for j in news for w in _line_words(j, self.new_text[j])]
        picked: list[tuple[int, str]] = []
        built: list[_Built] = []
        matcher = SequenceMatcher(
            None, [w.text for w in old_words], [w.text for w in new_words], autojunk=False
        )
        for tag, i1, i2, j1, j2 in _cleaned(matcher.get_opcodes(), old_words, new_words):
            if tag == "equal":
                pairs = zip(old_words[i1:i2], new_words[j1:j2], strict=True)
                built += [_Built(n, o.line, n.line, True) for o, n in pairs]
                continue
            for a1, a2, b1, b2 in _by_line(old_words, new_words, i1, i2, j1, j2):
                fresh = new_words[b1:b2]
                old_piece, new_piece = self._pieces(old_words, new_words, a1, a2, b1, b2)
                old_whole = a1 < a2 and _edge(old_words, a1) and _edge(old_words, a2)
                new_whole = b1 < b2 and _edge(new_words, b1) and _edge(new_words, b2)
                if not self.is_read(old_piece, new_piece, old_whole, new_whole):
                    if b1 == b2 and old_whole:
                        # A paragraph the extractor left out, edited on the fresh page.
                        kept = self._as_shown(
                            old_words[a1:a2], False, self.new_page, self.old_page, self.new_lines[False]
                        )
                        built += kept or []
                    if a1 == a2 and new_whole:
                        # A paragraph the extractor reads now, edited since the page before.
                        former = self._as_shown(
                            fresh, True, self.old_page, self.new_page, self.old_lines[False]
                        )
                        if former:
                            text = self._characters(former)
                            after = old_words[a1 - 1].line if a1 > 0 else -1
                            picked.append((after, captions.paragraph(text)))
                    built += [_Built(n, None, n.line, True) for n in fresh]
                elif a1 == a2 and _edge(new_words, b1) and _edge(new_words, b2) and self.shown(new_piece):
                    # A paragraph the extractor reads now, shown on the page all along (not
                    # a copy of one the article has, not the page's description): kept,
                    # and recorded first as what the latest version should have held.
                    built += [_Built(n, None, n.line, True) for n in fresh]
                    after = old_words[a1 - 1].line if a1 > 0 else -1
                    picked += [(after, self.new[j]) for j in dict.fromkeys(n.line for n in fresh)]
                else:
                    built += [_Built(o, o.line, None, False) for o in old_words[a1:a2]]
        return picked, self._as_lines(built)

    def _as_shown(
        self, line: list[_Word], fresh: bool, page: Page | None, other: Page | None, text: Page
    ) -> list[_Built] | None:
        """A whole line as `page` shows it edited (`Page.near`), built from the line's own
        characters and the page's changed words (a new line of the latest side), or None:
        the line is not on that page, or is there unchanged, or `text` already holds it."""
        tokens = [w.text for w in line]
        if page is None or self.caption or weight(tokens) < STRONG:
            return None
        shown = page.near(tokens, other)
        if shown is None or shown == tokens or text.count(shown):
            return None
        source = (self.new_text if fresh else self.old_text)[line[0].line]
        pieces: list[str] = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, tokens, shown, autojunk=False).get_opcodes():
            if tag == "equal":
                pieces.append(source[_back(source, line[i1].start) : _on(source, line[i2 - 1].end)])
            elif j2 > j1:
                pieces.append(" ".join(shown[j1:j2]))
        self.old_text.append(_join(pieces))
        index = len(self.old_text) - 1
        home = line[0].line
        made = _line_words(index, self.old_text[index])
        return [_Built(w, None if fresh else home, home if fresh else None, False) for w in made]

    def _pieces(
        self, old: list[_Word], new: list[_Word], a1: int, a2: int, b1: int, b2: int
    ) -> tuple[list[str], list[str]]:
        """The words of a difference on each side, with context on each side that lies
        inside a paragraph on both sides. A pure addition or removal at a line break
        leaves nothing to look for on the side where nothing is."""
        left = _edge(old, a1) or _edge(new, b1)
        right = _edge(old, a2) or _edge(new, b2)

        def piece(seq: list[_Word], i1: int, i2: int) -> list[str]:
            if i1 == i2 and (left or right):
                return []
            before = [] if left else _context(seq, i1 - 1, -1)
            after = [] if right else _context(seq, i2, +1)
            return [w.text for w in (*before, *seq[i1:i2], *after)]

        return piece(old, a1, a2), piece(new, b1, b2)

    def _as_lines(self, built: list[_Built]) -> list[tuple[int, str]]:
        """Words into lines: two words share a line when they share one in the latest
        version (both there), else when they share one in the fresh text. So a layout
        that only the reading changed stays as it was."""
        groups: list[list[_Built]] = []
        for item in built:
            last = groups[-1][-1] if groups else None
            if last is not None and _together(last, item):
                groups[-1].append(item)
            else:
                groups.append([item])
        out = []
        for group in groups:
            at = next((g.new_line for g in group if g.new_line is not None), -1)
            out.append((at, self._characters(group)))
        return out

    def _characters(self, group: list[_Built]) -> str:
        """The characters of a line built from words: each run of consecutive words of one
        source line keeps its punctuation; runs are joined by a space (none between CJK)."""
        parts: list[str] = []
        run: list[_Built] = []

        def flush() -> None:
            if run:
                text = (self.new_text if run[0].fresh else self.old_text)[run[0].word.line]
                parts.append(text[_back(text, run[0].word.start) : _on(text, run[-1].word.end)])
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
        return _join(parts)


_SAME_PARAGRAPH = 0.5  # share of words in common that makes a fresh line the latest's line, edited


def _in_order_of(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    """The fresh lines in the order of the latest version's: each line that is one of the
    latest's (the same, edited, or a caption of the same media) takes that line's place,
    and any other line follows the line it followed. The order of whole paragraphs is not
    the article's words (as in the fingerprint): a redesign that reorders blocks, even
    while the newsroom edits one of them, reorders nothing in the archive."""
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
    return new if ordered == new else ordered


def _line_set(line: str) -> frozenset[str]:
    caption = captions.parse(line)
    if caption is not None:
        return frozenset({_CAPTION_KEY, caption.media or line})
    return frozenset(words(captions.shown(line)))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


_SEAM = 3  # words of an equal run that may be chance, where a paragraph breaks on one side only


def _cleaned(
    opcodes: Sequence[tuple[str, int, int, int, int]], old: list[_Word], new: list[_Word]
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
            if any(_edge(old, i) for i in (i1, i2)) or any(_edge(new, j) for j in (j1, j2)):
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
    ops: list[tuple[str, int, int, int, int]], old: list[_Word], new: list[_Word]
) -> list[tuple[str, int, int, int, int]]:
    """Equal runs cut back to a paragraph break that only one side has, when no more than
    _SEAM of their words lie beyond it next to a change; adjacent changes are joined."""
    out: list[tuple[str, int, int, int, int]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal" and k + 1 < len(ops):  # a change follows: cut its tail
            for cut in range(max(i1 + 1, i2 - _SEAM), i2):
                if _edge(old, cut) != _edge(new, j1 + cut - i1):
                    out.append(("equal", i1, cut, j1, j1 + cut - i1))
                    tag, i1, j1 = "replace", cut, j1 + cut - i1
                    break
        if tag == "equal" and k > 0 and ops[k - 1][0] != "equal":  # a change precedes: cut its head
            for cut in range(min(i2 - 1, i1 + _SEAM), i1, -1):
                if _edge(old, cut) != _edge(new, j1 + cut - i1):
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


def _by_line(
    old: list[_Word], new: list[_Word], a1: int, a2: int, b1: int, b2: int
) -> Iterator[tuple[int, int, int, int]]:
    """A difference of whole paragraphs cut where its lines break: each paragraph that came
    or went is judged on its own, and whole paragraphs replaced by other words (whole
    paragraphs, or words at a paragraph's edge) are ones that went and words that came.
    Any other difference is judged as one."""
    whole = any(_edge(seq, i) and _edge(seq, j) for seq, i, j in ((old, a1, a2), (new, b1, b2)))
    if a1 != a2 and b1 != b2 and not whole:
        yield a1, a2, b1, b2
        return
    for seq, start, end in ((old, a1, a2), (new, b1, b2)):
        cut = start
        for i in range(start + 1, end + 1):
            if i == end or _edge(seq, i):
                yield (cut, i, b1, b1) if seq is old else (a2, a2, cut, i)
                cut = i


def _join(parts: Sequence[str]) -> str:
    """Pieces of a line joined by a space (none between Chinese or Japanese characters)."""
    out = ""
    for part in (p.strip() for p in parts):
        if out and part and not (_CJK_CHAR.match(out[-1]) or _CJK_CHAR.match(part[0])):
            out += " "
        out += part
    return out


def _together(a: _Built, b: _Built) -> bool:
    if a.old_line is not None and b.old_line is not None:
        return a.old_line == b.old_line
    if a.new_line is not None and b.new_line is not None:
        return a.new_line == b.new_line
    return False


def _back(text: str, start: int) -> int:
    """From a word's start back over the punctuation before it (an opening quote)."""
    while start > 0 and not text[start - 1].isspace() and not _TOKEN.match(text[start - 1]):
        start -= 1
    return start


def _on(text: str, end: int) -> int:
    """From a word's end on over the punctuation after it (a full stop, a closing quote)."""
    while end < len(text) and not text[end].isspace() and not _TOKEN.match(text[end]):
        end += 1
    return end


def _moves(
    old_keys: list[tuple[str, ...]],
    new_keys: list[tuple[str, ...]],
    stretches: list[tuple[str, int, int, int, int]],
) -> tuple[set[int], set[int]]:
    """Paragraphs that left one place and stand unchanged at another: a move, not a change
    (as in the fingerprint, the order of whole paragraphs is not the article's words)."""
    gone: dict[tuple[str, ...], list[int]] = {}
    for _, i1, i2, _, _ in stretches:
        for i in range(i1, i2):
            if old_keys[i] and old_keys[i][0] != _CAPTION_KEY:
                gone.setdefault(old_keys[i], []).append(i)
    moved_old: set[int] = set()
    moved_new: set[int] = set()
    for _, _, _, j1, j2 in stretches:
        for j in range(j1, j2):
            if gone.get(new_keys[j]):
                moved_old.add(gone[new_keys[j]].pop(0))
                moved_new.add(j)
    return moved_old, moved_new


def _placed(standing: list[tuple[int, str]], built: list[tuple[int, str]], start: int) -> list[str]:
    """Lines that stand where they are (by index) and lines built (each by the index it
    stands at or follows; -1: after the line built before it), in order."""
    items = [(at, 0, text) for at, text in standing]
    last = start - 1
    for order, (at, text) in enumerate(built, start=1):
        last = max(at, last) if at >= 0 else last
        items.append((last, order, text))
    items.sort(key=lambda item: (item[0], item[1]))
    return [text for _, _, text in items]
