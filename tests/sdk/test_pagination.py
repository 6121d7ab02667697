"""Listings follow next_page as given, one page at a time, and can be resumed or abandoned."""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

import zendesk_ivr
from zendesk_ivr import Client, IvrMenu, Page
from zendesk_ivr.testing import FakeZendesk


@pytest.fixture
async def small_pages() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start(max_page_size=3) as fake:
        yield fake


def client_for(fake: FakeZendesk) -> Client:
    return Client(base_url=fake.url, email=fake.email, api_token=fake.api_token)


async def test_list_follows_every_page_in_order(small_pages: FakeZendesk) -> None:
    ids = small_pages.seed(10, menus=1, routes=0)

    async with client_for(small_pages) as client:
        listed = [ivr.id async for ivr in client.ivrs.list()]

    assert listed == ids
    gets = [r for r in small_pages.requests if r.method == "GET"]
    assert len(gets) == 4  # 3 + 3 + 3 + 1
    assert gets[0].query_dict["per_page"] == "100"


async def test_next_page_is_followed_verbatim_with_unknown_parameters(
    small_pages: FakeZendesk,
) -> None:
    small_pages.seed(7, menus=1, routes=0)
    small_pages.next_page_params = {"sort_order": "asc", "opaque": "a b/c"}

    async with client_for(small_pages) as client:
        listed = [ivr async for ivr in client.ivrs.list()]

    assert len(listed) == 7
    later = [r for r in small_pages.requests if r.method == "GET"][1:]
    assert len(later) == 2
    for request in later:
        assert request.query_dict["sort_order"] == "asc"
        assert request.query_dict["opaque"] == "a b/c"


async def test_menus_and_routes_listings_paginate_too(small_pages: FakeZendesk) -> None:
    (ivr_id,) = small_pages.seed(1, menus=5, routes=7)

    async with client_for(small_pages) as client:
        menus = [m async for m in client.menus.list(ivr_id)]
        routes = [r async for r in client.routes.list(ivr_id, menus[0].id)]

    assert len(menus) == 5
    assert sum(m.default for m in menus) == 1
    assert len(routes) == 7
    assert len({r.keypress for r in routes}) == 7


async def test_pages_expose_items_count_and_next_page_and_resume(
    small_pages: FakeZendesk,
) -> None:
    ids = small_pages.seed(8, menus=1, routes=0)

    async with client_for(small_pages) as client:
        pages = client.ivrs.pages()
        first = await anext(pages)
        await pages.aclose()
        assert isinstance(first, Page)
        assert [i.id for i in first.items] == ids[:3]
        assert first.count == 8
        assert first.next_page is not None

        # A later process resumes from the link it saved.
        rest = [ivr.id async for ivr in client.ivrs.list(start=first.next_page)]

    assert rest == ids[3:]


async def test_last_page_has_no_next_page(small_pages: FakeZendesk) -> None:
    small_pages.seed(2, menus=1, routes=0)

    async with client_for(small_pages) as client:
        pages = [page async for page in client.ivrs.pages()]

    assert len(pages) == 1
    assert pages[0].next_page is None
    assert pages[0].count == 2


async def test_list_makes_each_model_when_asked_so_a_dropped_one_is_freed_at_once(
    small_pages: FakeZendesk,
) -> None:
    # Models held a page at a time outlive garbage collections, which then cost a listing of
    # big pages more CPU than reading them: a model the caller dropped must already be gone.
    (ivr_id,) = small_pages.seed(1, menus=7, routes=1)
    previous: weakref.ref[IvrMenu] | None = None
    alive_when_next_came: list[bool] = []

    async with client_for(small_pages) as client:
        async for menu in client.menus.list(ivr_id):
            if previous is not None:
                alive_when_next_came.append(previous() is not None)
            previous = weakref.ref(menu)

    assert alive_when_next_came == [False] * 6


