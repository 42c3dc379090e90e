"""Notifications: real messages to a webhook and an SMTP server on 127.0.0.1, each
version told once, failures retried, secrets kept out of history, logs and errors."""

from __future__ import annotations

import re
import stat
import subprocess
from datetime import UTC, datetime

import pytest
from conftest import PARAS, Cli, Mailbox, Site, Webhook, article_html, rss

from journal import notice, update
from journal.archive import Archive
from journal.models import ArticleText, Change, Revision
from journal.state import State
from journal.targets import News, Target

COMMIT = re.compile(r"Commit: `?(?:<code>)?([0-9a-f]{40})")
T0 = 1_800_000_000.0


def git(cli: Cli, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cli.archive), *args], check=True, capture_output=True, text=True
    ).stdout


def commits_of(cli: Cli, change: str) -> list[str]:
    out = git(cli, "log", f"--grep=^Change: {change}$", "--format=%H")
    return out.split()


def told(messages: list[str]) -> list[str]:
    return [m for text in messages for m in COMMIT.findall(text)]


def two_stories(site: Site, cli: Cli) -> tuple[str, str]:
    first = site.put("/news/talks", article_html("Defence chiefs discuss conflict", PARAS))
    second = site.put("/news/storm", article_html("Storm hits the coast", PARAS[2:]))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": first}, {"link": second}])))
    return first, second


def test_edits_and_a_removal_reach_the_webhook_and_the_mailbox_once_each(
    site: Site, cli: Cli, webhook: Webhook, mailbox: Mailbox
) -> None:
    first, second = two_stories(site, cli)
    hook = f"json://127.0.0.1:{webhook.port}/hook"
    cli("notify", "add", "hook", hook, "--change", "new", "--change", "edit", "--change", "removed")
    cli("notify", "add", "desk", mailbox.url())  # default: edits, removals, returns
    summary = cli.json("update")
    assert summary["notifications"] == {"sent": 2, "failed": 0, "queued": 0}
    assert len(webhook.messages()) == 2
    assert mailbox.mails == []

    edited = [PARAS[0], PARAS[1].replace("areas of divergence", "deep disagreements"), *PARAS[2:]]
    site.put("/news/talks", article_html("Defence chiefs hold first talks in a year", edited))
    del site.pages["/news/storm"]  # 404: removed
    assert cli.json("update", "--force")["notifications"] == {"sent": 4, "failed": 0, "queued": 0}
    assert cli.json("update", "--force")["commits"] == 0

    hooks = [m.json() for m in webhook.messages()]
    expected = commits_of(cli, "new") + commits_of(cli, "edit") + commits_of(cli, "removed")
    assert sorted(told([h["message"] for h in hooks])) == sorted(expected)
    edit = next(h for h in hooks if "version 2" in h["title"])
    assert edit["title"] == "daily: Defence chiefs hold first talks in a year (version 2, major)"
    body = edit["message"]
    assert body.startswith("Defence chiefs discuss conflict → Defence chiefs hold first talks in a year\n")
    assert re.search(r"daily · version 2 · \(\d+ seconds? later\) · major · words \+2 -3", body)
    assert "[-areas of divergence-]{+deep disagreements+}" in body
    assert f"Article: {first}" in body
    assert "Diff: http://127.0.0.1:8000/articles/" in body and "/diff/1/2" in body

    mails = mailbox.mails
    assert sorted(told([m.get_body(("html",)).get_content() for m in mails])) == sorted(
        commits_of(cli, "edit") + commits_of(cli, "removed")
    )
    mail = next(m for m in mails if "version 2" in m["Subject"])
    assert mail["Subject"] == "daily: Defence chiefs hold first talks in a year (version 2, major)"
    html = mail.get_body(("html",)).get_content()
    assert "<del>areas of divergence</del><ins>deep disagreements</ins>" in html
    assert f'<a href="{first}">' in html
    gone = next(m for m in mails if "removed" in m["Subject"])
    assert gone["Subject"] == "daily: Storm hits the coast (removed)"
    assert second in gone.get_body(("html",)).get_content()


