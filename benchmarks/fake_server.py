"""
Child process: a seeded `FakeZendesk` plus a small control server, until SIGTERM.

Run as ``python benchmarks/fake_server.py --ivrs 100 --menus 250 --routes 3``. The first line on
stdout is JSON with the fake's URL, its credentials, the seeded IVR ids and the control URL. The
fake keeps its counters and its request log in this process, so the benchmark reads them over
the control server instead of trusting what the clients say they did:

- ``GET /stats``: requests logged since the last reset, 429s sent so far, this process's CPU time;
- ``GET /log``: ``[path, window, refused]`` for each request since the last reset: which
  rate-limit window counted it (null without a limit) and whether it got a 429;
- ``POST /reset``: clear the request log (it holds every request, so it must not grow all run);
- ``POST /configure``: ``{"latency": seconds, "rate_limit": null | {"limit": N, "window": W}}``,
  a plan limit of N requests per W seconds (the count starts afresh), or none at all: no
  rate-limit headers, nothing refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from typing import Any

from aiohttp import web

from zendesk_ivr.testing import FakeZendesk

FAKE: web.AppKey[FakeZendesk] = web.AppKey("fake", FakeZendesk)


async def _stats(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    return web.json_response(
        {
            "requests": len(fake.requests),
            "rate_limited": fake.rate_limited_count,
            "cpu_seconds": time.process_time(),
        }
    )


async def _log(request: web.Request) -> web.Response:
    rows = [[r.path, r.window, r.rate_limited] for r in request.app[FAKE].requests]
    return web.json_response({"rows": rows})


async def _reset(request: web.Request) -> web.Response:
    request.app[FAKE].clear_requests()
    return await _stats(request)


async def _configure(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    settings: dict[str, Any] = await request.json()
    if "latency" in settings:
        fake.latency = float(settings["latency"])
    if "rate_limit" in settings:
        limit = settings["rate_limit"]
        if limit is None:
            fake.rate_limit(None)
        else:
            fake.rate_limit(int(limit["limit"]), window=float(limit["window"]))
    return await _stats(request)


def _control_app(fake: FakeZendesk) -> web.Application:
    app = web.Application()
    app[FAKE] = fake
    app.router.add_get("/stats", _stats)
    app.router.add_get("/log", _log)
    app.router.add_post("/reset", _reset)
    app.router.add_post("/configure", _configure)
    return app


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # No limit until /configure sets one: the listing scenarios measure a server without one.
    async with await FakeZendesk.start(max_page_size=args.max_page_size, rate_limit=None) as fake:
        ivr_ids = fake.seed(args.ivrs, menus=args.menus, routes=args.routes)
        runner = web.AppRunner(_control_app(fake), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        control_port = runner.addresses[0][1]
        info = {
            "url": fake.url,
            "email": fake.email,
            "api_token": fake.api_token,
            "control": f"http://127.0.0.1:{control_port}",
            "ivr_ids": ivr_ids,
        }
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description="A seeded FakeZendesk for the benchmarks.")
    parser.add_argument("--ivrs", type=int, required=True)
    parser.add_argument("--menus", type=int, required=True)
    parser.add_argument("--routes", type=int, required=True)
    parser.add_argument("--max-page-size", type=int, default=100)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
