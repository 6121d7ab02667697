"""
How far one listing may go: never to a page it already read, never past the client's page cap.

A server that sends ``next_page`` links in a cycle (of any length), or ``page=n+1`` forever,
would otherwise keep a listing, a walk or the audit running and growing without end.
"""

from __future__ import annotations

from typing import Final

from yarl import URL

from .._exceptions import PaginationError

# Zendesk's offset pagination stops at 10,000 records (100 pages of 100); ten times that leaves
# room for smaller pages and for cursor listings, and still ends a runaway listing.
DEFAULT_MAX_PAGES: Final = 1000


class PageTrail:
    """The pages one listing has read; `visit` each before fetching it."""

    __slots__ = ("_max_pages", "_seen")

    def __init__(self, max_pages: int) -> None:
        self._max_pages = max_pages
        self._seen: set[URL] = set()

    def visit(self, url: URL) -> None:
        # Query parameters in another order, or a fragment, do not make another page.
        key = url.with_fragment(None).with_query(sorted(url.query.items()))
        if key in self._seen:
            raise PaginationError(
                "next_page leads back to a page this listing already read", url=str(url)
            )
        if len(self._seen) >= self._max_pages:
            raise PaginationError(
                f"the listing did not end within {self._max_pages} pages (the client's "
                "max_pages); refusing to read further",
                url=str(url),
            )
        self._seen.add(key)
