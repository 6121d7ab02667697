"""
The fake's aiohttp.web application: its routes and their handlers, which answer from the state
as the API docs describe. Every request passes `_pipeline.pipeline` first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Final, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from ._greetings import BUILT_IN_GREETINGS, BuiltInGreeting, render_built_in
from ._oauth import TOKEN_PATH, OAuthError
from ._paging import (
    cursor_body,
    cursor_slice,
    is_cursor_request,
    list_body,
    page_link,
    page_slice,
    parse_cursor_request,
    parse_page_request,
)
from ._pipeline import STATE, json_response, pipeline
from ._records import GreetingRecord, IvrRecord, MenuRecord, RouteRecord
from ._render import (
    API_PREFIX,
    GROUPS_PATH,
    render_greeting,
    render_group,
    render_ivr,
    render_menu,
    render_phone_number,
    render_route,
)
from ._rules import JSONObject, parse_wrapped
from ._state import FakeState

R = TypeVar("R")


_JSON_SUFFIX: Final = r"{json_suffix:(?:\.json)?}"
_IVRS: Final = f"{API_PREFIX}/ivr"
_IVR: Final = _IVRS + "/{ivr_id:[0-9]+}"
_MENUS: Final = _IVR + "/menus"
_MENU: Final = _MENUS + "/{menu_id:[0-9]+}"
_ROUTES: Final = _MENU + "/routes"
_ROUTE: Final = _ROUTES + "/{route_id:[0-9]+}"
_GREETINGS: Final = f"{API_PREFIX}/greetings"
_PHONE_NUMBERS: Final = f"{API_PREFIX}/phone_numbers"


def make_app(state: FakeState) -> web.Application:
    app = web.Application(middlewares=[pipeline])
    app[STATE] = state
    routes: Sequence[tuple[str, Mapping[str, Handler]]] = (
        (_IVRS, {"GET": _list_ivrs, "POST": _create_ivr}),
        (_IVR, {"GET": _show_ivr, "PUT": _update_ivr, "DELETE": _delete_ivr}),
        (_MENUS, {"GET": _list_menus, "POST": _create_menu}),
        (_MENU, {"GET": _show_menu, "PUT": _update_menu, "DELETE": _delete_menu}),
        (_ROUTES, {"GET": _list_routes, "POST": _create_route}),
        (_ROUTE, {"GET": _show_route, "PUT": _update_route, "DELETE": _delete_route}),
        (GROUPS_PATH, {"GET": _list_groups}),
        (_GREETINGS, {"GET": _list_greetings}),
        (_PHONE_NUMBERS, {"GET": _list_phone_numbers}),
        (TOKEN_PATH, {"POST": _create_token}),
    )
    for path, handlers in routes:
        resource = app.router.add_resource(path + _JSON_SUFFIX)
        for method, handler in handlers.items():
            resource.add_route(method, handler)
    return app


# --- responses ------------------------------------------------------------------------


def _base(request: web.Request) -> str:
    return str(request.url.origin())


def _ids(request: web.Request, *names: str) -> list[int]:
    return [int(request.match_info[name]) for name in names]


# Renderers are made once per request: a page of IVRs shares one look-up of group names.


def _ivr_renderer(request: web.Request) -> Callable[[IvrRecord], JSONObject]:
    state = request.app[STATE]
    base, names = _base(request), state.store.group_names()
    embed = not state.omit_embedded_routes
    return lambda ivr: render_ivr(ivr, base, group_names=names, embed_routes=embed)


def _menu_renderer(request: web.Request) -> Callable[[MenuRecord], JSONObject]:
    base, names = _base(request), request.app[STATE].store.group_names()
    return lambda menu: render_menu(menu, base, group_names=names)


def _route_renderer(request: web.Request) -> Callable[[RouteRecord], JSONObject]:
    base, names = _base(request), request.app[STATE].store.group_names()
    return lambda route: render_route(route, base, group_names=names)


def _list(
    request: web.Request,
    key: str,
    records: Sequence[R],
    render: Callable[[R], JSONObject],
) -> web.Response:
    state = request.app[STATE]
    # The last of repeated parameters wins, as in Rails.
    query = dict(request.query.items())
    page = page_slice(len(records), parse_page_request(query, state.max_page_size))
    items = [render(record) for record in records[page.start : page.stop]]
    url = request.url
    body = list_body(
        key, items, page, len(records), lambda n: page_link(url, n, state.next_page_params)
    )
    return json_response(200, body)


# --- handlers -------------------------------------------------------------------------


async def _list_ivrs(request: web.Request) -> web.Response:
    ivrs = list(request.app[STATE].store.ivrs.values())
    return _list(request, "ivrs", ivrs, _ivr_renderer(request))


async def _show_ivr(request: web.Request) -> web.Response:
    (ivr_id,) = _ids(request, "ivr_id")
    ivr = request.app[STATE].store.ivr(ivr_id)
    return json_response(200, {"ivr": _ivr_renderer(request)(ivr)})


async def _create_ivr(request: web.Request) -> web.Response:
    fields = parse_wrapped(await request.read(), "ivr")
    ivr = request.app[STATE].store.create_ivr(fields)
    return json_response(201, {"ivr": _ivr_renderer(request)(ivr)})


async def _update_ivr(request: web.Request) -> web.Response:
    (ivr_id,) = _ids(request, "ivr_id")
    fields = parse_wrapped(await request.read(), "ivr")
    ivr = request.app[STATE].store.update_ivr(ivr_id, fields)
    return json_response(200, {"ivr": _ivr_renderer(request)(ivr)})


async def _delete_ivr(request: web.Request) -> web.Response:
    # The docs are silent; third-party pages say 200 with the deleted IVR.
    (ivr_id,) = _ids(request, "ivr_id")
    ivr = request.app[STATE].store.delete_ivr(ivr_id)
    return json_response(200, {"ivr": _ivr_renderer(request)(ivr)})


async def _list_menus(request: web.Request) -> web.Response:
    (ivr_id,) = _ids(request, "ivr_id")
    menus = list(request.app[STATE].store.ivr(ivr_id).menus.values())
    return _list(request, "ivr_menus", menus, _menu_renderer(request))


async def _show_menu(request: web.Request) -> web.Response:
    menu = request.app[STATE].store.menu(*_ids(request, "ivr_id", "menu_id"))
    return json_response(200, {"ivr_menu": _menu_renderer(request)(menu)})


async def _create_menu(request: web.Request) -> web.Response:
    (ivr_id,) = _ids(request, "ivr_id")
    fields = parse_wrapped(await request.read(), "ivr_menu")
    menu = request.app[STATE].store.create_menu(ivr_id, fields)
    return json_response(201, {"ivr_menu": _menu_renderer(request)(menu)})


async def _update_menu(request: web.Request) -> web.Response:
    ivr_id, menu_id = _ids(request, "ivr_id", "menu_id")
    fields = parse_wrapped(await request.read(), "ivr_menu")
    menu = request.app[STATE].store.update_menu(ivr_id, menu_id, fields)
    return json_response(200, {"ivr_menu": _menu_renderer(request)(menu)})


async def _delete_menu(request: web.Request) -> web.Response:
    # The IVR Menus page shows 200 with the deleted menu.
    menu = request.app[STATE].store.delete_menu(*_ids(request, "ivr_id", "menu_id"))
    return json_response(200, {"ivr_menu": _menu_renderer(request)(menu)})


async def _list_routes(request: web.Request) -> web.Response:
    menu = request.app[STATE].store.menu(*_ids(request, "ivr_id", "menu_id"))
    routes = list(menu.routes.values())
    return _list(request, "ivr_routes", routes, _route_renderer(request))


async def _show_route(request: web.Request) -> web.Response:
    route = request.app[STATE].store.route(*_ids(request, "ivr_id", "menu_id", "route_id"))
    return json_response(200, {"ivr_route": _route_renderer(request)(route)})


async def _create_route(request: web.Request) -> web.Response:
    ivr_id, menu_id = _ids(request, "ivr_id", "menu_id")
    fields = parse_wrapped(await request.read(), "ivr_route")
    route = request.app[STATE].store.create_route(ivr_id, menu_id, fields)
    return json_response(201, {"ivr_route": _route_renderer(request)(route)})


async def _update_route(request: web.Request) -> web.Response:
    ivr_id, menu_id, route_id = _ids(request, "ivr_id", "menu_id", "route_id")
    fields = parse_wrapped(await request.read(), "ivr_route")
    route = request.app[STATE].store.update_route(ivr_id, menu_id, route_id, fields)
    return json_response(200, {"ivr_route": _route_renderer(request)(route)})


async def _delete_route(request: web.Request) -> web.Response:
    # The docs are silent; the fake answers 204 so clients handle both delete shapes.
    request.app[STATE].store.delete_route(*_ids(request, "ivr_id", "menu_id", "route_id"))
    return web.Response(status=204)


async def _list_groups(request: web.Request) -> web.Response:
    # Zendesk offers groups both ways: offset pages (refused past 10,000 records) and cursors.
    state = request.app[STATE]
    base = _base(request)
    query = dict(request.query.items())
    if not is_cursor_request(query):
        groups = list(state.store.groups.values())
        return _list(request, "groups", groups, lambda group: render_group(group, base))
    cursor = parse_cursor_request(query, state.max_page_size)
    ordered = sorted(state.store.groups.values(), key=lambda group: group.id)
    start, stop, has_more = cursor_slice([group.id for group in ordered], cursor)
    page = ordered[start:stop]
    items = [render_group(group, base) for group in page]
    ids = [group.id for group in page]
    return json_response(200, cursor_body("groups", items, ids, has_more, request.url))


async def _list_phone_numbers(request: web.Request) -> web.Response:
    store = request.app[STATE].store
    answering = {p: ivr.id for ivr in store.ivrs.values() for p in ivr.phone_number_ids}
    base = _base(request)
    return _list(
        request,
        "phone_numbers",
        list(store.phone_numbers.values()),
        lambda phone: render_phone_number(phone, base, answering.get(phone.id)),
    )


async def _list_greetings(request: web.Request) -> web.Response:
    # Like a real account: the built-in greetings (string ids) beside the uploaded ones.
    store = request.app[STATE].store
    users, base = store.greeting_users(), _base(request)

    def render(greeting: BuiltInGreeting | GreetingRecord) -> JSONObject:
        playing = users.get(greeting.id, [])
        if isinstance(greeting, GreetingRecord):
            return render_greeting(greeting, base, playing)
        numbers = sorted({p for ivr in playing for p in ivr.phone_number_ids})
        return render_built_in(greeting, [ivr.id for ivr in playing], numbers)

    greetings: list[BuiltInGreeting | GreetingRecord] = [
        *BUILT_IN_GREETINGS,
        *store.greetings.values(),
    ]
    return _list(request, "greetings", greetings, render)


async def _create_token(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await request.read()
    # From here on nothing awaits, so a rotation can't interleave with another request.
    try:
        token = state.oauth.token_request(body, request.content_type, time.monotonic())
    except OAuthError as exc:
        response = json_response(exc.status, exc.body)
    else:
        response = json_response(200, token)
    # RFC 6749 section 5.1: token responses must not be cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
