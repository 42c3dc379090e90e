"""journal.toml: read into Settings, edited in place (comments kept) by `source` commands."""

from __future__ import annotations

import ipaddress
import re
import tomllib
from typing import Any

import tomlkit

from journal.errors import ConfigError
from journal.models import FetchSettings, PageRules, ScheduleSettings, Settings, Source
from journal.schedule import parse_duration
from journal.urls import SOURCE_NAME, BadURL, canonical

STARTER = """\
# journal.toml: the sources this archive follows and how it fetches them.
# It is committed with the archive; `journal source add` edits it for you.

[journal]
# Sent with every request: say who you are and how to reach you.
user_agent = "journal/0.1 (+https://example.org/contact)"
author_name = "journal"
author_email = "journal@localhost"
# Where `journal push` sends the archive (a git remote name or URL).
# push_remote = "origin"
# The branch to push to on that remote: a shard of a bigger archive pushes its own.
# push_branch = "main"
# Base URL of `journal serve`, used for links in Atom feeds and notifications.
feed_base_url = "http://127.0.0.1:8000"

[fetch]
timeout = 30              # seconds per request, all of it
max_bytes = 10_000_000    # larger bodies are refused, not truncated
per_host = 2              # requests in flight to one host
delay = 1.0               # seconds between requests to one host
allow_private = false     # true, or a list like ["10.0.0.5", "192.168.1.0/24"]: allow
                          # loopback/private addresses (tests, local demo, intranets)

[schedule]                # every key here can be overridden in a [sources.NAME] table
first_wait = "30m"
backoff = 1.2
retire_after = "40d"
feed_interval = "5m"
max_per_source = 200

# The sources: `journal source add NAME FEED_URL` adds one. A table looks like this:
# [sources.NAME]
# feeds = ["https://…/rss.xml"]
# exclude = ["/sport/", "/live/"]   # URL regexes of pages to leave out; `include` likewise
"""


def starter(outlets: str) -> str:
    """The starter journal.toml, with `outlets` (commented-out source tables) to pick from."""
    return (
        STARTER
        + "#\n# Well-known outlets: uncomment one, or run `journal source add NAME` with one of\n"
        + "# these names to add it with a commit of its own.\n#\n"
        + outlets
    )


_SCHEDULE_KEYS = {"first_wait", "backoff", "retire_after", "feed_interval", "max_per_source"}


