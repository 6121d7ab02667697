"""
Every recorded sample parsed with the STRICT converter through the protocol's envelope decoding,
so a documented field the models do not know (or a changed shape) fails here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from yarl import URL

from tests.sdk.decoding import decode_one, decode_page
from zendesk_ivr import GroupOptions, Ivr, IvrMenu, IvrRoute
from zendesk_ivr._core.reading.envelopes import IVR_ENVELOPE, MENU_ENVELOPE, ROUTE_ENVELOPE
from zendesk_ivr._core.reading.responses import Response, decode_json
from zendesk_ivr._core.reading.serde import make_converter

SAMPLES = Path(__file__).parent / "samples"
SITE = URL("https://acme.zendesk.com/")
ROOT = "https://acme.zendesk.com/api/v2/channels/voice"
STRICT = make_converter(forbid_extra_keys=True)
NOW = 1_700_000_000.0

EXPECTED_SAMPLES = {
    "create_ivr_live.json",
    "create_menu.json",
    "create_route_live.json",
    "delete_menu.json",
    "list_menus.json",
    "menu_object.json",
    "show_menu.json",
    "update_menu.json",
}

# The route every IVR Menus page example carries.
SUPPORT_GROUP_ROUTE = IvrRoute(
    id=10001,
    keypress="0",
    action="group",
    options=GroupOptions(group_ids=(360001381413,)),
    greeting=None,
    option_text="Support Group",
)
# show/create/update/delete examples: not the default menu, no greeting.
MAIN_MENU = IvrMenu(
    id=10001,
    name="Main Menu",
    default=False,
    greeting_id=None,
    routes=(SUPPORT_GROUP_ROUTE,),
)
# The JSON-format and list examples: the default menu, with a greeting.
DEFAULT_MENU = IvrMenu(
    id=10001,
    name="Main menu",
    default=True,
    greeting_id=10001,
    routes=(SUPPORT_GROUP_ROUTE,),
)


def _response(
    name: str, method: str, path: str, status: int, body: bytes | None = None
) -> Response:
    return Response(
        method=method,
        url=URL(ROOT + path),
        status=status,
        headers={"content-type": "application/json; charset=utf-8"},
        body=(SAMPLES / name).read_bytes() if body is None else body,
    )


def _menu_from_envelope(name: str, method: str, status: int) -> IvrMenu:
    response = _response(name, method, "/ivr/1/menus/10001", status)
    return decode_one(STRICT, MENU_ENVELOPE, IvrMenu, response, now=NOW)


def test_the_sample_files_are_exactly_the_tested_set() -> None:
    assert {path.name for path in SAMPLES.glob("*.json")} == EXPECTED_SAMPLES
    assert set(CHECKS) == EXPECTED_SAMPLES


def _check_create_ivr_live() -> None:
    response = _response("create_ivr_live.json", "POST", "/ivr", 201)
    ivr = decode_one(STRICT, IVR_ENVELOPE, Ivr, response, now=NOW)
    assert ivr.id == 21973195678001
    assert ivr.name == "Support line"
    assert ivr.phone_number_ids == ()
    assert ivr.phone_number_names == ()
    assert len(ivr.menus) == 1
    menu = ivr.menus[0]
    assert menu.id == 21973195678002
    assert menu.name == "主菜单"
    assert menu.default is True
    assert menu.greeting_id is None
    assert menu.routes == ()
    assert ivr.default_menu is menu


def _check_create_route_live() -> None:
    response = _response("create_route_live.json", "POST", "/ivr/1/menus/2/routes", 201)
    route = decode_one(STRICT, ROUTE_ENVELOPE, IvrRoute, response, now=NOW)
    assert route == IvrRoute(
        id=21973195678484,
        keypress="1",
        action="group",
        options=GroupOptions(group_ids=(10001,)),
        greeting=None,
        option_text=None,
        overflow_options=(),
    )
    assert isinstance(route.options, GroupOptions)
    assert route.options.group_ids == (10001,)


def _check_main_menu(name: str, method: str, status: int) -> None:
    menu = _menu_from_envelope(name, method, status)
    assert menu == MAIN_MENU
    assert menu.default is False
    route = menu.route_for("0")
    assert route is not None
    assert isinstance(route.options, GroupOptions)
    assert route.options.group_ids == (360001381413,)
    assert route.option_text == "Support Group"


def _check_list_menus() -> None:
    response = _response("list_menus.json", "GET", "/ivr/1/menus?per_page=100", 200)
    page, next_url = decode_page(STRICT, MENU_ENVELOPE, IvrMenu, response, site=SITE)
    assert page.items == (DEFAULT_MENU,)
    assert page.count == 1
    assert page.next_page is None
    assert page.previous_page is None
    assert next_url is None
    assert page.items[0].default is True
    assert page.items[0].greeting_id == 10001


def _check_menu_object() -> None:
    # The JSON-format example is the bare object; it goes through the same envelope decoding.
    raw = (SAMPLES / "menu_object.json").read_bytes()
    assert isinstance(json.loads(raw), dict)
    body = b'{"ivr_menu": ' + raw + b"}"
    response = _response("menu_object.json", "GET", "/ivr/1/menus/10001", 200, body=body)
    menu = decode_one(STRICT, MENU_ENVELOPE, IvrMenu, response, now=NOW)
    assert menu == DEFAULT_MENU
    # Read directly too: the bare object is the documented shape of one menu.
    bare = _response("menu_object.json", "GET", "/ivr/1/menus/10001", 200)
    assert STRICT.structure(decode_json(bare, now=NOW), IvrMenu) == DEFAULT_MENU


CHECKS: dict[str, Callable[[], None]] = {
    "create_ivr_live.json": _check_create_ivr_live,
    "create_route_live.json": _check_create_route_live,
    "create_menu.json": lambda: _check_main_menu("create_menu.json", "POST", 201),
    "show_menu.json": lambda: _check_main_menu("show_menu.json", "GET", 200),
    "update_menu.json": lambda: _check_main_menu("update_menu.json", "PUT", 200),
    "delete_menu.json": lambda: _check_main_menu("delete_menu.json", "DELETE", 200),
    "list_menus.json": _check_list_menus,
    "menu_object.json": _check_menu_object,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_SAMPLES))
def test_sample_decodes_with_the_strict_converter(name: str) -> None:
    CHECKS[name]()
