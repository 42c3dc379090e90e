"""Extraction quality: journal's article text and metadata against human-made answers.

    python bench/eval_extraction.py --corpus DIR [--json] [--write]

DIR is searched for two layouts:

- article-extraction-benchmark (AEB): a folder with `html/<id>.html.gz` and
  `ground-truth.json` mapping each id to `{"articleBody": ..., "url": ...}`. Each page is
  scored with AEB's own metric (scrapinghub/article-extraction-benchmark, evaluate.py):
  word tokens are `\\w+` matches, case kept (the benchmark compiles its pattern with
  IGNORECASE, which does not change what `\\w+` matches); 4-word shingles are counted
  as a multiset; per page tp/fp/fn are scaled to sum to 1; overall precision is the
  mean over pages that predicted something, overall recall the mean over pages whose
  truth is not empty, and F1 the harmonic mean of the two means. The ± figures are
  1.96 standard deviations over 1000 bootstrap resamples of the pages (fixed seed).
  Systems compared:
    journal        `journal.extract.extract(html, url)`: the article body, its paragraphs
                   joined by newlines, without the title (the ground truth leaves the
                   headline out) and without the photo caption lines (the benchmark
                   scores the body; captions are scored apart, below). A page journal
                   declares `NotArticle` predicts nothing: recall 0.
    journal+title  the same with the title as the first line (for reference).
    journal+captions  the body with each caption's text at its figure's place (the media
                   URL left out): everything journal records, scored against the same
                   body truth, so what captions cost or add is there to see.
    trafilatura    plain `trafilatura.extract(html)`, default settings.
- readability: folders holding `source.html` and `expected-metadata.json` (Readability.js
  output). Title, byline and published date from journal's extraction and from
  `trafilatura.bare_extraction(html, with_metadata=True)` are compared with the expected
  values. Title: equal after NFKC, case folding, uniform quotes and dashes, collapsed
  whitespace. Byline: word-token Jaccard ≥ 0.5, ignoring "by" and "and". Date: the same
  calendar date as the expected time, read either in its own offset or in UTC. Fields
  that Readability left empty are shown but not scored (an empty answer there is not a
  fact about the page). The page URL given to the extractors is the page's own
  `rel=canonical` or `og:url`.

Pages of both layouts are decoded as the updater decodes a fetched page
(`journal.extract.decode_html`: the declared charset, else UTF-8, else cp1252), and the
same string goes to every system.

Markdown goes to stdout; `--json` prints the same results as JSON instead; `--write`
also puts the markdown into bench/RESULTS.md under "Extraction quality".
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura

from journal import captions
from journal.extract import decode_html, extract
from journal.models import NotArticle

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import RESULTS, write_section  # noqa: E402

SECTION = "Extraction quality"
SYSTEMS = ("journal", "journal+title", "journal+captions", "trafilatura")
BOOTSTRAP = 1000

# -- the AEB metric -------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")
Counts = tuple[float, float, float]  # tp, fp, fn scaled to sum to 1


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-grams of a text; a text shorter than n words is one shorter shingle."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_counts(truth: str, predicted: str) -> Counts:
    expected, got = shingles(truth), shingles(predicted)
    tp = float(sum((expected & got).values()))
    fp = float(sum((got - expected).values()))
    fn = float(sum((expected - got).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(counts: Counts) -> float:
    tp, fp, fn = counts
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(counts: Counts) -> float:
    tp, fp, fn = counts
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def aggregate(pages: list[Counts]) -> dict[str, float]:
    """AEB's overall figures: means of per-page precision and recall, F1 of the means."""
    p = statistics.mean([precision(c) for c in pages if c[0] + c[1] > 0] or [0.0])
    r = statistics.mean([recall(c) for c in pages if c[0] + c[2] > 0] or [0.0])
    return {"precision": p, "recall": r, "f1": f1(p, r)}


def with_intervals(pages: list[Counts], seed: int = 0) -> dict[str, float]:
    figures = aggregate(pages)
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {k: [] for k in figures}
    for _ in range(BOOTSTRAP):
        resample = [pages[rng.randrange(len(pages))] for _ in pages]
        for key, value in aggregate(resample).items():
            samples[key].append(value)
    for key, values in samples.items():
        figures[f"{key}_ci"] = 1.96 * statistics.stdev(values) if len(values) > 1 else 0.0
    return figures


# -- AEB pages ------------------------------------------------------------------------------


@dataclass
class BodyScore:
    page: str
    url: str
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # system -> p/r/f1
    counts: dict[str, Counts] = field(default_factory=dict)
    note: str = ""  # why journal found no article
    captions: int = 0  # caption lines journal recorded


def aeb_folders(corpus: Path) -> list[Path]:
    return sorted(p.parent for p in corpus.rglob("ground-truth.json") if (p.parent / "html").is_dir())


