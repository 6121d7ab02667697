"""
Pagination as Zendesk does it: offset pages (``page`` and ``per_page``, with next and
previous links, refused past 10,000 records) everywhere, and cursor pages
(``page[size]``, ``page[after]``, ``meta.has_more``, ``links.next``) where Zendesk offers
them.
"""

from __future__ import annotations

import base64
import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import attrs
from yarl import URL

from ._rules import JSONObject, bad_request

DEFAULT_PER_PAGE: Final = 100
#: Zendesk refuses offset pagination past the first 10,000 records (rolled out 2024).
OFFSET_LIMIT: Final = 10_000


@attrs.frozen
class PageRequest:
    page: int
    per_page: int


def _query_int(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request("InvalidPaginationParameter", f"{name} must be an integer") from None


def parse_page_request(query: Mapping[str, str], max_page_size: int) -> PageRequest:
    """
    Read ``page`` and ``per_page``.

    ``per_page`` is clamped into 1..*max_page_size* rather than refused, as
    Zendesk does; a non-integer value or a page below 1 is a 400.
    """
    page = _query_int(query, "page")
    if page is None:
        page = 1
    elif page < 1:
        raise bad_request("InvalidPaginationParameter", "page must be 1 or more")
    per_page = _query_int(query, "per_page")
    if per_page is None:
        per_page = DEFAULT_PER_PAGE
    per_page = min(max(per_page, 1), max_page_size)
    if (page - 1) * per_page >= OFFSET_LIMIT:
        raise bad_request(
            "TooManyValues",
            f"Offset pagination is limited to the first {OFFSET_LIMIT} records. "
            "Use cursor pagination to fetch more.",
        )
    return PageRequest(page=page, per_page=per_page)


@attrs.frozen
class PageSlice:
    start: int
    stop: int
    next_page: int | None
    previous_page: int | None


def page_slice(total: int, request: PageRequest) -> PageSlice:
    start = (request.page - 1) * request.per_page
    stop = min(start + request.per_page, total)
    return PageSlice(
        start=start,
        stop=max(start, stop),
        next_page=request.page + 1 if stop < total else None,
        # Zendesk links back even from a page past the end.
        previous_page=request.page - 1 if request.page > 1 else None,
    )


def page_link(request_url: URL, page: int, extra: Mapping[str, str]) -> str:
    """
    The URL of another page: the request URL as received, with ``page`` replaced.

    The path keeps or drops ``.json`` as the client sent it, the client's other
    query parameters stay, and *extra* stands for parameters only the server knows.
    """
    return str(request_url.update_query({"page": str(page)}).update_query(dict(extra)))


def list_body(
    key: str,
    items: Sequence[JSONObject],
    page: PageSlice,
    count: int,
    link: Callable[[int], str],
) -> JSONObject:
    """*link* maps a page number to its URL; it is only called for pages that exist."""
    return {
        key: list(items),
        "next_page": None if page.next_page is None else link(page.next_page),
        "previous_page": None if page.previous_page is None else link(page.previous_page),
        "count": count,
    }


# --- cursor pagination, where Zendesk offers it (``/api/v2/groups``) ----------------------

CURSOR_PARAMS: Final = ("page[size]", "page[after]", "page[before]")


@attrs.frozen
class CursorRequest:
    size: int
    after: int | None
    before: int | None


def is_cursor_request(query: Mapping[str, str]) -> bool:
    return any(name in query for name in CURSOR_PARAMS)


def encode_cursor(record_id: int) -> str:
    """An opaque cursor, base64 JSON like Zendesk's; it names the record to continue from."""
    text = json.dumps({"o": "id", "v": record_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode("ascii")


def _decode_cursor(name: str, cursor: str) -> int:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))["v"]
    except (ValueError, KeyError, TypeError, UnicodeError):
        value = None
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request("InvalidPaginationParameter", f"{name} is not a valid cursor")
    return value


def parse_cursor_request(query: Mapping[str, str], max_page_size: int) -> CursorRequest:
    """Read ``page[size]`` (clamped like ``per_page``), ``page[after]`` and ``page[before]``."""
    size = _query_int(query, "page[size]")
    size = DEFAULT_PER_PAGE if size is None else size
    after, before = query.get("page[after]"), query.get("page[before]")
    return CursorRequest(
        size=min(max(size, 1), max_page_size),
        after=None if after is None else _decode_cursor("page[after]", after),
        before=None if before is None else _decode_cursor("page[before]", before),
    )


def cursor_slice(ids: Sequence[int], request: CursorRequest) -> tuple[int, int, bool]:
    """
    The records of one cursor page of *ids* (sorted): ``(start, stop, has_more)``.

    ``has_more`` says whether records follow in the direction being read.
    """
    if request.before is not None:
        stop = bisect.bisect_left(ids, request.before)
        start = max(0, stop - request.size)
        return start, stop, start > 0
    start = 0 if request.after is None else bisect.bisect_right(ids, request.after)
    stop = min(start + request.size, len(ids))
    return start, stop, stop < len(ids)


def cursor_body(
    key: str, items: Sequence[JSONObject], ids: Sequence[int], has_more: bool, request_url: URL
) -> JSONObject:
    """
    A cursor page: ``meta`` (``has_more`` and both cursors) and ``links``. Like Zendesk, the
    next link is given even on the last page: ``has_more`` is what says to stop.
    """
    after = encode_cursor(ids[-1]) if ids else None
    before = encode_cursor(ids[0]) if ids else None

    def link(name: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        query = {k: v for k, v in request_url.query.items() if k not in CURSOR_PARAMS[1:]}
        return str(request_url.with_query({**query, name: cursor}))

    return {
        key: list(items),
        "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": before},
        "links": {"next": link("page[after]", after), "prev": link("page[before]", before)},
    }
