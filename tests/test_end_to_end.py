"""The core loop, end to end: a feed on a real local server → versions in a real git archive."""

from __future__ import annotations

import subprocess

from conftest import PARAS, Cli, Site, article_html, rss


def git(cli: Cli, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cli.archive), *args], check=True, capture_output=True, text=True
    ).stdout


def test_feed_to_versions_and_back(site: Site, cli: Cli) -> None:
    url = site.put("/news/world-34294640", article_html("Defence chiefs discuss conflict", PARAS))
    site.put("/feed.xml", rss([{"link": url, "title": "Defence chiefs"}]), Content_Type="application/rss+xml")
    cli("source", "add", "daily", site.url("/feed.xml"))

    first = cli.json("update")
    assert first["totals"]["new"] == 1
    assert first["commits"] == 1

    # The newsroom edits: two paragraphs deleted, one sentence edited, title changed.
    edited = [PARAS[0], PARAS[1].replace("areas of divergence", "deep disagreements"), PARAS[2], PARAS[5]]
    site.put("/news/world-34294640", article_html("Defence chiefs hold first talks in a year", edited))
    second = cli.json("update", "--force")
    assert second["totals"]["changed"] == 1

    history = cli.json("history", url)
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert [v["change"] for v in history["versions"]] == ["new", "edit"]
    assert "title changed" in history["versions"][1]["summary"]
    assert (
        "2 paragraphs removed"
        in history["versions"][1]["summary"]
        .replace("1 edited", "")
        .replace("2 paragraphs removed, 1 edited", "2 paragraphs removed")
        or "removed" in history["versions"][1]["summary"]
    )

    out = cli("diff", url, "1", "2").stdout
    assert "[-" + PARAS[3] + "-]" in out
    assert "[-" + PARAS[4] + "-]" in out
    assert "[-areas of divergence-]{+deep disagreements+}" in out
    assert "title: Defence chiefs [-discuss conflict-]{+hold first talks in a year+}" in out
    for kept in (PARAS[0], PARAS[2]):
        assert "[-" + kept not in out and "{+" + kept not in out

    third = cli.json("update", "--force")
    assert third["commits"] == 0
    assert third["totals"]["unchanged"] == 1

    git(cli, "fsck", "--strict")
    versions = git(cli, "log", "--format=%(trailers:key=Version,valueonly)", "--", "daily/").split()
    assert versions == ["2", "1"]
    assert git(cli, "status", "--porcelain") == ""


def test_commit_format_and_file_layout(site: Site, cli: Cli) -> None:
    url = site.put("/2026/11/story.html", article_html("A headline", PARAS, byline="Jonathan Marcus"))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    files = git(cli, "ls-files").split()
    articles = [f for f in files if f.endswith(".md")]
    assert len(articles) == 1
    path = articles[0]
    assert path.startswith("daily/") and path.count("/") == 3
    text = (cli.archive / path).read_text()
    assert text.startswith(f"---\nurl: {url}\nsource: daily\npublished: 2026-11-02T09:30:00Z\n")
    assert "byline: Jonathan Marcus\n---\n# A headline\n\n" + PARAS[0] + "\n\n" + PARAS[1] in text
    message = git(cli, "log", "-1", "--format=%B")
    assert message.startswith("daily: A headline\n\nfirst version\n\n")
    trailers = git(cli, "log", "-1", "--format=%(trailers:only,unfold)").strip().splitlines()
    keys = [t.split(":", 1)[0] for t in trailers]
    assert keys == ["Url", "Source", "Version", "Change", "Fetched-At", "Extractor"]
    assert git(cli, "log", "-1", "--format=%an <%ae>").strip() == "journal <journal@localhost>"
    fetched = git(cli, "log", "-1", "--format=%(trailers:key=Fetched-At,valueonly)").strip()
    assert git(cli, "log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ").strip() == fetched


def test_read_commands_accept_any_alias(site: Site, cli: Cli) -> None:
    url = site.put("/a/story", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url + "?utm_source=rss#top"}])))
    cli("update")
    listing = cli.json("articles")
    assert len(listing) == 1
    item = listing[0]
    for ref in (
        url,
        url + "?utm_medium=x",
        item["id"],
        item["id"][:6],
        item["path"],
        f"archive/{item['path']}",
    ):
        assert cli("show", ref).stdout.startswith("---\nurl: ")
    result = cli("show", "https://nowhere.example/x", ok=False)
    assert result.exit_code == 1
    assert "No article matches" in result.output and "journal articles" in result.output
