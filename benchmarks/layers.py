"""
Where a listing's CPU goes, layer by layer: scenario 6's comparison with the SDK taken apart.

    python benchmarks/layers.py [--menus 1] [--requests 3000] [--rounds 5]

Each job lists one page of *menus* menus per request from the page server of scenario 6, with
16 workers, and goes one layer deeper into the SDK than the one before, all with the SDK's
defaults. The jobs take turns within each round; the table gives each one's client CPU per
request and what it adds to the one before. A profile inflates or hides what a layer costs
where aiohttp runs between its calls (caches are cold there); these are the costs in place.

- raw aiohttp + json(): scenario 6's baseline;
- transport: the SDK's `Transport.send` (aiohttp, the body read, a `Response`), then `json.loads`;
- requester: `Requester.request` around it (retries, auth, slots, limiter, the attempt record);
- page: the page read by `read_page` (the links, msgspec's structs) and its models made;
- listing: `Requester.items`, the async generator that walks the pages (URL given);
- SDK: ``client.menus.list(ivr_id)``, as users call it (the URL built per call).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import clients
import servers
from clients import Run, Target
from measure import Stopwatch, median
from report import Table, micro
from yarl import URL

from zendesk_ivr import Client, IvrMenu
from zendesk_ivr._core.reading.envelopes import MENU_ENVELOPE
from zendesk_ivr._core.reading.pages import Listing, read_page

_MENUS: Listing[IvrMenu] = Listing(MENU_ENVELOPE, IvrMenu)
Job = Callable[[Client, URL, int], Awaitable[int]]


async def _transport(client: Client, url: URL, ivr_id: int) -> int:
    api = client._api
    authorization = api.auth.authorize(api._token_request)
    assert not isinstance(authorization, Awaitable)
    response = await api.transport.send("GET", url, authorization=authorization)
    return len(json.loads(response.body)["ivr_menus"])


async def _requester(client: Client, url: URL, ivr_id: int) -> int:
    outcome = await client._api.request("GET", url, read=lambda r: json.loads(r.body))
    return len(outcome.body["ivr_menus"])


async def _page(client: Client, url: URL, ivr_id: int) -> int:
    read = functools.partial(read_page, listing=_MENUS, site=client._api.site)
    outcome = await client._api.request("GET", url, read=read)
    return sum(1 for _menu in outcome.body.models())


async def _listing(client: Client, url: URL, ivr_id: int) -> int:
    return sum([1 async for _menu in client._api.items(url, _MENUS)])


async def _sdk(client: Client, url: URL, ivr_id: int) -> int:
    return sum([1 async for _menu in client.menus.list(ivr_id)])


LAYERS: dict[str, Job] = {
    "transport": _transport,
    "requester": _requester,
    "page": _page,
    "listing": _listing,
    "SDK": _sdk,
}


async def _run(job: Job, target: Target, ivr_ids: list[int], concurrency: int) -> Run:
    items = sent = 0
    async with clients.sdk_client(target, concurrency) as client:

        async def one(ivr_id: int) -> None:
            nonlocal items, sent
            # Awaited first: `items += await ...` would read items before the await, and lose
            # what other workers add meanwhile.
            read = await job(client, URL(target.first_page(ivr_id)), ivr_id)
            items += read
            sent += 1

        with Stopwatch() as watch:
            await clients._workers(concurrency, ivr_ids, one)
    return Run(sent, items, watch.seconds, watch.cpu_seconds)


def _layer(job: Job) -> Callable[[Target, list[int], int], Run]:
    return lambda target, ids, concurrency: asyncio.run(_run(job, target, ids, concurrency))


def main() -> int:
    parser = argparse.ArgumentParser(description="Client CPU per request, layer by layer.")
    parser.add_argument("--menus", type=int, default=1, help="menus per page (one route each)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    jobs: dict[str, Callable[[Target, list[int], int], Any]] = {
        clients.BASELINE: clients.aiohttp_listing,
        **{name: _layer(job) for name, job in LAYERS.items()},
    }
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    with servers.counting_server("page_server.py") as server:
        cpus = servers.client_cpus()
        if cpus is not None:
            servers.pin(0, cpus)
        target = Target(server.url, "agent@example.com", "token")
        ids = [args.menus] * args.requests
        for run in jobs.values():
            run(target, ids[:200], 16)  # warm up: imports, first connections
        for _ in range(args.rounds):
            for name, run in jobs.items():
                done: Run = run(target, ids, 16)
                if done.items != args.menus * args.requests:
                    raise RuntimeError(f"{name} read {done.items} menus")
                cpu[name].append(done.cpu_seconds / done.requests)
    table = Table(["layer", "client CPU / request", "added", "vs raw aiohttp"])
    baseline = before = median(cpu[clients.BASELINE])
    for name, samples in cpu.items():
        here = median(samples)
        table.add(name, micro(here), micro(here - before), f"{here / baseline:.2f}x")
        before = here
    print(f"pages of {args.menus} menus, {args.requests} requests x {args.rounds} rounds, medians")
    print(table.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
