"""IVRs, menus and routes over HTTP, the paths they answer on and the bodies they accept."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import (
    ClientSession,
)

from tests.fake.fake_http import (
    API,
    JSON_TYPE,
    call,
    create_ivr,
)
from zendesk_ivr.testing import FakeZendesk
from zendesk_ivr.testing._state import FIRST_ID

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
