"""A first run as a new user makes it: the README's commands as written, in a fresh
folder, against a loopback site; the archive found like git finds a repository;
a mistyped path or name reported, never silently made."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, make_archive, rss

from journal import config, outlets
from journal.urls import SOURCE_NAME, canonical

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent


def journal(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """The installed `journal` command, run from `cwd` with no archive named."""
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_ARCHIVE"}
    out = subprocess.run(
        [sys.executable, "-m", "journal", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if ok:
        assert out.returncode == 0, f"journal {' '.join(args)} exited {out.returncode}:\n{out.stderr}"
    return out


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def readme_block(after: str) -> list[str]:
    """The command lines of the first ```sh block after the line `after`."""
    rest = README[README.index(after) :]
    block = rest[rest.index("```sh\n") + 6 :]
    return [line for line in block[: block.index("```")].splitlines() if line.strip()]


def test_readme_quick_start_and_first_session_work_as_written(site: Site, tmp_path: Path) -> None:
    story = site.put("/news/world-1", article_html("Talks resume after a year", PARAS))
    sport = site.put("/sport/football-2", article_html("A match report", PARAS[:3]))
    feed = site.put(
        "/news/rss.xml", rss([{"link": story}, {"link": sport}]), Content_Type="application/rss+xml"
    )
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_ARCHIVE"}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    here = tmp_path / "fresh"
    here.mkdir()

    def sh(line: str) -> subprocess.CompletedProcess[str]:
        line = line.replace("https://feeds.bbci.co.uk/news/rss.xml", feed)
        line = re.sub(r"\bURL\b", shlex.quote(story), line)
        out = subprocess.run(["bash", "-c", line], cwd=here, env=env, capture_output=True, text=True)
        assert out.returncode == 0, f"{line}\nexited {out.returncode}:\n{out.stdout}\n{out.stderr}"
        return out

    (quick,) = readme_block("## Quick start")
    assert quick.startswith("pip install . && ")
    sh(quick.removeprefix("pip install . && "))  # installed already: the venv runs the tests
    toml = here / "archive" / "journal.toml"
    # A local demo fetches from this machine, which journal.toml must allow (a hand edit).
    toml.write_text(toml.read_text().replace("allow_private = false", "allow_private = true"))
    session = readme_block("A first session:")
    outputs = [sh(line).stdout for line in session]
    listing = outputs[[line.split("#")[0].strip() for line in session].index("journal articles")]
    assert "Talks resume after a year" in listing
    assert "A match report" not in listing  # --exclude /sport/
    assert "v1" in outputs[3] and "Talks resume after a year" in outputs[3]
    assert "Talks resume after a year" in outputs[-1]  # git log -p
    assert git("status", "--porcelain", cwd=here / "archive") == ""
    subjects = git("log", "--format=%s", cwd=here / "archive").splitlines()
    # The hand edit went in a commit of its own, before the source was added.
    assert subjects[-3:] == [
        "journal: add source bbc",
        "journal: journal.toml edited by hand",
        "journal: create archive",
    ]


