"""
The fake serves the shapes real accounts have, over raw HTTP: groups by cursor as well as by
offset (refused past 10,000 records), and the nulls Airbyte's Talk schemas allow.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import ClientSession
from yarl import URL

from tests.fake.fake_http import API
from zendesk_ivr.testing import FakeZendesk


async def get(session: ClientSession, url: str | URL) -> tuple[int, Any]:
    """GET an absolute URL (the links the fake gives) with the fixture's authorised session."""
    async with session.get(url) as response:
        return response.status, await response.json()


async def test_groups_by_cursor_follow_links_next_while_has_more(
    fake: FakeZendesk, session: ClientSession
) -> None:
    created = [fake.add_group(f"Group {n}") for n in range(5)]
    url: str | None = f"{fake.url}/api/v2/groups.json?page[size]=2"
    pages: list[dict[str, Any]] = []

    while url is not None:
        status, body = await get(session, URL(url, encoded=False))
        assert status == 200
        pages.append(body)
        url = body["links"]["next"] if body["meta"]["has_more"] else None

    assert [g["id"] for page in pages for g in page["groups"]] == created
    assert [len(page["groups"]) for page in pages] == [2, 2, 1]
    assert [page["meta"]["has_more"] for page in pages] == [True, True, False]
    assert all("count" not in page and "next_page" not in page for page in pages)
    # Like Zendesk, the last page still links onwards: has_more is what says to stop.
    status, after_last = await get(session, URL(pages[-1]["links"]["next"], encoded=False))
    assert (status, after_last["groups"], after_last["meta"]["has_more"]) == (200, [], False)
    # And back again from the last page.
    status, back = await get(session, URL(pages[-1]["links"]["prev"], encoded=False))
    assert [g["id"] for g in back["groups"]] == created[2:4]
    assert back["meta"]["has_more"] is True
    assert URL(pages[0]["links"]["next"]).path == "/api/v2/groups.json"


async def test_groups_by_offset_are_refused_past_10000_records_and_by_cursor_are_not(
    fake: FakeZendesk, session: ClientSession
) -> None:
    for n in range(10_001):
        fake.add_group(f"Group {n}")

    status, refused = await get(session, f"{fake.url}/api/v2/groups?page=101&per_page=100")
    assert status == 400
    assert refused["error"] == "TooManyValues"
    assert "cursor" in refused["description"]

    status, last = await get(session, f"{fake.url}/api/v2/groups?page=100&per_page=100")
    assert (status, len(last["groups"])) == (200, 100)
    url: str | None = f"{fake.url}/api/v2/groups?page[size]=100"
    seen = 0
    while url is not None:
        status, body = await get(session, URL(url, encoded=False))
        assert status == 200
        seen += len(body["groups"])
        url = body["links"]["next"] if body["meta"]["has_more"] else None
    assert seen == 10_001


@pytest.mark.parametrize("query", ["page[after]=nonsense", "page[size]=x"])
async def test_a_bad_cursor_is_a_400(fake: FakeZendesk, session: ClientSession, query: str) -> None:
    status, body = await get(session, URL(f"{fake.url}/api/v2/groups?{query}", encoded=False))

    assert status == 400
    assert body["error"] == "InvalidPaginationParameter"


async def test_planted_nulls_are_served_as_null(fake: FakeZendesk, session: ClientSession) -> None:
    ivr_id = fake.put_ivr(
        {
            "id": None,
            "name": None,
            "menus": [
                {
                    "id": None,
                    "name": None,
                    "default": None,
                    "greeting_id": "ivr_none",
                    "routes": [
                        {"id": None, "keypress": None, "action": None, "options": None},
                        {"keypress": "1", "action": "textback", "options": {"sms_textstring": "x"}},
                    ],
                }
            ],
        }
    )

    status, body = await get(session, f"{fake.url}{API}/ivr")

    assert status == 200
    (ivr,) = body["ivrs"]
    assert (ivr["id"], ivr["name"]) == (None, None)
    (menu,) = ivr["menus"]
    assert (menu["id"], menu["name"], menu["default"], menu["greeting_id"]) == (
        None,
        None,
        None,
        "ivr_none",
    )
    null_route, legacy = menu["routes"]
    assert [null_route[k] for k in ("id", "keypress", "action", "options")] == [None] * 4
    assert legacy["options"] == {"sms_textstring": "x"}
    assert isinstance(legacy["id"], int)
    assert fake.ivr_ids() == [ivr_id]  # stored under an id all the same


async def test_null_options_are_accepted_where_no_option_is_required(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.put_ivr({"name": "Support", "menus": [{"name": "Main", "default": True}]})
    menu = fake.ivr_json(fake.ivr_ids()[0])["menus"][0]
    routes = f"{fake.url}{API}/ivr/{fake.ivr_ids()[0]}/menus/{menu['id']}/routes"

    async with session.post(
        routes, json={"ivr_route": {"keypress": "1", "action": "textback", "options": None}}
    ) as response:
        created = response.status, await response.json()
    async with session.post(
        routes, json={"ivr_route": {"keypress": "2", "action": "group", "options": None}}
    ) as response:
        refused = response.status, await response.json()

    assert created[0] == 201
    assert created[1]["ivr_route"]["options"] is None
    assert refused[0] == 422
    assert "options" in refused[1]["details"]
