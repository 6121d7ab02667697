"""What a child server process does: serve an app on a free port, say where, stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from aiohttp import web


async def serve_until_stopped(app: web.Application) -> None:
    """Serve *app* on 127.0.0.1 and a free port until SIGTERM or SIGINT; the URL on stdout."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    sys.stdout.write(json.dumps({"url": f"http://127.0.0.1:{port}"}) + "\n")
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
