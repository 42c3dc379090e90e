"""Paragraph-then-word diff between two versions of an article.

Paragraphs are aligned first (exact matches anchor the alignment; inside a
changed stretch, similar paragraphs are paired so an edited paragraph shows as
one edited row, not a deletion and an insertion); then words are diffed inside
each edited pair. A paragraph that left one place and appears unchanged in
another is a move, not a deletion plus an insertion. Caption lines (see
`journal.captions`) pair only with caption lines, their words are the caption's
text, and they are counted apart from paragraphs. Renderers (terminal, web, feeds)
all read the same `Diff`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from difflib import SequenceMatcher
from typing import Literal

from journal import captions, matching
from journal.models import ArticleText

RowKind = Literal["equal", "insert", "delete", "change", "move-from", "move-to"]
OpKind = Literal["equal", "insert", "delete"]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
# Paragraph pairs more alike than this (share of words in common) are one edited
# paragraph; below it they are a removal and an addition.
PAIR_THRESHOLD = 0.45
_MAX_PAIRING = 250_000  # cells of the pairing table before falling back to positions
# A paragraph of more than this many tokens (about 100,000 words) is shown replaced
# whole in a word diff (bench/worddiff.py measures the cost up to there).
MAX_TOKENS = 200_000


@dataclass(frozen=True)
class Op:
    kind: OpKind
    text: str


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side table. `ops` is set for `change` rows only."""

    kind: RowKind
    old: str | None
    new: str | None
    ops: tuple[Op, ...] = ()

    @property
    def caption(self) -> bool:
        """Whether the row is a photo caption (its ops then mark the caption's words)."""
        line = self.new if self.new is not None else self.old
        return line is not None and captions.is_caption(line)


@dataclass(frozen=True)
class FieldChange:
    name: str  # "title", "byline", "published"
    old: str
    new: str
    ops: tuple[Op, ...] = ()


