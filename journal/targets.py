"""Notification targets: kept on this machine only, never in history.

journal.toml is committed and pushed with the archive, and a target's URL holds
secrets (tokens, passwords), so targets live in `.git/journal/notify.toml`
(mode 0600, inside `.git`, so never committed) or in the environment variable
`JOURNAL_NOTIFY` (Apprise URLs separated by spaces). Each target has filters:
sources, kinds of change, a minimum size for edits, title and URL regexes.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from journal.errors import ConfigError
from journal.models import Change, Revision

FILE = "notify.toml"
ENV = "JOURNAL_NOTIFY"
KINDS = ("new", "edit", "removed", "restored")
DEFAULT_KINDS = ("edit", "removed", "restored")
SIZES = ("typo", "minor", "major")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class News:
    """A committed version, as much of it as the filters read."""

    commit: str
    path: str
    source: str
    change: Change
    title: str
    url: str
    size: str | None = None  # Change-Size of an edit

    @classmethod
    def of(cls, revision: Revision) -> News:
        return cls(
            revision.commit,
            revision.path,
            revision.source,
            revision.change,
            revision.title,
            revision.url,
            revision.change_size,
        )


@dataclass(frozen=True)
class Target:
    name: str
    url: str  # secret: never printed, logged or committed
    sources: tuple[str, ...] = ()  # all when empty
    changes: tuple[str, ...] = DEFAULT_KINDS
    min_size: str | None = None  # edits smaller than this are not sent
    title: str | None = None  # regex the title must match
    link: str | None = None  # regex the article's URL must match
    digest: bool = False  # one message per pass instead of one per version
    digest_max: int = 10  # versions told in full in a digest; "and N more" after
    from_env: bool = False

    def wants(self, news: News) -> bool:
        if news.change.value not in self.changes:
            return False
        if self.sources and news.source not in self.sources:
            return False
        if (
            self.min_size
            and news.change is Change.EDIT
            and news.size in SIZES
            and SIZES.index(news.size) < SIZES.index(self.min_size)
        ):
            return False
        if self.title and not re.search(self.title, news.title, re.IGNORECASE):
            return False
        return not (self.link and not re.search(self.link, news.url))


def path(state_dir: Path) -> Path:
    return state_dir / FILE


def load(state_dir: Path, environ: Mapping[str, str] | None = None) -> list[Target]:
    """The targets of notify.toml, then those of JOURNAL_NOTIFY."""
    environ = os.environ if environ is None else environ
    targets = [_target(name, table) for name, table in _read(state_dir).items()]
    for url in environ.get(ENV, "").split():
        digest = hashlib.sha256(url.encode()).hexdigest()[:8]
        targets.append(Target(name=f"env-{digest}", url=url, from_env=True))
    return targets


def add(state_dir: Path, target: Target) -> None:
    doc = _document(state_dir)
    if target.name in doc["targets"]:
        raise ConfigError(
            f'A target named "{target.name}" exists already; remove it first or pick another name.'
        )
    table = tomlkit.table()
    table["url"] = target.url
    for key, value in (
        ("sources", list(target.sources)),
        ("changes", list(target.changes)),
        ("min_size", target.min_size),
        ("title", target.title),
        ("link", target.link),
    ):
        if value:
            table[key] = value
    if target.digest:
        table["digest"] = True
        table["digest_max"] = target.digest_max
    doc["targets"][target.name] = table
    _write(state_dir, tomlkit.dumps(doc))


def remove(state_dir: Path, name: str) -> None:
    doc = _document(state_dir)
    if name not in doc["targets"]:
        if name.startswith("env-"):
            raise ConfigError(f'Target "{name}" comes from ${ENV}; take its URL out of that variable.')
        raise ConfigError(f'No notification target "{name}"; "journal notify list" shows them.')
    del doc["targets"][name]
    _write(state_dir, tomlkit.dumps(doc))


def make(
    name: str,
    url: str,
    *,
    sources: list[str],
    changes: list[str],
    min_size: str | None,
    title: str | None,
    link: str | None,
    digest: bool,
    digest_max: int,
) -> Target:
    """A target from the command line, every value checked."""
    table: dict[str, Any] = {"url": url, "sources": sources, "changes": changes or list(DEFAULT_KINDS)}
    table.update({"min_size": min_size, "title": title, "link": link, "digest": digest})
    table["digest_max"] = digest_max
    return _target(name, {k: v for k, v in table.items() if v is not None}, "journal notify add")


def _target(name: str, table: Any, where: str = "") -> Target:
    where = where or f"{FILE} [targets.{name}]"
    if not _NAME.match(name):
        raise ConfigError(
            f"Target name {name!r} must be lower-case letters, digits and '-' (at most 40), e.g. \"team-slack\"."
        )
    if not isinstance(table, dict) or not isinstance(table.get("url"), str) or not table["url"].strip():
        raise ConfigError(f"{where} needs a url: an Apprise URL such as mailto://… or json://….")
    sources = table.get("sources", [])
    changes = table.get("changes", list(DEFAULT_KINDS))
    for key, values in (("sources", sources), ("changes", changes)):
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"{where}: {key} must be a list of names.")
    unknown = [c for c in changes if c not in KINDS]
    if unknown:
        raise ConfigError(f"{where}: unknown change kind {unknown[0]!r}; use {', '.join(KINDS)}.")
    min_size = table.get("min_size")
    if min_size is not None and min_size not in SIZES:
        raise ConfigError(f"{where}: min_size must be one of {', '.join(SIZES)}.")
    for key in ("title", "link"):
        pattern = table.get(key)
        if pattern is None:
            continue
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise ConfigError(f"{where}: {key} is not a regular expression: {exc}") from exc
    digest_max = table.get("digest_max", 10)
    if isinstance(digest_max, bool) or not isinstance(digest_max, int) or digest_max < 1:
        raise ConfigError(f"{where}: digest_max must be a whole number of at least 1.")
    return Target(
        name=name,
        url=table["url"].strip(),
        sources=tuple(sources),
        changes=tuple(changes),
        min_size=min_size,
        title=table.get("title"),
        link=table.get("link"),
        digest=bool(table.get("digest", False)),
        digest_max=digest_max,
    )


def _read(state_dir: Path) -> dict[str, Any]:
    file = path(state_dir)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The parser's message quotes no line of the file, so no URL leaks through it.
        raise ConfigError(f"{file} is not valid TOML ({exc}); fix it or remove it.") from None
    targets = data.get("targets", {})
    if not isinstance(targets, dict):
        raise ConfigError(f"{file}: [targets] must be a table.")
    return targets


def _document(state_dir: Path) -> tomlkit.TOMLDocument:
    _read(state_dir)  # refuse to edit a file that does not parse
    file = path(state_dir)
    text = file.read_text(encoding="utf-8") if file.exists() else _HEADER
    doc = tomlkit.parse(text)
    if "targets" not in doc:
        doc["targets"] = tomlkit.table(is_super_table=True)
    return doc


def _write(state_dir: Path, text: str) -> None:
    """Replace the file atomically, readable by its owner only from its first byte."""
    file = path(state_dir)
    tmp = file.with_suffix(".toml.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a leftover file
    os.replace(tmp, file)


_HEADER = """\
# Notification targets of this archive: Apprise URLs and their filters.
# Local to this machine (inside .git, never committed); edit with "journal notify".
"""
