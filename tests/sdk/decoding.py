"""
What the requester does with a response, without a requester: decode, then structure, from the
same pure pieces `Requester.request` and `Requester.pages` put together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from cattrs import Converter
from yarl import URL

from zendesk_ivr._core.reading.envelopes import (
    Envelope,
    Page,
    iter_items,
    page_links,
    structure_one,
    unwrap_list,
)
from zendesk_ivr._core.reading.responses import Response, decode_json
from zendesk_ivr._core.wire.urls import follow_link

T = TypeVar("T")


def decode_one(
    converter: Converter, envelope: Envelope, cls: type[T], response: Response, *, now: float
) -> T:
    """What the requester does with a single-object answer: decode, then structure."""
    return structure_one(converter, envelope, cls, response, decode_json(response, now=now))


def decode_page(
    converter: Converter,
    envelope: Envelope,
    cls: type[T],
    response: Response,
    *,
    site: URL,
    now: float,
) -> tuple[Page[T], URL | None]:
    """What the requester does with a page: decode, then structure and find the next link."""
    body = decode_json(response, now=now)
    return structure_page(converter, envelope, cls, response, body, site=site)


def structure_page(
    converter: Converter,
    envelope: Envelope,
    cls: type[T],
    response: Response,
    body: Any,
    *,
    site: URL,
) -> tuple[Page[T], URL | None]:
    """The page in a decoded list *body* and the URL of the next one, as `pages()` reads it."""
    key, raw_items = unwrap_list(body, envelope, response)
    items = tuple(iter_items(converter, cls, response, key, raw_items))
    links = page_links(body, response, site=site)
    return links.page(items, response), links.next_url


def next_page_url(page: Mapping[str, Any], current: URL, site: URL) -> URL | None:
    """The ``next_page`` of an offset page, followed by the link rules, or None at the end."""
    return follow_link(page.get("next_page"), current, site)
