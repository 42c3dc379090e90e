"""The redesign fuzzer's transforms as properties: no redesign makes a version, every edit
makes exactly its own, on pages the tests make (tests/page_layouts.py) and on the shared
corpus's pages when it is at hand. The checker itself is driven once, end to end."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import pytest
from conftest import Cli, Site, rss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from page_layouts import article

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import redesign

# The shared corpus beside the project (or beside the folder of its worktrees).
HERE = Path(__file__).resolve()
CORPUS = next(
    (p / "shared" / "corpus" for p in HERE.parents[2:4] if (p / "shared" / "corpus").is_dir()), HERE
)

# Redesigns that bring new words into the article's own container: furniture lines, a
# comment count, a share bar with its count, a newsletter sign-up box, a list of related
# links. Whether those words are
# the article is the extractor's to say (journal.extract); the evidence of the pages can
# only say that they are new. They are measured on every corpus page in bench/RESULTS.md
# ("Redesign fuzzer") and left out here, as is the correction box, which the extractor
# may leave out.
NEW_WORDS = frozenset({"furniture lines", "comment counts", "share bars", "newsletter box", "related links"})
REDESIGNS = sorted(set(redesign.REDESIGNS) - NEW_WORDS)
EDITS = sorted(set(redesign.EDITS) - {"a correction box"})
# Redesigns an edit is not drawn beside: a headline edit while og:title turns into a social
# headline (the version's title is whichever of the two the extractor takes for the title);
# a caption edit while the body is split over several <article> blocks (the extractor reads
# the figures of one block); any edit while the page shows a second, stale copy of its
# standfirst (the copy holds the words the edit changed, as they were).
APART = {
    "a headline edit": {"og:title rewritten"},
    "a caption edit": {"body in several <article> blocks"},
}


def beside(edit: str) -> list[str]:
    return [r for r in REDESIGNS if r not in APART.get(edit, set()) and r != "second copy of the standfirst"]


# Derandomized: the examples are drawn the same way on every run, so a failure is
# reproducible and never a run's bad luck.
SETTINGS = settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def made_up(page: int) -> redesign.Source:
    return redesign.Source(f"made-up/{page}", article(page).html.encode(), redesign.HTML)


@SETTINGS
@given(name=st.sampled_from(REDESIGNS), page=st.integers(0, 2**32), seed=st.integers(0, 2**32))
def test_no_redesign_makes_a_version_on_made_up_pages(name: str, page: int, seed: int) -> None:
    result = redesign.run_page(made_up(page), seed, redesigns=[name], edits=[])
    assert result.status == "ok", result.status
    assert not result.redesigns[name].startswith("VERSION"), result.redesigns[name]


@SETTINGS
@given(name=st.sampled_from(EDITS), page=st.integers(0, 2**32), seed=st.integers(0, 2**32))
def test_every_edit_makes_exactly_its_version_on_made_up_pages(name: str, page: int, seed: int) -> None:
    """Alone, and together with a redesign drawn from the same seed."""
    result = redesign.run_page(made_up(page), seed, redesigns=beside(name), edits=[name], alone=False)
    assert result.status == "ok", result.status
    assert result.edits[name] in ("exact", "n/a"), result.edits[name]
    assert result.combined[name] in ("exact", "n/a"), result.combined[name]


@cache
def corpus_pages() -> list[redesign.Source]:
    return redesign.corpus_pages(CORPUS) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not at hand")
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**32))
def test_no_redesign_makes_a_version_on_corpus_pages(data: st.DataObject, seed: int) -> None:
    source = data.draw(st.sampled_from(corpus_pages()), label="page")
    name = data.draw(st.sampled_from(REDESIGNS), label="redesign")
    result = redesign.run_page(source, seed, redesigns=[name], edits=[])
    assert not result.redesigns.get(name, "").startswith("VERSION"), result.redesigns


def test_the_checker_makes_what_the_fuzzer_says(site: Site, cli: Cli) -> None:
    """The fuzzer's judge is the checker's: a redesign served to a real archive makes no
    version, an edit served after it makes exactly that one."""
    made = article(7)
    url = site.put("/story", made.html)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    for name in (
        "credits glued or split",
        "body in several <article> blocks",
        "second copy of the standfirst",
    ):
        page = redesign.locate(
            redesign.parse(made.html), redesign.extract_page(made.html.encode(), None, url)
        )
        redesign.REDESIGNS[name](page, redesign.seeded(1, name))
        site.put("/story", redesign.serialise(page.doc))
        assert cli.json("update", "--force")["totals"]["changed"] == 0, name  # a reextract at most
    page = redesign.locate(redesign.parse(made.html), redesign.extract_page(made.html.encode(), None, url))
    expected = redesign.edit_word(page, redesign.seeded(1, "edit"))
    assert expected is not None
    site.put("/story", redesign.serialise(page.doc))
    cli("update", "--force")
    versions = [v for v in cli.json("history", url)["versions"] if v["change"] != "reextract"]
    assert [v["change"] for v in versions] == ["new", "edit"]
    assert versions[-1]["summary"] == "1 paragraph edited"
    assert versions[-1]["words"] == "+1 -1"
