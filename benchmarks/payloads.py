"""
Zendesk-shaped JSON built by hand, for the route generator server and the model-cost scenario.

The shapes follow the fake's rendering (and so the API docs): every action appears, and each
object carries a ``url`` the models do not have, so the benchmarks pay for ignoring unknown keys
as a real account's responses make the SDK do.
"""

from __future__ import annotations

from typing import Any, Final

_KEYPRESSES: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")
_ACTIONS: Final = ("group", "voicemail", "phone_number", "textback", "menu")
_PREFIX: Final = "/api/v2/channels/voice/ivr"


def options_for(action: str, slot: int, menu_id: int) -> dict[str, Any]:
    if action in ("group", "voicemail"):
        return {"group_ids": [360001381413 + slot]}
    if action == "phone_number":
        return {"phone_number": f"+1555{2000100 + slot:07d}"}
    if action == "textback":
        return {"textback_phone_number_id": 360000200000 + slot, "sms_text": "Reply to this text"}
    return {"menu_id": menu_id + 1}


def route_json(base: str, ivr_id: int, menu_id: int, route_id: int, slot: int) -> dict[str, Any]:
    action = _ACTIONS[slot % len(_ACTIONS)]
    return {
        "id": route_id,
        "keypress": _KEYPRESSES[slot % len(_KEYPRESSES)],
        "action": action,
        "options": options_for(action, slot, menu_id),
        "greeting": None,
        "option_text": None if action != "group" else "Support",
        "overflow_options": [],
        "url": f"{base}{_PREFIX}/{ivr_id}/menus/{menu_id}/routes/{route_id}.json",
    }


def menu_json(base: str, ivr_id: int, menu_id: int, routes: int) -> dict[str, Any]:
    return {
        "id": menu_id,
        "name": f"Menu {menu_id}",
        "default": False,
        "greeting_id": None,
        "routes": [
            route_json(base, ivr_id, menu_id, menu_id * 100 + slot, slot) for slot in range(routes)
        ],
        "url": f"{base}{_PREFIX}/{ivr_id}/menus/{menu_id}.json",
    }


def menu_page(base: str, *, menus: int, routes: int) -> dict[str, Any]:
    """One full page of a menu listing, as ``GET .../ivr/{id}/menus`` answers it."""
    ivr_id = 21973195678484
    return {
        "ivr_menus": [menu_json(base, ivr_id, ivr_id + 1 + i, routes) for i in range(menus)],
        "next_page": None,
        "previous_page": None,
        "count": menus,
    }
