"""The README's "Reading the archive with git" recipes, run verbatim on a real archive."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, rss

from journal import update
from journal.archive import Archive

README = Path(__file__).resolve().parent.parent / "README.md"
PATH = "bbc/2015/09/news-world-middle-east-34294640.md"
T0 = datetime(2015, 9, 18, 10, 2, tzinfo=UTC).timestamp()
LATER = T0 + 35 * 60


def recipes() -> list[str]:
    section = README.read_text().split("## Reading the archive with git", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("git ")]


@pytest.fixture
def bbc(site: Site, cli: Cli) -> Cli:
    story = site.put(
        "/news/world-middle-east-34294640",
        article_html("Syria crisis: defence chiefs discuss conflict", PARAS),
    )
    other = site.put("/news/uk-1", article_html("A story that will be taken down", PARAS[:4]))
    cli("source", "add", "bbc", site.put("/feed.xml", rss([{"link": story}, {"link": other}])))
    archive = Archive.open(cli.archive)
    update.run(archive, update.Options(), clock=lambda: T0)
    edited = [*PARAS[:3], "The defence chiefs discussed deconfliction, the Pentagon statement said."]
    site.put(
        "/news/world-middle-east-34294640",
        article_html("Syria crisis: US and Russian defence chiefs discuss conflict", edited),
    )
    site.put("/news/uk-1", "gone", status=404)
    update.run(archive, update.Options(force=True), clock=lambda: LATER)
    archive.configure()
    return cli


EXPECT = {
    "log -p --word-diff": [
        r"\[-Syria crisis: defence-\]|\{\+US and Russian",
        r"\{\+[^}]*discussed deconfliction",
    ],
    "Change-Size: major": [r"^2015-09-18 http://127\.0\.0\.1:\d+/news/world-middle-east-34294640$"],
    "Change: removed": [r"^2015-09-18 http://127\.0\.0\.1:\d+/news/uk-1$"],
    "--since=2015-09-01": [
        r"2015-09-18 10:37:00 \+0000 bbc: Syria crisis: US and Russian",
        r"2015-09-18 10:02:00 \+0000 bbc: A story",
    ],
    "blame": [r"2015-09-18 10:37:00 \+0000\s+\d+\) The defence chiefs discussed deconfliction"],
    "-S'deconfliction'": [r"^[0-9a-f]+ version 2: bbc: Syria crisis: US and Russian"],
    "rev-list -1": [r"^# Syria crisis: defence chiefs discuss conflict$", re.escape(PARAS[4])],
}


def test_every_recipe_is_tested() -> None:
    found = recipes()
    assert len(found) == len(EXPECT)
    for key in EXPECT:
        assert sum(key in r for r in found) == 1, key


@pytest.mark.parametrize("key", sorted(EXPECT))
def test_recipe(bbc: Cli, key: str) -> None:
    command = next(r for r in recipes() if key in r)
    out = subprocess.run(
        ["bash", "-c", command], cwd=bbc.archive.parent, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip()
    for pattern in EXPECT[key]:
        assert re.search(pattern, out, re.MULTILINE), (command, pattern, out[:2000])