def test_readme_start_in_a_folder_of_its_own_works_as_written(tmp_path: Path) -> None:
    (line,) = readme_block("Or give the archive a folder of its own")
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_ARCHIVE"}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    out = subprocess.run(
        ["bash", "-c", f"{line} && journal status"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert f"archive   {tmp_path / 'news'}" in out.stdout
    assert "sources   bbc" in out.stdout


def test_journal_works_inside_an_archive_and_below_it(tmp_path: Path) -> None:
    journal("init", "news", cwd=tmp_path)
    news = tmp_path / "news"
    assert "archive   " + str(news) in journal("status", cwd=news).stdout
    deeper = news / "notes" / "2026"
    deeper.mkdir(parents=True)
    assert "archive   " + str(news) in journal("status", cwd=deeper).stdout
    # --archive (or JOURNAL_ARCHIVE) still wins over the folder one is in.
    journal("init", "other", cwd=tmp_path)
    assert (
        "archive   " + str(tmp_path / "other") in journal("--archive", "../other", "status", cwd=news).stdout
    )


def test_only_init_and_update_make_an_archive(tmp_path: Path) -> None:
    for args in (
        ("source", "add", "daily", "https://example.org/feed.xml"),
        ("track", "https://example.org/story"),
        ("status",),
        ("articles",),
    ):
        out = journal("--archive", "no-such-dir", *args, cwd=tmp_path, ok=False)
        assert out.returncode == 1, args
        assert f"No archive at {tmp_path / 'no-such-dir'}" in out.stderr
        assert not (tmp_path / "no-such-dir").exists(), args
    nothing = journal("status", cwd=tmp_path, ok=False)
    assert nothing.returncode == 1
    assert 'run "journal init' in nothing.stderr
    journal("update", cwd=tmp_path)  # the quick start's first run makes ./archive
    assert (tmp_path / "archive" / "journal.toml").is_file()


def test_no_archive_is_made_inside_another(tmp_path: Path) -> None:
    journal("init", "news", cwd=tmp_path)
    news = tmp_path / "news"
    before = git("rev-parse", "HEAD", cwd=news)
    inner = journal("init", "inner", cwd=news, ok=False)
    assert inner.returncode == 1
    assert f"inside the archive {news}" in inner.stderr
    assert not (news / "inner").exists()
    again = journal("init", cwd=news, ok=False)  # ./archive inside news
    assert again.returncode == 1
    assert not (news / "archive").exists()
    missing = journal("--archive", str(news / "sub"), "status", cwd=tmp_path, ok=False)
    assert "journal init" not in missing.stderr  # no advice to make one in there
    assert git("rev-parse", "HEAD", cwd=news) == before


def test_advice_never_points_into_a_system_folder(tmp_path: Path) -> None:
    out = journal("status", cwd=Path("/"), ok=False)
    assert out.returncode == 1
    assert '"journal init ~/news"' in out.stderr
    assert "/archive" not in out.stderr
    made = journal("update", cwd=Path("/usr"), ok=False)
    assert made.returncode == 1
    assert "system folder" in made.stderr
    assert not Path("/usr/archive").exists()


def test_track_into_an_unknown_source_is_refused(site: Site, cli: Cli) -> None:
    head = git("rev-parse", "HEAD", cwd=cli.archive)
    result = cli("track", site.url("/story"), "--source", "nosuch", ok=False)
    assert result.exit_code == 1
    assert 'No source named "nosuch"' in result.stderr
    assert git("rev-parse", "HEAD", cwd=cli.archive) == head
    assert "nosuch" not in (cli.archive / "journal.toml").read_text()
    cli("track", site.url("/story"))  # no --source: filed under the site's name
    assert "[sources.127-0-0-1]" in (cli.archive / "journal.toml").read_text()


@pytest.mark.parametrize(
    "args", [("track", "https://example.org/story"), ("source", "add", "daily", "https://example.org/feed")]
)
def test_edits_of_a_journal_toml_that_is_not_toml_say_so(cli: Cli, args: tuple[str, ...]) -> None:
    toml = cli.archive / "journal.toml"
    toml.write_text(toml.read_text() + "\n[fetch]\ntimeout = 10\n")  # a second [fetch]
    out = subprocess.run(
        [sys.executable, "-m", "journal", "--archive", str(cli.archive), *args],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1
    assert "journal.toml is not valid TOML" in out.stderr


def test_serve_says_what_is_wrong_with_its_address(cli: Cli) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "journal", "--archive", str(cli.archive), "serve", "--port", "99999"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "--port" in out.stderr
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        taken = subprocess.run(
            [sys.executable, "-m", "journal", "--archive", str(cli.archive), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert taken.returncode == 1
    assert taken.stderr.strip() == (
        f"journal: Cannot listen on 127.0.0.1:{port} (Address already in use); "
        "pick another --port, or stop what uses it."
    )


# -- known outlets -------------------------------------------------------------------------


@pytest.mark.parametrize("outlet", outlets.known(), ids=lambda o: o.key)
def test_every_known_outlet_has_a_feed_url_of_the_right_shape(outlet: outlets.Outlet) -> None:
    assert SOURCE_NAME.match(outlet.key)
    assert outlet.name.strip()
    assert outlet.feeds
    for feed in outlet.feeds:
        assert feed.startswith("https://"), feed
        host = feed.split("/")[2]
        assert "." in host and host == host.lower()
        assert canonical(feed) == feed  # no tracking parameters, nothing to normalise away
    for pattern in outlet.exclude:
        re.compile(pattern)


def test_the_starter_lists_every_known_outlet_ready_to_uncomment(tmp_path: Path) -> None:
    journal("init", "news", cwd=tmp_path)
    text = (tmp_path / "news" / "journal.toml").read_text()
    assert config.parse(text).sources == ()
    start = text.index("# Well-known outlets")
    uncommented = text[:start] + re.sub(r"(?m)^# ?(\[sources\.|feeds =|exclude =)", r"\1", text[start:])
    found = {s.name: s for s in config.parse(uncommented).sources}
    assert sorted(found) == sorted(o.key for o in outlets.known())
    for outlet in outlets.known():
        assert found[outlet.key].feeds == outlet.feeds
        assert found[outlet.key].exclude == outlet.exclude
    names = [o.key for o in outlets.known()]
    for wanted in ("bbc", "guardian", "nyt", "washington-post", "reuters", "ap", "npr", "al-jazeera"):
        assert wanted in names


def test_source_add_with_no_feed_takes_a_known_outlet(cli: Cli) -> None:
    out = cli("source", "add", "bbc", "--exclude", "/av/")
    assert "https://feeds.bbci.co.uk/news/rss.xml" in out.stdout
    (bbc,) = cli.json("source", "list")
    assert bbc["feeds"] == ["https://feeds.bbci.co.uk/news/rss.xml"]
    assert bbc["exclude"] == ["/sport/", "/live/", "/av/"]
    unknown = cli("source", "add", "daily-planet", ok=False)
    assert unknown.exit_code == 2
    assert '"journal source add daily-planet FEED_URL"' in unknown.stderr
    assert "bbc" in unknown.stderr


# -- sharing -----------------------------------------------------------------------------------


def test_push_then_clone_of_a_default_bare_repository_then_reindex_works(site: Site, tmp_path: Path) -> None:
    cli = make_archive(tmp_path / "archive")
    url = site.put("/a", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    remote = tmp_path / "remote.git"
    git("-c", "init.defaultBranch=master", "init", "--bare", "-q", str(remote), cwd=tmp_path)
    pushed = cli("push", str(remote))
    assert 'kept as remote "origin"' in pushed.stdout
    git("clone", "-q", str(remote), "clone", cwd=tmp_path)
    assert (tmp_path / "clone" / "journal.toml").is_file()  # git clone checked the archive out
    # A remote elsewhere (ssh) cannot be set right from here: its clone checks nothing out.
    git("symbolic-ref", "HEAD", "refs/heads/master", cwd=remote)
    git("clone", "-q", str(remote), "bare-clone", cwd=tmp_path)
    empty = tmp_path / "bare-clone"
    assert not (empty / "journal.toml").exists()
    assert "Reindexed 1 version commit(s)." in journal("reindex", cwd=empty).stdout  # as the README says
    assert (empty / "journal.toml").is_file()
    assert git("status", "--porcelain", cwd=empty) == ""
    assert journal("history", url, "--json", cwd=empty).stdout == cli("history", url, "--json").stdout
    # The remote was remembered: the next push needs no argument.
    site.put("/a", article_html("Story", [*PARAS, "A closing paragraph arrived in the evening."]))
    cli("update", "--force")
    cli("push")
    assert git("rev-parse", "main", cwd=remote) == git("rev-parse", "HEAD", cwd=cli.archive)


# -- journal.toml edited by hand ---------------------------------------------------------------


def changed_files(archive: Path, rev: str) -> list[str]:
    return git("show", "--format=", "--name-only", rev, cwd=archive).split()


def test_a_hand_edit_is_committed_on_its_own_before_a_source_is_added(site: Site, cli: Cli) -> None:
    toml = cli.archive / "journal.toml"
    toml.write_text(toml.read_text().replace("timeout = 30", "timeout = 12"))
    cli("source", "add", "daily", site.put("/feed.xml", rss([])))
    subjects = git("log", "-2", "--format=%s", cwd=cli.archive).splitlines()
    assert subjects == ["journal: add source daily", "journal: journal.toml edited by hand"]
    hand = git("show", "HEAD~1", "--format=%b", "--", "journal.toml", cwd=cli.archive)
    assert "changed: [fetch]" in hand
    assert "+timeout = 12" in hand and "sources.daily" not in hand
    added = git("show", "HEAD", "--format=", "--", "journal.toml", cwd=cli.archive)
    assert "+[sources.daily]" in added and "timeout" not in added
    assert git("status", "--porcelain", cwd=cli.archive) == ""


def test_a_hand_edit_is_committed_on_its_own_by_update(site: Site, cli: Cli) -> None:
    url = site.put("/a", article_html("Story", PARAS))
    toml = cli.archive / "journal.toml"
    toml.write_text(
        toml.read_text() + f'\n[sources.daily]\nfeeds = ["{site.put("/feed.xml", rss([{"link": url}]))}"]\n'
    )
    cli("update")
    subjects = git("log", "--format=%s", cwd=cli.archive).splitlines()
    assert subjects[1] == "journal: journal.toml edited by hand"
    assert changed_files(cli.archive, "HEAD~1") == ["journal.toml"]
    assert subjects[0].startswith("daily: Story")
    assert git("status", "--porcelain", cwd=cli.archive) == ""