def test_a_failing_target_never_fails_the_update_and_is_retried_with_backoff(
    site: Site, cli: Cli, webhook: Webhook
) -> None:
    two_stories(site, cli)
    cli("notify", "add", "hook", f"form://127.0.0.1:{webhook.port}/in", "--change", "new")
    webhook.status = 500
    archive = Archive.open(cli.archive)
    first = update.run(archive, update.Options(), clock=lambda: T0)
    assert first.totals()["new"] == 2
    assert first.notifications == {"sent": 0, "failed": 1, "queued": 2}  # a failing service: one try a pass
    webhook.status = 200
    soon = update.run(archive, update.Options(), clock=lambda: T0 + 30)
    assert soon.notifications == {"sent": 0, "failed": 0, "queued": 2}  # the next try is a minute away
    later = update.run(archive, update.Options(), clock=lambda: T0 + 61)
    assert later.notifications == {"sent": 2, "failed": 0, "queued": 0}
    forms = [m.form() for m in webhook.messages()]
    assert sorted(told([f["message"] for f in forms])) == sorted(commits_of(cli, "new"))


def test_no_secret_reaches_history_logs_or_errors(site: Site, cli: Cli, webhook: Webhook) -> None:
    url = site.put("/news/talks", article_html("Talks", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    secrets = ("s3cretpass", "T0KEN-8d7f6e5a", "HDR-S3CRET")
    target = f"json://agent:{secrets[0]}@127.0.0.1:{webhook.port}/hook/{secrets[1]}?+X-Key={secrets[2]}"
    outputs = [cli("notify", "add", "hook", "-", "--change", "new", input=target + "\n")]
    webhook.status = 503
    outputs.append(cli("update", "-v"))
    outputs.append(cli("notify", "test", "hook", ok=False))
    outputs += [cli("notify", "list"), cli("notify", "list", "--json"), cli("status")]
    outputs.append(cli("notify", "add", "typo", f"tgrm://{secrets[1]}/12345", ok=False))  # a mistyped scheme
    assert outputs[-1].exit_code == 1 and "tgrm://… is not a notification URL" in outputs[-1].stderr
    assert outputs[2].exit_code == 1
    assert 'The test message to "hook" (json://127.0.0.1:' in outputs[2].stderr
    assert "failed" in outputs[1].stderr and '"hook"' in outputs[1].stderr
    webhook.status = 200
    outputs.append(cli("notify", "test", "hook"))
    assert len(webhook.messages()) == 1 and webhook.messages()[0].json()["title"].startswith("[test] ")
    assert webhook.messages()[0].headers["X-Key"] == secrets[2]  # the URL was used whole
    history = git(cli, "log", "-p", "--all") + git(cli, "ls-files") + git(cli, "status", "--porcelain")
    state_dir = Archive.open(cli.archive).state_dir
    for secret in secrets:
        assert secret not in history
        assert secret not in (cli.archive / "journal.toml").read_text()
        for result in outputs:
            assert secret not in result.stdout + result.stderr
    assert stat.S_IMODE((state_dir / "notify.toml").stat().st_mode) == 0o600
    assert secrets[1] in (state_dir / "notify.toml").read_text()


@pytest.mark.parametrize(
    ("target", "news", "wanted"),
    [
        (Target("t", "x"), News("c", "p", "daily", Change.EDIT, "Story", "https://a/b", "typo"), True),
        (Target("t", "x"), News("c", "p", "daily", Change.NEW, "Story", "https://a/b"), False),
        (Target("t", "x"), News("c", "p", "daily", Change.REEXTRACT, "Story", "https://a/b"), False),
        (Target("t", "x", sources=("bbc",)), News("c", "p", "daily", Change.EDIT, "S", "u", "major"), False),
        (Target("t", "x", min_size="minor"), News("c", "p", "d", Change.EDIT, "S", "u", "typo"), False),
        (Target("t", "x", min_size="minor"), News("c", "p", "d", Change.EDIT, "S", "u", "major"), True),
        (Target("t", "x", min_size="major"), News("c", "p", "d", Change.REMOVED, "S", "u"), True),
        (Target("t", "x", title="(?i)election"), News("c", "p", "d", Change.EDIT, "The ELECTION", "u"), True),
        (Target("t", "x", title="election"), News("c", "p", "d", Change.EDIT, "Storm", "u"), False),
        (
            Target("t", "x", link=r"/politics/"),
            News("c", "p", "d", Change.EDIT, "S", "https://a/sport/1"),
            False,
        ),
        (
            Target("t", "x", link=r"/politics/"),
            News("c", "p", "d", Change.EDIT, "S", "https://a/politics/1"),
            True,
        ),
    ],
)
def test_target_filters(target: Target, news: News, wanted: bool) -> None:
    assert target.wants(news) is wanted


def test_reextract_and_reindex_announce_nothing(site: Site, cli: Cli, webhook: Webhook) -> None:
    from test_reextract import setup

    cli("notify", "add", "hook", f"json://127.0.0.1:{webhook.port}/", "--change", "new", "--change", "edit")
    url = setup(site, cli)  # one version, then a reextract committed behind the updater's back
    assert cli.json("reextract")["totals"]["reextracted"] == 1
    cli("update", "--force")
    cli("reindex")
    cli("update", "--force")
    assert told([m.json()["message"] for m in webhook.messages()]) == commits_of(cli, "new")
    changes = [v["change"] for v in cli.json("history", url)["versions"]]
    assert changes.count("reextract") == 2


def test_a_version_the_state_missed_is_announced_when_caught_up(
    site: Site, cli: Cli, webhook: Webhook
) -> None:
    """The crash window between a checkpoint and its state record: catching up from
    git owes the versions, whichever command catches up."""
    url = site.put("/news/talks", article_html("Talks", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    cli("notify", "add", "hook", f"json://127.0.0.1:{webhook.port}/")
    archive = Archive.open(cli.archive)
    state = State.open(archive.state_dir)
    before = state.meta("head")
    state.close()
    site.put("/news/talks", article_html("Talks", [*PARAS, "A closing paragraph was added to the story."]))
    cli("update", "--force")
    assert len(webhook.messages()) == 1
    state = State.open(archive.state_dir)
    state.set_meta("head", before)  # as if killed before the record
    state.db.execute("DELETE FROM outbox")
    state.close()
    cli("status")  # a reader catches up first
    cli("update")
    assert told([m.json()["message"] for m in webhook.messages()]) == commits_of(cli, "edit") * 2


def test_a_digest_tells_one_message_per_run_with_a_cap(site: Site, cli: Cli, webhook: Webhook) -> None:
    links = [site.put(f"/news/{i}", article_html(f"Story {i}", PARAS)) for i in range(4)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    cli("notify", "add", "digest", f"json://127.0.0.1:{webhook.port}/", "--change", "new", "--digest", "3")
    assert cli.json("update")["notifications"]["sent"] == 4
    (message,) = [m.json() for m in webhook.messages()]
    assert message["title"] == "journal: 4 changes in daily"
    assert len(told([message["message"]])) == 3
    assert message["message"].rstrip().endswith("… and 1 more.")


def story(title: str, old: list[str], new: list[str]) -> notice.Story:
    when = datetime(2026, 11, 2, 10, 15, tzinfo=UTC)
    revision = Revision(
        commit="a" * 40, path="daily/2026/11/x.md", time=when, change=Change.EDIT, version=2,
        url="https://news.example/x", source="daily", title=title, summary="1 paragraph edited",
        change_size="minor", words="+1 -1",
    )  # fmt: skip
    before = ArticleText("https://news.example/x", "daily", "Old", tuple(old))
    after = ArticleText("https://news.example/x", "daily", title, tuple(new))
    return notice.Story(revision, 2100.0, before, after, "http://journal.example/articles/ab12/diff/1/2")


HOSTILE = "<script>alert(1)</script> **bold** [x](javascript:alert(1)) \x1b[31m"


@pytest.mark.parametrize(
    ("fmt", "removed", "added", "absent"),
    [
        ("text", "[-cat-]", "{+dog+}", ["\x1b"]),
        ("markdown", "~~cat~~", "**dog**", ["**bold**", "[x](javascript", "<script>", "\x1b"]),
        ("html", "<del>cat</del>", "<ins>dog</ins>", ["<script>", "\x1b", 'href="javascript']),
    ],
)
def test_notices_mark_words_in_the_services_format_and_escape_the_web(
    fmt: notice.Format, removed: str, added: str, absent: list[str]
) -> None:
    words = " ".join(f"word{i}" for i in range(40))
    told_ = notice.one(story(HOSTILE, [f"{words} the cat sat"], [f"{words} the dog sat"]), fmt)
    assert removed in told_.body and added in told_.body
    assert "(35 minutes later)" in told_.body
    assert "… word36 word37" in told_.body and "word30" not in told_.body  # a short word diff
    assert "a" * 40 in told_.body
    for text in absent:
        assert text not in told_.body
    assert "\n" not in told_.title and "\x1b" not in told_.title


def test_targets_from_the_environment_are_used_and_listed_without_their_url(
    site: Site, cli: Cli, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_stories(site, cli)
    secret = f"json://127.0.0.1:{webhook.port}/env/T0KEN-from-env"
    monkeypatch.setenv("JOURNAL_NOTIFY", secret)
    cli("update")
    site.put("/news/storm", article_html("Storm hits the coast", [*PARAS[2:], "The storm passed by noon."]))
    assert cli.json("update", "--force")["notifications"]["sent"] == 1
    (message,) = webhook.messages()
    assert message.path == "/env/T0KEN-from-env"
    (listed,) = cli.json("notify", "list")
    assert listed["from"] == "environment" and listed["name"].startswith("env-")
    assert "T0KEN" not in cli("notify", "list").stdout + str(listed)


def test_a_notice_shows_six_changed_paragraphs_and_counts_the_rest() -> None:
    old = [f"Paragraph {i} says the council met on Monday to vote." for i in range(10)]
    new = [p.replace("Monday", "Tuesday") for p in old[:8]] + old[8:]
    body = notice.one(story("Council", old, new), "text").body
    assert body.count("[-Monday-]{+Tuesday+}") == 6
    assert "… and 2 more changed paragraphs" in body


@pytest.mark.parametrize(
    ("url", "shown", "secret"),
    [
        (
            "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
            "slack://t...2/…",
            "TIiajkdnlazkcOXrIdevi7FQ",
        ),
        (
            "tgram://123456789:ABCdefGhIJKlmnoPQRsTUVwxyZ/12315544/",
            "tgram://1...z/…",
            "ABCdefGhIJKlmnoPQRsTUVwxyZ",
        ),
        (
            "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
            "discord://4...8/…",
            "JHMHI8qBe7bk2ZwO5U711o3dV_js",
        ),
        (
            "mailtos://me:hunter22@example.org?smtp=smtp.example.org&to=a@example.org",
            "mailtos://example.org/…",
            "hunter22",
        ),
        ("ntfy://ntfy.example.org/private-topic-7731", "ntfy://ntfy.example.org/…", "private-topic-7731"),
        ("tgrm://123456789:ABCdefGhIJKlmnoPQRsTUVwxyZ/1/", "tgrm://…", "ABCdefGhIJKlmnoPQRsTUVwxyZ"),
    ],
)
def test_a_target_is_shown_without_its_secrets(url: str, shown: str, secret: str) -> None:
    from journal import notify

    assert notify.shown(url) == shown
    assert secret not in notify.scrub(f"POST to {url} failed with {secret}", url)
