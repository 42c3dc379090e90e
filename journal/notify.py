"""Sending one message to one target: the only Apprise user.

A target is an Apprise URL (`mailto://`, `slack://`, `matrix://`, `ntfy://`,
`json://` and `form://` webhooks, 90+ services). Its URL carries secrets (tokens,
passwords, webhook paths), so nothing here ever puts it in a message: a target is
shown as `service scheme://host/…` (`shown()`), and a failure's reason is Apprise's
warning with every part of the URL but scheme, host and port scrubbed out.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import apprise

from journal.errors import JournalError
from journal.notice import Format

_FORMATS: dict[str, Format] = {"text": "text", "markdown": "markdown", "html": "html"}

# Apprise logs to the "apprise" logger; at debug level that includes full request
# URLs. Nothing of it may reach the terminal: failures are captured and scrubbed.
_APPRISE_LOG = logging.getLogger("apprise")
_APPRISE_LOG.addHandler(logging.NullHandler())
_APPRISE_LOG.propagate = False


class BadTarget(JournalError):
    """A notification URL that Apprise cannot use."""


@dataclass(frozen=True)
class Service:
    """What journal may say about a target: its service, its format, a redacted address."""

    name: str  # "Slack", "E-Mail", "JSON"
    format: Format  # the markup the service reads
    shown: str  # scheme://host/… with no secret in it
    title_max: int
    body_max: int


@dataclass(frozen=True)
class Delivery:
    ok: bool
    reason: str = ""  # scrubbed of the target's secrets


def service(url: str) -> Service:
    """Check an Apprise URL and describe it without its secrets; BadTarget otherwise."""
    plugin = _plugin(url)
    preferred = plugin.notify_format
    if isinstance(preferred, tuple | list):
        preferred = preferred[0]
    return Service(
        name=str(plugin.service_name or "notification"),
        format=_FORMATS.get(str(getattr(preferred, "value", preferred)), "text"),
        shown=shown(url),
        title_max=int(getattr(plugin, "title_maxlen", 250) or 0),
        body_max=int(getattr(plugin, "body_maxlen", 32768) or 32768),
    )


def shown(url: str) -> str:
    """The target as it may be printed: scheme and host only, the host as Apprise's
    privacy mode shows it (a bot token standing in the host place comes out as `1...Z`);
    a path, a user or a query can hold a token and are left out, and so is the host of
    a URL Apprise does not know (a mistyped scheme's token would show)."""
    try:
        given = urlsplit(url.strip())
        scheme = re.sub(r"[^a-z0-9+.-]", "", given.scheme.lower())[:20] or "?"
        plugin: Any = apprise.Apprise.instantiate(url.strip(), suppress_exceptions=True)
        if plugin is None:
            return f"{scheme}://…"
        parts = urlsplit(plugin.url(privacy=True))
        host = re.sub(r"[^A-Za-z0-9.:\[\]-]", "", parts.hostname or "")[:100]
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unreadable address)"
    rest = "/…" if given.path.strip("/") or given.query or given.username else ""
    return f"{scheme}://{host}{port}{rest}"


def send(url: str, title: str, body: str, body_format: Format) -> Delivery:
    """Send one message; never raises for a failure of the service or the network."""
    try:
        plugin = _plugin(url)
    except BadTarget as exc:
        return Delivery(False, str(exc))
    # Apprise's own annotations stop short of LogCapture.
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        try:
            ok = bool(plugin.notify(body=body, title=title, body_format=apprise.NotifyFormat(body_format)))
        except Exception as exc:  # a plugin bug must not take the updater down
            ok = False
            _APPRISE_LOG.warning("%s: %s", type(exc).__name__, exc)
        log = captured.getvalue()
    if ok:
        return Delivery(True)
    return Delivery(False, scrub(_reason(log), url) or "the service did not accept the message")


def _plugin(url: str) -> Any:
    if not url or any(c.isspace() for c in url.strip()):
        raise BadTarget(
            "A notification target is one Apprise URL without spaces, e.g. mailto://… or json://…."
        )
    plugin = apprise.Apprise.instantiate(url.strip(), suppress_exceptions=True)
    if plugin is None:
        raise BadTarget(
            f"{shown(url)} is not a notification URL that Apprise understands; "
            "see https://appriseit.com for each service's form."
        )
    return plugin


def _reason(log: str) -> str:
    """The last warning or error Apprise logged, without its time stamp."""
    lines = [line for line in log.splitlines() if " - WARNING - " in line or " - ERROR - " in line]
    if not lines:
        return ""
    return lines[-1].split(" - ", 2)[-1].strip().rstrip(".")[:300]


def scrub(text: str, url: str) -> str:
    """`text` with every secret-bearing part of `url` (user, password, path segments,
    query values, the URL itself) replaced by ***."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "(reason withheld)"
    secrets = {url.strip(), parts.username or "", parts.password or ""}
    visible = shown(url)
    # Every piece of the address before the path but the host that is shown: a token
    # stands in the host's place for Telegram, Discord or Slack ("123:ABC" reads as host
    # and port), a user and a password before it.
    secrets.update(
        piece
        for piece in re.split(r"[:@]", parts.netloc)
        if not piece.isdigit() and f"//{piece}" not in visible
    )
    secrets.update(parts.path.split("/"))
    secrets.add(parts.path)
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        secrets.update((value, unquote(value), key if key.startswith(("+", "-", ":")) else ""))
    for secret in sorted((s for s in secrets if len(s) >= 2), key=len, reverse=True):
        text = text.replace(secret, "***").replace(unquote(secret), "***")
    return " ".join(text.split())
