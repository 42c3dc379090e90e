"""The article file: front matter, a `# title` line, one paragraph per line.

```
---
url: https://www.bbc.co.uk/news/world-middle-east-34294640
source: bbc
published: 2015-09-18T10:02:00Z
byline: Jonathan Marcus
---
# Syria crisis: US and Russian defence chiefs discuss conflict

Top US and Russian defence officials have held their first talks …

![Ashton Carter has been US defence secretary since February](https://ichef.example/carter.jpg)
```

Every value is one line (render() guarantees it), so parse(render(x)) == x. A photo
caption is a line of its own in Markdown's image form (`journal.captions`).
"""

from __future__ import annotations

from journal.models import ArticleText
from journal.normalize import clean, single_line

_FIELDS = ("url", "source", "published", "byline")


def render(doc: ArticleText) -> bytes:
    """The bytes of the file for one version: deterministic for equal input."""
    meta = {
        "url": doc.url,
        "source": doc.source,
        "published": doc.published,
        "byline": doc.byline,
    }
    lines = ["---"]
    for key in _FIELDS:
        value = meta[key]
        if value:
            lines.append(f"{key}: {single_line(value, 1000)}")
    lines.append("---")
    lines.append(f"# {single_line(doc.title, 1000)}".rstrip())
    for para in doc.paragraphs:
        text = clean(para)
        if text:
            lines.append("")
            lines.append(text)
    return ("\n".join(lines) + "\n").encode("utf-8")


def parse(data: bytes) -> ArticleText:
    """Read a version file back; tolerant of hand edits (missing fields, CRLF)."""
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    meta: dict[str, str] = {}
    body = text
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end != -1:
            for line in text[4:end].split("\n"):
                key, sep, value = line.partition(":")
                if sep:
                    meta[key.strip()] = value.strip()
            body = text[end + 5 :]
    lines = body.split("\n")
    title = ""
    if lines and lines[0].startswith("#"):
        title = lines[0].lstrip("#").strip()
        lines = lines[1:]
    paragraphs = tuple(line.strip() for line in lines if line.strip())
    return ArticleText(
        url=meta.get("url", ""),
        source=meta.get("source", ""),
        title=title,
        paragraphs=paragraphs,
        published=meta.get("published") or None,
        byline=meta.get("byline") or None,
    )
