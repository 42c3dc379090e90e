"""`journal serve`: the archive's web pages, Atom feeds and JSON API (read-only)."""
