"""
What a client makes of a response, without a client: the pure seams `Requester` calls
(`read_json` and `structure_one` for one object, `read_page` for a list page), plus the
converter the caller chooses (the strict one, over recorded samples) reading the same records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from cattrs import Converter
from yarl import URL

from zendesk_ivr._core.reading.envelopes import Envelope, Page, structure, structure_one
from zendesk_ivr._core.reading.pages import Listing, read_page, read_raw_page
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
) -> tuple[Page[T], URL | None]:
    """
    A list page as a listing reads it (`read_page`), and the URL of the next one. Each record is
    also read by *converter*, which must give the same models (the strict converter fails on
    keys the models do not know, so API drift in a sample fails the test that reads it).
    """
    raw = read_raw_page(response, envelope, site=site)
    strict = tuple(
        structure(converter, record, cls, response, f"$.{raw.key}[{index}]")
        for index, record in enumerate(raw.items)
    )
    page = read_page(response, Listing(envelope, cls), site=site)
    models = tuple(page.models())
    assert models == strict
    return page.links.page(models, response), page.links.next_url


def next_page_url(page: Mapping[str, Any], current: URL, site: URL) -> URL | None:
    """The ``next_page`` of an offset page, followed by the link rules, or None at the end."""
    return follow_link(page.get("next_page"), current, site)