@dataclass(frozen=True)
class Diff:
    rows: tuple[Row, ...]
    fields: tuple[FieldChange, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.fields) or any(r.kind != "equal" for r in self.rows)

    def field(self, name: str) -> FieldChange | None:
        return next((f for f in self.fields if f.name == name), None)

    def summary(self) -> str:
        """One line: 'title changed; 2 paragraphs added, 5 removed, 1 edited; 1 caption edited'."""
        parts = [f"{f.name} changed" for f in self.fields]
        for prefix, noun in (("", "paragraph"), ("captions_", "caption")):
            counts = []
            for key in ("added", "removed", "edited", "moved"):
                n = self.stats.get(prefix + key, 0)
                if n:
                    counts.append(f"{n} {key}")
            if counts:
                first = counts[0].split(" ", 1)
                counts[0] = f"{first[0]} {noun if first[0] == '1' else noun + 's'} {first[1]}"
                parts.append(", ".join(counts))
        return "; ".join(parts) or "no visible change"

    def size(self) -> str:
        """`typo`, `minor` or `major`: how much a reader would care.

        A typo fix only respells a few words; a minor edit changes up to a tenth of
        the words (at least 12); anything more, whole paragraphs, or a headline that
        lost or gained half its words (a new headline, not an edited one) is major.
        """
        changed = self.stats.get("words_added", 0) + self.stats.get("words_removed", 0)
        total = max(self.stats.get("words_old", 0), 1)
        whole = sum(self.stats.get(k, 0) for k in ("added", "removed", "captions_added", "captions_removed"))
        title = self.field("title")
        title_words = _changed_words(title.ops) if title else 0
        edited = [r.ops for r in self.rows if r.kind == "change"] + [f.ops for f in self.fields]
        if whole == 0 and changed + title_words <= 4 and all(_respelled(ops) for ops in edited):
            return "typo"
        if title and _rewritten(title.ops):
            return "major"
        if changed + title_words <= max(12, total // 10):
            return "minor"
        return "major"

    def words(self) -> str:
        return f"+{self.stats.get('words_added', 0)} -{self.stats.get('words_removed', 0)}"


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _line_words(line: str) -> list[str]:
    """The words a reader reads in a line: a caption's text, not its media's URL."""
    return words(captions.shown(line))


def word_ops(old: str, new: str, limit: int | None = None) -> tuple[Op, ...]:
    """Token-level diff of two strings; joining the non-insert ops gives `old` back,
    the non-delete ops give `new`.

    Near-linear in the length of the texts (journal.matching); past `limit` tokens on
    a side (MAX_TOKENS by default) the text is shown replaced whole, unread.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if max(len(a), len(b)) > (MAX_TOKENS if limit is None else limit):
        blocks: list[tuple[int, int, int]] = []
    else:
        blocks = matching.blocks(a, b)
    ops: list[Op] = []
    i = j = 0
    for i2, j2, size in [*blocks, (len(a), len(b), 0)]:
        if i2 > i:
            _append(ops, "delete", "".join(a[i:i2]))
        if j2 > j:
            _append(ops, "insert", "".join(b[j:j2]))
        if size:
            _append(ops, "equal", "".join(a[i2 : i2 + size]))
        i, j = i2 + size, j2 + size
    return tuple(_tidy(ops))


def _append(ops: list[Op], kind: OpKind, text: str) -> None:
    if ops and ops[-1].kind == kind:
        ops[-1] = Op(kind, ops[-1].text + text)
    else:
        ops.append(Op(kind, text))


def _tidy(ops: list[Op]) -> list[Op]:
    """Read 'a b' → 'c d' as one edit: a lone space between two changes joins them,
    and inside each stretch of changes all removed text comes before all added text."""
    expanded: list[Op] = []
    for i, op in enumerate(ops):
        between_changes = 0 < i < len(ops) - 1 and "equal" not in (ops[i - 1].kind, ops[i + 1].kind)
        if op.kind == "equal" and op.text.isspace() and between_changes:
            expanded += [Op("delete", op.text), Op("insert", op.text)]
        else:
            expanded.append(op)
    out: list[Op] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            out.append(Op("delete", "".join(removed)))
        if added:
            out.append(Op("insert", "".join(added)))
        removed.clear()
        added.clear()

    for op in expanded:
        if op.kind == "delete":
            removed.append(op.text)
        elif op.kind == "insert":
            added.append(op.text)
        else:
            flush()
            out.append(op)
    flush()
    return out


def _respelled(ops: tuple[Op, ...]) -> bool:
    """Whether every change in `ops` replaces words with near-identical spellings."""
    changes = [o for o in ops if o.kind != "equal" and words(o.text)]
    i = 0
    while i < len(changes):
        first = changes[i]
        pair = changes[i + 1] if i + 1 < len(changes) else None
        if first.kind != "delete" or pair is None or pair.kind != "insert":
            return False
        a, b = first.text.strip().lower(), pair.text.strip().lower()
        if len(words(a)) != len(words(b)) or SequenceMatcher(None, a, b).ratio() < 0.6:
            return False
        i += 2
    return True


def _rewritten(ops: tuple[Op, ...]) -> bool:
    """Whether half or more of a line's words went, or half or more of its new words came."""
    removed = sum(len(words(o.text)) for o in ops if o.kind == "delete")
    added = sum(len(words(o.text)) for o in ops if o.kind == "insert")
    old = removed + sum(len(words(o.text)) for o in ops if o.kind == "equal")
    new = added + sum(len(words(o.text)) for o in ops if o.kind == "equal")
    return (removed > 0 and 2 * removed >= old) or (added > 0 and 2 * added >= new)


def _changed_words(ops: tuple[Op, ...]) -> int:
    return sum(len(words(o.text)) for o in ops if o.kind != "equal")


def diff_paragraphs(old: tuple[str, ...] | list[str], new: tuple[str, ...] | list[str]) -> tuple[Row, ...]:
    rows: list[Row] = []
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row("equal", p, p) for p in old[i1:i2]]
        else:
            rows += _pair(list(old[i1:i2]), list(new[j1:j2]))
    return tuple(_find_moves(rows))


