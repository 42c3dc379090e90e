"""The words of a page, and how a text is found among them: as it stands, loosely (across
words an extractor left out), as whole elements, or edited (`Page`).

Every text is compared as its words: `\\w+` runs, each Chinese or Japanese character a
word of its own, in Unicode NFC without invisible characters. Pure: `journal.pagetext`
makes a `Page` from a page's HTML in the extraction workers, `journal.evidence` weighs it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property

# A text of at least this many words (a CJK character counts half) is strong evidence on
# its own: on a news page a run of eight words recurs only where the text itself is
# repeated (a standfirst shown twice, a pull quote). Shorter texts ("Photo: AP", "By Jane
# Doe", "police said") recur by chance, so they count only as the whole text of elements
# of the page ("Photo: AP" in its figure, not two words inside a sentence), and only when
# the page shows them as often as before (a phrase the newsroom added shows once more).
STRONG = 8.0
GAP = 6  # words of a page that may stand between two words of a long text found on it
NEAR = 0.75  # share of a paragraph's words, in order, that finds it edited on a page

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
CJK_CHAR = re.compile(rf"[{_CJK}]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def words(text: str) -> list[str]:
    """The words of a text as evidence counts them: `\\w+` runs, each CJK character a word
    of its own (Chinese and Japanese put no spaces between words)."""
    return TOKEN.findall(canonical(text))


def weight(tokens: Sequence[str]) -> float:
    """How much text `tokens` are, in words: a CJK character is half a word."""
    return sum(0.5 if CJK_CHAR.fullmatch(t) else 1.0 for t in tokens)


def canonical(text: str) -> str:
    """NFC, without invisible characters: the form every text is compared in."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def key(tokens: Sequence[str]) -> str:
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
        """A page from the text it shows (`canonical` already), the character spans of its
        elements in that text, its headlines and its descriptions."""
        found = list(TOKEN.finditer(shown))
        first = [m.start() for m in found]
        last = [m.end() for m in found]
        ranges = {(bisect_left(first, begin), bisect_right(last, end)) for begin, end in spans}
        return cls(
            key([m.group(0) for m in found]),
            tuple(sorted((a, b) for a, b in ranges if a < b)),
            frozenset(key(words(h)) for h in headlines if words(h)),
            " | ".join(key(words(d)) for d in declared) or "  ",
        )

    def count(self, tokens: Sequence[str]) -> int:
        return occurrences(self.text, key(self._unglued(tokens))) if tokens else 0

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

    def position(self, line: str) -> int:
        """Where the page first shows a line of text (its words), or -1."""
        return self.text.find(key(words(line))) if words(line) else -1

    def is_headline(self, tokens: Sequence[str]) -> bool:
        return key(tokens) in self.headlines

    def declares(self, tokens: Sequence[str]) -> bool:
        return bool(tokens) and key(tokens) in self.declared

    def holds(self, tokens: Sequence[str], other: Page | None = None) -> bool:
        """The words on the page in this order, allowing up to GAP words of the page between
        two of them (an element the extractor left out: a hidden label, a duplicate name),
        and a word that the page's markup splits in two, joins to the next one, or the
        extractor joins. With `other`, the words of this page found that way must stand on
        `other` too: what lies between them there is the page's, not words added to a
        paragraph."""
        if not tokens or self.count(tokens):
            return bool(tokens)
        page = self._tokens
        slack = len(tokens)  # the words found span at most twice as many words of the page
        for start in self._where.get(tokens[0], ()):
            end = _follows(page, start + 1, tokens, slack)
            if end > 0 and (other is None or other.count(page[start:end])):
                return True
        return False

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

    def near(self, tokens: Sequence[str]) -> list[str] | None:
        """The paragraph these words are, as this page shows it when it shows it edited:
        the words of the one element that holds most of them (NEAR or more, in order) and
        is a paragraph's size (at most half as long again). None when no element does."""
        page, n = self._tokens, len(tokens)
        rare = sorted((len(self._where[t]), q) for q, t in enumerate(tokens) if t in self._where)
        best: tuple[float, int, int] | None = None
        for _, q in rare[:4]:
            for at in self._where[tokens[q]][:20]:
                low, high = max(0, at - q - n // 2), min(len(page), at - q + n + n // 2)
                matcher = SequenceMatcher(None, tokens, page[low:high], autojunk=False)
                blocks = [b for b in matcher.get_matching_blocks() if b.size]
                if not blocks:
                    continue
                start, end = low + blocks[0].b, low + blocks[-1].b + blocks[-1].size
                holders = [(e - s, s, e) for s, e in self.spans if s <= start and end <= e]
                size, first, last = min(holders, default=(end - start, start, end))
                if size > n + n // 2 + 4:
                    continue  # the words found run over more than one paragraph
                found = SequenceMatcher(None, tokens, page[first:last], autojunk=False).get_matching_blocks()
                score = sum(b.size for b in found) / n
                if score >= NEAR and (best is None or score > best[0]):
                    best = (score, first, last)
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


def occurrences(text: str, key: str) -> int:
    """How often `key` (words between spaces) stands in `text`, overlaps counted: a text and
    a copy of its first words side by side are two occurrences of those words."""
    found, at = 0, text.find(key)
    while at >= 0:
        found += 1
        at = text.find(key, at + 1)
    return found


def _follows(page: list[str], at: int, tokens: Sequence[str], slack: int) -> int:
    """Where tokens[1:] end, following on the page from index `at` (see `Page.holds`), or
    -1 when they do not."""
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
        elif at < len(page) and len(word) >= 3 and page[at].startswith(word):
            at += 1  # the page runs the word into the next element's text ("BiographySarah")
        else:
            return -1
        if slack < 0:
            return -1
        k += 1
    return at
