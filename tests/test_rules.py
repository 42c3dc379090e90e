"""Per-source page rules (keep, drop, title): what they do to a page, how journal.toml
says them, and that changing them re-reads articles as `reextract`, never as an edit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import lxml.html
import pytest
import tomlkit
from conftest import PARAS, Cli, Site, article_html, rss

from journal import config, document, rules
from journal.archive import Archive
from journal.errors import ConfigError
from journal.extract import extract
from journal.extractor import EXTRACTOR, identity
from journal.models import Extraction, NotArticle, PageRules
from journal.sources import commit_config

BOX = (
    '<div class="signup-box"><p>Get the Morning Briefing delivered to your inbox every weekday, '
    "with the stories that matter most to our readers.</p></div>"
)
BOX_TEXT = "Get the Morning Briefing delivered to your inbox every weekday"

PAGE = """<html><body><h1 class="headline">Real headline</h1>
<div class="promo">Buy now</div>
<div class="body"><p>One <span class="ad">AD</span> tail</p></div>
<aside class="related"><p>Related</p></aside>
<div class="body second"><p>Two</p></div>
</body></html>"""


@pytest.mark.parametrize(
    ("page_rules", "text", "title"),
    [
        (PageRules(drop=(".promo", "aside.related")), "Real headline One AD tail Two", None),
        (PageRules(drop=(".ad",)), "Real headline Buy now One tail Related Two", None),
        (PageRules(keep=(".body",)), "One AD tail Two", None),
        (PageRules(keep=("body", ".body")), "Real headline Buy now One AD tail Related Two", None),
        (PageRules(keep=(".body",), drop=(".ad",)), "One tail Two", None),
        (PageRules(title="h1.headline"), "Real headline Buy now One AD tail Related Two", "Real headline"),
        (PageRules(title=".missing"), "Real headline Buy now One AD tail Related Two", None),
    ],
)
def test_rules_drop_then_keep_and_read_the_title(page_rules: PageRules, text: str, title: str | None) -> None:
    tree = lxml.html.document_fromstring(PAGE)
    assert rules.apply(tree, page_rules) == title
    assert " ".join(tree.text_content().split()) == text


def test_keep_rules_that_match_nothing_say_so() -> None:
    page = article_html("Story", PARAS)
    found = extract(page, "https://daily.test/story", PageRules(keep=(".article-body",)))
    assert isinstance(found, NotArticle)
    assert "keep rules (.article-body) match nothing on this page" in found.reason


def test_a_drop_rule_takes_a_box_out_of_the_text_and_names_the_extractor() -> None:
    page = article_html("Story", PARAS, blocks={3: BOX})
    plain = extract(page, "https://daily.test/story")
    ruled = extract(page, "https://daily.test/story", PageRules(drop=(".signup-box",)))
    assert isinstance(plain, Extraction)
    assert isinstance(ruled, Extraction)
    assert any(BOX_TEXT in p for p in plain.paragraphs)
    assert ruled.paragraphs == tuple(PARAS)
    assert plain.extractor == EXTRACTOR
    assert ruled.extractor == identity(PageRules(drop=(".signup-box",)))
    assert ruled.extractor.startswith(EXTRACTOR + "; rules ")
    assert identity(PageRules(drop=(".other",))) != ruled.extractor


def test_a_title_rule_overrides_the_metadata() -> None:
    page = article_html("Metadata title", PARAS).replace("<h1>", "<h1 class='hed'>Printed headline")
    found = extract(page, "https://daily.test/story", PageRules(title="h1.hed"))
    assert isinstance(found, Extraction)
    assert found.title.startswith("Printed headline")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('drop = ["div[["]', "sources.daily.drop: 'div[[' is not a usable CSS selector"),
        ('keep = "p:nonsense(1)"', "sources.daily.keep: 'p:nonsense(1)' is not a usable CSS selector"),
        ("drop = [1]", "sources.daily.drop must be a list of CSS selectors"),
        ('title = ""', "sources.daily.title must be one CSS selector"),
        ('fetch = "chrome"', 'sources.daily.fetch must be "http" or "browser"'),
    ],
)
def test_bad_rules_are_named_in_the_error(table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        config.parse(f"[sources.daily]\nfeeds = []\n{table}\n")


def test_rules_are_read_from_journal_toml() -> None:
    text = '[sources.daily]\nfeeds = []\ndrop = [".promo", "aside.related"]\nkeep = "article .body"\ntitle = "h1"\n'
    source = config.parse(text).source("daily")
    assert source is not None
    assert source.rules == PageRules(keep=("article .body",), drop=(".promo", "aside.related"), title="h1")
    assert not source.browser


def set_source_key(cli: Cli, name: str, key: str, value: object) -> None:
    """Edit one key of a [sources.NAME] table, as a person editing journal.toml would."""
    archive = Archive.open(cli.archive)
    doc = tomlkit.parse(archive.read_config())
    doc["sources"][name][key] = value  # type: ignore[index]
    commit_config(archive, tomlkit.dumps(doc), f"journal: set {key} of {name}", "", datetime.now(UTC))


def history(cli: Cli, url: str) -> list[str]:
    return [v["change"] for v in cli.json("history", url)["versions"]]


def test_a_drop_rule_removes_the_newsletter_box_with_one_reextract_and_no_edit(site: Site, cli: Cli) -> None:
    url = site.put("/story", article_html("Story", PARAS, blocks={3: BOX}))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    path = cli.archive / cli.json("status", url)["path"]
    assert BOX_TEXT in path.read_text()

    set_source_key(cli, "daily", "drop", [".signup-box"])
    summary = cli.json("update", "--force")
    assert summary["totals"]["reextracted"] == 1
    assert summary["totals"]["changed"] == 0
    assert history(cli, url) == ["new", "reextract"]
    assert document.parse(path.read_bytes()).paragraphs == tuple(PARAS)
    assert cli.json("status", url)["versions"] == 1

    # Nothing left to do: the next checks find the article unchanged.
    again = cli.json("update", "--force")
    assert again["commits"] == 0
    assert cli.json("reextract")["commits"] == 0


def test_journal_reextract_applies_changed_rules_from_the_stored_page(site: Site, cli: Cli) -> None:
    url = site.put("/story", article_html("Story", PARAS, blocks={3: BOX}))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    hits = site.hits("/story")
    set_source_key(cli, "daily", "drop", [".signup-box"])
    assert cli.json("reextract")["totals"]["reextracted"] == 1
    assert site.hits("/story") == hits  # the stored page, not a new fetch
    path = cli.archive / cli.json("status", url)["path"]
    assert BOX_TEXT not in path.read_text()
    trailer = Archive.open(cli.archive).git("log", "-1", "--format=%(trailers:key=Extractor,valueonly)")
    assert trailer.strip() == identity(PageRules(drop=(".signup-box",)))

    # Taking the rule away again is a re-reading too, never an edit.
    set_source_key(cli, "daily", "drop", [])
    summary = cli.json("update", "--force")
    assert (summary["totals"]["reextracted"], summary["totals"]["changed"]) == (1, 0)
    assert history(cli, url) == ["new", "reextract", "reextract"]
    assert BOX_TEXT in path.read_text()
