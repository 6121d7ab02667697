"""What the requester does with a response, without a requester: decode, then structure."""

from __future__ import annotations

from typing import TypeVar

from cattrs import Converter
from yarl import URL

from zendesk_ivr._core.envelopes import Envelope, Page, structure_one, structure_page
from zendesk_ivr._core.responses import Response, decode_json

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
