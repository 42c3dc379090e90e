"""The cost of a word diff inside one long paragraph, from 1k to 100k words.

    python bench/worddiff.py            # writes bench/RESULTS.md, section "Word diff"
    python bench/worddiff.py --no-write # prints only

For each size, one paragraph of news-like words (a vocabulary of 20,000, so common
words repeat and rarer ones do not) is diffed against three edits of itself: one
word changed in the middle, one word in fifty changed, and a sentence inserted
every 500 words. Reported: the best of 3 runs in seconds, microseconds per word, and
the ratio of each size's cost to the 1k-word cost against the ratio of the sizes
(near-linear when the two are close). difflib, which the word diff used before, is
timed up to 2,000 words (beyond that it takes minutes). Also `diff()` of a whole
1 MB article whose one paragraph holds every word, as the updater's ledger and the
web's diff page compute it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from results import write_section  # noqa: E402

from journal.diff import _TOKEN, MAX_TOKENS, diff, word_ops  # noqa: E402
from journal.models import ArticleText  # noqa: E402

SIZES = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


def paragraph(words: int, rng: random.Random) -> list[str]:
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        for _ in range(20_000)
    ]
    # Zipf-like: a few words very often, most rarely.
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    return rng.choices(vocabulary, weights, k=words)


def edits(words: list[str]) -> dict[str, str]:
    middle = list(words)
    middle[len(middle) // 2] = "changed"
    scattered = [w if i % 50 else "edited" for i, w in enumerate(words)]
    inserted: list[str] = []
    for i, w in enumerate(words):
        inserted.append(w)
        if i % 500 == 499:
            inserted += ["and", "a", "sentence", "was", "added", "here", "."]
    return {
        "one word": " ".join(middle),
        "1 word in 50": " ".join(scattered),
        "sentence per 500 words": " ".join(inserted),
    }


def best(fn: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def difflib_cost(old: str, new: str) -> float:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    return best(lambda: SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), runs=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args()
    rng = random.Random(7)
    rows: list[tuple[int, str, float, float | None]] = []
    for size in SIZES:
        words = paragraph(size, rng)
        old = " ".join(words)
        for kind, new in edits(words).items():
            cost = best(lambda old=old, new=new: word_ops(old, new))
            legacy = difflib_cost(old, new) if size <= 2_000 else None
            rows.append((size, kind, cost, legacy))
            print(
                f"{size:>7} words  {kind:<24} {cost:8.4f} s"
                + (f"   difflib {legacy:.3f} s" if legacy else ""),
                flush=True,
            )
    big = paragraph(170_000, rng)
    old_doc = ArticleText("u", "s", "Title", ("A short first paragraph.", " ".join(big)))
    new_doc = ArticleText("u", "s", "Title", ("A short first paragraph.", edits(big)["1 word in 50"]))
    mb = len(" ".join(big).encode()) / 1e6
    whole = best(lambda: diff(old_doc, new_doc), runs=1)
    tokens = len(_TOKEN.findall(" ".join(big)))
    print(
        f"diff() of a {mb:.1f} MB article ({tokens:,} tokens in one paragraph, cap {MAX_TOKENS:,}): {whole:.3f} s"
    )
    base = {kind: cost for size, kind, cost, _ in rows if size == SIZES[0]}
    lines = [
        "| words | edit | seconds | µs per word | cost ratio to 1k | size ratio | difflib (before) s |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size, kind, cost, legacy in rows:
        lines.append(
            f"| {size:,} | {kind} | {cost:.4f} | {cost / size * 1e6:.1f} | {cost / base[kind]:.1f} | "
            f"{size // SIZES[0]} | {'' if legacy is None else f'{legacy:.3f}'} |"
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    body = (
        f"`python bench/worddiff.py` on {stamp}: `diff.word_ops` on one paragraph of 1k–100k words "
        "(a Zipf-distributed vocabulary of 20,000 words) against three edits of it; best of 3 runs, one core.\n\n"
        + "\n".join(lines)
        + f"\n\n- a whole article of {mb:.1f} MB whose one paragraph ({tokens:,} tokens) had one word in 50 "
        f"changed: `diff()` takes {whole:.2f} s; a paragraph over {MAX_TOKENS:,} tokens (about 100,000 words) "
        "is shown replaced whole instead of diffed word by word.\n"
    )
    if not args.no_write:
        write_section("Word diff", body)


if __name__ == "__main__":
    main()
