"""
Listing pages beyond the classic offset form: cursor pages where Zendesk offers them, the
10,000-record cap of offset pages, and how far one listing may go (`PageTrail`). No I/O.

Offset pages (``page``, ``per_page``; ``next_page``, ``previous_page``, ``count``) are what the
Talk IVR, menu, route and greeting listings document, and Zendesk answers 400 to an offset
listing past its first 10,000 records (since 2024). ``/api/v2/groups`` also offers cursor pages:
ask with ``page[size]``, follow ``links.next`` while ``meta.has_more`` is true; they have no cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from yarl import URL

from ..._exceptions import APIError, PaginationError

OFFSET_RECORD_CAP: Final = 10_000
# Offset pages end at 10,000 records (100 pages of 100); ten times that leaves room for smaller
# pages and for cursor listings, and still ends a runaway listing.
DEFAULT_MAX_PAGES: Final = 1000


def cursor_first_page(collection: URL, size: int) -> URL:
    return collection.with_query({"page[size]": size})


def is_cursor_page(body: Any) -> bool:
    """A cursor page says whether more follow in ``meta.has_more``; an offset page does not."""
    # `type() is dict` first: decoded JSON is a dict, and an ABC's isinstance costs a call.
    meta = body.get("meta") if type(body) is dict or isinstance(body, Mapping) else None
    return meta is not None and isinstance(meta, Mapping) and "has_more" in meta


def cursor_links(body: Mapping[str, Any], current: URL) -> tuple[Any, Any]:
    """
    The next link to follow (None at the end) and the previous one, of a cursor page.

    Zendesk gives ``links.next`` on the last page too: ``meta.has_more`` alone says whether to
    follow it.
    """
    has_more = body["meta"]["has_more"]
    if not isinstance(has_more, bool):
        raise PaginationError(f"meta.has_more is not a boolean: {has_more!r:.50}", url=str(current))
    links = body.get("links")
    links = links if isinstance(links, Mapping) else {}
    if has_more and links.get("next") is None:
        raise PaginationError(
            "meta.has_more says more pages follow, but there is no links.next", url=str(current)
        )
    return (links.get("next") if has_more else None), links.get("prev")


def past_offset_cap(url: URL, records_read: int) -> bool:
    """Whether a request for *url* asks past the records an offset listing may reach."""
    if records_read >= OFFSET_RECORD_CAP:
        return True
    try:
        page = int(url.query.get("page", "1"))
        per_page = int(url.query.get("per_page", "100"))
    except ValueError:
        return False
    return (page - 1) * per_page >= OFFSET_RECORD_CAP


def offset_cap_error(url: URL, error: APIError) -> PaginationError:
    return PaginationError(
        f"offset pagination stops at {OFFSET_RECORD_CAP:,} records: Zendesk answered "
        f"{error.status} ({error.error or error.description or 'bad request'}) to "
        f"{url.with_query(None)} past them, and this listing has no cursor form to read the rest",
        url=str(url),
    )


class PageTrail:
    """
    The pages one listing has read; `visit` each before fetching it.

    A server that sends links in a cycle (of any length), or ``page=n+1`` forever, would
    otherwise keep a listing, a walk or the audit running and growing without end.
    """

    __slots__ = ("_first", "_max_pages", "_seen", "_visits")

    def __init__(self, max_pages: int) -> None:
        self._max_pages = max_pages
        self._visits = 0
        # Most listings are one page: its key is worked out only once a second page comes.
        self._first: URL | None = None
        self._seen: set[tuple[object, ...]] = set()

    def visit(self, url: URL) -> None:
        if self._visits >= self._max_pages:
            raise PaginationError(
                f"the listing did not end within {self._max_pages} pages (the client's "
                "max_pages); refusing to read further",
                url=str(url),
            )
        self._visits += 1
        if self._visits == 1:
            self._first = url
            return
        if self._first is not None:
            self._seen.add(_page_key(self._first))
            self._first = None
        key = _page_key(url)
        if key in self._seen:
            raise PaginationError(
                "next_page leads back to a page this listing already read", url=str(url)
            )
        self._seen.add(key)


def _page_key(url: URL) -> tuple[object, ...]:
    """
    What names a page: query parameters in another order, or a fragment, do not make another
    one. Read off the URL rather than built into another one, which costs ten times as much.
    """
    return (url.scheme, url.host, url.port, url.path, tuple(sorted(url.query.items())))
