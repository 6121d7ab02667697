"""
The hand-written JSON of IVRs, menus, routes, groups and greetings.

It never uses the client's converter, so a client bug can't hide on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from ._records import (
    GreetingRecord,
    GroupRecord,
    IvrRecord,
    MenuRecord,
    PhoneNumberRecord,
    RouteRecord,
)
from ._rules import JSONObject, is_int

API_PREFIX: Final = "/api/v2/channels/voice"
#: Groups belong to Zendesk Support, not Talk, so they sit outside `API_PREFIX`.
GROUPS_PATH: Final = "/api/v2/groups"


def phone_number_name(phone_number_id: int) -> str:
    """The display name of a Talk number; the fake has no numbers, so it invents one."""
    return f"Talk number {phone_number_id}"


def group_name(group_id: int) -> str:
    """The name shown for a group the account doesn't have."""
    return f"Group {group_id}"


#: No known groups: every route names its groups with `group_name`.
NO_GROUPS: Final[Mapping[int, str]] = MappingProxyType({})


def _option_text(route: RouteRecord, group_names: Mapping[int, str]) -> str | None:
    group_ids = route.options.get("group_ids") if route.options is not None else None
    if route.action != "group" or not isinstance(group_ids, list):
        return None
    return ", ".join(group_names.get(g, group_name(g)) for g in group_ids if is_int(g))


def ivr_url(base: str, ivr_id: int) -> str:
    return f"{base}{API_PREFIX}/ivr/{ivr_id}.json"


def menu_url(base: str, ivr_id: int, menu_id: int) -> str:
    return f"{base}{API_PREFIX}/ivr/{ivr_id}/menus/{menu_id}.json"


def route_url(base: str, route: RouteRecord) -> str:
    return f"{base}{API_PREFIX}/ivr/{route.ivr_id}/menus/{route.menu_id}/routes/{route.id}.json"


def _json_copy(value: Any) -> Any:
    """
    A copy of stored JSON, so a rendered body never shares a dict with the store.

    ``copy.deepcopy`` did this for every route of every page at a seventh of the fake's time
    per listing request; stored options hold only what JSON does, which needs no memo.
    """
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_json_copy(item) for item in value)
    return value


def render_route(
    route: RouteRecord, base: str, *, group_names: Mapping[int, str] = NO_GROUPS
) -> JSONObject:
    """
    Render a route as Zendesk does, plus ``url``, a field the docs don't list.

    The unknown field proves clients tolerate fields they don't model.
    """
    return {
        "id": None if route.null_id else route.id,
        "keypress": route.keypress,
        "action": route.action,
        "options": _json_copy(route.options),
        "greeting": None,
        "option_text": _option_text(route, group_names),
        "overflow_options": _json_copy(route.overflow_options),
        "url": route_url(base, route),
    }


def render_menu(
    menu: MenuRecord,
    base: str,
    *,
    group_names: Mapping[int, str] = NO_GROUPS,
    embed_routes: bool = True,
) -> JSONObject:
    """Without *embed_routes* the ``routes`` key is left out, not emptied."""
    body: JSONObject = {
        "id": None if menu.null_id else menu.id,
        "name": menu.name,
        "default": menu.default,
        "greeting_id": menu.greeting_id,
    }
    if embed_routes:
        body["routes"] = [
            render_route(route, base, group_names=group_names) for route in menu.routes.values()
        ]
    body["url"] = menu_url(base, menu.ivr_id, menu.id)
    return body


def render_ivr(
    ivr: IvrRecord,
    base: str,
    *,
    group_names: Mapping[int, str] = NO_GROUPS,
    embed_routes: bool = True,
) -> JSONObject:
    names = ivr.phone_number_names
    return {
        "id": None if ivr.null_id else ivr.id,
        "name": ivr.name,
        "menus": [
            render_menu(menu, base, group_names=group_names, embed_routes=embed_routes)
            for menu in ivr.menus.values()
        ],
        "phone_number_ids": list(ivr.phone_number_ids),
        "phone_number_names": [names.get(p, phone_number_name(p)) for p in ivr.phone_number_ids],
        "url": ivr_url(base, ivr.id),
    }


def render_group(group: GroupRecord, base: str) -> JSONObject:
    return {
        "id": group.id,
        "name": group.name,
        "description": "",
        "default": group.default,
        "deleted": False,
        "created_at": group.created_at,
        "updated_at": group.created_at,
        "url": f"{base}{GROUPS_PATH}/{group.id}.json",
    }


def render_phone_number(phone: PhoneNumberRecord, base: str, ivr_id: int | None) -> JSONObject:
    """
    Render a Talk number as the Phone Numbers docs show one; *ivr_id* is the IVR answering on
    it. North American numbers display as ``+1 (415) 555-0100``, others as stored.
    """
    digits = phone.number.removeprefix("+1")
    display = phone.number
    if phone.number.startswith("+1") and len(digits) == 10 and digits.isdigit():
        display = f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return {
        "id": phone.id,
        "number": phone.number,
        "display_number": display,
        "name": phone.nickname or display,
        "nickname": phone.nickname,
        "country_code": "US" if phone.number.startswith("+1") else None,
        "toll_free": False,
        "capabilities": {"sms": True, "mms": False, "voice": True},
        "sms_enabled": True,
        "voice_enabled": True,
        "outbound_enabled": True,
        "external": False,
        "recorded": False,
        "transcription": False,
        "priority": 0,
        "line_type": "phone",
        "ivr_id": ivr_id,
        "group_ids": [],
        "greeting_ids": [],
        "default_greeting_ids": ["voicemail_en", "ivr_en"],
        "created_at": "2024-01-01T00:00:00Z",
        "url": f"{base}{API_PREFIX}/phone_numbers/{phone.id}.json",
    }


def render_greeting(greeting: GreetingRecord, base: str, users: Sequence[IvrRecord]) -> JSONObject:
    """
    Render an uploaded greeting; *users* are the IVRs whose menus play it.

    The docs call a greeting active when a phone number uses it, and an IVR
    greeting reaches callers through the numbers of its IVRs.
    """
    phone_number_ids = sorted({p for ivr in users for p in ivr.phone_number_ids})
    slug = re.sub(r"[^a-z0-9]+", "-", greeting.name.lower()).strip("-") or "greeting"
    return {
        "id": greeting.id,
        "name": greeting.name,
        "category_id": greeting.category_id,
        "active": bool(phone_number_ids),
        "default": False,
        "default_lang": True,
        "pending": False,
        "audio_name": f"{slug}.mp3",
        "audio_url": f"/system/voice/uploads/{greeting.id}/{slug}.mp3",
        "upload_id": greeting.id,
        "ivr_ids": [ivr.id for ivr in users],
        "phone_number_ids": phone_number_ids,
        "has_sub_settings": False,
        "url": f"{base}{API_PREFIX}/greetings/{greeting.id}.json",
    }
