"""
Canned accounts for the fake.

`seed_demo_account` makes a realistic account with a few known problems planted,
for the ``zendesk-ivr sandbox`` command and for testing audits.

It builds trees in the API's JSON shape and stores them with `Store.put_ivr`, so it
exercises the same path a test uses to plant a tree by hand. It takes its randomness
from the arguments alone: the same call on a fresh fake gives the same JSON, which
keeps tests and demos repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._rules import JSONObject
from ._state import DEFAULT_MENU_NAME, FIRST_ID

if TYPE_CHECKING:
    from ._server import FakeZendesk

__all__ = ["DEMO_PROBLEMS", "DemoAccount", "seed_demo_account", "seed_demo_copy_target"]

# --- the demo account -----------------------------------------------------------------

#: The problems `seed_demo_account` plants, each in a few IVRs of their own.
DEMO_PROBLEMS: Final = (
    "no_default_menu",
    "two_default_menus",
    "empty_menu",
    "dead_key",
    "unreachable_menu",
    "missing_group",
    "unknown_group",
    "incomplete_textback",
    "invalid_phone_number",
    "unknown_greeting",
    "no_phone_number",
)

_ADDS_A_MENU: Final = frozenset({"empty_menu", "unreachable_menu"})
_GROUPS: Final = (
    "Support Tier 1",
    "Support Tier 2",
    "Billing",
    "Sales EMEA",
    "Sales Americas",
    "Sales APAC",
    "Technical support",
    "Returns & refunds",
    "VIP accounts",
    "Onboarding",
    "Soporte en español",
    "After-hours on call",
)
_GREETINGS: Final = (
    "Welcome - main line",
    "Billing options",
    "Technical support options",
    "Sales menu",
    "After-hours message",
    "Holiday hours",
    "Bienvenida en español",
    "Returns options",
    "Account services",
    "Calls may be recorded",
)
_BRANDS: Final = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Wonka", "Stark", "Tyrell")
_LINES: Final = ("Support", "Billing", "Sales", "Returns", "Enterprise support", "Service desk")
_REGIONS: Final = ("US", "UK", "DE", "FR", "CA", "AU", "ES", "NL", "EMEA", "APAC")
_HOTLINES: Final = ("Billing", "Support", "Sales", "Partner", "Reseller", "VIP")
_MENUS: Final = (
    "Billing",
    "Technical support",
    "Sales",
    "Returns",
    "Account & login",
    "Order status",
    "Opening hours",
    "Español",
)
#: Keys for routes in the order a designer hands them out; ``*`` is kept for "back".
_KEYS: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "#")
_BACK_KEY: Final = "*"
_AREA_CODES: Final = ("415", "212", "646", "312", "617", "206")
_SMS_TEXTS: Final = (
    "Thanks for calling! Start a chat here: https://help.example.com/chat",
    "Track your order at https://example.com/orders",
    "Reset your password at https://example.com/reset",
    "Our opening hours: Mon-Fri 8am-8pm, Sat 9am-1pm.",
)
_BAD_NUMBERS: Final = ("555-0100", "(415) 555-0199", "0800 123 456", "+1 415 555 0134")
#: Below every id the fake hands out, so no store ever has a menu with it.
_DEAD_MENU_IDS_FROM: Final = FIRST_ID - 5_000_000
#: The demo's Talk numbers have ids from 360000400001; the copy target's are these higher.
_COPY_TARGET_NUMBER_IDS: Final = 100_000


@attrs.frozen
class DemoAccount:
    """What `seed_demo_account` made: ids in creation order, and where each problem is."""

    ivr_ids: tuple[int, ...]
    group_ids: tuple[int, ...]
    greeting_ids: tuple[int, ...]
    #: Every key of `DEMO_PROBLEMS`, mapped to the IVRs it was planted in (no IVR has two).
    planted: Mapping[str, tuple[int, ...]] = attrs.field(hash=False)

    @property
    def clean_ivr_ids(self) -> tuple[int, ...]:
        """The IVRs with nothing planted, which no audit should flag."""
        planted = {ivr_id for ids in self.planted.values() for ivr_id in ids}
        return tuple(ivr_id for ivr_id in self.ivr_ids if ivr_id not in planted)


def seed_demo_account(fake: FakeZendesk, *, ivrs: int = 300, seed: int = 7) -> DemoAccount:
    """
    Fill *fake* with a realistic account: groups, IVR greetings, *ivrs* IVRs and the Talk
    numbers they answer on.

    Each IVR has one to four menus, all reachable from its default menu, with
    routes to real groups, greetings, E.164 numbers and menus. Each problem of
    `DEMO_PROBLEMS` is then planted in three to six IVRs, one problem per IVR; with
    fewer than 33 IVRs some problems get fewer. Everything else is clean.
    """
    if ivrs < 0:
        msg = f"ivrs must be at least 0, got {ivrs}"
        raise ValueError(msg)
    rng = random.Random(seed)
    groups = [fake.add_group(name) for name in _GROUPS]
    greetings = [fake.add_greeting(name) for name in _GREETINGS]
    # Real accounts keep pointing at what was deleted; these ids are known to be gone.
    retired_group = fake.add_group("Legacy escalations (retired)")
    fake.delete_group(retired_group)
    retired_greeting = fake.add_greeting("Summer sale 2022")
    fake.delete_greeting(retired_greeting)

    problem_of = _assign_problems(rng, ivrs)
    builder = _Builder(rng, groups, greetings, retired_group, retired_greeting)
    ivr_ids: list[int] = []
    planted: dict[str, list[int]] = {problem: [] for problem in DEMO_PROBLEMS}
    for index in range(ivrs):
        problem = problem_of.get(index)
        # Room for the menu some problems add, so no IVR has more than four.
        tree = builder.ivr(index, max_menus=3 if problem in _ADDS_A_MENU else 4)
        if problem is not None:
            builder.plant(problem, tree)
        ivr_id = fake.put_ivr(tree)
        ivr_ids.append(ivr_id)
        if problem is not None:
            planted[problem].append(ivr_id)
    # With their own ids, after the IVRs, so the ids of everything else stay as they were.
    for phone_id, number in builder.numbers.items():
        fake.add_phone_number(number, phone_number_id=phone_id)
    return DemoAccount(
        ivr_ids=tuple(ivr_ids),
        group_ids=tuple(groups),
        greeting_ids=tuple(greetings),
        planted=MappingProxyType({problem: tuple(ids) for problem, ids in planted.items()}),
    )


def seed_demo_copy_target(fake: FakeZendesk, *, ivrs: int = 300, seed: int = 7) -> DemoAccount:
    """
    Fill *fake* with a second account to copy the demo account to by name: the groups,
    greetings and Talk numbers `seed_demo_account` (same *ivrs* and *seed*) makes, of the same
    names and numbers but under other ids, and no IVRs.

    Greetings are added before groups, so an id of the demo account is, here, another object
    or none: a copy that kept ids would ring the wrong group, one made by names the right one.
    The demo's deleted group and greeting are not here.
    """
    if ivrs < 0:
        msg = f"ivrs must be at least 0, got {ivrs}"
        raise ValueError(msg)
    # The demo's numbers are handed out as its IVRs are made: make them again, in memory.
    rng = random.Random(seed)
    problem_of = _assign_problems(rng, ivrs)
    builder = _Builder(rng, list(range(len(_GROUPS))), list(range(len(_GREETINGS))), -1, -2)
    for index in range(ivrs):
        problem = problem_of.get(index)
        tree = builder.ivr(index, max_menus=3 if problem in _ADDS_A_MENU else 4)
        if problem is not None:
            builder.plant(problem, tree)
    greetings = [fake.add_greeting(name) for name in _GREETINGS]
    groups = [fake.add_group(name) for name in _GROUPS]
    for phone_id, number in builder.numbers.items():
        fake.add_phone_number(number, phone_number_id=phone_id + _COPY_TARGET_NUMBER_IDS)
    return DemoAccount(
        ivr_ids=(),
        group_ids=tuple(groups),
        greeting_ids=tuple(greetings),
        planted=MappingProxyType(dict.fromkeys(DEMO_PROBLEMS, ())),
    )


def _assign_problems(rng: random.Random, ivrs: int) -> dict[int, str]:
    """Pick which IVR (by position) gets which problem, at most one each."""
    counts = {problem: rng.randint(3, 6) for problem in DEMO_PROBLEMS}
    while sum(counts.values()) > ivrs:
        counts[max(counts, key=counts.__getitem__)] -= 1
    positions = rng.sample(range(ivrs), sum(counts.values()))
    problems = [problem for problem, count in counts.items() for _ in range(count)]
    return dict(zip(positions, problems, strict=True))


@attrs.define
class _Builder:
    """Makes clean IVR trees, then breaks one thing in a tree on request."""

    rng: random.Random
    groups: Sequence[int]
    greetings: Sequence[int]
    retired_group: int
    retired_greeting: int
    names: set[str] = attrs.Factory(set)
    hotline_numbers: dict[str, int] = attrs.Factory(dict)
    phone_numbers: int = 0
    #: Every Talk number handed out, id to E.164.
    numbers: dict[int, str] = attrs.Factory(dict)

    def ivr(self, index: int, *, max_menus: int) -> JSONObject:
        rng = self.rng
        phone_number_ids = []
        phone_number_names = []
        for _ in range(rng.choice((1, 1, 1, 2))):
            self.phone_numbers += 1
            phone_number_ids.append(360000400000 + self.phone_numbers)
            area = _AREA_CODES[self.phone_numbers % len(_AREA_CODES)]
            phone_number_names.append(f"+1 ({area}) 555-{1000 + self.phone_numbers:04d}")
            self.numbers[phone_number_ids[-1]] = f"+1{area}555{1000 + self.phone_numbers:04d}"
        count = rng.choices((1, 2, 3, 4)[:max_menus], weights=(3, 4, 3, 2)[:max_menus])[0]
        names = [DEFAULT_MENU_NAME, *rng.sample(_MENUS, count - 1)]
        menus: list[JSONObject] = [self._menu(name, default=not i) for i, name in enumerate(names)]
        textback_from = phone_number_ids[0]
        # Each menu hangs off an earlier one, so all are reachable from the default.
        parents = [rng.randrange(child) for child in range(1, len(menus))]
        for position, menu in enumerate(menus):
            routes: list[JSONObject] = [
                self._action_route(textback_from) for _ in range(rng.randint(2, 5))
            ]
            routes += [
                _menu_route(child)
                for child, parent in enumerate(parents, start=1)
                if parent == position
            ]
            rng.shuffle(routes)
            for key, route in zip(_KEYS, routes, strict=False):
                route["keypress"] = key
            if position and rng.random() < 0.5:
                routes.append({**_menu_route(0), "keypress": _BACK_KEY})
            menu["routes"] = routes
        return {
            "name": self._name(index),
            "phone_number_ids": phone_number_ids,
            "phone_number_names": phone_number_names,
            "menus": menus,
        }

    def plant(self, problem: str, tree: JSONObject) -> None:
        rng = self.rng
        menus: list[JSONObject] = tree["menus"]
        if problem == "no_default_menu":
            for menu in menus:
                menu["default"] = False
        elif problem == "two_default_menus":
            if len(menus) == 1:
                self._add_menu(tree, rng.choice(_MENUS), reachable=True)
            rng.choice(menus[1:])["default"] = True
        elif problem == "empty_menu":
            self._add_menu(tree, "Holiday schedule", reachable=True)["routes"] = []
        elif problem == "dead_key":
            dead = _DEAD_MENU_IDS_FROM + rng.randrange(1_000_000)
            self._add_route(menus, {"action": "menu", "options": {"menu_id": dead}})
        elif problem == "unreachable_menu":
            self._add_menu(tree, "Old promotions", reachable=False)
        elif problem == "missing_group":
            action = rng.choice(("group", "voicemail"))
            self._add_route(menus, {"action": action, "options": {"group_ids": []}})
        elif problem == "unknown_group":
            group_ids = [rng.choice(self.groups), self.retired_group]
            self._add_route(menus, {"action": "group", "options": {"group_ids": group_ids}})
        elif problem == "incomplete_textback":
            options: JSONObject = {"sms_text": rng.choice(_SMS_TEXTS)}
            if rng.random() < 0.5:
                options = {"textback_phone_number_id": tree["phone_number_ids"][0]}
            self._add_route(menus, {"action": "textback", "options": options})
        elif problem == "invalid_phone_number":
            options = {"phone_number": rng.choice(_BAD_NUMBERS)}
            self._add_route(menus, {"action": "phone_number", "options": options})
        elif problem == "unknown_greeting":
            rng.choice(menus)["greeting_id"] = self.retired_greeting
        elif problem == "no_phone_number":
            tree["phone_number_ids"] = []
            tree["phone_number_names"] = []
        else:
            msg = f"unknown problem {problem!r}; expected one of {DEMO_PROBLEMS}"
            raise ValueError(msg)

    # pieces

    def _name(self, index: int) -> str:
        if self.rng.random() < 0.7:
            brand, line = self.rng.choice(_BRANDS), self.rng.choice(_LINES)
            name = f"{brand} {line} ({self.rng.choice(_REGIONS)})"
            if name not in self.names:
                self.names.add(name)
                return name
        # Numbered hotlines never repeat, so they also settle a clash of the above.
        line = _HOTLINES[index % len(_HOTLINES)]
        self.hotline_numbers[line] = self.hotline_numbers.get(line, 0) + 1
        return f"{line} hotline {self.hotline_numbers[line]:02d}"

    def _menu(self, name: str, *, default: bool) -> JSONObject:
        greeting = self.rng.choice(self.greetings) if self.rng.random() < 0.75 else None
        return {"name": name, "default": default, "greeting_id": greeting, "routes": []}

    def _action_route(self, textback_from: int) -> JSONObject:
        rng = self.rng
        action = rng.choices(
            ("group", "voicemail", "phone_number", "textback"), weights=(6, 2, 2, 1)
        )[0]
        options: JSONObject
        if action == "group":
            options = {"group_ids": rng.sample(self.groups, rng.choice((1, 1, 1, 2)))}
        elif action == "voicemail":
            options = {"group_ids": [rng.choice(self.groups)]}
        elif action == "phone_number":
            number = f"+1{rng.choice(_AREA_CODES)}555{rng.randrange(100, 200):04d}"
            options = {"phone_number": number}
        else:
            options = {
                "textback_phone_number_id": textback_from,
                "sms_text": rng.choice(_SMS_TEXTS),
            }
        return {"action": action, "options": options, "overflow_options": []}

    def _add_menu(self, tree: JSONObject, name: str, *, reachable: bool) -> JSONObject:
        menus: list[JSONObject] = tree["menus"]
        menu = self._menu(name, default=False)
        menu["routes"] = [
            {**self._action_route(tree["phone_number_ids"][0]), "keypress": key}
            for key in _KEYS[: self.rng.randint(2, 3)]
        ]
        menus.append(menu)
        if reachable:
            self._add_route(menus[:-1], _menu_route(len(menus) - 1))
        return menu

    def _add_route(self, menus: Sequence[JSONObject], route: Mapping[str, Any]) -> None:
        menu = self.rng.choice(menus)
        taken = {r["keypress"] for r in menu["routes"]}
        key = next(key for key in _KEYS if key not in taken)
        menu["routes"].append({**route, "keypress": key, "overflow_options": []})


def _menu_route(position: int) -> JSONObject:
    return {"action": "menu", "options": {"menu_id": f"@menu:{position}"}, "overflow_options": []}
