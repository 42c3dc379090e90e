"""Text renderings for the terminal: history, diffs (inline and side by side), status.

Every string that came from the web goes through `safe()` first: article text can
hold escape sequences that would repaint or retitle a terminal.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from journal import captions
from journal.models import Change

if TYPE_CHECKING:  # types only: `journal search` prints without loading the diff and history code
    from journal.diff import Diff, Op, Row
    from journal.history import Entry
    from journal.search import Results

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

RED, GREEN, YELLOW, CYAN, DIM, BOLD, RESET = (
    "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[1m", "\x1b[0m",
)  # fmt: skip
STRIKE, UNDERLINE, ITALIC = "\x1b[9m", "\x1b[4m", "\x1b[3m"


def safe(text: str | None) -> str:
    """Web text made inert for a terminal: no control characters, no bidi overrides."""
    return _UNSAFE.sub("", text or "")


def line(text: str | None) -> str:
    """One line of an article as a reader reads it: `Caption: …` for a photo caption, a
    paragraph without its escape; made safe."""
    if text is None:
        return ""
    shown = safe(captions.shown(text))
    return f"{captions.LABEL}: {shown}" if captions.is_caption(text) else shown


def article(rendered: str, color: bool) -> str:
    """An article file for reading: front matter and paragraphs as they are, caption lines
    as `Caption: …` (in italics on a terminal)."""
    out = []
    for text in rendered.split("\n"):
        if captions.is_caption(text):
            out.append(_paint(line(text), DIM + ITALIC, color))
        else:
            out.append(line(text))
    return "\n".join(out)


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color and text else text


def describe(entry: Entry) -> str:
    """What a history entry did, in words."""
    rev = entry.revision
    summary = safe(rev.summary)
    if rev.change is Change.NEW:
        return summary or "first version"
    if rev.change is Change.REEXTRACT:
        if entry.new_extractor:
            return f"re-extracted by a newer extractor ({safe(rev.extractor) or 'unnamed'}); not a change"
        return "re-read: the page's layout changed, not the article; not a change"
    if rev.change is Change.REMOVED:
        return summary or "removed"
    size = f"{rev.change_size}: " if rev.change_size else ""
    return f"{size}{summary}"


def history(title: str, url: str, source: str, entries: list[Entry], color: bool) -> str:
    from journal.history import later

    versions = len({e.version for e in entries if e.change is not Change.REMOVED})
    lines = [
        _paint(safe(title), BOLD, color),
        f"{safe(url)} · {safe(source)} · {versions} version{'s' if versions != 1 else ''}",
        "",
    ]
    for entry in entries:
        label = "  --" if entry.change is Change.REMOVED else f"v{entry.version:<3}"
        gap = later(entry.gap) if entry.gap is not None else ""
        code = {Change.REMOVED: RED, Change.RESTORED: GREEN, Change.REEXTRACT: DIM}.get(entry.change, "")
        lines.append(
            f"{_paint(label, CYAN, color)} {when(entry.time)}  {gap:<22} "
            f"{_paint(describe(entry), code, color)}".rstrip()
        )
    return "\n".join(lines)


def _ops(ops: Iterable[Op], color: bool, side: str = "both") -> str:
    out = []
    for op in ops:
        text = safe(op.text)
        if op.kind == "equal":
            out.append(text)
        elif op.kind == "delete" and side in ("both", "old"):
            out.append(f"{RED}{STRIKE}{text}{RESET}" if color else f"[-{text}-]")
        elif op.kind == "insert" and side in ("both", "new"):
            out.append(f"{GREEN}{UNDERLINE}{text}{RESET}" if color else f"{{+{text}+}}")
    return "".join(out)


def diff_inline(d: Diff, old_label: str, new_label: str, color: bool, context: int = 1) -> str:
    """Changed paragraphs with word marks; unchanged ones folded away."""
    lines = [_paint(f"--- {old_label}", RED, color), _paint(f"+++ {new_label}", GREEN, color), ""]
    for change in d.fields:
        lines.append(f"{change.name}: {_ops(change.ops, color)}")
    if d.fields:
        lines.append("")
    interesting = [i for i, r in enumerate(d.rows) if r.kind != "equal"]
    keep = {j for i in interesting for j in range(i - context, i + context + 1)}
    skipped = 0
    for i, row in enumerate(d.rows):
        if i not in keep:
            skipped += 1
            continue
        if skipped:
            lines += [
                _paint(f"  … {skipped} unchanged paragraph{'s' if skipped > 1 else ''} …", DIM, color),
                "",
            ]
            skipped = 0
        lines += [_row_inline(row, color), ""]
    if skipped and interesting:
        lines += [
            _paint(f"  … {skipped} unchanged paragraph{'s' if skipped > 1 else ''} …", DIM, color),
            "",
        ]
    if not d.changed:
        lines.append("No change in the text between these versions.")
    return "\n".join(lines).rstrip() + "\n"


def _row_inline(row: Row, color: bool) -> str:
    if row.kind == "equal":
        return "  " + line(row.new)
    if row.kind == "insert":
        return _paint("+ " + line(row.new), GREEN, color) if color else "+ {+" + line(row.new) + "+}"
    if row.kind == "delete":
        return _paint("- " + line(row.old), RED, color) if color else "- [-" + line(row.old) + "-]"
    if row.kind == "move-from":
        return _paint("< (moved from here) " + line(row.old), YELLOW, color)
    if row.kind == "move-to":
        return _paint("> (moved here) " + line(row.new), YELLOW, color)
    return "~ " + _label(row) + _ops(row.ops, color)


def _label(row: Row) -> str:
    return f"{captions.LABEL}: " if row.caption else ""


def diff_side_by_side(d: Diff, old_label: str, new_label: str, width: int, color: bool) -> str:
    """Two columns like NewsSniffer's table, wrapped to fit `width`."""
    col = max((width - 3) // 2, 20)
    lines = [_cell_pair(old_label, new_label, col, DIM, DIM, color), "─" * col + "─┼─" + "─" * col]
    for change in d.fields:
        lines.append(_pair_lines(_ops(change.ops, color, "old"), _ops(change.ops, color, "new"), col))
    for row in d.rows:
        if row.kind == "equal":
            lines.append(_pair_lines(line(row.old), line(row.new), col))
        elif row.kind == "change":
            label = _label(row)
            lines.append(
                _pair_lines(label + _ops(row.ops, color, "old"), label + _ops(row.ops, color, "new"), col)
            )
        else:
            old = line(row.old)
            new = line(row.new)
            if row.kind == "move-from":
                old = "(moved down) " + old
            if row.kind == "move-to":
                new = "(moved here) " + new
            old_marked = _mark(old, "-", color, RED)
            new_marked = _mark(new, "+", color, GREEN if row.kind == "insert" else YELLOW)
            lines.append(_pair_lines(old_marked, new_marked, col))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _mark(text: str, sign: str, color: bool, code: str) -> str:
    if not text:
        return ""
    if color:
        return f"{code}{text}{RESET}"
    return f"[{sign}{text}{sign}]"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _visible(text: str) -> int:
    return len(_ANSI.sub("", text))


def _wrap(text: str, width: int) -> list[str]:
    """Wrap text that may hold colour codes; codes do not count toward the width."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    open_code = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if _visible(candidate) > width and current:
            lines.append(current + (RESET if open_code else ""))
            current = open_code + word
        else:
            current = candidate
        codes = _ANSI.findall(word)
        if codes:
            open_code = "" if codes[-1] == RESET else "".join(codes)
        while _visible(current) > width:
            cut = _cut(current, width)
            lines.append(current[:cut] + (RESET if open_code else ""))
            current = open_code + current[cut:]
    if current or not lines:
        lines.append(current)
    return lines


def _cut(text: str, width: int) -> int:
    visible = 0
    i = 0
    while i < len(text):
        match = _ANSI.match(text, i)
        if match:
            i = match.end()
            continue
        visible += 1
        if visible > width:
            return i
        i += 1
    return len(text)


def _pair_lines(left: str, right: str, col: int) -> str:
    a, b = _wrap(left, col), _wrap(right, col)
    out = []
    for i in range(max(len(a), len(b))):
        la = a[i] if i < len(a) else ""
        lb = b[i] if i < len(b) else ""
        out.append(la + " " * (col - _visible(la)) + " │ " + lb)
    return "\n".join(out)


def _cell_pair(left: str, right: str, col: int, lc: str, rc: str, color: bool) -> str:
    return _pair_lines(
        _paint(textwrap.shorten(left, col), lc, color),
        _paint(textwrap.shorten(right, col), rc, color),
        col,
    )


def standalone_html(d: Diff, title: str, old_label: str, new_label: str) -> str:
    """A self-contained HTML page with the side-by-side diff (no external resources)."""
    esc = html.escape
    rows = []
    for change in d.fields:
        left, right = _html_ops(change.ops, "old"), _html_ops(change.ops, "new")
        rows.append(f'<tr class="field"><td>{left}</td><td>{right}</td></tr>')
    for row in d.rows:
        label = f"<b>{captions.LABEL}:</b> " if row.caption else ""
        if row.kind == "change":
            left, right = label + _html_ops(row.ops, "old"), label + _html_ops(row.ops, "new")
        else:
            left = label + esc(captions.shown(row.old)) if row.old is not None else ""
            right = label + esc(captions.shown(row.new)) if row.new is not None else ""
            if row.kind == "delete":
                left = f"<del>{left}</del>"
            if row.kind == "insert":
                right = f"<ins>{right}</ins>"
        rows.append(f'<tr class="{row.kind}"><td>{left}</td><td>{right}</td></tr>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>
body{{font:16px/1.5 Georgia,serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}}
table{{border-collapse:collapse;width:100%;table-layout:fixed}}
th,td{{vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #eee;width:50%}}
th{{text-align:left;font-family:system-ui,sans-serif;font-size:.9rem;color:#555}}
del{{background:#fdd;color:#900}} ins{{background:#dfd;color:#060;text-decoration:none}}
tr.delete td:first-child,tr.move-from td:first-child{{background:#fff3f3}}
tr.insert td:last-child,tr.move-to td:last-child{{background:#f3fff3}}
tr.field td{{font-weight:bold}}
</style></head><body>
<h1>{esc(title)}</h1>
<table><thead><tr><th>{esc(old_label)}</th><th>{esc(new_label)}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def _html_ops(ops: Iterable[Op], side: str) -> str:
    out = []
    for op in ops:
        text = html.escape(op.text)
        if op.kind == "equal":
            out.append(text)
        elif op.kind == "delete" and side == "old":
            out.append(f"<del>{text}</del>")
        elif op.kind == "insert" and side == "new":
            out.append(f"<ins>{text}</ins>")
    return "".join(out)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned table; cells are made safe and single-line."""
    cells = [[safe(c).replace("\n", " ") for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    widths[-1] = 0  # the last column is not padded
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*headers).rstrip()]
    out += [fmt.format(*row).rstrip() for row in cells]
    return "\n".join(out)


def search_results(results: Results, color: bool) -> str:
    """A page of search hits: each version with its time, source and title, the snippets
    where it matched (matching words highlighted on a terminal), and the command that
    shows its diff."""
    if not results.hits:
        return (
            "No version matches." if results.page == 1 else f"No more versions match (page {results.page})."
        )
    out = []
    for hit in results.hits:
        size = f", {hit.size}" if hit.size and hit.change is Change.EDIT else ""
        gone = " (since taken down)" if hit.taken_down else ""
        out.append(
            _paint(f"{when(hit.time)}  {safe(hit.source)}  version {hit.version}{size}{gone}", BOLD, color)
            + f"  {safe(hit.title)}"
        )
        for snippet in hit.snippets:
            words = "".join(
                _paint(safe(piece), BOLD + YELLOW, color) if marked else safe(piece)
                for piece, marked in snippet.parts()
            )
            out.append(f"  {snippet.field:<9}  {words}")
        command = (
            f"journal diff {hit.sid} {hit.previous} {hit.version}"
            if hit.previous is not None
            else f"journal show {hit.sid} --version {hit.version}"
        )
        out.append(_paint(f"  {command}", DIM, color))
        out.append("")
    first = (results.page - 1) * results.per_page + 1
    last = first + len(results.hits) - 1
    if results.total is not None:
        out.append(f"Versions {first}–{last} of {results.total}.")
    else:
        out.append(f"Versions {first}–{last}; more with --page {results.page + 1}.")
    return "\n".join(out)
