"""
Uniform IVRs for tests and benchmarks that need a known shape: `seed_ivrs`.

Trees are built in the API's JSON shape and stored with `Store.put_ivr`, the path a test uses to
plant a tree by hand. The output depends only on the arguments and the store's history, which
keeps tests and benchmarks repeatable.
"""

from __future__ import annotations

from typing import Final

from ._rules import KEYPRESSES, JSONObject
from ._state import DEFAULT_MENU_NAME, Store

__all__ = ["SEED_GROUP_NAMES", "SEED_KEYPRESSES", "seed_ivrs"]

#: The keypresses a phone keypad offers, in the order `seed_ivrs` uses them.
SEED_KEYPRESSES: Final = KEYPRESSES[:12]
_SEED_ACTIONS: Final = ("group", "voicemail", "phone_number", "textback", "menu")
#: Names for the groups `seed_ivrs` routes to, one per keypad slot.
SEED_GROUP_NAMES: Final = (
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
)


def seed_ivrs(store: Store, ivrs: int, *, menus: int = 2, routes: int = 3) -> list[int]:
    """
    Create *ivrs* IVRs with *menus* menus each and *routes* routes per menu.

    The output depends only on the arguments and the store's history. Route
    actions cycle through every action; a ``menu`` route points at the next menu
    of its IVR (and becomes a ``group`` route when the IVR has only one menu),
    every menu but the last has one so all are reachable, and the groups and
    phone numbers they name are created in the store with fixed ids.
    """
    if ivrs < 0:
        msg = f"ivrs must be at least 0, got {ivrs}"
        raise ValueError(msg)
    if menus < 1:
        msg = f"every IVR has a default menu, so menus must be at least 1, got {menus}"
        raise ValueError(msg)
    if not 0 <= routes <= len(SEED_KEYPRESSES):
        msg = f"a menu has {len(SEED_KEYPRESSES)} keypresses, so routes must be 0-12"
        raise ValueError(msg)
    created = []
    for _ in range(ivrs):
        number = len(store.ivrs) + 1
        tree_menus = []
        for position in range(menus):
            target = f"@menu:{(position + 1) % menus}"
            tree_routes = []
            for slot, action in enumerate(_seed_actions(position, menus, routes)):
                options = _seed_options(action, slot, target)
                for group_id in options.get("group_ids", []):
                    if group_id not in store.groups:
                        store.add_group(SEED_GROUP_NAMES[slot], group_id=group_id)
                if "textback_phone_number_id" in options:
                    _seed_phone_number(store, options["textback_phone_number_id"])
                tree_routes.append(
                    {"keypress": SEED_KEYPRESSES[slot], "action": action, "options": options}
                )
            tree_menus.append(
                {
                    "name": DEFAULT_MENU_NAME if position == 0 else f"Menu {position + 1}",
                    "default": position == 0,
                    "greeting_id": None,
                    "routes": tree_routes,
                }
            )
        phone_number_ids = [360000100000 + 2 * number, 360000100001 + 2 * number]
        for phone_number_id in phone_number_ids:
            _seed_phone_number(store, phone_number_id)
        tree = {"name": f"Seeded IVR {number}", "phone_number_ids": phone_number_ids}
        created.append(store.put_ivr({**tree, "menus": tree_menus}).id)
    return created


def _seed_phone_number(store: Store, phone_number_id: int) -> None:
    """Make the Talk number *phone_number_id* exist, its number made from its id."""
    if phone_number_id not in store.phone_numbers:
        store.add_phone_number(
            f"+1628{phone_number_id % 10_000_000:07d}", phone_number_id=phone_number_id
        )


def _seed_actions(position: int, menus: int, routes: int) -> list[str]:
    actions = [_SEED_ACTIONS[(position + slot) % len(_SEED_ACTIONS)] for slot in range(routes)]
    if menus == 1:
        return ["group" if action == "menu" else action for action in actions]
    # The chain from the default menu through every other one keeps them all reachable.
    if actions and position < menus - 1 and "menu" not in actions:
        actions[-1] = "menu"
    return actions


def _seed_options(action: str, slot: int, target_menu: str) -> JSONObject:
    if action in ("group", "voicemail"):
        return {"group_ids": [360001381413 + slot]}
    if action == "phone_number":
        return {"phone_number": f"+1555{2000100 + slot:07d}"}
    if action == "textback":
        return {"textback_phone_number_id": 360000200000 + slot, "sms_text": "Reply to this text"}
    return {"menu_id": target_menu}
