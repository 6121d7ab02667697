"""
Tests of the fake's demo account.

The problem checks below are written from the brief's criteria alone and read the
account as JSON over HTTP with a raw aiohttp session, never through the SDK, so a
bug shared by the SDK's audit and the demo can't hide here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest
from aiohttp import ClientSession

from zendesk_ivr.testing import DEMO_PROBLEMS, DemoAccount, FakeZendesk, seed_demo_account

API = "/api/v2/channels/voice"
PROBLEMS = {
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
}
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
KEYS = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"}

JSON = dict[str, Any]


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        yield server


@pytest.fixture
async def session(fake: FakeZendesk) -> AsyncIterator[ClientSession]:
    secret = base64.b64encode(f"{fake.email}/token:{fake.api_token}".encode()).decode()
    async with ClientSession(headers={"Authorization": f"Basic {secret}"}) as client:
        yield client


async def fetch_all(session: ClientSession, url: str, key: str) -> list[JSON]:
    """Every item of a listing, following next_page as given."""
    items: list[JSON] = []
    next_url: str | None = url
    while next_url is not None:
        async with session.get(next_url) as response:
            assert response.status == 200, await response.text()
            page = await response.json()
        items.extend(page[key])
        next_url = page["next_page"]
    return items


class Account:
    """The demo account as a client sees it over HTTP."""

    def __init__(self, ivrs: list[JSON], groups: list[JSON], greetings: list[JSON]) -> None:
        self.ivrs = {ivr["id"]: ivr for ivr in ivrs}
        self.groups = groups
        self.greetings = greetings
        self.group_ids = {group["id"] for group in groups}
        self.greeting_ids = {greeting["id"] for greeting in greetings}


async def read_account(fake: FakeZendesk, session: ClientSession) -> Account:
    return Account(
        await fetch_all(session, f"{fake.url}{API}/ivr.json?per_page=100", "ivrs"),
        await fetch_all(session, f"{fake.url}/api/v2/groups?per_page=5", "groups"),
        await fetch_all(session, f"{fake.url}{API}/greetings?per_page=4", "greetings"),
    )


def routes_of(ivr: JSON) -> Iterable[JSON]:
    return (route for menu in ivr["menus"] for route in menu["routes"])


def reachable_from(start: JSON, ivr: JSON) -> set[int]:
    menus = {menu["id"]: menu for menu in ivr["menus"]}
    seen: set[int] = set()
    todo = [start["id"]]
    while todo:
        menu_id = todo.pop()
        if menu_id in seen or menu_id not in menus:
            continue
        seen.add(menu_id)
        todo.extend(
            route["options"].get("menu_id")
            for route in menus[menu_id]["routes"]
            if route["action"] == "menu"
        )
    return seen


def problems_of(ivr: JSON, account: Account) -> set[str]:
    """The problems of one IVR, by the criteria the demo account promises."""
    found: set[str] = set()
    menus = ivr["menus"]
    menu_ids = {menu["id"] for menu in menus}
    defaults = [menu for menu in menus if menu["default"]]
    if not defaults:
        found.add("no_default_menu")
    elif len(defaults) > 1:
        found.add("two_default_menus")
    elif reachable_from(defaults[0], ivr) != menu_ids:
        found.add("unreachable_menu")
    if not ivr["phone_number_ids"]:
        found.add("no_phone_number")
    for menu in menus:
        if not menu["routes"]:
            found.add("empty_menu")
        greeting_id = menu["greeting_id"]
        if greeting_id is not None and greeting_id not in account.greeting_ids:
            found.add("unknown_greeting")
    for route in routes_of(ivr):
        action, options = route["action"], route["options"]
        if action == "menu" and options.get("menu_id") not in menu_ids:
            found.add("dead_key")
        elif action in ("group", "voicemail"):
            group_ids = options.get("group_ids")
            if not group_ids:
                found.add("missing_group")
            elif not set(group_ids) <= account.group_ids:
                found.add("unknown_group")
        elif action == "textback" and not (
            options.get("textback_phone_number_id") and options.get("sms_text")
        ):
            found.add("incomplete_textback")
        elif action == "phone_number":
            number = options.get("phone_number")
            if not isinstance(number, str) or not E164.fullmatch(number):
                found.add("invalid_phone_number")
    return found


def strip_urls(fake: FakeZendesk, value: object) -> object:
    """The fake's JSON without its port, which differs between two fakes."""
    if isinstance(value, str):
        return value.replace(fake.url, "")
    if isinstance(value, list):
        return [strip_urls(fake, item) for item in value]
    if isinstance(value, dict):
        return {key: strip_urls(fake, item) for key, item in value.items()}
    return value


