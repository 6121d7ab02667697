"""
A listing that a server leads in a cycle is refused however the link spells the page: query
parameters in another order (or a fragment) name the same page.
"""

from __future__ import annotations

import pytest
from aiohttp import web
from yarl import URL

import zendesk_ivr
from tests.sdk.test_hostile_servers import client_at, serve
from zendesk_ivr._core.wire.paging import PageTrail


def test_a_page_asked_for_with_its_parameters_reordered_is_the_same_page() -> None:
    trail = PageTrail(max_pages=10)
    trail.visit(URL("https://acme.zendesk.com/api/v2/channels/voice/ivr?page=2&per_page=100"))

    with pytest.raises(zendesk_ivr.PaginationError, match="already read"):
        trail.visit(URL("https://acme.zendesk.com/api/v2/channels/voice/ivr?per_page=100&page=2"))
    with pytest.raises(zendesk_ivr.PaginationError, match="already read"):
        trail.visit(
            URL("https://acme.zendesk.com/api/v2/channels/voice/ivr?page=2&per_page=100#top")
        )


async def test_a_next_page_back_to_an_earlier_page_reordered_ends_the_listing_at_once() -> None:
    async def pages(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        # Page 3 links back to page 2, its parameters the other way round.
        following = {1: "?page=2&per_page=100", 2: "?page=3&per_page=100"}.get(
            page, "?per_page=100&page=2"
        )
        link = str(request.url.with_query(None)) + following
        return web.json_response(
            {"ivrs": [{"id": page, "name": f"IVR {page}"}], "next_page": link, "count": None}
        )

    async with serve(pages) as (url, seen), client_at(url, max_pages=50) as client:
        with pytest.raises(zendesk_ivr.PaginationError, match="already read"):
            [ivr.id async for ivr in client.ivrs.list()]

    # Not max_pages: the third link is seen for the page it is, and never fetched.
    assert len(seen) == 3
