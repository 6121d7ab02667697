"""
Offset pagination as Zendesk does it: reading ``page`` and ``per_page``, slicing
a list, and the next and previous links of a list body.
"""

from __future__ import annotations

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
