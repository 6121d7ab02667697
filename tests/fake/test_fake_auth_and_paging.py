"""Who the fake lets in, and how it pages listings."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import (
    ClientSession,
)
from yarl import URL

from tests.fake.fake_http import (
    API,
    EMAIL,
    OAUTH,
    PASSWORD,
    TOKEN,
    TOKEN_AUTH,
    basic,
    call,
)
from zendesk_ivr.testing import FakeZendesk

# --- authentication -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [basic(f"{EMAIL}/token", TOKEN), basic(EMAIL, PASSWORD), f"Bearer {OAUTH}"],
    ids=["api token", "password", "oauth"],
)
async def test_each_configured_auth_scheme_is_accepted(
    fake: FakeZendesk, authorization: str
) -> None:
    async with ClientSession(base_url=fake.url) as client:
        reply = await call(client, "GET", f"{API}/ivr", headers={"Authorization": authorization})

    assert reply.status == 200


@pytest.mark.parametrize(
    "authorization",
    [
        basic(f"{EMAIL}/token", "wrong-token"),
        basic(EMAIL, "wrong-password"),
        "Bearer wrong-oauth-token",
        basic("someone@example.com", PASSWORD),
        basic(f"{EMAIL}/token", PASSWORD),
        basic(EMAIL, TOKEN),
        "Basic not-base64!",
        f"Digest {OAUTH}",
        "",
    ],
)
async def test_wrong_credentials_answer_401(fake: FakeZendesk, authorization: str) -> None:
    async with ClientSession(base_url=fake.url) as client:
        reply = await call(client, "GET", f"{API}/ivr", headers={"Authorization": authorization})

    assert reply.status == 401
    assert reply.json() == {"error": "Couldn't authenticate you"}
    assert "x-request-id" in reply.headers


async def test_no_authorization_header_answers_401_and_is_logged(fake: FakeZendesk) -> None:
    async with ClientSession(base_url=fake.url) as client:
        reply = await call(client, "POST", f"{API}/ivr", {"ivr": {"name": "x"}})

    assert reply.status == 401
    assert fake.ivr_ids() == []
    [logged] = fake.requests
    assert logged.method == "POST"
    assert logged.header("Authorization") is None


async def test_a_scheme_whose_secret_is_none_is_refused() -> None:
    async with (
        await FakeZendesk.start(api_token=None, password=None, oauth_token=None) as fake,
        ClientSession(base_url=fake.url) as client,
    ):
        for authorization in (
            basic(f"{EMAIL}/token", "None"),
            basic(f"{EMAIL}/token", ""),
            basic(EMAIL, ""),
            "Bearer None",
            "Bearer ",
        ):
            reply = await call(
                client, "GET", f"{API}/ivr", headers={"Authorization": authorization}
            )
            assert reply.status == 401, authorization


async def test_start_exposes_the_configured_credentials() -> None:
    async with await FakeZendesk.start(
        email="me@corp.example", api_token="t", password=None, oauth_token="o"
    ) as fake:
        assert (fake.email, fake.api_token, fake.password, fake.oauth_token) == (
            "me@corp.example",
            "t",
            None,
            "o",
        )


# --- pagination ---------------------------------------------------------------------------


async def test_pagination_follows_next_page_through_every_page(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = fake.seed(7, menus=1, routes=0)
    fake.next_page_params = {"opaque": "server-state"}
    url: str | None = f"{fake.url}{API}/ivr.json?per_page=3&sort_by=name"
    seen: list[int] = []
    pages: list[dict[str, Any]] = []

    while url is not None:
        reply = await call(session, "GET", url)
        assert reply.status == 200
        page = reply.json()
        pages.append(page)
        seen.extend(ivr["id"] for ivr in page["ivrs"])
        url = page["next_page"]

    assert seen == ids
    assert [len(page["ivrs"]) for page in pages] == [3, 3, 1]
    assert {page["count"] for page in pages} == {7}
    assert pages[0]["previous_page"] is None
    second = URL(pages[0]["next_page"])
    assert second.path == f"{API}/ivr.json"
    assert dict(second.query) == {
        "per_page": "3",
        "sort_by": "name",
        "page": "2",
        "opaque": "server-state",
    }
    assert URL(pages[2]["previous_page"]).query["page"] == "2"
    assert [r.query_dict.get("opaque") for r in fake.requests] == [
        None,
        "server-state",
        "server-state",
    ]


async def test_repeated_page_parameters_use_the_last_value(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ids = fake.seed(3, menus=1, routes=0)

    page = (await call(session, "GET", f"{API}/ivr?per_page=1&page=1&page=3")).json()

    assert [ivr["id"] for ivr in page["ivrs"]] == ids[2:]
    assert URL(page["previous_page"]).query.getall("page") == ["2"]


async def test_page_links_keep_the_path_without_json_suffix(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.seed(2, menus=1, routes=0)

    page = (await call(session, "GET", f"{API}/ivr?per_page=1")).json()

    assert page["next_page"] == f"{fake.url}{API}/ivr?per_page=1&page=2"


async def test_menu_and_route_lists_paginate(fake: FakeZendesk, session: ClientSession) -> None:
    [ivr_id] = fake.seed(1, menus=3, routes=4)
    menu_id = fake.ivr_json(ivr_id)["menus"][0]["id"]

    menus = (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus?per_page=2&page=2")).json()
    routes = (
        await call(session, "GET", f"{API}/ivr/{ivr_id}/menus/{menu_id}/routes?per_page=3")
    ).json()

    assert len(menus["ivr_menus"]) == 1
    assert menus["count"] == 3
    assert menus["next_page"] is None
    assert URL(menus["previous_page"]).query["page"] == "1"
    assert [r["keypress"] for r in routes["ivr_routes"]] == ["1", "2", "3"]
    assert routes["count"] == 4
    assert URL(routes["next_page"]).query["page"] == "2"


async def test_per_page_is_clamped_to_one_and_max_page_size() -> None:
    async with (
        await FakeZendesk.start(max_page_size=5) as fake,
        ClientSession(base_url=fake.url, headers={"Authorization": TOKEN_AUTH}) as client,
    ):
        fake.seed(7, menus=1, routes=0)
        default = (await call(client, "GET", f"{API}/ivr")).json()
        large = (await call(client, "GET", f"{API}/ivr?per_page=50")).json()
        zero = (await call(client, "GET", f"{API}/ivr?per_page=0")).json()

    assert len(default["ivrs"]) == 5
    assert len(large["ivrs"]) == 5
    assert len(zero["ivrs"]) == 1


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-2", "per_page=many", "page="])
async def test_invalid_page_parameters_answer_400(session: ClientSession, query: str) -> None:
    reply = await call(session, "GET", f"{API}/ivr?{query}")

    assert reply.status == 400
    assert reply.json()["error"] == "InvalidPaginationParameter"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=100&per_page=100", 200),
        ("page=101&per_page=100", 400),
        ("page=10000&per_page=1", 200),
        ("page=10001&per_page=1", 400),
    ],
)
async def test_offset_past_10000_records_answers_400_too_many_values(
    session: ClientSession, query: str, status: int
) -> None:
    reply = await call(session, "GET", f"{API}/ivr?{query}")

    assert reply.status == status
    if status == 400:
        assert reply.json()["error"] == "TooManyValues"