# --- determinism and shape ------------------------------------------------------------------


async def test_the_same_seed_gives_the_same_account() -> None:
    async with (
        await FakeZendesk.start() as one,
        await FakeZendesk.start() as two,
        await FakeZendesk.start() as other,
    ):
        first, second = seed_demo_account(one), seed_demo_account(two)
        different = seed_demo_account(other, seed=8)
        first_json = [strip_urls(one, one.ivr_json(i)) for i in first.ivr_ids]
        second_json = [strip_urls(two, two.ivr_json(i)) for i in second.ivr_ids]
        other_json = [strip_urls(other, other.ivr_json(i)) for i in different.ivr_ids]

    assert first == second
    assert first_json == second_json
    assert different.planted != first.planted
    assert other_json != first_json


async def test_the_account_has_the_promised_counts(
    fake: FakeZendesk, session: ClientSession
) -> None:
    demo = seed_demo_account(fake)
    account = await read_account(fake, session)

    assert len(demo.ivr_ids) == 300
    assert list(demo.ivr_ids) == fake.ivr_ids() == list(account.ivrs)
    assert len(demo.group_ids) == 12
    assert list(demo.group_ids) == fake.group_ids() == [g["id"] for g in account.groups]
    assert len(demo.greeting_ids) == 10
    assert list(demo.greeting_ids) == fake.greeting_ids()
    # Beside the built-in greetings (string ids) every account has:
    uploaded = [g for g in account.greetings if isinstance(g["id"], int)]
    assert [g["id"] for g in uploaded] == list(demo.greeting_ids)
    assert {g["category_id"] for g in uploaded} == {5}
    assert [g["id"] for g in account.greetings] == fake.greeting_ids(built_in=True)
    assert {"Support Tier 1", "Billing", "Sales EMEA"} <= {g["name"] for g in account.groups}
    for ivr in account.ivrs.values():
        assert 1 <= len(ivr["menus"]) <= 4


async def test_the_ivrs_look_like_a_real_account(fake: FakeZendesk, session: ClientSession) -> None:
    seed_demo_account(fake)
    account = await read_account(fake, session)

    names = [ivr["name"] for ivr in account.ivrs.values()]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r".+ \([A-Z]+\)|.+ hotline \d\d", name) for name in names)
    assert any(re.fullmatch(r".+ \([A-Z]+\)", name) for name in names)
    assert any(re.fullmatch(r".+ hotline \d\d", name) for name in names)
    actions: set[str] = set()
    for ivr in account.ivrs.values():
        assert ivr["menus"][0]["name"] == "Main menu"
        assert len(ivr["phone_number_names"]) == len(ivr["phone_number_ids"])
        for menu in ivr["menus"]:
            keypresses = [route["keypress"] for route in menu["routes"]]
            assert len(set(keypresses)) == len(keypresses)
            assert set(keypresses) <= KEYS
        actions.update(route["action"] for route in routes_of(ivr))
    assert actions == {"group", "voicemail", "phone_number", "textback", "menu"}
    # Greetings show which IVRs play them, so the account's uploaded greetings are in use.
    assert all(g["ivr_ids"] for g in account.greetings if isinstance(g["id"], int))


# --- planted problems -----------------------------------------------------------------------


async def test_every_problem_is_planted_in_three_to_six_ivrs_of_its_own(
    fake: FakeZendesk,
) -> None:
    demo = seed_demo_account(fake)

    assert set(DEMO_PROBLEMS) == PROBLEMS
    assert set(demo.planted) == PROBLEMS
    planted = [ivr_id for ids in demo.planted.values() for ivr_id in ids]
    for problem, ivr_ids in demo.planted.items():
        assert 3 <= len(ivr_ids) <= 6, problem
    assert len(set(planted)) == len(planted)
    assert set(planted) <= set(demo.ivr_ids)
    assert set(demo.clean_ivr_ids) == set(demo.ivr_ids) - set(planted)