def predictions(html: str, url: str) -> tuple[dict[str, str], str, int]:
    """Each system's article body for one page, journal's reason when it found none, and
    the number of caption lines journal recorded."""
    found = extract(html, url)
    count = 0
    if isinstance(found, NotArticle):
        body, titled, captioned, note = "", "", "", found.reason
    else:
        count = sum(captions.is_caption(line) for line in found.paragraphs)
        body = "\n".join(captions.body(found.paragraphs))
        titled, note = f"{found.title}\n{body}", ""
        captioned = "\n".join(captions.shown(line) for line in found.paragraphs)
    return (
        {
            "journal": body,
            "journal+title": titled,
            "journal+captions": captioned,
            "trafilatura": trafilatura.extract(html) or "",
        },
        note,
        count,
    )


def score_aeb(folder: Path) -> list[BodyScore]:
    truth: dict[str, dict[str, Any]] = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    out = []
    for page_id, item in sorted(truth.items()):
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        html = decode_html(gzip.decompress(path.read_bytes()))  # as the updater decodes a page
        url = str(item.get("url") or f"https://example.org/{page_id}")
        texts, note, count = predictions(html, url)
        score = BodyScore(page=page_id, url=url, note=note, captions=count)
        for system, text in texts.items():
            counts = shingle_counts(str(item.get("articleBody") or ""), text)
            p, r = precision(counts), recall(counts)
            score.counts[system] = counts
            score.scores[system] = {"precision": p, "recall": r, "f1": f1(p, r)}
        out.append(score)
    return out


# -- readability pages: metadata ------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_BYLINE_NOISE = {"by", "and"}


@dataclass
class Meta:
    title: str | None
    byline: str | None
    published: str | None


@dataclass
class MetaScore:
    page: str
    url: str
    expected: Meta
    found: dict[str, Meta]  # system -> values
    match: dict[str, dict[str, bool | None]]  # system -> field -> matched (None: not scored)


def readability_folders(corpus: Path) -> list[Path]:
    found = (p.parent for p in corpus.rglob("expected-metadata.json"))
    return sorted(p for p in found if (p / "source.html").exists())


def page_url(html: str, name: str) -> str:
    for pattern in (
        r"<link[^>]+rel=[\"']canonical[\"'][^>]*href=[\"']([^\"']+)",
        r"<meta[^>]+property=[\"']og:url[\"'][^>]*content=[\"']([^\"']+)",
    ):
        match = re.search(pattern, html, re.IGNORECASE)
        if match and match.group(1).startswith("http"):
            return match.group(1)
    return f"https://example.org/{name}"


def same_title(expected: str, got: str | None) -> bool:
    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
        return " ".join(text.split())

    return got is not None and norm(expected) == norm(got)


def byline_tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.casefold()) if t not in _BYLINE_NOISE}


def same_byline(expected: str, got: str | None) -> bool:
    a, b = byline_tokens(expected), byline_tokens(got or "")
    return bool(a | b) and len(a & b) / len(a | b) >= 0.5


