"""
Accounts on fakes for the IVR file tests: the same groups, greetings and Talk numbers by name
under ids of each account's own, and random IVR trees planted through the fake's own JSON.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from attrs import frozen
from hypothesis import strategies as st

from zendesk_ivr import KEYPRESSES, Client
from zendesk_ivr.testing import FakeZendesk

#: Names YAML must quote, or read as something else when plain.
GROUPS = ("Support Tier 1", "Billing: EMEA", "# Sales", "yes", "Soporte en español", "1")
GREETINGS = ("Welcome - main line", "null", "Opening hours: 9-5 {local}")
NUMBERS = ("+12125551001", "+14155550100", "+16175550199")
TEXTS = ("Start a chat: https://help.example.com/chat#now", 'Say "hi"', "Línea 1\nLínea 2")


@frozen
class Objects:
    """An account's ids of the shared names, and what it no longer has (for dangling refs)."""

    groups: dict[str, int]
    greetings: dict[str, int]
    numbers: dict[str, int]
    deleted_group: int
    deleted_greeting: int


def add_objects(fake: FakeZendesk, *, other_ids: bool = False) -> Objects:
    """
    The shared names on *fake*. With *other_ids*, the same names under other ids: greetings
    before groups (in reverse), numbers numbered apart, and no deleted objects.
    """
    if other_ids:
        greetings = {name: fake.add_greeting(name) for name in reversed(GREETINGS)}
        groups = {name: fake.add_group(name) for name in reversed(GROUPS)}
        numbers = {
            n: fake.add_phone_number(n, phone_number_id=360000900000 + i)
            for i, n in enumerate(NUMBERS)
        }
        return Objects(groups, greetings, numbers, -1, -1)
    groups = {name: fake.add_group(name) for name in GROUPS}
    greetings = {name: fake.add_greeting(name) for name in GREETINGS}
    numbers = {
        n: fake.add_phone_number(n, phone_number_id=360000800000 + i) for i, n in enumerate(NUMBERS)
    }
    deleted_group = fake.add_group("Retired")
    fake.delete_group(deleted_group)
    deleted_greeting = fake.add_greeting("Summer sale")
    fake.delete_greeting(deleted_greeting)
    return Objects(groups, greetings, numbers, deleted_group, deleted_greeting)


@asynccontextmanager
async def client_of(fake: FakeZendesk) -> AsyncIterator[Client]:
    async with Client(base_url=fake.url, email=fake.email, api_token=fake.api_token) as client:
        yield client


_NAMES = st.one_of(
    st.sampled_from(["Main menu", "Billing", "true", "~", "1.5", "- dash", "a: b", "x #y", "é"]),
    st.text(alphabet="abZ é:#-'\"[]{},*&!%@`|>", min_size=1, max_size=6).filter(str.strip),
)
#: The actions of routes in trees: the API's, and one it does not know (the fake refuses it).
_ACTIONS = ("group", "voicemail", "menu", "phone_number", "textback")


def _routes(actions: tuple[str, ...]) -> st.SearchStrategy[tuple[str, int, Any, Any]]:
    """A route: (action, argument, tags, overflow); the argument depends on the action."""
    return st.tuples(
        st.sampled_from(actions),
        st.integers(0, 5),
        st.one_of(st.none(), st.lists(st.sampled_from(["vip", "fallback", "x: y"]), max_size=2)),
        st.sampled_from([[], [], [{"action": "voicemail", "after": 30}]]),
    )


@st.composite
def trees(draw: st.DrawFn, *, dangling: bool = False) -> list[dict[str, Any]]:
    """
    1-2 IVRs of 1-3 menus (the first the default), routes on random keys. With *dangling*,
    as accounts have them: routes and greetings that point at what the account no longer
    has, and an action the API does not document.
    """
    route = _routes((*_ACTIONS, "callback") if dangling else _ACTIONS)
    ivr_names = draw(st.lists(_NAMES, min_size=1, max_size=2, unique=True))
    specs = []
    for name in ivr_names:
        menu_names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
        menus = []
        for _ in menu_names:
            keys = draw(st.lists(st.sampled_from(KEYPRESSES), max_size=4, unique=True))
            greeting = draw(st.sampled_from([None, 0, 1, "voicemail_en", *(["gone"] * dangling)]))
            routes = {key: draw(route) for key in keys}
            broken: bool = dangling and bool(routes) and draw(st.booleans())
            if broken:
                key = draw(st.sampled_from(sorted(routes)))
                routes[key] = (draw(st.sampled_from(["gone group", "dead key"])), 0, None, [])
            menus.append({"greeting": greeting, "routes": routes})
        phones = draw(st.lists(st.integers(0, len(NUMBERS) - 1), max_size=2, unique=True))
        # As accounts have them: sometimes no default menu, or two (the first listed leads).
        defaults = draw(st.sampled_from([[0], [0], [], [0, 1], [1, 0]])) if dangling else [0]
        menus_of = list(zip(menu_names, menus, strict=True))
        specs.append({"name": name, "menus": menus_of, "phones": phones, "defaults": defaults})
    return specs


def planted(spec: dict[str, Any], objects: Objects) -> dict[str, Any]:
    """A tree spec as the fake's JSON for put_ivr (menu targets as ``@menu:<index>``)."""
    groups, greetings = list(objects.groups.values()), list(objects.greetings.values())
    numbers = list(objects.numbers.values())
    menus = []
    for index, (name, menu) in enumerate(spec["menus"]):
        greeting = menu["greeting"]
        if greeting == "gone":
            greeting = objects.deleted_greeting
        elif isinstance(greeting, int):
            greeting = greetings[greeting]
        routes = []
        for key, (kind, arg, tags, overflow) in menu["routes"].items():
            options: dict[str, Any]
            action = kind
            if action in ("group", "voicemail"):
                options = {"group_ids": sorted({groups[arg], groups[(arg * 3) % len(groups)]})}
            elif action == "menu":
                options = {"menu_id": f"@menu:{arg % len(spec['menus'])}"}
            elif action == "phone_number":
                options = {"phone_number": f"+1617555{arg:04d}"}
            elif action == "textback":
                options = {
                    "textback_phone_number_id": numbers[arg % len(numbers)],
                    "sms_text": TEXTS[arg % len(TEXTS)],
                }
            elif kind == "gone group":
                action, options = "group", {"group_ids": [groups[0], objects.deleted_group]}
            elif kind == "dead key":
                action, options = "menu", {"menu_id": 4_000_000_000 + arg}
            else:
                options = {"queue": arg, "note": "sent as it is"}
            if tags is not None and action != "callback":
                options["tags"] = tags
            routes.append(
                {
                    "keypress": key,
                    "action": action,
                    "options": options,
                    "overflow_options": overflow,
                }
            )
        menus.append(
            {
                "name": name,
                "default": index in spec["defaults"],
                "greeting_id": greeting,
                "routes": routes,
            }
        )
    return {
        "name": spec["name"],
        "phone_number_ids": [numbers[i] for i in spec["phones"]],
        "menus": menus,
    }
