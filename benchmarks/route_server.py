"""
Child process: an aiohttp server that makes IVR route pages up on the fly, until SIGTERM.

Run as ``python benchmarks/route_server.py``; the first line on stdout is JSON with its URL.
``GET /api/v2/channels/voice/ivr/{ivr_id}/menus/{menu_id}/routes?page=N`` answers a page of
100 routes of a menu that has *menu_id* routes (the id doubles as the size, so one server serves
any count), with ``next_page`` and ``count`` as Zendesk sends them. Nothing is kept between
requests but their number (``GET /stats``), so the server's memory does not grow with the count
and a client's can be judged alone.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from child import serve_until_stopped
from payloads import route_json

PAGE_SIZE = 100
SERVED: web.AppKey[list[int]] = web.AppKey("served", list[int])


async def _stats(request: web.Request) -> web.Response:
    return web.json_response({"requests": request.app[SERVED][0]})


async def _routes(request: web.Request) -> web.Response:
    request.app[SERVED][0] += 1
    if "Authorization" not in request.headers:
        return web.json_response({"error": "Couldn't authenticate you"}, status=401)
    ivr_id = int(request.match_info["ivr_id"])
    total = int(request.match_info["menu_id"])
    page = int(request.query.get("page", "1"))
    start = (page - 1) * PAGE_SIZE
    stop = min(start + PAGE_SIZE, total)
    base = str(request.url.origin())
    routes = [
        route_json(base, ivr_id, total, start + i + 1, start + i) for i in range(stop - start)
    ]
    has_next = stop < total
    body = {
        "ivr_routes": routes,
        "next_page": str(request.url.update_query(page=page + 1)) if has_next else None,
        "previous_page": str(request.url.update_query(page=page - 1)) if page > 1 else None,
        "count": total,
    }
    return web.Response(text=json.dumps(body), content_type="application/json")


def make_app() -> web.Application:
    app = web.Application()
    app[SERVED] = [0]
    app.router.add_get("/stats", _stats)
    app.router.add_get(
        "/api/v2/channels/voice/ivr/{ivr_id:[0-9]+}/menus/{menu_id:[0-9]+}/routes", _routes
    )
    return app


if __name__ == "__main__":
    asyncio.run(serve_until_stopped(make_app()))