def same_date(expected: str, got: str | None) -> bool:
    if not got:
        return False
    days = {expected[:10]}
    try:
        moment = datetime.fromisoformat(expected.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            days.add(moment.astimezone(UTC).strftime("%Y-%m-%d"))
    except ValueError:
        pass
    return got[:10] in days


def journal_meta(html: str, url: str) -> Meta:
    found = extract(html, url)
    if isinstance(found, NotArticle):
        return Meta(None, None, None)
    return Meta(found.title, found.byline, found.published)


def trafilatura_meta(html: str, url: str) -> Meta:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None or isinstance(doc, dict):
        return Meta(None, None, None)
    return Meta(doc.title, doc.author, doc.date)


def compare(expected: Meta, got: Meta) -> dict[str, bool | None]:
    return {
        "title": same_title(expected.title, got.title) if expected.title else None,
        "byline": same_byline(expected.byline, got.byline) if expected.byline else None,
        "published": same_date(expected.published, got.published) if expected.published else None,
    }


def score_readability(folder: Path) -> MetaScore:
    html = decode_html((folder / "source.html").read_bytes())
    raw = json.loads((folder / "expected-metadata.json").read_text("utf-8"))
    expected = Meta(raw.get("title") or None, raw.get("byline") or None, raw.get("publishedTime") or None)
    url = page_url(html, folder.name)
    found = {"journal": journal_meta(html, url), "trafilatura": trafilatura_meta(html, url)}
    return MetaScore(folder.name, url, expected, found, {k: compare(expected, v) for k, v in found.items()})


def accuracy(scores: list[MetaScore], system: str, name: str) -> tuple[int, int]:
    marks = [s.match[system][name] for s in scores if s.match[system][name] is not None]
    return sum(bool(m) for m in marks), len(marks)


# -- output ---------------------------------------------------------------------------------


def cell(value: str | None, limit: int = 60) -> str:
    if value is None:
        return "—"
    text = " ".join(value.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mark(value: bool | None) -> str:
    return "" if value is None else (" ✓" if value else " ✗")


def body_tables(scores: list[BodyScore], overall: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        f"Article text, {len(scores)} pages, F1 over word 4-gram shingles (AEB metric):",
        "",
        "| system | precision | recall | F1 |",
        "|---|---:|---:|---:|",
    ]
    for system in SYSTEMS:
        o = overall[system]
        lines.append(
            f"| {system} | {o['precision']:.3f} ± {o['precision_ci']:.3f} | "
            f"{o['recall']:.3f} ± {o['recall_ci']:.3f} | **{o['f1']:.3f}** ± {o['f1_ci']:.3f} |"
        )
    lines += [
        "",
        f"journal scores the article body; its {sum(s.captions for s in scores)} photo caption lines on these "
        "pages are scored apart, as journal+captions (their text at the figures' places).",
        "",
        "| page | journal P / R / F1 | captions | journal+captions F1 | trafilatura P / R / F1 | note |",
        "|---|---|---:|---:|---|---|",
    ]
    for s in scores:
        j, c, t = s.scores["journal"], s.scores["journal+captions"], s.scores["trafilatura"]
        site = re.sub(r"^https?://(www\.)?", "", s.url).split("/")[0]
        lines.append(
            f"| {s.page[:8]} {site} | {j['precision']:.2f} / {j['recall']:.2f} / {j['f1']:.2f} | "
            f"{s.captions} | {c['f1']:.2f} | "
            f"{t['precision']:.2f} / {t['recall']:.2f} / {t['f1']:.2f} | {cell(s.note)} |"
        )
    return lines


def meta_tables(scores: list[MetaScore]) -> list[str]:
    lines = [
        f"Metadata, {len(scores)} pages (expected values: Readability.js; — = empty, not scored):",
        "",
        "| field | journal | trafilatura |",
        "|---|---:|---:|",
    ]
    for name in ("title", "byline", "published"):
        (jm, jn), (tm, tn) = accuracy(scores, "journal", name), accuracy(scores, "trafilatura", name)
        lines.append(f"| {name} | {jm}/{jn} | {tm}/{tn} |")
    lines += ["", "| page | field | expected | journal | trafilatura |", "|---|---|---|---|---|"]
    for s in scores:
        for name in ("title", "byline", "published"):
            j, t = s.found["journal"], s.found["trafilatura"]
            lines.append(
                f"| {s.page} | {name} | {cell(getattr(s.expected, name))} | "
                f"{cell(getattr(j, name))}{mark(s.match['journal'][name])} | "
                f"{cell(getattr(t, name))}{mark(s.match['trafilatura'][name])} |"
            )
    return lines


def markdown(bodies: list[BodyScore], overall: dict[str, dict[str, float]], metas: list[MetaScore]) -> str:
    lines: list[str] = []
    if bodies:
        lines += body_tables(bodies, overall)
    if metas:
        lines += ([""] if lines else []) + meta_tables(metas)
    return "\n".join(lines) + "\n"


def write_results(body: str, command: str) -> None:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    write_section(SECTION, f"`{command}` on {date}.\n\n{body}")


def as_json(bodies: list[BodyScore], overall: dict[str, dict[str, float]], metas: list[MetaScore]) -> str:
    data = {
        "aeb": {
            "overall": overall,
            "pages": [{k: v for k, v in asdict(s).items() if k != "counts"} for s in bodies],
        },
        "readability": {
            "accuracy": {
                system: {
                    name: dict(zip(("matched", "scored"), accuracy(metas, system, name), strict=True))
                    for name in ("title", "byline", "published")
                }
                for system in ("journal", "trafilatura")
            },
            "pages": [asdict(s) for s in metas],
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def overall_scores(bodies: Iterable[BodyScore]) -> dict[str, dict[str, float]]:
    listed = list(bodies)
    if not listed:
        return {}
    return {system: with_intervals([b.counts[system] for b in listed]) for system in SYSTEMS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, required=True, help="folder holding AEB and/or readability pages"
    )
    parser.add_argument("--json", action="store_true", help="JSON instead of markdown")
    parser.add_argument("--write", action="store_true", help=f"also write the markdown into {RESULTS.name}")
    args = parser.parse_args()
    bodies = [s for folder in aeb_folders(args.corpus) for s in score_aeb(folder)]
    metas = [score_readability(folder) for folder in readability_folders(args.corpus)]
    if not bodies and not metas:
        sys.exit(f"no AEB or readability pages under {args.corpus}")
    overall = overall_scores(bodies)
    text = markdown(bodies, overall, metas)
    print(as_json(bodies, overall, metas) if args.json else text, end="" if not args.json else "\n")
    if args.write:
        write_results(text, "python bench/eval_extraction.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
