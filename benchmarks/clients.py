"""
The clients compared against each other, each doing the same job against the same server.

Listing (scenario 1): list every menu of the given IVRs, following ``next_page`` to the end,
with *concurrency* workers sharing one queue of IVR ids. Each client times only the listing
itself, after its session is made and before it is closed, so event loop and session setup
(the same for every client) are not in the numbers.

Walking (scenario 2): read every IVR with its menus and routes, with `Client.walk` or naively.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass

import aiohttp
import httpx
import requests
from measure import Stopwatch

import zendesk_ivr
from zendesk_ivr import Client

MENUS_PATH = "/api/v2/channels/voice/ivr/{ivr_id}/menus?per_page=100"


@dataclass(frozen=True)
class Target:
    url: str
    email: str
    api_token: str

    @property
    def authorization(self) -> str:
        token = base64.b64encode(f"{self.email}/token:{self.api_token}".encode()).decode()
        return f"Basic {token}"

    def first_page(self, ivr_id: int) -> str:
        return self.url + MENUS_PATH.format(ivr_id=ivr_id)


@dataclass(frozen=True)
class Run:
    """What one client did in one run; *requests* as the client counted them."""

    requests: int
    items: int
    seconds: float
    cpu_seconds: float


def sdk_client(target: Target, concurrency: int) -> Client:
    # Nothing but what a user sets: where, who, and how many requests in flight.
    return Client(
        base_url=target.url,
        email=target.email,
        api_token=target.api_token,
        max_concurrency=concurrency,
    )


async def _workers(
    concurrency: int, ivr_ids: Sequence[int], job: Callable[[int], Awaitable[None]]
) -> None:
    pending: Iterator[int] = iter(ivr_ids)

    async def worker() -> None:
        # One shared iterator: each IVR is taken by exactly one worker, whichever is free.
        for ivr_id in pending:
            await job(ivr_id)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


# --- scenario 1: listing ---------------------------------------------------------------------


async def _sdk_listing(target: Target, ivr_ids: Sequence[int], concurrency: int) -> Run:
    menus = 0
    async with sdk_client(target, concurrency) as client:

        async def job(ivr_id: int) -> None:
            nonlocal menus
            async for _menu in client.menus.list(ivr_id):
                menus += 1

        with Stopwatch() as watch:
            await _workers(concurrency, ivr_ids, job)
        return Run(client.requests_sent, menus, watch.seconds, watch.cpu_seconds)


async def _aiohttp_listing(target: Target, ivr_ids: Sequence[int], concurrency: int) -> Run:
    menus = sent = 0
    headers = {"Authorization": target.authorization, "Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def job(ivr_id: int) -> None:
            nonlocal menus, sent
            url: str | None = target.first_page(ivr_id)
            while url is not None:
                async with session.get(url) as response:
                    response.raise_for_status()
                    body = await response.json()
                sent += 1
                menus += len(body["ivr_menus"])
                url = body["next_page"]

        with Stopwatch() as watch:
            await _workers(concurrency, ivr_ids, job)
    return Run(sent, menus, watch.seconds, watch.cpu_seconds)


async def _httpx_listing(target: Target, ivr_ids: Sequence[int], concurrency: int) -> Run:
    menus = sent = 0
    headers = {"Authorization": target.authorization, "Accept": "application/json"}
    # httpx keeps only 20 idle connections by default and would reconnect at concurrency 64;
    # allowing as many as there are workers compares transports, not defaults.
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as session:

        async def job(ivr_id: int) -> None:
            nonlocal menus, sent
            url: str | None = target.first_page(ivr_id)
            while url is not None:
                response = await session.get(url)
                response.raise_for_status()
                body = response.json()
                sent += 1
                menus += len(body["ivr_menus"])
                url = body["next_page"]

        with Stopwatch() as watch:
            await _workers(concurrency, ivr_ids, job)
    return Run(sent, menus, watch.seconds, watch.cpu_seconds)


def sdk_listing(target: Target, ivr_ids: Sequence[int], concurrency: int) -> Run:
    return asyncio.run(_sdk_listing(target, ivr_ids, concurrency))


def aiohttp_listing(target: Target, ivr_ids: Sequence[int], concurrency: int) -> Run:
    return asyncio.run(_aiohttp_listing(target, ivr_ids, concurrency))


def httpx_listing(target: Target, ivr_ids: Sequence[int], concurrency: int) -> Run:
    return asyncio.run(_httpx_listing(target, ivr_ids, concurrency))


def requests_listing(target: Target, ivr_ids: Sequence[int], concurrency: int) -> Run:
    """What the API docs' Python example leads to: one request after another (*concurrency*
    is ignored), though with a Session so connections are at least reused."""
    del concurrency
    menus = sent = 0
    with requests.Session() as session:
        session.auth = (f"{target.email}/token", target.api_token)
        session.headers["Accept"] = "application/json"
        with Stopwatch() as watch:
            for ivr_id in ivr_ids:
                url: str | None = target.first_page(ivr_id)
                while url is not None:
                    response = session.get(url, timeout=30)
                    response.raise_for_status()
                    body = response.json()
                    sent += 1
                    menus += len(body["ivr_menus"])
                    url = body["next_page"]
    return Run(sent, menus, watch.seconds, watch.cpu_seconds)


ListingClient = Callable[[Target, Sequence[int], int], Run]

#: The baseline first: the tables give every client's ratio to it.
LISTING_CLIENTS: dict[str, ListingClient] = {
    "raw aiohttp + json()": aiohttp_listing,
    "zendesk_ivr SDK": sdk_listing,
    "httpx.AsyncClient": httpx_listing,
    "requests.Session loop": requests_listing,
}
BASELINE = "raw aiohttp + json()"
SDK = "zendesk_ivr SDK"
SEQUENTIAL = "requests.Session loop"


# --- scenario 2: walking the tree -------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    ivrs: int
    menus: int
    routes: int


async def _walk(target: Target, concurrency: int) -> tuple[Run, Tree]:
    async with sdk_client(target, concurrency) as client:
        with Stopwatch() as watch:
            tree = await client.walk()
        shape = _shape(tree.ivrs)
        return Run(tree.requests, shape.routes, watch.seconds, watch.cpu_seconds), shape


async def _naive_walk(target: Target, concurrency: int, *, gather: bool) -> tuple[Run, Tree]:
    """List IVRs, then the menus of each, then the routes of each menu, as the docs suggest."""
    menus = routes = 0
    async with sdk_client(target, concurrency) as client:

        async def menu_routes(ivr_id: int, menu_id: int) -> None:
            nonlocal routes
            async for _route in client.routes.list(ivr_id, menu_id):
                routes += 1

        async def ivr_menus(ivr_id: int) -> None:
            nonlocal menus
            ids = [menu.id async for menu in client.menus.list(ivr_id)]
            menus += len(ids)
            if gather:
                await asyncio.gather(*(menu_routes(ivr_id, menu_id) for menu_id in ids))
            else:
                for menu_id in ids:
                    await menu_routes(ivr_id, menu_id)

        with Stopwatch() as watch:
            ivr_ids = [ivr.id async for ivr in client.ivrs.list()]
            if gather:
                await asyncio.gather(*(ivr_menus(ivr_id) for ivr_id in ivr_ids))
            else:
                for ivr_id in ivr_ids:
                    await ivr_menus(ivr_id)
        run = Run(client.requests_sent, routes, watch.seconds, watch.cpu_seconds)
        return run, Tree(len(ivr_ids), menus, routes)


def _shape(ivrs: Sequence[zendesk_ivr.Ivr]) -> Tree:
    menus = [menu for ivr in ivrs for menu in ivr.menus]
    return Tree(len(ivrs), len(menus), sum(len(menu.routes) for menu in menus))


def walk(target: Target, concurrency: int) -> tuple[Run, Tree]:
    return asyncio.run(_walk(target, concurrency))


def naive_walk_concurrent(target: Target, concurrency: int) -> tuple[Run, Tree]:
    return asyncio.run(_naive_walk(target, concurrency, gather=True))


def naive_walk_sequential(target: Target, concurrency: int) -> tuple[Run, Tree]:
    return asyncio.run(_naive_walk(target, concurrency, gather=False))