async def test_a_bad_record_mid_page_fails_the_listing_after_the_records_before_it(
    small_pages: FakeZendesk,
) -> None:
    good = small_pages.seed(1, menus=1, routes=0)
    small_pages.put_ivr({"name": 7, "menus": []})  # a number for a name: not skippable
    small_pages.seed(1, menus=1, routes=0)
    listing_failed = r"\$\.ivrs\[1\]\.name"

    async with client_for(small_pages) as client:
        listing = client.ivrs.list()
        read = [(await anext(listing)).id]
        with pytest.raises(zendesk_ivr.DecodeError, match=listing_failed):
            await anext(listing)
        # A page is all or nothing: pages() refuses the page that holds it.
        with pytest.raises(zendesk_ivr.DecodeError, match=listing_failed):
            await anext(client.ivrs.pages())

    assert read == good


async def test_a_listing_abandoned_half_way_leaves_nothing_open(
    small_pages: FakeZendesk,
) -> None:
    small_pages.seed(9, menus=1, routes=0)
    client = client_for(small_pages)

    async for _ivr in client.ivrs.list():
        break
    await client.aclose()
    gc.collect()  # a leaked session or response would warn here, and warnings are errors

    assert client.closed
    assert len([r for r in small_pages.requests if r.method == "GET"]) == 1


async def test_a_paused_listing_holds_no_connection(small_pages: FakeZendesk) -> None:
    ids = small_pages.seed(5, menus=1, routes=0)
    # One connection for everything: if the listing kept its response open while paused at a
    # yield, the second request could not get a connection and would time out.
    connector = aiohttp.TCPConnector(limit=1)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        Client(
            base_url=small_pages.url,
            email=small_pages.email,
            api_token=small_pages.api_token,
            session=session,
            timeout=2,
            max_retries=0,
        ) as client,
    ):
        listing = client.ivrs.list()
        first = await anext(listing)
        other = await client.ivrs.get(ids[4])
        rest = [ivr.id async for ivr in listing]

    assert other.id == ids[4]
    assert [first.id, *rest] == ids


async def test_resume_refuses_a_link_to_another_host(zendesk_fake: FakeZendesk) -> None:
    async with Client(base_url=zendesk_fake.url, oauth_token="fake-oauth-token") as client:
        with pytest.raises(zendesk_ivr.PaginationError):
            [i async for i in client.ivrs.list(start="https://evil.example/api/v2/ivr?page=2")]
    assert zendesk_fake.requests == []


async def serve_one_page(
    next_page: Callable[[URL, int], str], log: list[URL]
) -> tuple[web.AppRunner, str]:
    """
    A real server whose single page links where *next_page* says (given the page's URL and a
    decoy port). The same app also listens at the decoys a bad link may name: another loopback
    host on the same port, and another port. *log* gets every request any of them receives.
    """

    async def handler(request: web.Request) -> web.Response:
        log.append(request.url)
        return web.json_response(
            {"ivrs": [{"id": 1, "name": "a"}], "next_page": next_page(request.url, decoy_port)}
        )

    app = web.Application()
    app.router.add_get("/api/v2/channels/voice/ivr", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    await web.TCPSite(runner, "127.0.0.2", port).start()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    decoy_port = runner.addresses[2][1]
    return runner, f"http://127.0.0.1:{port}"


async def collect_ids(client: Client, into: list[int]) -> None:
    async for ivr in client.ivrs.list():
        into.append(ivr.id)


@pytest.mark.parametrize(
    ("next_page", "problem"),
    [
        (lambda url, _: str(url.with_host("127.0.0.2").with_query(page=2)), "refusing"),
        (lambda url, decoy: str(url.with_port(decoy).with_query(page=2)), "refusing"),
        (lambda url, _: str(url.with_scheme("https")), "refusing"),
        (lambda url, _: str(url), "page just read"),
    ],
    ids=["other-host", "other-port", "other-scheme", "same-page"],
)
async def test_a_bad_next_page_is_refused_and_nothing_is_sent_there(
    next_page: Callable[[URL, int], str], problem: str
) -> None:
    log: list[URL] = []
    runner, url = await serve_one_page(next_page, log)
    try:
        async with Client(base_url=url, oauth_token="t") as client:
            seen: list[int] = []
            with pytest.raises(zendesk_ivr.PaginationError, match=problem):
                await collect_ids(client, seen)
    finally:
        await runner.cleanup()
    # The page whose link is bad is suspect too: none of it is delivered.
    assert seen == []
    assert log == [URL(url).with_path("/api/v2/channels/voice/ivr").with_query(per_page=100)]