def parse(text: str, where: str = "journal.toml") -> Settings:
    """Settings from the text of journal.toml; ConfigError names the key at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML ({exc}); fix it and run again.") from exc
    journal = _table(data, "journal", where)
    fetch = _table(data, "fetch", where)
    schedule = _schedule(_table(data, "schedule", where), ScheduleSettings(), f"{where} [schedule]")
    fetch_settings = FetchSettings(
        user_agent=_str(journal, "user_agent", FetchSettings.user_agent, where),
        timeout=_number(fetch, "timeout", FetchSettings.timeout, where, minimum=0.1),
        max_bytes=int(_number(fetch, "max_bytes", FetchSettings.max_bytes, where, minimum=1024)),
        per_host=int(_number(fetch, "per_host", FetchSettings.per_host, where, minimum=1)),
        delay=_number(fetch, "delay", FetchSettings.delay, where, minimum=0),
        allow_private=_allow_private(fetch.get("allow_private", False), where) is True,
        allow_networks=_networks(fetch.get("allow_private", False), where),
        max_redirects=int(_number(fetch, "max_redirects", 5, where, minimum=0)),
        concurrency=int(_number(fetch, "concurrency", FetchSettings.concurrency, where, minimum=1)),
    )
    sources = []
    for name, table in _table(data, "sources", where).items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [sources.{name}] must be a table.")
        sources.append(_source(name, table, schedule, where))
    return Settings(
        fetch=fetch_settings,
        schedule=schedule,
        sources=tuple(sources),
        author_name=_str(journal, "author_name", "journal", where),
        author_email=_str(journal, "author_email", "journal@localhost", where),
        push_remote=journal.get("push_remote") or None,
        push_branch=_branch(_str(journal, "push_branch", "main", where), where),
        feed_base_url=_str(journal, "feed_base_url", Settings.feed_base_url, where).rstrip("/"),
    )


def _source(name: str, table: dict[str, Any], defaults: ScheduleSettings, where: str) -> Source:
    if not SOURCE_NAME.match(name):
        raise ConfigError(
            f"{where}: source name {name!r} must be lower-case letters, digits and '-' "
            "(at most 40); rename the [sources.…] table."
        )
    feeds = table.get("feeds", [])
    if isinstance(feeds, str):
        feeds = [feeds]
    if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
        raise ConfigError(f"{where}: sources.{name}.feeds must be a list of URLs.")
    urls = table.get("urls", [])
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise ConfigError(f"{where}: sources.{name}.urls must be a list of URLs.")
    for key in ("include", "exclude"):
        for pattern in table.get(key, []):
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise ConfigError(
                    f"{where}: sources.{name}.{key} has a bad regex {pattern!r}: {exc}"
                ) from exc
    return Source(
        name=name,
        feeds=tuple(feeds),
        urls=tuple(urls),
        include=tuple(table.get("include", [])),
        exclude=tuple(table.get("exclude", [])),
        schedule=_schedule(table, defaults, f"{where} [sources.{name}]"),
        rules=_page_rules(name, table, where),
        browser=_fetch_mode(name, table, where),
    )


def _page_rules(name: str, table: dict[str, Any], where: str) -> PageRules:
    """keep/drop (lists of CSS selectors) and title (one), each checked as it is read."""
    found: dict[str, tuple[str, ...]] = {}
    for key in ("keep", "drop"):
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(
                f'{where}: sources.{name}.{key} must be a list of CSS selectors, e.g. [".promo"].'
            )
        found[key] = tuple(value)
    title = table.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise ConfigError(f'{where}: sources.{name}.title must be one CSS selector, e.g. "h1.headline".')
    rules = PageRules(keep=found["keep"], drop=found["drop"], title=title)
    if rules:  # the selector library is loaded only for a source that has rules
        from journal.rules import check

        for key, selectors in (("keep", rules.keep), ("drop", rules.drop), ("title", (title or "",))):
            for selector in selectors:
                if selector:
                    check(selector, f"{where}: sources.{name}.{key}")
    return rules


def _fetch_mode(name: str, table: dict[str, Any], where: str) -> bool:
    mode = table.get("fetch", "http")
    if mode not in ("http", "browser"):
        raise ConfigError(f'{where}: sources.{name}.fetch must be "http" or "browser", not {mode!r}.')
    return bool(mode == "browser")


def _schedule(table: dict[str, Any], base: ScheduleSettings, where: str) -> ScheduleSettings:
    values: dict[str, Any] = {}
    for key in _SCHEDULE_KEYS & table.keys():
        raw = table[key]
        try:
            if key == "backoff":
                values[key] = float(raw)
                if values[key] < 1:
                    raise ValueError("backoff must be at least 1")
            elif key == "max_per_source":
                values[key] = int(raw)
            else:
                values[key] = parse_duration(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: bad value for {key}: {exc}") from exc
    return ScheduleSettings(**{**base.__dict__, **values})


def _allow_private(value: Any, where: str) -> bool | list[str]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ConfigError(f"{where}: [fetch] allow_private must be true, false, or a list of addresses/networks.")


def _networks(value: Any, where: str) -> tuple[str, ...]:
    allowed = _allow_private(value, where)
    if isinstance(allowed, bool):
        return ()
    for net in allowed:
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError as exc:
            raise ConfigError(f"{where}: allow_private entry {net!r} is not an address or network.") from exc
    return tuple(allowed)


def _branch(name: str, where: str) -> str:
    if (
        not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}", name)
        or ".." in name
        or name.endswith((".lock", "/"))
    ):
        raise ConfigError(f"{where}: push_branch {name!r} is not a usable branch name.")
    return name


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table.")
    return value


def _str(table: dict[str, Any], key: str, default: str, where: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string.")
    return value


def _number(table: dict[str, Any], key: str, default: float, where: str, minimum: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"{where}: {key} must be a number of at least {minimum}.")
    return float(value)


def changed_tables(old: str, new: str) -> list[str]:
    """The tables of journal.toml that differ between two valid texts: `[fetch]`,
    `[sources.bbc]`, … (an edit of comments alone changes none)."""

    def tables(text: str) -> dict[str, Any]:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {"[?]": text}  # a broken file committed by other means: changed as a whole
        flat = {f"[{k}]": v for k, v in data.items() if k != "sources"}
        flat.update({f"[sources.{k}]": v for k, v in data.get("sources", {}).items()})
        return flat

    a, b = tables(old), tables(new)
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _document(text: str) -> tomlkit.TOMLDocument:
    """journal.toml for editing, comments kept. A file that is not valid TOML gets the
    message every command gives (tomlkit's own errors are not for people)."""
    parse(text)
    return tomlkit.parse(text)


def add_source(text: str, name: str, feeds: list[str], include: list[str], exclude: list[str]) -> str:
    """journal.toml text with a new [sources.NAME] table."""
    if not SOURCE_NAME.match(name):
        raise ConfigError(
            f"Source name {name!r} must be lower-case letters, digits and '-' (at most 40), "
            'e.g. "bbc" or "nyt-world".'
        )
    for url in feeds:
        try:
            canonical(url)
        except BadURL as exc:
            raise ConfigError(f"Feed {url!r} is not an http(s) URL; give the feed's full address.") from exc
    doc = _document(text)
    sources = doc.get("sources")
    if sources is None:
        sources = tomlkit.table(is_super_table=True)
        doc["sources"] = sources
    if name in sources:
        raise ConfigError(f'Source "{name}" exists already; remove it first or pick another name.')
    table = tomlkit.table()
    table["feeds"] = feeds
    if include:
        table["include"] = include
    if exclude:
        table["exclude"] = exclude
    sources[name] = table
    result = tomlkit.dumps(doc)
    parse(result)  # the edit must leave a valid file
    return result


def track_url(text: str, name: str, url: str) -> str:
    """journal.toml text with `url` added to the `urls` of source `name` (made if new)."""
    if not SOURCE_NAME.match(name):
        raise ConfigError(f"Source name {name!r} must be lower-case letters, digits and '-'.")
    doc = _document(text)
    sources = doc.get("sources")
    if sources is None:
        sources = tomlkit.table(is_super_table=True)
        doc["sources"] = sources
    if name not in sources:
        table = tomlkit.table()
        table["feeds"] = []
        sources[name] = table
    urls = sources[name].get("urls")
    if urls is None:
        sources[name]["urls"] = [url]
    elif url in urls:
        raise ConfigError(f'{url} is tracked already in source "{name}".')
    else:
        urls.append(url)
    result = tomlkit.dumps(doc)
    parse(result)
    return result


def remove_source(text: str, name: str) -> str:
    doc = _document(text)
    sources = doc.get("sources")
    if sources is None or name not in sources:
        raise ConfigError(f'No source "{name}"; "journal source list" shows the sources.')
    del sources[name]
    return tomlkit.dumps(doc)


def set_key(text: str, table: str, key: str, value: Any) -> str:
    """journal.toml text with one key set (used by `init` options and tests)."""
    doc = _document(text)
    if table not in doc:
        doc[table] = tomlkit.table()
    doc[table][key] = value
    result = tomlkit.dumps(doc)
    parse(result)
    return result


def merge_feeds(text: str, feeds: dict[str, list[str]]) -> str:
    """journal.toml text with each source's feeds added (new sources made)."""
    doc = tomlkit.parse(text)
    sources = doc.get("sources")
    if sources is None:
        sources = tomlkit.table(is_super_table=True)
        doc["sources"] = sources
    for name, urls in feeds.items():
        if name not in sources:
            table = tomlkit.table()
            table["feeds"] = []
            sources[name] = table
        current = sources[name].setdefault("feeds", [])
        current.extend(u for u in urls if u not in current)
    result = tomlkit.dumps(doc)
    parse(result)
    return result


def edit_source(text: str, name: str, add: dict[str, list[str]], drop: dict[str, list[str]]) -> str:
    """journal.toml text with values added to or dropped from a source's `feeds`,
    `include` and `exclude` lists; dropping a value the list lacks is an error."""
    doc = tomlkit.parse(text)
    sources = doc.get("sources")
    if sources is None or name not in sources:
        raise ConfigError(f'No source "{name}"; "journal source list" shows the sources.')
    table = sources[name]
    for key, values in drop.items():
        current = table.get(key, [])
        for value in values:
            if value not in current:
                raise ConfigError(
                    f'Source "{name}" has no {key} entry {value!r}; "journal source list --json" shows them.'
                )
            current.remove(value)
        if not current and key != "feeds":
            del table[key]
    for key, values in add.items():
        if key == "feeds":
            for url in values:
                try:
                    canonical(url)
                except BadURL as exc:
                    raise ConfigError(
                        f"Feed {url!r} is not an http(s) URL; give the feed's full address."
                    ) from exc
        current = table.setdefault(key, [])
        current.extend(v for v in values if v not in current)
    result = tomlkit.dumps(doc)
    parse(result)
    return result


def untrack_url(text: str, url: str) -> tuple[str, str]:
    """journal.toml text without `url` in any source's `urls`, and that source's name."""
    doc = tomlkit.parse(text)
    for name, table in (doc.get("sources") or {}).items():
        urls = table.get("urls", [])
        if url in urls:
            urls.remove(url)
            return tomlkit.dumps(doc), str(name)
    raise ConfigError(f'{url} is not tracked; "journal source list --json" shows the tracked URLs.')
