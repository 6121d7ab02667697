"""Seeding, groups and greetings, raw trees and embedded routes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import (
    ClientSession,
)
from yarl import URL

from tests.fake.fake_http import (
    API,
    EMAIL,
    JSON_TYPE,
    basic,
    call,
    create_ivr,
)
from zendesk_ivr.testing import BUILT_IN_GREETING_IDS, FakeZendesk
from zendesk_ivr.testing._render import render_ivr
from zendesk_ivr.testing._seeding import SEED_GROUP_NAMES, SEED_KEYPRESSES, seed_ivrs
from zendesk_ivr.testing._state import FIRST_ID, Store

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


async def test_ivr_json_is_a_copy_that_changing_leaves_the_account_alone(
    fake: FakeZendesk,
) -> None:
    ivr_id = fake.put_ivr(
        {
            "name": "Copy",
            "menus": [
                {
                    "name": "Main",
                    "default": True,
                    "routes": [
                        {
                            "keypress": "1",
                            "action": "group",
                            "options": {"group_ids": [7], "tags": ["a"]},
                            "overflow_options": [{"action": "voicemail"}],
                        }
                    ],
                }
            ],
        }
    )
    first = fake.ivr_json(ivr_id)
    route = first["menus"][0]["routes"][0]
    route["options"]["group_ids"].append(8)
    route["options"]["tags"].clear()
    route["overflow_options"][0]["action"] = "menu"

    again = fake.ivr_json(ivr_id)["menus"][0]["routes"][0]
    assert again["options"] == {"group_ids": [7], "tags": ["a"]}
    assert again["overflow_options"] == [{"action": "voicemail"}]


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
    "upload_id",
    "ivr_ids",
    "phone_number_ids",
    "has_sub_settings",
    "url",
}
#: Built-in greetings, as recorded from a live account, carry no url.
BUILT_IN_GREETING_KEYS = GREETING_KEYS - {"url"}


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
    assert body["count"] == len(BUILT_IN_GREETING_IDS) + 2
    first, second = [g for g in body["greetings"] if isinstance(g["id"], int)]
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


async def test_greetings_list_serves_the_built_in_greetings_with_string_ids(
    fake: FakeZendesk, session: ClientSession
) -> None:
    uploaded = fake.add_greeting("Welcome")
    ivr_id = fake.put_ivr(
        {
            "name": "Support",
            "phone_number_ids": [10],
            "menus": [{"name": "Main menu", "default": True, "greeting_id": "ivr_none"}],
        }
    )

    body = (await call(session, "GET", f"{API}/greetings")).json()

    ids = [g["id"] for g in body["greetings"]]
    assert ids == [*BUILT_IN_GREETING_IDS, uploaded] == fake.greeting_ids(built_in=True)
    assert {"voicemail_en", "ivr_none"} <= set(ids)
    built_in = {g["id"]: g for g in body["greetings"] if isinstance(g["id"], str)}
    for greeting in built_in.values():
        assert set(greeting) == BUILT_IN_GREETING_KEYS
        assert (greeting["default"], greeting["upload_id"], greeting["pending"]) == (
            True,
            None,
            False,
        )
    none = built_in["ivr_none"]
    assert (none["name"], none["category_id"], none["audio_url"]) == ("None", 5, None)
    assert (none["ivr_ids"], none["phone_number_ids"], none["active"]) == ([ivr_id], [10], True)
    assert built_in["voicemail_en"]["category_id"] == 1
    assert built_in["voicemail_en"]["audio_url"].endswith(".mp3")


@pytest.mark.parametrize("path", ["/api/v2/groups", f"{API}/greetings"])
@pytest.mark.parametrize("suffix", ["", ".json"])
async def test_groups_and_greetings_answer_with_or_without_json_suffix(
    fake: FakeZendesk, session: ClientSession, path: str, suffix: str
) -> None:
    fake.add_group("Billing")
    fake.add_greeting("Welcome")

    reply = await call(session, "GET", f"{path}{suffix}")

    assert reply.status == 200
    built_in = 0 if path.endswith("groups") else len(BUILT_IN_GREETING_IDS)
    assert reply.json()["count"] == 1 + built_in


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

    listed: list[int | str] = list(ids) if key == "groups" else fake.greeting_ids(built_in=True)
    assert [item["id"] for page in pages for item in page[key]] == listed
    sizes = [2] * (len(listed) // 2) + [1] * (len(listed) % 2)
    assert [len(page[key]) for page in pages] == sizes
    assert {page["count"] for page in pages} == {len(listed)}
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
    uploaded = [g["id"] for g in greetings["greetings"] if isinstance(g["id"], int)]
    assert uploaded == [greeting] == fake.greeting_ids()
    assert greetings["count"] == 1 + len(BUILT_IN_GREETING_IDS)
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
    assert {g["name"] for g in listed} <= set(SEED_GROUP_NAMES)


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