def _pair(old: list[str], new: list[str]) -> list[Row]:
    """Align a changed stretch: order-preserving pairing of similar paragraphs."""
    if not old:
        return [Row("insert", None, p) for p in new]
    if not new:
        return [Row("delete", p, None) for p in old]
    sets_old = [_word_set(p) for p in old]
    sets_new = [_word_set(p) for p in new]
    n, m = len(old), len(new)
    if n * m > _MAX_PAIRING:
        pairs = [(i, i) for i in range(min(n, m)) if _similar(sets_old[i], sets_new[i]) >= PAIR_THRESHOLD]
    else:
        pairs = _best_pairs(sets_old, sets_new)
    rows: list[Row] = []
    i = j = 0
    for pi, pj in pairs:
        rows += [Row("delete", old[k], None) for k in range(i, pi)]
        rows += [Row("insert", None, new[k]) for k in range(j, pj)]
        rows.append(
            Row("change", old[pi], new[pj], word_ops(captions.shown(old[pi]), captions.shown(new[pj])))
        )
        i, j = pi + 1, pj + 1
    rows += [Row("delete", old[k], None) for k in range(i, n)]
    rows += [Row("insert", None, new[k]) for k in range(j, m)]
    return rows


def _best_pairs(a: list[set[str]], b: list[set[str]]) -> list[tuple[int, int]]:
    """Weighted LCS: the order-preserving pairing with the greatest total similarity."""
    n, m = len(a), len(b)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = score[i], score[i + 1]
        for j in range(m - 1, -1, -1):
            sim = _similar(a[i], b[j])
            best = max(below[j], row[j + 1])
            if sim >= PAIR_THRESHOLD:
                best = max(best, sim + below[j + 1])
            row[j] = best
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        sim = _similar(a[i], b[j])
        if sim >= PAIR_THRESHOLD and score[i][j] == sim + score[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


_CAPTION = "\x00caption"  # in the word set of every caption line, and of no paragraph


def _word_set(line: str) -> set[str]:
    caption = captions.parse(line)
    if caption is None:
        return {w.lower() for w in _line_words(line)}
    # The media counts as one word: the same photo pairs more easily than another one.
    return {w.lower() for w in words(caption.text)} | {_CAPTION, "\x00" + caption.media}


def _similar(a: set[str], b: set[str]) -> float:
    if (_CAPTION in a) != (_CAPTION in b):
        return 0.0  # a caption never pairs with a paragraph
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _find_moves(rows: list[Row]) -> list[Row]:
    """Turn a deletion and an insertion of the same paragraph into a move."""
    deleted: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if row.kind == "delete" and row.old is not None:
            deleted.setdefault(row.old, []).append(index)
    if not deleted:
        return rows
    out = list(rows)
    for index, row in enumerate(rows):
        if row.kind == "insert" and row.new is not None and deleted.get(row.new):
            source = deleted[row.new].pop(0)
            out[source] = Row("move-from", row.new, None)
            out[index] = Row("move-to", None, row.new)
    return out


def diff(old: ArticleText | None, new: ArticleText | None) -> Diff:
    """The diff between two versions; None stands for "no text" (before v1, after removal)."""
    old_paras = old.paragraphs if old else ()
    new_paras = new.paragraphs if new else ()
    rows = diff_paragraphs(old_paras, new_paras)
    fields: list[FieldChange] = []
    if old and new:
        for name in ("title", "byline", "published"):
            a, b = getattr(old, name) or "", getattr(new, name) or ""
            if a != b and not (name == "published" and same_published(a, b)):
                fields.append(FieldChange(name, a, b, word_ops(a, b)))
    stats = {"words_old": sum(len(_line_words(p)) for p in old_paras)}
    stats["words_new"] = sum(len(_line_words(p)) for p in new_paras)
    for prefix, is_caption in (("", False), ("captions_", True)):
        mine = [r for r in rows if r.caption is is_caption]
        stats[prefix + "added"] = sum(r.kind == "insert" for r in mine)
        stats[prefix + "removed"] = sum(r.kind == "delete" for r in mine)
        stats[prefix + "edited"] = sum(r.kind == "change" for r in mine)
        stats[prefix + "moved"] = sum(r.kind == "move-to" for r in mine)
    added = removed = 0
    for row in rows:
        if row.kind == "insert" and row.new:
            added += len(_line_words(row.new))
        elif row.kind == "delete" and row.old:
            removed += len(_line_words(row.old))
        elif row.kind == "change":
            added += sum(len(words(o.text)) for o in row.ops if o.kind == "insert")
            removed += sum(len(words(o.text)) for o in row.ops if o.kind == "delete")
    stats["words_added"], stats["words_removed"] = added, removed
    return Diff(rows=rows, fields=tuple(fields), stats=stats)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date without a time of day is a calendar day of the page's own time zone, which lies
# between UTC-12 and UTC+14: the day starts from 14 hours before midnight UTC to 12 after.
_EARLIEST, _LATEST = timedelta(hours=-14), timedelta(hours=24 + 12)


def same_published(a: str, b: str) -> bool:
    """Whether two published values are one time at the precision both have: a date and
    a timestamp within that day (in any time zone) are; two dates, or two timestamps, are
    when they are equal. So a page that starts giving the time of day, or stops, has not
    changed its published time; a re-dated article has."""
    if a == b:
        return True
    x, y = _moment(a), _moment(b)
    if x is None or y is None:
        return False
    if isinstance(x, datetime) == isinstance(y, datetime):
        return x == y
    stamp = x if isinstance(x, datetime) else y
    day = y if isinstance(x, datetime) else x
    assert isinstance(stamp, datetime)
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return midnight + _EARLIEST <= stamp < midnight + _LATEST


def _moment(value: str) -> date | datetime | None:
    """A published value as a date (day precision) or an aware datetime."""
    value = value.strip()
    if _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_SENTENCE_END = re.compile(r"(\w*)([.!?…][\"'”’)]*)\s+(?=[\"'“‘(]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "prof",
        "gen",
        "sen",
        "rep",
        "gov",
        "jr",
        "sr",
        "vs",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "fig",
        "inc",
        "ltd",
        "co",
        "corp",
    ]
)


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (roughly: enough to show what changed)."""

    def mark(match: re.Match[str]) -> str:
        word, end = match.group(1), match.group(2)
        if end.startswith(".") and (word.lower() in _ABBREVIATIONS or len(word) == 1):
            return match.group(0)  # "Mr. Smith", "J. Smith"
        return f"{word}{end}\u2029"

    return [s.strip() for s in _SENTENCE_END.sub(mark, text).split("\u2029") if s.strip()]


def changed_sentences(d: Diff) -> tuple[list[str], list[str]]:
    """(removed, added) sentences: whole paragraphs, and the sentences of edited
    paragraphs that do not appear on the other side. Moves are not changes."""
    removed: list[str] = []
    added: list[str] = []
    for row in d.rows:
        label = f"{captions.LABEL}: " if row.caption else ""
        if row.kind == "delete" and row.old:
            removed.append(label + captions.shown(row.old))
        elif row.kind == "insert" and row.new:
            added.append(label + captions.shown(row.new))
        elif row.kind == "change" and row.old and row.new:
            before, after = sentences(captions.shown(row.old)), sentences(captions.shown(row.new))
            kept_before, kept_after = set(before), set(after)  # a long paragraph has thousands
            removed += [label + s for s in before if s not in kept_after]
            added += [label + s for s in after if s not in kept_before]
    return removed, added


def old_side(rows: tuple[Row, ...]) -> list[str]:
    """The paragraphs of the old version, rebuilt from the rows (a test of the diff)."""
    return [r.old for r in rows if r.old is not None]


def new_side(rows: tuple[Row, ...]) -> list[str]:
    return [r.new for r in rows if r.new is not None]
