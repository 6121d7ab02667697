"""
Child process: an aiohttp server answering menu listings with pages made once, until SIGTERM.

Run as ``python benchmarks/page_server.py``; the first line on stdout is JSON with its URL.
``GET /api/v2/channels/voice/ivr/{ivr_id}/menus`` answers one page (no ``next_page``) of
*ivr_id* menus of one route each (the id doubles as the size, so one server serves every page
shape), as compact JSON built by hand once per size. The server does next to nothing per request,
so a client's CPU per request is measured against a server that keeps up with it.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from child import serve_until_stopped
from payloads import menu_page

SERVED: web.AppKey[list[int]] = web.AppKey("served", list[int])
PAGES: web.AppKey[dict[int, bytes]] = web.AppKey("pages", dict[int, bytes])


async def _stats(request: web.Request) -> web.Response:
    return web.json_response({"requests": request.app[SERVED][0]})


async def _menus(request: web.Request) -> web.Response:
    request.app[SERVED][0] += 1
    if "Authorization" not in request.headers:
        return web.json_response({"error": "Couldn't authenticate you"}, status=401)
    menus = int(request.match_info["ivr_id"])
    pages = request.app[PAGES]
    if menus not in pages:
        page = menu_page(str(request.url.origin()), menus=menus, routes=1)
        pages[menus] = json.dumps(page, separators=(",", ":")).encode()
    return web.Response(body=pages[menus], content_type="application/json")


def make_app() -> web.Application:
    app = web.Application()
    app[SERVED] = [0]
    app[PAGES] = {}
    app.router.add_get("/stats", _stats)
    app.router.add_get("/api/v2/channels/voice/ivr/{ivr_id:[0-9]+}/menus", _menus)
    return app


if __name__ == "__main__":
    asyncio.run(serve_until_stopped(make_app()))
