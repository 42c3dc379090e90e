"""A new extractor re-flows old text: that is a `reextract`, never an edit."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from conftest import PARAS, Cli, Site, article_html, rss

from journal import commits, document
from journal.archive import Archive, Identity, Writer
from journal.models import Change
from journal.pages import PageStore, StoredPage

OLD = "trafilatura 1.0.0; normalise 0"


def as_if_an_old_extractor_made_it(cli: Cli, url: str) -> None:
    """Commit the latest text the way an older extractor laid it out (two paragraphs run together)."""
    status = cli.json("status", url)
    archive = Archive.open(cli.archive)
    path = status["path"]
    doc = document.parse((cli.archive / path).read_bytes())
    joined = (doc.paragraphs[0] + " " + doc.paragraphs[1], *doc.paragraphs[2:])
    old = document.render(type(doc)(doc.url, doc.source, doc.title, joined, doc.published, doc.byline))
    message = commits.CommitMessage(
        source=doc.source, title=doc.title, url=doc.url, version=1, change=Change.REEXTRACT,
        fetched_at=datetime.now(UTC), summary="as an older extractor wrote it", extractor=OLD,
    )  # fmt: skip
    with Writer(archive, Identity()) as writer:
        writer.commit(message.render(), datetime.now(UTC), {path: old})
        writer.checkpoint()
    archive.git("read-tree", "-m", "-u", "HEAD~1", "HEAD")


def setup(site: Site, cli: Cli) -> str:
    url = site.put("/story", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    as_if_an_old_extractor_made_it(cli, url)
    return url


def test_reextract_commits_the_reflow_as_reextract(site: Site, cli: Cli) -> None:
    url = setup(site, cli)
    hits = site.hits("/story")
    summary = cli.json("reextract")
    assert summary["totals"]["reextracted"] == 1
    assert site.hits("/story") == hits  # re-extracted from the stored page, not refetched
    history = cli.json("history", url)["versions"]
    assert [(v["change"], v["version"]) for v in history] == [("new", 1), ("reextract", 1), ("reextract", 1)]
    assert cli.json("status", url)["versions"] == 1
    current = cli.archive / cli.json("status", url)["path"]
    assert document.parse(current.read_bytes()).paragraphs == tuple(PARAS)
    assert cli.json("reextract")["commits"] == 0  # nothing left to do


def test_update_keeps_reflow_and_edit_apart(site: Site, cli: Cli) -> None:
    url = setup(site, cli)
    edited = [*PARAS[:4], PARAS[4].replace("for months", "for many months"), PARAS[5]]
    site.put("/story", article_html("Story", edited))
    summary = cli.json("update", "--force")
    assert summary["totals"]["reextracted"] == 1
    assert summary["totals"]["changed"] == 1
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "reextract", "reextract", "edit"]
    edit = history[-1]
    assert edit["summary"] == "1 paragraph edited"
    assert edit["words"] == "+1 -0"
    assert edit["change_size"] == "minor"


def test_without_the_stored_page_same_words_are_a_reextract(site: Site, cli: Cli) -> None:
    url = setup(site, cli)
    for stored in (Archive.open(cli.archive).state_dir / "pages").rglob("*.gz"):
        stored.unlink()
    summary = cli.json("update", "--force")
    assert summary["totals"] == {**summary["totals"], "reextracted": 1, "changed": 0}
    assert [v["change"] for v in cli.json("history", url)["versions"]][-1] == "reextract"


def test_stored_pages_read_back_whether_kept_as_sent_or_compressed(tmp_path: Path) -> None:
    store = PageStore(tmp_path)
    body = "<html><body><p>Caf\u00e9 \u2014 the harbour reopens</p></body></html>".encode()
    store.save("ab12", "https://e.test/a\tb\nc", "text/html; charset=utf-8", body, gzip.compress(body))
    store.save("cd34", "https://e.test/d", None, body)
    kept = store.load("ab12")
    assert kept == StoredPage("https://e.test/a b c", "text/html; charset=utf-8", body)
    assert store.load("cd34") == StoredPage("https://e.test/d", None, body)
    assert store.load("ef56") is None
