"""The raw page behind each article's latest version, kept locally (gzip) outside history.

When the extractor or the normaliser changes, the latest version can be extracted
again from the very page it came from, so re-flowed text is committed as
`reextract` and never mistaken for an edit by the newsroom.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredPage:
    url: str
    content_type: str | None
    body: bytes


class PageStore:
    def __init__(self, state_dir: Path):
        self.root = state_dir / "pages"

    def _path(self, sid: str) -> Path:
        return self.root / sid[:2] / f"{sid}.html.gz"

    def save(self, sid: str, url: str, content_type: str | None, body: bytes) -> None:
        path = self._path(sid)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"{_one_line(url)}\t{_one_line(content_type or '')}\n".encode()
        tmp = path.with_suffix(".tmp")
        # Level 1: a little larger than 6, and less than half the time on the writer's path.
        tmp.write_bytes(gzip.compress(header + body, compresslevel=1, mtime=0))
        os.replace(tmp, path)

    def load(self, sid: str) -> StoredPage | None:
        try:
            data = gzip.decompress(self._path(sid).read_bytes())
        except (FileNotFoundError, OSError, EOFError):
            return None
        header, _, body = data.partition(b"\n")
        url, _, content_type = header.decode("utf-8", errors="replace").partition("\t")
        return StoredPage(url, content_type or None, body)


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")