async def test_each_planted_ivr_has_its_problem_and_no_other(
    fake: FakeZendesk, session: ClientSession
) -> None:
    demo = seed_demo_account(fake)
    account = await read_account(fake, session)

    for problem, ivr_ids in demo.planted.items():
        for ivr_id in ivr_ids:
            assert problems_of(account.ivrs[ivr_id], account) == {problem}, (problem, ivr_id)


async def test_every_ivr_without_a_planted_problem_is_clean(
    fake: FakeZendesk, session: ClientSession
) -> None:
    demo = seed_demo_account(fake)
    account = await read_account(fake, session)

    assert len(demo.clean_ivr_ids) >= 300 - 6 * len(PROBLEMS)
    for ivr_id in demo.clean_ivr_ids:
        ivr = account.ivrs[ivr_id]
        assert problems_of(ivr, account) == set(), ivr
        assert [menu["default"] for menu in ivr["menus"]].count(True) == 1


@pytest.mark.parametrize("seed", [1, 2, 3, 99])
async def test_other_seeds_plant_as_promised_too(
    fake: FakeZendesk, session: ClientSession, seed: int
) -> None:
    demo = seed_demo_account(fake, ivrs=120, seed=seed)
    account = await read_account(fake, session)

    found = {ivr_id: problems_of(ivr, account) for ivr_id, ivr in account.ivrs.items()}
    expected = {ivr_id: set[str]() for ivr_id in demo.ivr_ids}
    for problem, ivr_ids in demo.planted.items():
        assert 3 <= len(ivr_ids) <= 6, problem
        for ivr_id in ivr_ids:
            expected[ivr_id] = {problem}
    assert found == expected


async def test_a_planted_problem_shows_in_route_listings_when_routes_are_not_embedded(
    fake: FakeZendesk, session: ClientSession
) -> None:
    demo = seed_demo_account(fake, ivrs=40)
    fake.omit_embedded_routes = True
    listed = await fetch_all(session, f"{fake.url}{API}/ivr", "ivrs")
    ivr_id = demo.planted["dead_key"][0]
    ivr = next(ivr for ivr in listed if ivr["id"] == ivr_id)
    for menu in ivr["menus"]:
        assert "routes" not in menu
        path = f"{fake.url}{API}/ivr/{ivr_id}/menus/{menu['id']}/routes"
        menu["routes"] = await fetch_all(session, path, "ivr_routes")
    account = await read_account(fake, session)

    assert problems_of(ivr, account) == {"dead_key"}


# --- small accounts and arguments -----------------------------------------------------------


@pytest.mark.parametrize("ivrs", [0, 5, 33])
async def test_small_accounts_plant_at_most_one_problem_per_ivr(
    fake: FakeZendesk, session: ClientSession, ivrs: int
) -> None:
    demo = seed_demo_account(fake, ivrs=ivrs)
    account = await read_account(fake, session)

    assert len(demo.ivr_ids) == ivrs
    assert set(demo.planted) == PROBLEMS
    planted = [ivr_id for ids in demo.planted.values() for ivr_id in ids]
    assert len(planted) == len(set(planted)) <= ivrs
    if ivrs >= 3 * len(PROBLEMS):
        assert all(len(ids) >= 3 for ids in demo.planted.values())
    for problem, ivr_ids in demo.planted.items():
        for ivr_id in ivr_ids:
            assert problems_of(account.ivrs[ivr_id], account) == {problem}
    for ivr_id in demo.clean_ivr_ids:
        assert problems_of(account.ivrs[ivr_id], account) == set()


async def test_a_negative_ivr_count_is_refused_before_anything_is_made(
    fake: FakeZendesk,
) -> None:
    with pytest.raises(ValueError, match="ivrs"):
        seed_demo_account(fake, ivrs=-1)

    assert (fake.ivr_ids(), fake.group_ids(), fake.greeting_ids()) == ([], [], [])


def test_the_demo_account_is_frozen_and_hashable() -> None:
    demo = DemoAccount(ivr_ids=(1, 4), group_ids=(2,), greeting_ids=(3,), planted={"x": (1,)})

    with pytest.raises(AttributeError):
        demo.ivr_ids = ()  # type: ignore[misc]
    assert hash(demo) == hash(DemoAccount((1, 4), (2,), (3,), {"x": (1,)}))
    assert demo.clean_ivr_ids == (4,)
