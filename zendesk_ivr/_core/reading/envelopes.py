"""
Where each resource sits in request and response bodies, and turning a decoded body into models:
one object, or a page of them with the link to the next. Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Generic, TypeVar

import attrs
from attrs import frozen
from cattrs import BaseValidationError, Converter, transform_error
from yarl import URL

from ..wire import paging
from ..wire.urls import follow_link
from .responses import Response, decode_error

T = TypeVar("T")


@frozen(cache_hash=True)  # a key of the page decoders, looked up for every page
class Envelope:
    """Where a resource sits in request and response bodies."""

    single: tuple[str, ...]  # accepted keys of one object, documented one first
    plural: tuple[str, ...]  # accepted keys of a list page

    @property
    def write_key(self) -> str:
        return self.single[0]


# The menus page documents ivr_menu(s); a third-party client uses menu/route. Reads accept both.
IVR_ENVELOPE: Final = Envelope(single=("ivr",), plural=("ivrs",))
MENU_ENVELOPE: Final = Envelope(single=("ivr_menu", "menu"), plural=("ivr_menus", "menus"))
ROUTE_ENVELOPE: Final = Envelope(single=("ivr_route", "route"), plural=("ivr_routes", "routes"))
GROUP_ENVELOPE: Final = Envelope(single=("group",), plural=("groups",))
GREETING_ENVELOPE: Final = Envelope(single=("greeting",), plural=("greetings",))
PHONE_NUMBER_ENVELOPE: Final = Envelope(single=("phone_number",), plural=("phone_numbers",))


def wrap(envelope: Envelope, fields: Mapping[str, Any]) -> dict[str, Any]:
    return {envelope.write_key: dict(fields)}


def unwrap(body: Any, keys: tuple[str, ...], response: Response) -> tuple[str, Any]:
    """The key under which *body* holds the resource, and what it holds."""
    if isinstance(body, Mapping):
        for key in keys:
            if key in body:
                return key, body[key]
    raise decode_error(
        response,
        f"expected a JSON object with {' or '.join(repr(k) for k in keys)}",
        (f"missing key {keys[0]!r} @ $",),
    )


def unwrap_list(body: Any, envelope: Envelope, response: Response) -> tuple[str, list[Any]]:
    """The key of a list page and its items, still raw JSON."""
    key, raw_items = unwrap(body, envelope.plural, response)
    if not isinstance(raw_items, list):
        raise decode_error(response, f"expected a list under {key!r}")
    return key, raw_items


def structure(converter: Converter, raw: Any, cls: type[T], response: Response, path: str) -> T:
    try:
        return converter.structure(raw, cls)
    except BaseValidationError as exc:
        lines = tuple(transform_error(exc, path=path))
        raise decode_error(
            response, f"unexpected {cls.__name__} JSON: {'; '.join(lines)}", lines
        ) from None
    except (TypeError, ValueError) as exc:
        raise decode_error(
            response, f"unexpected {cls.__name__} JSON @ {path}: {exc}", (f"{exc} @ {path}",)
        ) from None


def structure_one(
    converter: Converter, envelope: Envelope, cls: type[T], response: Response, body: Any
) -> T:
    """The object in an already decoded single-object *body*."""
    key, raw = unwrap(body, envelope.single, response)
    return structure(converter, raw, cls, response, f"$.{key}")


@frozen
class Page(Generic[T]):
    """
    One page of a listing.

    ``next_page`` is the server's link, as given (``next_page``, or ``links.next`` of a cursor
    page), to pass as ``start=`` to resume the listing later; None on the last page. ``count``
    is the server's total, when it sent one (cursor pages do not).
    """

    items: tuple[T, ...]
    count: int | None
    next_page: str | None
    previous_page: str | None
    url: str = attrs.field(repr=False)


@frozen
class PageLinks:
    """Where a listing goes from a page: the next URL to fetch (checked), and what it said."""

    next_url: URL | None
    next_page: str | None
    previous_page: str | None
    count: int | None

    def page(self, items: tuple[T, ...], response: Response) -> Page[T]:
        """The `Page` of *items* that came with these links in *response*."""
        return Page(
            items=items,
            count=self.count,
            next_page=self.next_page,
            previous_page=self.previous_page,
            url=str(response.url),
        )


_COUNT_TYPES: Final = (int, type(None))


def page_links(body: Mapping[str, Any], response: Response, *, site: URL) -> PageLinks:
    """The links of an offset or a cursor page, the next one checked by `follow_link`."""
    if paging.is_cursor_page(body):
        link, previous = paging.cursor_links(body, response.url)
        count = None
    else:
        link, previous, count = body.get("next_page"), body.get("previous_page"), body.get("count")
    if isinstance(count, bool) or not isinstance(count, _COUNT_TYPES):
        raise decode_error(response, f"count is not an integer: {count!r:.50}")
    nxt = follow_link(link, response.url, site)
    return PageLinks(
        next_url=nxt,
        next_page=None if nxt is None else str(nxt),
        previous_page=previous if isinstance(previous, str) else None,
        count=count,
    )
