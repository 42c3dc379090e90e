"""What the routes share: the app's Library, and the shapes of the path
parameters (anything else never reaches git or the database: it is a 404)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Path, Request

from journal.urls import SOURCE_NAME
from journal.web.views import Library

SID = Annotated[
    str,
    Path(pattern=r"^[0-9a-f]{4,10}$", description="An article's short id (hex; a unique prefix will do)."),
]
SourceName = Annotated[str, Path(pattern=SOURCE_NAME.pattern, description="A source's name.")]


def library(request: Request) -> Library:
    return cast(Library, request.app.state.library)
