"""Commit messages: a subject for people, a summary line, trailers for programs.

```
bbc: Syria crisis: US and Russian defence chiefs discuss conflict

title changed; 2 paragraphs added, 5 removed

Url: https://www.bbc.co.uk/news/world-middle-east-34294640
Source: bbc
Version: 2
Change: edit
Change-Size: minor
Words: +41 -12
Fetched-At: 2015-09-18T10:37:00Z
Extractor: trafilatura 2.3.1; normalise 1
```

Every value passes through `single_line`, so no title or URL from the web can
start a new paragraph or forge a trailer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from journal.models import Change
from journal.normalize import single_line

_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): ?(.*)$")
TRAILER_KEYS = (
    "Url",
    "Source",
    "Version",
    "Change",
    "Change-Size",
    "Words",
    "Fetched-At",
    "Extractor",
)


@dataclass(frozen=True)
class CommitMessage:
    source: str
    title: str
    url: str
    version: int
    change: Change
    fetched_at: datetime
    summary: str = ""
    change_size: str | None = None
    words: str | None = None
    extractor: str | None = None

    def render(self) -> str:
        headline = single_line(self.title) or single_line(self.url) or "(untitled)"
        subject = single_line(f"{self.source}: {headline}", 200)
        trailers = {
            "Url": self.url,
            "Source": self.source,
            "Version": str(self.version),
            "Change": self.change.value,
            "Change-Size": self.change_size,
            "Words": self.words,
            "Fetched-At": iso(self.fetched_at),
            "Extractor": self.extractor,
        }
        lines = [subject, ""]
        summary = single_line(self.summary, 300)
        if summary:
            lines += [summary, ""]
        for key, value in trailers.items():
            if value:
                # An empty value would not parse as a trailer; single_line cannot
                # return a newline, so a value can never open a new trailer.
                lines.append(f"{key}: {single_line(value, 2000) or '-'}")
        return "\n".join(lines) + "\n"


def config_message(subject: str, detail: str = "") -> str:
    """The message of a configuration commit (journal.toml edits)."""
    message = single_line(subject, 200) + "\n"
    if detail:
        message += "\n" + single_line(detail, 1000) + "\n"
    return message


def parse(message: str) -> tuple[str, str, dict[str, str]]:
    """Split a message into (subject, summary, trailers) as render() wrote it."""
    paragraphs = [p for p in message.strip("\n").split("\n\n") if p.strip()]
    if not paragraphs:
        return "", "", {}
    subject = paragraphs[0].split("\n", 1)[0]
    trailers: dict[str, str] = {}
    rest = paragraphs[1:]
    if rest:
        lines = rest[-1].split("\n")
        matches = [_TRAILER.match(line) for line in lines]
        if all(matches):
            trailers = {m.group(1): m.group(2).strip() for m in matches if m}
            rest = rest[:-1]
    summary = " ".join(p.replace("\n", " ") for p in rest).strip()
    return subject, summary, trailers


def iso(moment: datetime) -> str:
    """UTC time as 2015-09-18T10:02:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def title_from_subject(subject: str, source: str) -> str:
    prefix = f"{source}: "
    return subject[len(prefix) :] if source and subject.startswith(prefix) else subject
