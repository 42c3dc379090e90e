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
        self._made: set[str] = set()

    def _path(self, sid: str) -> str:
        return f"{self.root}/{sid[:2]}/{sid}.html.gz"

    def save(
        self, sid: str, url: str, content_type: str | None, body: bytes, gzipped: bytes | None = None
    ) -> None:
        """Keep a page. `gzipped`, the body as the server sent it (one whole gzip member),
        is stored as it came, after a small member of its own for the header: a gzip
        file may hold several members, read back as one stream."""
        path = self._path(sid)
        folder = os.path.dirname(path)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        header = f"{_one_line(url)}\t{_one_line(content_type or '')}\n".encode()
        if gzipped is not None:
            data = gzip.compress(header, compresslevel=1, mtime=0) + gzipped
        else:
            # Level 1: a little larger than 6, and less than half the time on the writer's path.
            data = gzip.compress(header + body, compresslevel=1, mtime=0)
        tmp = f"{path}.tmp"
        with open(tmp, "wb") as file:
            file.write(data)
        os.replace(tmp, path)

    def load(self, sid: str) -> StoredPage | None:
        try:
            with open(self._path(sid), "rb") as file:
                data = gzip.decompress(file.read())
        except (FileNotFoundError, OSError, EOFError):
            return None
        header, _, body = data.partition(b"\n")
        url, _, content_type = header.decode("utf-8", errors="replace").partition("\t")
        return StoredPage(url, content_type or None, body)


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")
