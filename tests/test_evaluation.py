"""The evaluation scripts themselves, on a small corpus written here: what they report is
what journal did, for any site and for RSS and Atom histories alike."""

from __future__ import annotations

import gzip
import html
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import PARAS, article_html

BENCH = Path(__file__).resolve().parents[1] / "bench"


def run(script: str, corpus: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(BENCH / script), "--corpus", str(corpus), "--json"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return json.loads(out.stdout)


def atom(edited: bool, updated: str) -> str:
    last = PARAS[5].replace("every level", "the highest level") if edited else PARAS[5]
    body = html.escape("".join(f"<p>{p}</p>" for p in [*PARAS[:5], last]))
    xhtml = "".join(f"<p>{p} Second story.</p>" for p in PARAS)
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Harbour News</title><id>tag:h.example,2024:feed</id><updated>{updated}</updated>"
        '<entry><id>tag:h.example,2024:1</id><title>Talks held</title><link href="https://h.example/talks"/>'
        f"<published>{updated}</published><author><name>Jo Writer</name></author>"
        f'<summary>Officials met.</summary><content type="html">{body}</content></entry>'
        '<entry><id>tag:h.example,2024:2</id><title type="text">Second story</title>'
        '<link rel="alternate" href="https://h.example/second"/><updated>2024-05-01T10:00:00Z</updated>'
        f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{xhtml}</div></content></entry></feed>'
    )


def rss_with_descriptions(step: int) -> str:
    items = "".join(
        f"<item><title>Story {i}</title><link>https://p.example/s/{i}</link><guid>https://p.example/s/{i}</guid>"
        f"<pubDate>Wed, 01 May 2024 1{step}:00:00 GMT</pubDate>"
        f"<description>{html.escape(''.join(f'<p>{p}</p>' for p in PARAS))}</description></item>"
        for i in range(2)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Plain</title>{items}</channel></rss>"


def test_change_evaluation_replays_every_history_and_reports_unknown_pairs(tmp_path: Path) -> None:
    history = tmp_path / "feeds" / "history"
    (history / "harbour").mkdir(parents=True)
    (history / "plain").mkdir()
    manifest = []
    steps = [(False, "2024-05-01T09:00:00Z"), (True, "2024-05-01T09:00:00Z"), (True, "2024-05-02T09:00:00Z")]
    for n, (edited, updated) in enumerate(steps):
        (history / "harbour" / f"{n}.atom").write_text(atom(edited, updated))
        (history / "plain" / f"{n}.xml").write_text(rss_with_descriptions(n))
        manifest += [
            {"local": f"harbour/{n}.atom", "commit_time": f"2024-05-0{n + 1}T12:00:00+00:00"},
            {"local": f"plain/{n}.xml", "commit_time": f"2024-05-0{n + 1}T13:00:00+00:00"},
        ]
    (history / "manifest.json").write_text(json.dumps(manifest))
    pair = tmp_path / "pages" / "same-url" / "fixture"
    pair.mkdir(parents=True)
    (pair / "story.html").write_text(article_html("Story", PARAS))
    (pair / "story-2025.html").write_text(article_html("Story", PARAS, chrome=False))

    result = run("eval_changes.py", tmp_path)

    [case] = result["cases"]
    assert case["name"] == "fixture/story → story-2025"
    assert case["pipeline"] == "1 version(s): no new version"
    assert case["pipeline_ok"] is None  # a site the corpus says nothing about: reported, not scored
    replays = {r["feed"]: r["totals"] for r in result["replays"]}
    assert replays["harbour"] == {
        **replays["harbour"], "articles": 2, "versions": 3, "real_changes": 1, "seen_changes": 1,
        "false_versions": 0, "missed_edits": 0, "redated_in_feed": 1,
    }  # fmt: skip
    assert replays["plain"] == {**replays["plain"], "articles": 2, "versions": 2, "real_changes": 0}


def test_extraction_evaluation_scores_the_benchmark_metric(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    truth = {}
    for name, paras in {"full": PARAS, "half": PARAS[:3]}.items():
        page = article_html("Talks held", PARAS)
        (tmp_path / "html" / f"{name}.html.gz").write_bytes(gzip.compress(page.encode()))
        truth[name] = {"articleBody": "\n".join(paras), "url": f"https://news.example.org/{name}"}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth))

    pages = {p["page"]: p["scores"]["journal"] for p in run("eval_extraction.py", tmp_path)["aeb"]["pages"]}

    assert pages["full"]["f1"] == 1.0
    assert pages["half"]["recall"] == 1.0
    assert 0.4 < pages["half"]["precision"] < 0.6  # half the text is not in the answer
