"""The 422 rules the fake enforces, as the API docs describe them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from aiohttp import (
    ClientSession,
)

from tests.fake.fake_http import (
    API,
    assert_record_invalid,
    call,
)
from zendesk_ivr.testing import FakeZendesk

# --- 422 rules ------------------------------------------------------------------------------


class Ids(NamedTuple):
    ivr: int
    menu: int  # the default menu, with routes on "1" and "2"
    other_menu: int
    route: int  # keypress "1"
    route2: int  # keypress "2", a voicemail route
    foreign_menu: int  # a menu of another IVR


async def make_ids(fake: FakeZendesk) -> Ids:
    ivr_id, foreign_id = fake.seed(2, menus=2, routes=2)
    menus = fake.ivr_json(ivr_id)["menus"]
    routes = menus[0]["routes"]
    foreign = fake.ivr_json(foreign_id)["menus"][1]
    return Ids(
        ivr_id, menus[0]["id"], menus[1]["id"], routes[0]["id"], routes[1]["id"], foreign["id"]
    )


IVRS = "/ivr"
IVR = "/ivr/{ids.ivr}"
MENUS = "/ivr/{ids.ivr}/menus"
MENU = "/ivr/{ids.ivr}/menus/{ids.other_menu}"
ROUTES = "/ivr/{ids.ivr}/menus/{ids.menu}/routes"
ROUTE2 = "/ivr/{ids.ivr}/menus/{ids.menu}/routes/{ids.route2}"


def route(**fields: Any) -> Callable[[Ids], Any]:
    return lambda ids: {"ivr_route": fields}


class Invalid(NamedTuple):
    name: str
    method: str
    template: str
    body: Callable[[Ids], Any]
    field: str  # the key expected in the 422's details


INVALID_CASES = [
    Invalid(
        "ivr create without name",
        "POST",
        IVRS,
        lambda i: {"ivr": {"phone_number_ids": [1]}},
        "name",
    ),
    Invalid("ivr create with blank name", "POST", IVRS, lambda i: {"ivr": {"name": "  "}}, "name"),
    Invalid("ivr create with null name", "POST", IVRS, lambda i: {"ivr": {"name": None}}, "name"),
    Invalid("ivr update with blank name", "PUT", IVR, lambda i: {"ivr": {"name": ""}}, "name"),
    Invalid(
        "ivr phone_number_ids not a list",
        "POST",
        IVRS,
        lambda i: {"ivr": {"name": "x", "phone_number_ids": 5}},
        "phone_number_ids",
    ),
    Invalid(
        "ivr phone_number_ids with a string",
        "PUT",
        IVR,
        lambda i: {"ivr": {"phone_number_ids": [1, "2"]}},
        "phone_number_ids",
    ),
    Invalid(
        "menu create without name",
        "POST",
        MENUS,
        lambda i: {"ivr_menu": {"greeting_id": 1}},
        "name",
    ),
    Invalid(
        "menu update with blank name", "PUT", MENU, lambda i: {"ivr_menu": {"name": ""}}, "name"
    ),
    Invalid(
        "menu greeting_id a string",
        "POST",
        MENUS,
        lambda i: {"ivr_menu": {"name": "x", "greeting_id": "10001"}},
        "greeting_id",
    ),
    Invalid(
        "menu greeting_id a bool",
        "PUT",
        MENU,
        lambda i: {"ivr_menu": {"greeting_id": True}},
        "greeting_id",
    ),
    Invalid(
        "route without keypress",
        "POST",
        ROUTES,
        route(action="group", options={"group_ids": [1]}),
        "keypress",
    ),
    Invalid(
        "route with keypress 10",
        "POST",
        ROUTES,
        route(keypress="10", action="group", options={"group_ids": [1]}),
        "keypress",
    ),
    Invalid(
        "route with an integer keypress",
        "POST",
        ROUTES,
        route(keypress=3, action="group", options={"group_ids": [1]}),
        "keypress",
    ),
    Invalid(
        "route with a taken keypress",
        "POST",
        ROUTES,
        route(keypress="1", action="group", options={"group_ids": [1]}),
        "keypress",
    ),
    Invalid(
        "route update to another route's keypress",
        "PUT",
        ROUTE2,
        route(keypress="1"),
        "keypress",
    ),
    Invalid(
        "route with an unknown action",
        "POST",
        ROUTES,
        route(keypress="5", action="fax", options={}),
        "action",
    ),
    Invalid("route without action", "POST", ROUTES, route(keypress="5", options={}), "action"),
    Invalid(
        "group route without group_ids",
        "POST",
        ROUTES,
        route(keypress="5", action="group", options={}),
        "options",
    ),
    Invalid(
        "group route with empty group_ids",
        "POST",
        ROUTES,
        route(keypress="5", action="group", options={"group_ids": []}),
        "options",
    ),
    Invalid(
        "voicemail route with string group_ids",
        "POST",
        ROUTES,
        route(keypress="5", action="voicemail", options={"group_ids": ["1"]}),
        "options",
    ),
    Invalid(
        "phone_number route without phone_number",
        "POST",
        ROUTES,
        route(keypress="5", action="phone_number", options={"group_ids": [1]}),
        "options",
    ),
    Invalid(
        "menu route to another IVR's menu",
        "POST",
        ROUTES,
        lambda i: {
            "ivr_route": {
                "keypress": "5",
                "action": "menu",
                "options": {"menu_id": i.foreign_menu},
            }
        },
        "options",
    ),
    Invalid(
        "menu route without menu_id",
        "POST",
        ROUTES,
        route(keypress="5", action="menu", options={}),
        "options",
    ),
    Invalid(
        "route options not an object",
        "POST",
        ROUTES,
        route(keypress="5", action="group", options=[1]),
        "options",
    ),
    Invalid(
        "route overflow_options not a list",
        "POST",
        ROUTES,
        route(keypress="5", action="group", options={"group_ids": [1]}, overflow_options={}),
        "overflow_options",
    ),
    Invalid(
        "route update checked against the merged route",
        "PUT",
        ROUTE2,
        route(action="phone_number"),
        "options",
    ),
]


@pytest.mark.parametrize("case", INVALID_CASES, ids=[case.name for case in INVALID_CASES])
async def test_invalid_writes_answer_422_record_invalid_and_change_nothing(
    fake: FakeZendesk, session: ClientSession, case: Invalid
) -> None:
    ids = await make_ids(fake)
    before = [fake.ivr_json(ivr_id) for ivr_id in fake.ivr_ids()]

    reply = await call(session, case.method, API + case.template.format(ids=ids), case.body(ids))

    assert_record_invalid(reply, case.field)
    assert [fake.ivr_json(ivr_id) for ivr_id in fake.ivr_ids()] == before


async def test_deleting_the_default_menu_answers_422_on_base(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = await make_ids(fake)

    reply = await call(session, "DELETE", f"{API}/ivr/{ids.ivr}/menus/{ids.menu}")

    assert_record_invalid(reply, "base")
    assert fake.ivr_json(ids.ivr)["menus"][0]["id"] == ids.menu


async def test_a_422_lists_every_failed_rule(fake: FakeZendesk, session: ClientSession) -> None:
    ids = await make_ids(fake)

    reply = await call(
        session, "POST", f"{API}/ivr/{ids.ivr}/menus/{ids.menu}/routes", {"ivr_route": {"x": 1}}
    )

    assert_record_invalid(reply, "keypress")
    assert set(reply.json()["details"]) == {"keypress", "action"}


async def test_a_menu_route_may_target_any_menu_of_its_ivr(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = await make_ids(fake)

    reply = await call(
        session,
        "POST",
        f"{API}/ivr/{ids.ivr}/menus/{ids.menu}/routes",
        {"ivr_route": {"keypress": "9", "action": "menu", "options": {"menu_id": ids.other_menu}}},
    )

    assert reply.status == 201
    assert reply.json()["ivr_route"]["options"] == {"menu_id": ids.other_menu}


async def test_a_route_may_keep_its_own_keypress_on_update(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = await make_ids(fake)

    reply = await call(
        session,
        "PUT",
        f"{API}/ivr/{ids.ivr}/menus/{ids.menu}/routes/{ids.route2}",
        {"ivr_route": {"keypress": "2"}},
    )

    assert reply.status == 200
