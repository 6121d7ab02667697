"""
Tests of the fake Zendesk: over real HTTP with a raw aiohttp session (never the
SDK client, so a client bug can't hide a fake bug), plus unit tests of the pure
state module.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, NamedTuple

import attrs
import pytest
from aiohttp import (
    ClientConnectionError,
    ClientPayloadError,
    ClientSession,
    ServerDisconnectedError,
)
from multidict import CIMultiDictProxy
from yarl import URL

from zendesk_ivr.testing import FakeZendesk, RecordedRequest
from zendesk_ivr.testing._demo import SEED_KEYPRESSES, seed_ivrs
from zendesk_ivr.testing._faults import (
    Credentials,
    DelayFault,
    FaultQueue,
    RateWindow,
    TruncateFault,
    format_retry_after,
    status_fault,
)
from zendesk_ivr.testing._paging import (
    PageRequest,
    PageSlice,
    page_link,
    page_slice,
    parse_page_request,
)
from zendesk_ivr.testing._render import render_ivr
from zendesk_ivr.testing._rules import ApiError, parse_wrapped
from zendesk_ivr.testing._state import FIRST_ID, FakeState, Store

API = "/api/v2/channels/voice"
EMAIL = "agent@example.com"
TOKEN = "fake-api-token"
PASSWORD = "fake-password"
OAUTH = "fake-oauth-token"
JSON_TYPE = "application/json; charset=utf-8"


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


TOKEN_AUTH = basic(f"{EMAIL}/token", TOKEN)


@attrs.frozen
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def call(
    session: ClientSession,
    method: str,
    path: str,
    body: Any = None,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    payload = data if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    async with session.request(method, path, data=payload, headers=sent) as response:
        return Reply(response.status, response.headers, await response.read())


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        yield server


@pytest.fixture
async def session(fake: FakeZendesk) -> AsyncIterator[ClientSession]:
    async with ClientSession(base_url=fake.url, headers={"Authorization": TOKEN_AUTH}) as client:
        yield client


async def create_ivr(session: ClientSession, name: str = "Support") -> dict[str, Any]:
    reply = await call(session, "POST", f"{API}/ivr", {"ivr": {"name": name}})
    assert reply.status == 201, reply.body
    ivr: dict[str, Any] = reply.json()["ivr"]
    return ivr


def assert_record_invalid(reply: Reply, field: str) -> None:
    assert reply.status == 422, reply.body
    body = reply.json()
    assert body["error"] == "RecordInvalid"
    assert body["description"] == "Record validation errors"
    assert field in body["details"], body
    for entry in body["details"][field]:
        assert set(entry) == {"description", "error"}


# --- IVRs -------------------------------------------------------------------------------


async def test_create_ivr_answers_201_with_a_default_menu(
    fake: FakeZendesk, session: ClientSession
) -> None:
    reply = await call(
        session, "POST", f"{API}/ivr", {"ivr": {"name": "Support", "phone_number_ids": [7, 8]}}
    )

    assert reply.status == 201
    assert reply.headers["Content-Type"] == JSON_TYPE
    ivr = reply.json()["ivr"]
    assert ivr["id"] == FIRST_ID
    assert ivr["name"] == "Support"
    assert ivr["phone_number_ids"] == [7, 8]
    assert ivr["phone_number_names"] == ["Talk number 7", "Talk number 8"]
    assert ivr["url"] == f"{fake.url}{API}/ivr/{FIRST_ID}.json"
    [menu] = ivr["menus"]
    assert menu == {
        "id": FIRST_ID + 1,
        "name": "Main menu",
        "default": True,
        "greeting_id": None,
        "routes": [],
        "url": f"{fake.url}{API}/ivr/{FIRST_ID}/menus/{FIRST_ID + 1}.json",
    }


async def test_show_and_list_ivrs_return_what_ivr_json_renders(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = fake.seed(2)

    shown = await call(session, "GET", f"{API}/ivr/{ids[1]}")
    listed = await call(session, "GET", f"{API}/ivr")

    assert shown.status == 200
    assert shown.json() == {"ivr": fake.ivr_json(ids[1])}
    assert listed.status == 200
    assert listed.json() == {
        "ivrs": [fake.ivr_json(ivr_id) for ivr_id in ids],
        "next_page": None,
        "previous_page": None,
        "count": 2,
    }
    assert fake.ivr_ids() == ids


async def test_update_ivr_answers_200_and_changes_only_sent_fields(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1)
    before = fake.ivr_json(ivr_id)

    reply = await call(session, "PUT", f"{API}/ivr/{ivr_id}", {"ivr": {"name": "Renamed"}})

    assert reply.status == 200
    assert reply.json()["ivr"] == {**before, "name": "Renamed"}
    assert fake.ivr_json(ivr_id) == {**before, "name": "Renamed"}


async def test_delete_ivr_answers_200_with_it_and_removes_its_menus_and_routes(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1)
    before = fake.ivr_json(ivr_id)
    menu = before["menus"][0]
    route = menu["routes"][0]

    reply = await call(session, "DELETE", f"{API}/ivr/{ivr_id}")

    assert reply.status == 200
    assert reply.json() == {"ivr": before}
    assert fake.ivr_ids() == []
    for path in (
        f"{API}/ivr/{ivr_id}",
        f"{API}/ivr/{ivr_id}/menus/{menu['id']}",
        f"{API}/ivr/{ivr_id}/menus/{menu['id']}/routes/{route['id']}",
    ):
        gone = await call(session, "GET", path)
        assert gone.status == 404
        assert gone.json() == {"error": "RecordNotFound", "description": "Not found"}


# --- menus --------------------------------------------------------------------------------


async def test_menu_create_show_list_update_and_delete(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr = await create_ivr(session)
    menus = f"{API}/ivr/{ivr['id']}/menus"

    created = await call(session, "POST", menus, {"ivr_menu": {"name": "Billing"}})
    assert created.status == 201
    menu = created.json()["ivr_menu"]
    assert menu["name"] == "Billing"
    assert menu["default"] is False
    assert menu["greeting_id"] is None
    assert menu["routes"] == []
    assert menu["url"] == f"{fake.url}{menus}/{menu['id']}.json"

    shown = await call(session, "GET", f"{menus}/{menu['id']}")
    assert shown.status == 200
    assert shown.json() == {"ivr_menu": menu}

    listed = await call(session, "GET", menus)
    assert listed.status == 200
    assert [m["id"] for m in listed.json()["ivr_menus"]] == [ivr["menus"][0]["id"], menu["id"]]
    assert listed.json()["count"] == 2

    updated = await call(
        session, "PUT", f"{menus}/{menu['id']}", {"ivr_menu": {"greeting_id": 10001}}
    )
    assert updated.status == 200
    assert updated.json()["ivr_menu"] == {**menu, "greeting_id": 10001}

    deleted = await call(session, "DELETE", f"{menus}/{menu['id']}")
    assert deleted.status == 200
    assert deleted.json() == {"ivr_menu": {**menu, "greeting_id": 10001}}
    assert (await call(session, "GET", f"{menus}/{menu['id']}")).status == 404


async def test_deleting_a_menu_deletes_its_routes(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1, menus=2, routes=1)
    menu = fake.ivr_json(ivr_id)["menus"][1]
    route_id = menu["routes"][0]["id"]

    assert (await call(session, "DELETE", f"{API}/ivr/{ivr_id}/menus/{menu['id']}")).status == 200
    gone = await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{menu['id']}/routes/{route_id}")

    assert gone.status == 404


# --- routes -------------------------------------------------------------------------------


async def test_route_create_show_list_update_and_delete(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr = await create_ivr(session)
    routes = f"{API}/ivr/{ivr['id']}/menus/{ivr['menus'][0]['id']}/routes"

    created = await call(
        session,
        "POST",
        routes,
        {"ivr_route": {"action": "group", "keypress": "1", "options": {"group_ids": [10001]}}},
    )
    assert created.status == 201
    route = created.json()["ivr_route"]
    assert route == {
        "id": route["id"],
        "keypress": "1",
        "action": "group",
        "options": {"group_ids": [10001]},
        "greeting": None,
        "option_text": "Group 10001",
        "overflow_options": [],
        "url": f"{fake.url}{routes}/{route['id']}.json",
    }

    shown = await call(session, "GET", f"{routes}/{route['id']}")
    assert shown.status == 200
    assert shown.json() == {"ivr_route": route}

    listed = await call(session, "GET", routes)
    assert listed.status == 200
    assert listed.json() == {
        "ivr_routes": [route],
        "next_page": None,
        "previous_page": None,
        "count": 1,
    }

    updated = await call(
        session,
        "PUT",
        f"{routes}/{route['id']}",
        {"ivr_route": {"action": "phone_number", "options": {"phone_number": "+15550100"}}},
    )
    assert updated.status == 200
    assert updated.json()["ivr_route"] == {
        **route,
        "action": "phone_number",
        "options": {"phone_number": "+15550100"},
        "option_text": None,
    }

    deleted = await call(session, "DELETE", f"{routes}/{route['id']}")
    assert deleted.status == 204
    assert deleted.body == b""
    assert (await call(session, "GET", f"{routes}/{route['id']}")).status == 404


@pytest.mark.parametrize("sms_key", ["sms_text", "sms_textstring"])
async def test_textback_routes_store_either_sms_key_as_sent(
    session: ClientSession, sms_key: str
) -> None:
    ivr = await create_ivr(session)
    options = {"textback_phone_number_id": 5, sms_key: "Text us"}

    reply = await call(
        session,
        "POST",
        f"{API}/ivr/{ivr['id']}/menus/{ivr['menus'][0]['id']}/routes",
        {"ivr_route": {"action": "textback", "keypress": "#", "options": options}},
    )

    assert reply.status == 201
    assert reply.json()["ivr_route"]["options"] == options
    assert reply.json()["ivr_route"]["option_text"] is None


async def test_route_overflow_options_are_stored_as_sent(session: ClientSession) -> None:
    ivr = await create_ivr(session)
    overflow = [{"action": "voicemail", "options": {"group_ids": [2]}}]

    reply = await call(
        session,
        "POST",
        f"{API}/ivr/{ivr['id']}/menus/{ivr['menus'][0]['id']}/routes",
        {
            "ivr_route": {
                "action": "voicemail",
                "keypress": "default",
                "options": {"group_ids": [1]},
                "overflow_options": overflow,
            }
        },
    )

    assert reply.status == 201
    assert reply.json()["ivr_route"]["overflow_options"] == overflow


# --- paths and write bodies ---------------------------------------------------------------


PATHS = [
    ("GET", "/ivr"),
    ("GET", "/ivr/{ivr}"),
    ("GET", "/ivr/{ivr}/menus"),
    ("GET", "/ivr/{ivr}/menus/{menu}"),
    ("GET", "/ivr/{ivr}/menus/{menu}/routes"),
    ("GET", "/ivr/{ivr}/menus/{menu}/routes/{route}"),
]


@pytest.mark.parametrize(("method", "template"), PATHS)
@pytest.mark.parametrize("suffix", ["", ".json"])
async def test_every_path_answers_with_or_without_json_suffix(
    fake: FakeZendesk, session: ClientSession, method: str, template: str, suffix: str
) -> None:
    [ivr_id] = fake.seed(1, menus=1, routes=1)
    menu = fake.ivr_json(ivr_id)["menus"][0]
    path = template.format(ivr=ivr_id, menu=menu["id"], route=menu["routes"][0]["id"])

    reply = await call(session, method, f"{API}{path}{suffix}")

    assert reply.status == 200
    assert reply.headers["Content-Type"] == JSON_TYPE


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/channels/voice/ivrs",
        "/api/v2/channels/voice/greeting_categories",
        "/api/v2/channels/voice/greetings/1",
        "/api/v2/groups/1.json",
        "/api/v2/tickets.json",
        "/api/v2/channels/voice/ivr/",
        "/api/v2/channels/voice/ivr/123.xml",
        "/",
    ],
)
async def test_unknown_paths_answer_404_record_not_found(session: ClientSession, path: str) -> None:
    reply = await call(session, "GET", path)

    assert reply.status == 404
    assert reply.headers["Content-Type"] == JSON_TYPE
    assert reply.json() == {"error": "RecordNotFound", "description": "Not found"}


@pytest.mark.parametrize("bad_id", ["abc", "12x", "-1", "1.5"])
async def test_non_integer_ids_answer_404(session: ClientSession, bad_id: str) -> None:
    reply = await call(session, "GET", f"{API}/ivr/{bad_id}/menus")

    assert reply.status == 404
    assert reply.json()["error"] == "RecordNotFound"


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/ivr"), ("DELETE", "/ivr.json"), ("POST", "/ivr/1"), ("PUT", "/ivr/1/menus")],
)
async def test_wrong_method_on_a_known_path_answers_405_json(
    session: ClientSession, method: str, path: str
) -> None:
    reply = await call(session, method, f"{API}{path}")

    assert reply.status == 405
    assert reply.headers["Content-Type"] == JSON_TYPE
    assert reply.json()["error"] == "MethodNotAllowed"
    assert "Allow" in reply.headers


async def test_missing_records_answer_404(fake: FakeZendesk, session: ClientSession) -> None:
    [ivr_id] = fake.seed(1, menus=1, routes=1)
    menu = fake.ivr_json(ivr_id)["menus"][0]
    missing = FIRST_ID - 1

    for path in (
        f"/ivr/{missing}",
        f"/ivr/{missing}/menus",
        f"/ivr/{ivr_id}/menus/{missing}",
        f"/ivr/{ivr_id}/menus/{missing}/routes",
        f"/ivr/{ivr_id}/menus/{menu['id']}/routes/{missing}",
    ):
        reply = await call(session, "GET", f"{API}{path}")
        assert reply.status == 404, path
        assert reply.json() == {"error": "RecordNotFound", "description": "Not found"}


@pytest.mark.parametrize(
    ("path", "key", "body"),
    [
        ("/ivr", "ivr", {"name": "No wrapper"}),
        ("/ivr", "ivr", {"ivr": {}}),
        ("/ivr", "ivr", {"ivr": "Support"}),
        ("/ivr", "ivr", ["ivr"]),
        ("/ivr", "ivr", "ivr"),
        ("/ivr/{ivr}/menus", "ivr_menu", {"menu": {"name": "libzapi's wrapper"}}),
        ("/ivr/{ivr}/menus/{menu}/routes", "ivr_route", {"route": {"keypress": "1"}}),
    ],
)
async def test_writes_without_their_wrapper_answer_400_parameter_missing(
    fake: FakeZendesk, session: ClientSession, path: str, key: str, body: Any
) -> None:
    [ivr_id] = fake.seed(1, menus=1, routes=0)
    menu_id = fake.ivr_json(ivr_id)["menus"][0]["id"]

    reply = await call(session, "POST", f"{API}{path.format(ivr=ivr_id, menu=menu_id)}", body)

    assert reply.status == 400
    assert reply.json() == {
        "error": "ParameterMissing",
        "description": f"param is missing or the value is empty: {key}",
    }


async def test_an_empty_write_body_answers_400_parameter_missing(session: ClientSession) -> None:
    reply = await call(session, "POST", f"{API}/ivr", data=b"")

    assert reply.status == 400
    assert reply.json()["error"] == "ParameterMissing"


async def test_invalid_json_answers_400_invalid_json(
    fake: FakeZendesk, session: ClientSession
) -> None:
    reply = await call(session, "POST", f"{API}/ivr", data=b'{"ivr": {"name": ')

    assert reply.status == 400
    assert reply.json()["error"] == "InvalidJSON"
    assert fake.ivr_ids() == []


async def test_read_only_fields_are_ignored_but_kept_in_the_request_log(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr = await create_ivr(session)
    sent = {
        "ivr_menu": {
            "name": "Sneaky",
            "id": 1,
            "default": True,
            "routes": [{"keypress": "1"}],
            "url": "https://elsewhere",
        }
    }

    reply = await call(session, "POST", f"{API}/ivr/{ivr['id']}/menus", sent)

    assert reply.status == 201
    menu = reply.json()["ivr_menu"]
    assert menu["id"] != 1
    assert menu["default"] is False
    assert menu["routes"] == []
    assert fake.requests[-1].json == sent


async def test_read_only_route_and_ivr_fields_are_ignored(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr = await create_ivr(session)
    ivr_reply = await call(
        session,
        "PUT",
        f"{API}/ivr/{ivr['id']}",
        {"ivr": {"name": "Kept", "phone_number_names": ["x"], "menus": []}},
    )
    route_reply = await call(
        session,
        "POST",
        f"{API}/ivr/{ivr['id']}/menus/{ivr['menus'][0]['id']}/routes",
        {
            "ivr_route": {
                "keypress": "2",
                "action": "group",
                "options": {"group_ids": [3]},
                "greeting": "Hello",
                "option_text": "Mine",
            }
        },
    )

    assert ivr_reply.status == 200
    assert ivr_reply.json()["ivr"]["phone_number_names"] == []
    assert ivr_reply.json()["ivr"]["menus"] == ivr["menus"]
    assert route_reply.status == 201
    assert route_reply.json()["ivr_route"]["greeting"] is None
    assert route_reply.json()["ivr_route"]["option_text"] == "Group 3"


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


# --- authentication -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [basic(f"{EMAIL}/token", TOKEN), basic(EMAIL, PASSWORD), f"Bearer {OAUTH}"],
    ids=["api token", "password", "oauth"],
)
async def test_each_configured_auth_scheme_is_accepted(
    fake: FakeZendesk, authorization: str
) -> None:
    async with ClientSession(base_url=fake.url) as client:
        reply = await call(client, "GET", f"{API}/ivr", headers={"Authorization": authorization})

    assert reply.status == 200


@pytest.mark.parametrize(
    "authorization",
    [
        basic(f"{EMAIL}/token", "wrong-token"),
        basic(EMAIL, "wrong-password"),
        "Bearer wrong-oauth-token",
        basic("someone@example.com", PASSWORD),
        basic(f"{EMAIL}/token", PASSWORD),
        basic(EMAIL, TOKEN),
        "Basic not-base64!",
        f"Digest {OAUTH}",
        "",
    ],
)
async def test_wrong_credentials_answer_401(fake: FakeZendesk, authorization: str) -> None:
    async with ClientSession(base_url=fake.url) as client:
        reply = await call(client, "GET", f"{API}/ivr", headers={"Authorization": authorization})

    assert reply.status == 401
    assert reply.json() == {"error": "Couldn't authenticate you"}
    assert "x-request-id" in reply.headers


async def test_no_authorization_header_answers_401_and_is_logged(fake: FakeZendesk) -> None:
    async with ClientSession(base_url=fake.url) as client:
        reply = await call(client, "POST", f"{API}/ivr", {"ivr": {"name": "x"}})

    assert reply.status == 401
    assert fake.ivr_ids() == []
    [logged] = fake.requests
    assert logged.method == "POST"
    assert logged.header("Authorization") is None


async def test_a_scheme_whose_secret_is_none_is_refused() -> None:
    async with (
        await FakeZendesk.start(api_token=None, password=None, oauth_token=None) as fake,
        ClientSession(base_url=fake.url) as client,
    ):
        for authorization in (
            basic(f"{EMAIL}/token", "None"),
            basic(f"{EMAIL}/token", ""),
            basic(EMAIL, ""),
            "Bearer None",
            "Bearer ",
        ):
            reply = await call(
                client, "GET", f"{API}/ivr", headers={"Authorization": authorization}
            )
            assert reply.status == 401, authorization


async def test_start_exposes_the_configured_credentials() -> None:
    async with await FakeZendesk.start(
        email="me@corp.example", api_token="t", password=None, oauth_token="o"
    ) as fake:
        assert (fake.email, fake.api_token, fake.password, fake.oauth_token) == (
            "me@corp.example",
            "t",
            None,
            "o",
        )


# --- pagination ---------------------------------------------------------------------------


async def test_pagination_follows_next_page_through_every_page(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = fake.seed(7, menus=1, routes=0)
    fake.next_page_params = {"opaque": "server-state"}
    url: str | None = f"{fake.url}{API}/ivr.json?per_page=3&sort_by=name"
    seen: list[int] = []
    pages: list[dict[str, Any]] = []

    while url is not None:
        reply = await call(session, "GET", url)
        assert reply.status == 200
        page = reply.json()
        pages.append(page)
        seen.extend(ivr["id"] for ivr in page["ivrs"])
        url = page["next_page"]

    assert seen == ids
    assert [len(page["ivrs"]) for page in pages] == [3, 3, 1]
    assert {page["count"] for page in pages} == {7}
    assert pages[0]["previous_page"] is None
    second = URL(pages[0]["next_page"])
    assert second.path == f"{API}/ivr.json"
    assert dict(second.query) == {
        "per_page": "3",
        "sort_by": "name",
        "page": "2",
        "opaque": "server-state",
    }
    assert URL(pages[2]["previous_page"]).query["page"] == "2"
    assert [r.query_dict.get("opaque") for r in fake.requests] == [
        None,
        "server-state",
        "server-state",
    ]


async def test_repeated_page_parameters_use_the_last_value(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = fake.seed(3, menus=1, routes=0)

    page = (await call(session, "GET", f"{API}/ivr?per_page=1&page=1&page=3")).json()

    assert [ivr["id"] for ivr in page["ivrs"]] == ids[2:]
    assert URL(page["previous_page"]).query.getall("page") == ["2"]


async def test_page_links_keep_the_path_without_json_suffix(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.seed(2, menus=1, routes=0)

    page = (await call(session, "GET", f"{API}/ivr?per_page=1")).json()

    assert page["next_page"] == f"{fake.url}{API}/ivr?per_page=1&page=2"


async def test_menu_and_route_lists_paginate(fake: FakeZendesk, session: ClientSession) -> None:
    [ivr_id] = fake.seed(1, menus=3, routes=4)
    menu_id = fake.ivr_json(ivr_id)["menus"][0]["id"]

    menus = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus?per_page=2&page=2")).json()
    routes = (
        await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{menu_id}/routes?per_page=3")
    ).json()

    assert len(menus["ivr_menus"]) == 1
    assert menus["count"] == 3
    assert menus["next_page"] is None
    assert URL(menus["previous_page"]).query["page"] == "1"
    assert [r["keypress"] for r in routes["ivr_routes"]] == ["1", "2", "3"]
    assert routes["count"] == 4
    assert URL(routes["next_page"]).query["page"] == "2"


async def test_per_page_is_clamped_to_one_and_max_page_size() -> None:
    async with (
        await FakeZendesk.start(max_page_size=5) as fake,
        ClientSession(base_url=fake.url, headers={"Authorization": TOKEN_AUTH}) as client,
    ):
        fake.seed(7, menus=1, routes=0)
        default = (await call(client, "GET", f"{API}/ivr")).json()
        large = (await call(client, "GET", f"{API}/ivr?per_page=50")).json()
        zero = (await call(client, "GET", f"{API}/ivr?per_page=0")).json()

    assert len(default["ivrs"]) == 5
    assert len(large["ivrs"]) == 5
    assert len(zero["ivrs"]) == 1


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-2", "per_page=many", "page="])
async def test_invalid_page_parameters_answer_400(session: ClientSession, query: str) -> None:
    reply = await call(session, "GET", f"{API}/ivr?{query}")

    assert reply.status == 400
    assert reply.json()["error"] == "InvalidPaginationParameter"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=100&per_page=100", 200),
        ("page=101&per_page=100", 400),
        ("page=10000&per_page=1", 200),
        ("page=10001&per_page=1", 400),
    ],
)
async def test_offset_past_10000_records_answers_400_too_many_values(
    session: ClientSession, query: str, status: int
) -> None:
    reply = await call(session, "GET", f"{API}/ivr?{query}")

    assert reply.status == status
    if status == 400:
        assert reply.json()["error"] == "TooManyValues"


# --- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "content_type", "expected"),
    [
        (429, "text/plain; charset=utf-8", b"Too Many Requests"),
        (503, "text/html; charset=utf-8", None),
        (500, JSON_TYPE, {"error": "InternalServerError"}),
        (502, JSON_TYPE, {"error": "InternalServerError"}),
        (504, JSON_TYPE, {"error": "InternalServerError"}),
        (401, JSON_TYPE, {"error": "Couldn't authenticate you"}),
        (403, JSON_TYPE, {"error": "Forbidden"}),
        (404, JSON_TYPE, {"error": "RecordNotFound", "description": "Not found"}),
        (409, JSON_TYPE, {"error": "Conflict", "description": "Conflict"}),
    ],
)
async def test_fail_next_sends_the_status_with_zendesks_default_body(
    fake: FakeZendesk,
    session: ClientSession,
    status: int,
    content_type: str,
    expected: bytes | dict[str, str] | None,
) -> None:
    fake.fail_next(status, retry_after=3)

    reply = await call(session, "GET", f"{API}/ivr")

    assert reply.status == status
    assert reply.headers["Content-Type"] == content_type
    assert reply.headers["Retry-After"] == "3"
    if isinstance(expected, bytes):
        assert reply.body == expected
    elif expected is None:
        assert reply.body.startswith(b"<!DOCTYPE html>")
    else:
        assert expected.items() <= reply.json().items()
    assert (await call(session, "GET", f"{API}/ivr")).status == 200


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [
        (1.5, "1.5"),
        (2.0, "2"),
        (0, "0"),
        ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT"),
    ],
)
async def test_fail_next_retry_after_numbers_as_given_and_strings_verbatim(
    fake: FakeZendesk, session: ClientSession, retry_after: float | str, header: str
) -> None:
    fake.fail_next(429, retry_after=retry_after)

    reply = await call(session, "GET", f"{API}/ivr")

    assert reply.headers["Retry-After"] == header


async def test_fail_next_without_retry_after_sends_no_retry_after(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(503)

    reply = await call(session, "GET", f"{API}/ivr")

    assert reply.status == 503
    assert "Retry-After" not in reply.headers


async def test_fail_next_custom_body_content_type_and_headers(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(418, body="short and stout", headers={"X-Teapot": "yes"})
    fake.fail_next(400, body=b'{"error":"Custom"}')
    fake.fail_next(500, body="<p>oops</p>", content_type="text/html")

    teapot = await call(session, "GET", f"{API}/ivr")
    custom = await call(session, "GET", f"{API}/ivr")
    html = await call(session, "GET", f"{API}/ivr")

    assert (teapot.status, teapot.body) == (418, b"short and stout")
    assert teapot.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert teapot.headers["X-Teapot"] == "yes"
    assert custom.json() == {"error": "Custom"}
    assert custom.headers["Content-Type"] == JSON_TYPE
    assert (html.status, html.headers["Content-Type"], html.body) == (
        500,
        "text/html",
        b"<p>oops</p>",
    )


async def test_fail_next_with_a_2xx_serves_a_canned_success(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(200, body='{"ivr": {"id": "nine"}}', path="/ivr/9$")
    fake.fail_next(204, body="ignored", method="DELETE")

    canned = await call(session, "GET", f"{API}/ivr/9")
    empty = await call(session, "DELETE", f"{API}/ivr/9")

    assert (canned.status, canned.json()) == (200, {"ivr": {"id": "nine"}})
    assert canned.headers["Content-Type"] == JSON_TYPE
    assert (empty.status, empty.body) == (204, b"")


async def test_fail_next_leaves_the_store_alone(fake: FakeZendesk, session: ClientSession) -> None:
    fake.fail_next(500, method="POST")

    failed = await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Lost"}})

    assert failed.status == 500
    assert fake.ivr_ids() == []
    assert (await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Kept"}})).status == 201


async def test_fail_next_matches_only_its_method_and_path(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1, menus=1, routes=0)
    fake.fail_next(502, method="post", path=r"/menus(\.json)?$")

    statuses = [
        (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus")).status,
        (await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "x"}})).status,
        (
            await call(session, "POST", f"{API}/ivr/{ivr_id}/menus", {"ivr_menu": {"name": "a"}})
        ).status,
        (
            await call(session, "POST", f"{API}/ivr/{ivr_id}/menus", {"ivr_menu": {"name": "b"}})
        ).status,
    ]

    assert statuses == [200, 201, 502, 201]


async def test_faults_honour_times_and_queue_in_order(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(503, times=2)
    fake.fail_next(429)

    statuses = [(await call(session, "GET", f"{API}/ivr")).status for _ in range(4)]

    assert statuses == [503, 503, 429, 200]


async def test_fault_helpers_reject_nonsense_and_queue_nothing(
    fake: FakeZendesk, session: ClientSession
) -> None:
    with pytest.raises(ValueError, match="final status"):
        fake.fail_next(101)
    with pytest.raises(ValueError, match="times"):
        fake.fail_next(500, times=0)
    with pytest.raises(ValueError, match="mode"):
        fake.drop_next(mode="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        fake.delay_next(-1)
    with pytest.raises(ValueError, match="positive"):
        fake.rate_limit(0)
    with pytest.raises(ValueError, match="positive"):
        fake.rate_limit(1, window=0)
    with pytest.raises(ValueError, match="negative"):
        fake.latency = -0.1

    assert (await call(session, "GET", f"{API}/ivr")).status == 200
    assert fake.latency == 0
    assert fake.rate_limited_count == 0


async def test_drop_before_response_on_post_is_a_disconnect_and_changes_nothing(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.drop_next(method="POST")

    with pytest.raises(ServerDisconnectedError):
        await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Lost"}})

    assert fake.ivr_ids() == []
    assert [(r.method, r.response_request_id) for r in fake.requests] == [("POST", None)]
    assert (await call(session, "GET", f"{API}/ivr")).status == 200


async def test_drop_before_response_on_get_is_retried_once_by_aiohttp(
    fake: FakeZendesk, session: ClientSession
) -> None:
    # aiohttp resends an idempotent request once when the connection drops before
    # a response, so one drop is invisible to it and two surface as an error.
    fake.drop_next(method="GET")
    survived = await call(session, "GET", f"{API}/ivr")
    fake.drop_next(times=2, method="GET")

    with pytest.raises(ClientConnectionError):
        await call(session, "GET", f"{API}/ivr")

    assert survived.status == 200
    assert [r.method for r in fake.requests] == ["GET"] * 4


async def test_drop_mid_body_is_a_payload_error(fake: FakeZendesk, session: ClientSession) -> None:
    fake.seed(2)
    fake.drop_next(mode="mid_body")

    async with session.get(f"{API}/ivr") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        assert "x-request-id" in response.headers
        with pytest.raises(ClientPayloadError):
            await response.read()

    assert (await call(session, "GET", f"{API}/ivr")).status == 200


async def test_drop_mid_body_after_a_write_keeps_the_write(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.drop_next(mode="mid_body", method="POST")

    with pytest.raises(ClientPayloadError):
        await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Saved"}})

    assert len(fake.ivr_ids()) == 1


async def test_truncate_next_sends_half_the_body_as_invalid_json(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.seed(2)
    full = await call(session, "GET", f"{API}/ivr")
    fake.truncate_next(path="/ivr$")

    cut = await call(session, "GET", f"{API}/ivr")

    assert cut.status == 200
    assert cut.headers["Content-Type"] == JSON_TYPE
    assert int(cut.headers["Content-Length"]) == len(cut.body)
    assert cut.body == full.body[: len(full.body) // 2]
    with pytest.raises(json.JSONDecodeError):
        cut.json()


async def test_delay_next_delays_only_matching_requests(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1, menus=1, routes=0)
    fake.delay_next(0.3, path="/menus")

    started = time.monotonic()
    fast = await call(session, "GET", f"{API}/ivr")
    fast_time = time.monotonic() - started
    slow = await call(session, "GET", f"{API}/ivr/{ivr_id}/menus")
    slow_time = time.monotonic() - started - fast_time

    assert (fast.status, slow.status) == (200, 200)
    assert fast_time < 0.3
    assert slow_time >= 0.3


async def test_latency_is_added_to_every_request(fake: FakeZendesk, session: ClientSession) -> None:
    fake.latency = 0.15

    started = time.monotonic()
    replies = [
        await call(session, "GET", f"{API}/ivr"),
        await call(session, "GET", "/nowhere"),
    ]
    elapsed = time.monotonic() - started

    assert [r.status for r in replies] == [200, 404]
    assert elapsed >= 0.3
    assert fake.latency == 0.15


async def test_the_fake_reports_a_plan_limit_of_2500_a_minute_by_default(
    session: ClientSession,
) -> None:
    replies = [await call(session, "GET", f"{API}/ivr") for _ in range(3)]

    assert [r.status for r in replies] == [200, 200, 200]
    assert {r.headers["X-Rate-Limit"] for r in replies} == {"2500"}
    assert [r.headers["X-Rate-Limit-Remaining"] for r in replies] == ["2499", "2498", "2497"]


async def test_a_spent_window_answers_429_text_until_it_turns_over(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.rate_limit(2, window=0.4)

    replies = [await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "x"}}) for _ in range(3)]
    await asyncio.sleep(0.45)
    turned = await call(session, "GET", f"{API}/ivr")

    assert [r.status for r in replies] == [201, 201, 429]
    limited = replies[2]
    assert limited.headers["Retry-After"] == "1"  # 0.4 s left, in whole seconds
    assert limited.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert limited.body == b"Too Many Requests"
    assert {r.headers["X-Rate-Limit"] for r in [*replies, turned]} == {"2"}
    assert [r.headers["X-Rate-Limit-Remaining"] for r in replies] == ["1", "0", "0"]
    assert (turned.status, turned.headers["X-Rate-Limit-Remaining"]) == (200, "1")
    assert fake.rate_limited_count == 1
    assert [(r.window, r.rate_limited) for r in fake.requests] == [
        (1, False),
        (1, False),
        (1, True),
        (2, False),
    ]
    assert len(fake.ivr_ids()) == 2  # the refused create was not carried out
    assert len(fake.requests) == 4


async def test_rate_limit_retry_after_override_and_switching_off(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.rate_limit(1, retry_after=7)
    first = await call(session, "GET", f"{API}/ivr")
    limited = await call(session, "GET", f"{API}/ivr")
    fake.rate_limit(None)
    free = await call(session, "GET", f"{API}/ivr")

    assert (first.status, limited.status, free.status) == (200, 429, 200)
    assert limited.headers["Retry-After"] == "7"
    assert "X-Rate-Limit" not in free.headers
    assert fake.rate_limited_count == 1


async def test_no_rate_limit_headers_without_a_limit() -> None:
    async with (
        await FakeZendesk.start(rate_limit=None) as fake,
        ClientSession(headers={"Authorization": basic(f"{EMAIL}/token", TOKEN)}) as session,
    ):
        replies = [await call(session, "GET", f"{fake.url}{API}/ivr") for _ in range(3)]

    assert [r.status for r in replies] == [200, 200, 200]
    assert all("X-Rate-Limit" not in r.headers for r in replies)
    assert all("X-Rate-Limit-Remaining" not in r.headers for r in replies)


async def test_every_response_has_a_unique_request_id(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr = await create_ivr(session)
    routes = f"{API}/ivr/{ivr['id']}/menus/{ivr['menus'][0]['id']}/routes"
    route = await call(
        session,
        "POST",
        routes,
        {"ivr_route": {"keypress": "1", "action": "group", "options": {"group_ids": [1]}}},
    )
    replies = [
        route,
        await call(session, "GET", f"{API}/ivr"),
        await call(session, "DELETE", f"{routes}/{route.json()['ivr_route']['id']}"),
        await call(session, "GET", "/missing"),
        await call(session, "PATCH", f"{API}/ivr"),
        await call(session, "POST", f"{API}/ivr", {"ivr": {}}),
        await call(session, "POST", f"{API}/ivr", {"ivr": {"name": ""}}),
        await call(session, "GET", f"{API}/ivr", headers={"Authorization": "Bearer nope"}),
    ]
    fake.fail_next(503)
    replies.append(await call(session, "GET", f"{API}/ivr"))
    fake.truncate_next()
    replies.append(await call(session, "GET", f"{API}/ivr"))
    fake.rate_limit(1)
    replies.append(await call(session, "GET", f"{API}/ivr"))
    replies.append(await call(session, "GET", f"{API}/ivr"))

    assert [r.status for r in replies] == [
        201,
        200,
        204,
        404,
        405,
        400,
        422,
        401,
        503,
        200,
        200,
        429,
    ]
    request_ids = [r.headers["x-request-id"] for r in replies]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in request_ids)
    assert len(set(request_ids)) == len(request_ids)
    assert all(
        "X-Rate-Limit" in r.headers and "X-Rate-Limit-Remaining" in r.headers for r in replies
    )


# --- the request log ----------------------------------------------------------------------


async def test_request_log_records_each_request_as_received(
    fake: FakeZendesk, session: ClientSession
) -> None:
    await call(session, "GET", f"{API}/ivr.json?page=1&tag=a&tag=b")
    await call(
        session,
        "POST",
        f"{API}/ivr",
        {"ivr": {"name": "Logged"}},
        headers={"X-Custom-Header": "yes"},
    )
    await call(session, "POST", f"{API}/ivr", data=b"not json")

    listing, created, garbage = fake.requests
    assert isinstance(listing, RecordedRequest)
    assert (listing.method, listing.path) == ("GET", f"{API}/ivr.json")
    assert listing.query == (("page", "1"), ("tag", "a"), ("tag", "b"))
    assert listing.query_dict == {"page": "1", "tag": "b"}
    assert listing.body == b""
    assert listing.json is None
    assert (created.method, created.path, created.query) == ("POST", f"{API}/ivr", ())
    assert "X-Custom-Header" in created.headers
    assert created.header("x-custom-header") == "yes"
    assert created.header("AUTHORIZATION") == TOKEN_AUTH
    assert created.header("X-Absent") is None
    assert created.json == {"ivr": {"name": "Logged"}}
    assert created.body == b'{"ivr": {"name": "Logged"}}'
    assert garbage.json is None
    assert garbage.body == b"not json"


async def test_requests_returns_a_copy_and_clear_requests_empties_the_log(
    fake: FakeZendesk, session: ClientSession
) -> None:
    await call(session, "GET", f"{API}/ivr")
    snapshot = fake.requests
    snapshot.clear()

    assert len(fake.requests) == 1
    fake.clear_requests()
    assert fake.requests == []


async def test_the_log_keeps_the_request_id_each_response_carried(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(503)
    replies = [await call(session, "GET", f"{API}/ivr") for _ in range(2)]
    async with ClientSession(base_url=fake.url) as anonymous:
        replies.append(await call(anonymous, "GET", f"{API}/ivr"))

    assert [r.status for r in replies] == [503, 200, 401]
    assert [r.response_request_id for r in fake.requests] == [
        r.headers["x-request-id"] for r in replies
    ]


async def test_max_in_flight_is_the_peak_of_concurrent_requests(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.latency = 0.1

    await asyncio.gather(*(call(session, "GET", f"{API}/ivr") for _ in range(4)))
    peak = fake.max_in_flight
    await call(session, "GET", f"{API}/ivr")

    assert peak == 4
    assert fake.max_in_flight == 4


# --- seeding and inspection ---------------------------------------------------------------


async def test_seed_builds_ivrs_with_menus_and_realistic_routes(fake: FakeZendesk) -> None:
    ids = fake.seed(2, menus=3, routes=12)

    assert fake.ivr_ids() == ids
    for ivr_id in ids:
        ivr = fake.ivr_json(ivr_id)
        assert len(ivr["phone_number_ids"]) == len(ivr["phone_number_names"]) == 2
        assert [m["default"] for m in ivr["menus"]] == [True, False, False]
        assert ivr["menus"][0]["name"] == "Main menu"
        menu_ids = {m["id"] for m in ivr["menus"]}
        actions = set()
        for menu in ivr["menus"]:
            assert [r["keypress"] for r in menu["routes"]] == list(SEED_KEYPRESSES)
            for r in menu["routes"]:
                actions.add(r["action"])
                options = r["options"]
                if r["action"] in ("group", "voicemail"):
                    assert options["group_ids"]
                    assert all(isinstance(g, int) for g in options["group_ids"])
                elif r["action"] == "phone_number":
                    assert re.fullmatch(r"\+1555\d{7}", options["phone_number"])
                elif r["action"] == "textback":
                    assert isinstance(options["textback_phone_number_id"], int)
                    assert options["sms_text"]
                else:
                    assert options["menu_id"] in menu_ids - {menu["id"]}
        assert actions == {"group", "voicemail", "phone_number", "textback", "menu"}


def test_seed_with_one_menu_makes_no_menu_routes() -> None:
    store = Store()
    [ivr_id] = seed_ivrs(store, 1, menus=1, routes=12)

    [menu] = store.ivrs[ivr_id].menus.values()
    assert "menu" not in {r.action for r in menu.routes.values()}
    assert len(menu.routes) == 12


def test_seed_rejects_impossible_shapes() -> None:
    store = Store()

    with pytest.raises(ValueError, match="routes"):
        seed_ivrs(store, 1, routes=13)
    with pytest.raises(ValueError, match="menus"):
        seed_ivrs(store, 1, menus=0)
    with pytest.raises(ValueError, match="ivrs"):
        seed_ivrs(store, -1)
    assert store.ivrs == {}


def test_seed_is_deterministic() -> None:
    first, second = Store(), Store()

    seed_ivrs(first, 3, menus=2, routes=5)
    seed_ivrs(second, 3, menus=2, routes=5)

    assert [render_ivr(i, "http://x") for i in first.ivrs.values()] == [
        render_ivr(i, "http://x") for i in second.ivrs.values()
    ]


def test_seeded_routes_pass_the_stores_own_validation() -> None:
    store = Store()
    seed_ivrs(store, 2, menus=3, routes=12)

    for ivr in store.ivrs.values():
        for menu in ivr.menus.values():
            for route_id in list(menu.routes):
                store.update_route(ivr.id, menu.id, route_id, {})


async def test_ivr_json_raises_key_error_for_an_unknown_ivr(fake: FakeZendesk) -> None:
    with pytest.raises(KeyError):
        fake.ivr_json(FIRST_ID)


# --- groups and greetings ------------------------------------------------------------------


GROUP_KEYS = {"id", "name", "description", "default", "deleted", "created_at", "updated_at", "url"}
GREETING_KEYS = {
    "id",
    "name",
    "category_id",
    "active",
    "default",
    "default_lang",
    "pending",
    "audio_name",
    "audio_url",
    "ivr_ids",
    "phone_number_ids",
    "has_sub_settings",
    "url",
}


async def test_groups_list_renders_each_group_as_zendesk_does(
    fake: FakeZendesk, session: ClientSession
) -> None:
    first = fake.add_group("Support Tier 1")
    second = fake.add_group("Billing")

    reply = await call(session, "GET", "/api/v2/groups")

    assert reply.status == 200
    assert reply.headers["Content-Type"] == JSON_TYPE
    body = reply.json()
    assert body["count"] == 2
    assert body["next_page"] is None
    assert body["previous_page"] is None
    groups = body["groups"]
    assert [g["id"] for g in groups] == [first, second] == fake.group_ids()
    for group in groups:
        assert set(group) == GROUP_KEYS
        assert group["deleted"] is False
        assert group["description"] == ""
        assert group["url"] == f"{fake.url}/api/v2/groups/{group['id']}.json"
        for key in ("created_at", "updated_at"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", group[key])
    assert [(g["name"], g["default"]) for g in groups] == [
        ("Support Tier 1", True),
        ("Billing", False),
    ]


async def test_greetings_list_shows_which_ivrs_and_numbers_play_each(
    fake: FakeZendesk, session: ClientSession
) -> None:
    used = fake.add_greeting("Welcome")
    unused = fake.add_greeting("Hold music", category_id=4)
    ivr_id = fake.put_ivr(
        {
            "name": "Support",
            "phone_number_ids": [30, 10],
            "menus": [
                {"name": "Main menu", "default": True, "greeting_id": used, "routes": []},
                {"name": "Billing", "default": False, "greeting_id": used, "routes": []},
            ],
        }
    )

    reply = await call(session, "GET", f"{API}/greetings")

    assert reply.status == 200
    body = reply.json()
    assert body["count"] == 2
    first, second = body["greetings"]
    assert set(first) == set(second) == GREETING_KEYS
    assert first["id"] == used
    assert first["name"] == "Welcome"
    assert first["category_id"] == 5
    assert first["ivr_ids"] == [ivr_id]
    assert first["phone_number_ids"] == [10, 30]
    assert first["active"] is True
    assert first["default"] is False
    assert first["pending"] is False
    assert first["audio_name"] == "welcome.mp3"
    assert first["audio_url"].endswith("/welcome.mp3")
    assert first["url"] == f"{fake.url}{API}/greetings/{used}.json"
    assert (second["id"], second["category_id"]) == (unused, 4)
    assert (second["ivr_ids"], second["phone_number_ids"], second["active"]) == ([], [], False)
    assert fake.greeting_ids() == [used, unused]


@pytest.mark.parametrize("path", ["/api/v2/groups", f"{API}/greetings"])
@pytest.mark.parametrize("suffix", ["", ".json"])
async def test_groups_and_greetings_answer_with_or_without_json_suffix(
    fake: FakeZendesk, session: ClientSession, path: str, suffix: str
) -> None:
    fake.add_group("Billing")
    fake.add_greeting("Welcome")

    reply = await call(session, "GET", f"{path}{suffix}")

    assert reply.status == 200
    assert reply.json()["count"] == 1


@pytest.mark.parametrize(
    ("path", "key", "add"),
    [
        ("/api/v2/groups.json", "groups", FakeZendesk.add_group),
        (f"{API}/greetings.json", "greetings", FakeZendesk.add_greeting),
    ],
)
async def test_groups_and_greetings_paginate_like_the_ivr_listing(
    fake: FakeZendesk,
    session: ClientSession,
    path: str,
    key: str,
    add: Callable[[FakeZendesk, str], int],
) -> None:
    ids = [add(fake, f"Item {n}") for n in range(5)]
    fake.next_page_params = {"opaque": "server-state"}
    url: str | None = f"{fake.url}{path}?per_page=2"
    pages: list[dict[str, Any]] = []

    while url is not None:
        reply = await call(session, "GET", url)
        assert reply.status == 200
        pages.append(reply.json())
        url = pages[-1]["next_page"]

    assert [item["id"] for page in pages for item in page[key]] == ids
    assert [len(page[key]) for page in pages] == [2, 2, 1]
    assert {page["count"] for page in pages} == {5}
    assert pages[0]["previous_page"] is None
    second = URL(pages[0]["next_page"])
    assert (second.scheme, second.path) == ("http", path)
    assert dict(second.query) == {"per_page": "2", "page": "2", "opaque": "server-state"}
    assert URL(pages[2]["previous_page"]).query["page"] == "2"


@pytest.mark.parametrize("path", ["/api/v2/groups", f"{API}/greetings.json"])
async def test_groups_and_greetings_need_credentials(fake: FakeZendesk, path: str) -> None:
    fake.add_group("Billing")
    fake.add_greeting("Welcome")

    async with ClientSession(base_url=fake.url) as client:
        missing = await call(client, "GET", path)
        wrong = await call(
            client, "GET", path, headers={"Authorization": basic(f"{EMAIL}/token", "nope")}
        )

    for reply in (missing, wrong):
        assert reply.status == 401
        assert reply.json() == {"error": "Couldn't authenticate you"}


@pytest.mark.parametrize("path", ["/api/v2/groups", f"{API}/greetings"])
async def test_groups_and_greetings_are_read_only(session: ClientSession, path: str) -> None:
    reply = await call(session, "POST", path, {"group": {"name": "x"}})

    assert reply.status == 405
    assert reply.json()["error"] == "MethodNotAllowed"


async def test_deleted_groups_and_greetings_leave_their_listings(
    fake: FakeZendesk, session: ClientSession
) -> None:
    kept, gone = fake.add_group("Billing"), fake.add_group("Retired")
    greeting, old = fake.add_greeting("Welcome"), fake.add_greeting("Old")

    fake.delete_group(gone)
    fake.delete_greeting(old)

    groups = (await call(session, "GET", "/api/v2/groups")).json()
    greetings = (await call(session, "GET", f"{API}/greetings")).json()
    assert [g["id"] for g in groups["groups"]] == [kept] == fake.group_ids()
    assert groups["count"] == 1
    assert [g["id"] for g in greetings["greetings"]] == [greeting] == fake.greeting_ids()
    assert greetings["count"] == 1
    with pytest.raises(KeyError):
        fake.delete_group(gone)
    with pytest.raises(KeyError):
        fake.delete_greeting(old)


async def test_group_routes_name_known_groups_in_option_text(
    fake: FakeZendesk, session: ClientSession
) -> None:
    billing = fake.add_group("Billing")
    ivr = await create_ivr(session)
    routes = f"{API}/ivr/{ivr['id']}/menus/{ivr['menus'][0]['id']}/routes"
    sent = {"keypress": "1", "action": "group", "options": {"group_ids": [billing, 77]}}

    reply = await call(session, "POST", routes, {"ivr_route": sent})

    assert reply.json()["ivr_route"]["option_text"] == "Billing, Group 77"


@pytest.mark.parametrize(("menus", "routes"), [(3, 3), (4, 2), (2, 1), (3, 12)])
async def test_seed_creates_the_groups_its_routes_name_and_reaches_every_menu(
    fake: FakeZendesk, session: ClientSession, menus: int, routes: int
) -> None:
    ids = fake.seed(3, menus=menus, routes=routes)

    listed = (await call(session, "GET", "/api/v2/groups")).json()["groups"]
    groups = {group["id"] for group in listed}
    for ivr_id in ids:
        ivr = fake.ivr_json(ivr_id)
        by_id = {m["id"]: m for m in ivr["menus"]}
        named = {
            g
            for m in by_id.values()
            for r in m["routes"]
            for g in r["options"].get("group_ids", [])
        }
        assert named <= groups
        reached, todo = set(), [ivr["menus"][0]["id"]]
        while todo:
            menu_id = todo.pop()
            if menu_id not in reached:
                reached.add(menu_id)
                todo += [
                    r["options"]["menu_id"]
                    for r in by_id[menu_id]["routes"]
                    if r["action"] == "menu"
                ]
        assert reached == set(by_id)
    assert groups
    assert {g["name"] for g in listed} <= {
        "Support",
        "Billing",
        "Sales",
        "Technical support",
        "Returns",
        "VIP",
        "Partners",
        "Onboarding",
        "Escalations",
        "Spanish support",
        "After hours",
        "Shipping",
    }


# --- raw trees and embedded routes ----------------------------------------------------------


def raw_tree(dead_menu_id: int) -> dict[str, Any]:
    """Two default menus, a dead key and a duplicate keypress: all refused by the API."""
    return {
        "id": 1,
        "name": "Planted",
        "phone_number_ids": [5, 6],
        "phone_number_names": ["+1 (415) 555-0100", "Back office"],
        "menus": [
            {
                "id": 2,
                "name": "Main menu",
                "default": True,
                "greeting_id": 999,
                "routes": [
                    {"id": 3, "keypress": "1", "action": "menu", "options": {"menu_id": "@menu:1"}},
                    {"keypress": "1", "action": "menu", "options": {"menu_id": dead_menu_id}},
                    {
                        "keypress": "2",
                        "action": "group",
                        "options": {"group_ids": []},
                        "overflow_options": [{"kind": "voicemail"}],
                    },
                ],
            },
            {
                "name": "Billing",
                "default": True,
                "greeting_id": None,
                "routes": [{"keypress": "*", "action": "menu", "options": {"menu_id": "@menu:0"}}],
            },
        ],
    }


async def test_put_ivr_stores_a_tree_the_api_would_refuse_with_fresh_ids(
    fake: FakeZendesk, session: ClientSession
) -> None:
    before = fake.seed(1, menus=1, routes=0)

    ivr_id = fake.put_ivr(raw_tree(dead_menu_id=42))

    assert fake.ivr_ids() == [*before, ivr_id]
    ivr = fake.ivr_json(ivr_id)
    main, billing = ivr["menus"]
    route_ids = [r["id"] for m in ivr["menus"] for r in m["routes"]]
    # The IVR, then its menus, then their routes, all after what existed.
    assert [ivr_id, main["id"], billing["id"], *route_ids] == list(
        range(ivr_id, ivr_id + 2 + len(route_ids) + 1)
    )
    assert ivr_id > max(before)
    assert ivr["name"] == "Planted"
    assert ivr["phone_number_ids"] == [5, 6]
    assert ivr["phone_number_names"] == ["+1 (415) 555-0100", "Back office"]
    assert [(m["name"], m["default"], m["greeting_id"]) for m in ivr["menus"]] == [
        ("Main menu", True, 999),
        ("Billing", True, None),
    ]
    assert [(r["keypress"], r["options"]) for r in main["routes"]] == [
        ("1", {"menu_id": billing["id"]}),
        ("1", {"menu_id": 42}),
        ("2", {"group_ids": []}),
    ]
    assert main["routes"][2]["overflow_options"] == [{"kind": "voicemail"}]
    assert main["routes"][0]["overflow_options"] == []
    assert billing["routes"][0]["options"] == {"menu_id": main["id"]}


async def test_put_ivr_trees_are_served_by_every_endpoint(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr_id = fake.put_ivr(raw_tree(dead_menu_id=42))
    ivr = fake.ivr_json(ivr_id)
    main = ivr["menus"][0]
    route = main["routes"][1]

    listed = (await call(session, "GET", f"{API}/ivr")).json()
    shown = (await call(session, "GET", f"{API}/ivr/{ivr_id}.json")).json()
    menus = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus")).json()
    menu = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{main['id']}")).json()
    routes = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{main['id']}/routes")).json()
    one = (
        await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{main['id']}/routes/{route['id']}")
    ).json()

    assert listed["ivrs"] == [ivr]
    assert shown == {"ivr": ivr}
    assert menus["ivr_menus"] == ivr["menus"]
    assert menu == {"ivr_menu": main}
    assert routes["ivr_routes"] == main["routes"]
    assert one == {"ivr_route": route}
    assert one["ivr_route"]["options"] == {"menu_id": 42}


async def test_put_ivr_trees_can_be_edited_through_the_api(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr_id = fake.put_ivr(raw_tree(dead_menu_id=42))
    main = fake.ivr_json(ivr_id)["menus"][0]
    dead = main["routes"][1]
    path = f"{API}/ivr/{ivr_id}/menus/{main['id']}/routes/{dead['id']}"

    reply = await call(
        session,
        "PUT",
        path,
        {"ivr_route": {"keypress": "3", "action": "voicemail", "options": {"group_ids": [1]}}},
    )

    assert reply.status == 200, reply.body
    assert fake.ivr_json(ivr_id)["menus"][0]["routes"][1]["options"] == {"group_ids": [1]}


def test_put_ivr_copies_its_input_and_fills_optional_keys() -> None:
    store = Store()
    group_ids = [1]
    tree: dict[str, Any] = {
        "name": "Bare",
        "menus": [
            {
                "name": "Main menu",
                "routes": [
                    {"keypress": "1", "action": "group", "options": {"group_ids": group_ids}}
                ],
            }
        ],
    }

    ivr = store.put_ivr(tree)
    group_ids.append(2)

    rendered = render_ivr(ivr, "http://x")
    assert rendered["phone_number_ids"] == []
    assert rendered["phone_number_names"] == []
    [menu] = rendered["menus"]
    assert (menu["default"], menu["greeting_id"]) == (False, None)
    assert menu["routes"][0]["options"] == {"group_ids": [1]}
    assert menu["routes"][0]["overflow_options"] == []


@pytest.mark.parametrize("reference", ["@menu:2", "@menu:-1", "@menu:", "@menu:one"])
def test_put_ivr_refuses_a_reference_to_no_menu_and_stores_nothing(reference: str) -> None:
    store = Store()
    tree = raw_tree(dead_menu_id=42)
    tree["menus"][1]["routes"][0]["options"]["menu_id"] = reference

    with pytest.raises(ValueError, match="names no menu"):
        store.put_ivr(tree)
    assert store.ivrs == {}


def test_put_ivr_refuses_unpaired_phone_number_names() -> None:
    store = Store()

    with pytest.raises(ValueError, match="pair up"):
        store.put_ivr({"name": "x", "phone_number_ids": [1, 2], "phone_number_names": ["a"]})
    assert store.ivrs == {}


async def test_omit_embedded_routes_drops_routes_from_ivrs_but_not_menu_endpoints(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1, menus=2, routes=3)
    full = fake.ivr_json(ivr_id)
    assert fake.omit_embedded_routes is False

    fake.omit_embedded_routes = True
    listed = (await call(session, "GET", f"{API}/ivr")).json()["ivrs"][0]
    shown = (await call(session, "GET", f"{API}/ivr/{ivr_id}")).json()["ivr"]
    menus = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus")).json()["ivr_menus"]
    menu_id = full["menus"][1]["id"]
    menu = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{menu_id}")).json()["ivr_menu"]
    routes = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{menu_id}/routes")).json()

    bare = {**full, "menus": [{k: v for k, v in m.items() if k != "routes"} for m in full["menus"]]}
    assert fake.omit_embedded_routes is True
    assert listed == shown == fake.ivr_json(ivr_id) == bare
    assert all("routes" not in m for m in shown["menus"])
    assert menus == full["menus"]
    assert menu == full["menus"][1]
    assert routes["ivr_routes"] == full["menus"][1]["routes"]
    assert routes["count"] == 3

    fake.omit_embedded_routes = False
    assert (await call(session, "GET", f"{API}/ivr/{ivr_id}")).json()["ivr"] == full


# --- lifecycle ----------------------------------------------------------------------------


async def test_url_is_local_and_aclose_is_idempotent() -> None:
    fake = await FakeZendesk.start()
    url = fake.url

    await fake.aclose()
    await fake.aclose()

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    async with ClientSession() as client:
        with pytest.raises(ClientConnectionError):
            await call(client, "GET", f"{url}{API}/ivr")


async def test_start_rejects_a_page_size_below_one() -> None:
    with pytest.raises(ValueError, match="max_page_size"):
        await FakeZendesk.start(max_page_size=0)


async def test_closing_during_a_delayed_request_does_not_hang() -> None:
    fake = await FakeZendesk.start()
    fake.delay_next(5)
    async with ClientSession(base_url=fake.url, headers={"Authorization": TOKEN_AUTH}) as client:
        pending = asyncio.ensure_future(call(client, "GET", f"{API}/ivr"))
        await asyncio.sleep(0.2)
        assert fake.requests, "the request should be waiting in the fake by now"
        started = time.monotonic()
        await fake.aclose()
        with pytest.raises(ClientConnectionError):
            await pending

    assert time.monotonic() - started < 2


# --- the pure state module ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, PageRequest(1, 100)),
        ({"page": "3", "per_page": "20"}, PageRequest(3, 20)),
        ({"per_page": "1000"}, PageRequest(1, 100)),
        ({"per_page": "-5"}, PageRequest(1, 1)),
    ],
)
def test_parse_page_request(query: dict[str, str], expected: PageRequest) -> None:
    assert parse_page_request(query, max_page_size=100) == expected


def test_parse_page_request_default_per_page_respects_max_page_size() -> None:
    assert parse_page_request({}, max_page_size=10) == PageRequest(1, 10)


@pytest.mark.parametrize(
    ("total", "page", "expected"),
    [
        (7, 1, PageSlice(0, 3, 2, None)),
        (7, 2, PageSlice(3, 6, 3, 1)),
        (7, 3, PageSlice(6, 7, None, 2)),
        (7, 4, PageSlice(9, 9, None, 3)),
        (6, 2, PageSlice(3, 6, None, 1)),
        (0, 1, PageSlice(0, 0, None, None)),
    ],
)
def test_page_slice(total: int, page: int, expected: PageSlice) -> None:
    assert page_slice(total, PageRequest(page, 3)) == expected


def test_page_link_replaces_page_and_adds_server_params() -> None:
    url = URL("http://h:1/api/v2/channels/voice/ivr.json?page=1&per_page=2&page=1&q=a%20b")

    link = page_link(url, 2, {"opaque": "x"})

    assert link == "http://h:1/api/v2/channels/voice/ivr.json?page=2&per_page=2&q=a+b&opaque=x"


@pytest.mark.parametrize(
    ("authorization", "accepted"),
    [
        (basic(f"{EMAIL}/token", TOKEN), True),
        (basic(f"{EMAIL.upper()}/token", TOKEN), True),
        (basic(EMAIL, PASSWORD), True),
        ("bearer " + OAUTH, True),
        (basic(EMAIL, PASSWORD + ":extra"), False),
        (basic(f"{EMAIL}/token", ""), False),
        ("Bearer", False),
        ("Basic %%%", False),
        (None, False),
    ],
)
def test_credentials_accepts(authorization: str | None, accepted: bool) -> None:
    credentials = Credentials(EMAIL, TOKEN, PASSWORD, OAUTH)

    assert credentials.accepts(authorization) is accepted


def test_credentials_with_a_none_secret_refuse_that_scheme() -> None:
    credentials = Credentials(EMAIL, None, PASSWORD, None)

    assert credentials.accepts(basic(EMAIL, PASSWORD))
    assert not credentials.accepts(basic(f"{EMAIL}/token", "None"))
    assert not credentials.accepts("Bearer None")


def test_rate_window_spends_turns_over_and_reports_retry_after() -> None:
    window = RateWindow.create(3, length=10, retry_after=None)

    spent = [window.take(100) for _ in range(4)]
    remaining = window.remaining
    later = window.take(107.5)
    turned = window.take(110)

    assert spent == [None, None, None, 10]  # opened at 100 by the first request
    assert remaining == 0
    assert later == 3  # 2.5 s left, rounded up to whole seconds
    assert turned is None  # a new window opened at 110 with this request
    assert window.remaining == 2


def test_rate_window_retry_after_is_at_least_a_second_or_the_override() -> None:
    window = RateWindow.create(1, length=10, retry_after=None)
    window.take(0)
    fixed = RateWindow.create(1, length=10, retry_after=7)
    fixed.take(0)

    assert window.take(9.99) == 1
    assert fixed.take(1) == 7


@pytest.mark.parametrize(
    ("limit", "length"), [(0, 60), (-1, 60), (2.5, 60), (True, 60), (5, 0), (5, math.inf)]
)
def test_rate_window_refuses_nonsense(limit: int, length: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateWindow.create(limit, length=length, retry_after=None)


def test_fault_queue_matches_in_order_by_method_and_path() -> None:
    queue = FaultQueue()
    queue.add(DelayFault(1), method="get", path="/menus")
    queue.add(TruncateFault(), times=2)

    taken = [
        queue.take("POST", "/ivr/1/menus"),
        queue.take("GET", "/ivr/1/menus.json"),
        queue.take("GET", "/ivr/1/menus"),
        queue.take("GET", "/ivr"),
    ]

    assert taken == [TruncateFault(), DelayFault(1), TruncateFault(), None]
    assert len(queue) == 0


@pytest.mark.parametrize(
    ("value", "header"), [(3, "3"), (3.0, "3"), (0.25, "0.25"), ("soon", "soon")]
)
def test_format_retry_after(value: float | str, header: str) -> None:
    assert format_retry_after(value) == header


def test_status_fault_guesses_content_type_of_custom_bodies() -> None:
    assert status_fault(500, body='{"a":1}').content_type.startswith("application/json")
    assert status_fault(500, body="plain").content_type.startswith("text/plain")
    assert status_fault(500, body="plain", content_type="text/x").content_type == "text/x"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "ParameterMissing"),
        (b"   ", "ParameterMissing"),
        (b"[1]", "ParameterMissing"),
        (b'{"ivr": null}', "ParameterMissing"),
        (b"{", "InvalidJSON"),
        (b"\xff\xfe", "InvalidJSON"),
    ],
)
def test_parse_wrapped_refuses_bad_bodies(body: bytes, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_wrapped(body, "ivr")

    assert caught.value.status == 400
    assert caught.value.body["error"] == error


def test_parse_wrapped_returns_the_wrapped_object() -> None:
    assert parse_wrapped(b'{"ivr": {"name": "x"}, "extra": 1}', "ivr") == {"name": "x"}


def test_store_update_validates_the_merged_record() -> None:
    store = Store()
    [ivr_id] = seed_ivrs(store, 1, menus=1, routes=0)
    menu_id = next(iter(store.ivrs[ivr_id].menus))
    route = store.create_route(
        ivr_id,
        menu_id,
        {"keypress": "1", "action": "phone_number", "options": {"phone_number": "+1"}},
    )

    with pytest.raises(ApiError) as caught:
        store.update_route(ivr_id, menu_id, route.id, {"action": "voicemail"})

    assert caught.value.status == 422
    assert set(caught.value.body["details"]) == {"options"}
    assert store.route(ivr_id, menu_id, route.id).action == "phone_number"


def test_store_ids_come_from_one_counter() -> None:
    store = Store()
    ivr = store.create_ivr({"name": "a"})
    menu = store.create_menu(ivr.id, {"name": "b"})

    assert [ivr.id, *ivr.menus] == [FIRST_ID, FIRST_ID + 1, FIRST_ID + 2]
    assert menu.id == FIRST_ID + 2


def test_admit_reports_no_limit_without_a_limiter() -> None:
    state = FakeState(Credentials(EMAIL, TOKEN, None, None))

    admissions = [state.admit(now) for now in (0, 1, 30, 61)]

    assert all(a.retry_after is None for a in admissions)
    assert all(a.limit is None and a.remaining is None for a in admissions)
    assert state.rate_limited_count == 0


def test_recorded_request_helpers() -> None:
    request = RecordedRequest(
        method="PUT",
        path="/x",
        query=(("a", "1"), ("a", "2")),
        headers={"Content-Type": "application/json"},
        body=b"null",
    )

    assert request.query_dict == {"a": "2"}
    assert request.header("content-type") == "application/json"
    assert request.json is None
    assert hash(request) == hash(attrs.evolve(request, headers={}))
