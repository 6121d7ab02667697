"""Starting and stopping the fake, and the pure state module under it."""

from __future__ import annotations

import asyncio
import math
import re
import time

import attrs
import pytest
from aiohttp import (
    ClientConnectionError,
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
from zendesk_ivr.testing import FakeZendesk, RecordedRequest
from zendesk_ivr.testing._faults import (
    Credentials,
    DelayFault,
    FaultQueue,
    RateWindow,
    TruncateFault,
    format_retry_after,
    status_fault,
)
from zendesk_ivr.testing._paging import (
    PageRequest,
    PageSlice,
    page_link,
    page_slice,
    parse_page_request,
)
from zendesk_ivr.testing._rules import ApiError, parse_wrapped
from zendesk_ivr.testing._seeding import seed_ivrs
from zendesk_ivr.testing._state import FIRST_ID, FakeState, Store

# --- lifecycle ----------------------------------------------------------------------------


async def test_url_is_local_and_aclose_is_idempotent() -> None:
    fake = await FakeZendesk.start()
    url = fake.url

    await fake.aclose()
    await fake.aclose()

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    async with ClientSession() as client:
        with pytest.raises(ClientConnectionError):
            await call(client, "GET", f"{url}{API}/ivr")


async def test_start_rejects_a_page_size_below_one() -> None:
    with pytest.raises(ValueError, match="max_page_size"):
        await FakeZendesk.start(max_page_size=0)


async def test_closing_during_a_delayed_request_does_not_hang() -> None:
    fake = await FakeZendesk.start()
    fake.delay_next(5)
    async with ClientSession(base_url=fake.url, headers={"Authorization": TOKEN_AUTH}) as client:
        pending = asyncio.ensure_future(call(client, "GET", f"{API}/ivr"))
        await asyncio.sleep(0.2)
        assert fake.requests, "the request should be waiting in the fake by now"
        started = time.monotonic()
        await fake.aclose()
        with pytest.raises(ClientConnectionError):
            await pending

    assert time.monotonic() - started < 2


# --- the pure state module ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, PageRequest(1, 100)),
        ({"page": "3", "per_page": "20"}, PageRequest(3, 20)),
        ({"per_page": "1000"}, PageRequest(1, 100)),
        ({"per_page": "-5"}, PageRequest(1, 1)),
    ],
)
def test_parse_page_request(query: dict[str, str], expected: PageRequest) -> None:
    assert parse_page_request(query, max_page_size=100) == expected


def test_parse_page_request_default_per_page_respects_max_page_size() -> None:
    assert parse_page_request({}, max_page_size=10) == PageRequest(1, 10)


@pytest.mark.parametrize(
    ("total", "page", "expected"),
    [
        (7, 1, PageSlice(0, 3, 2, None)),
        (7, 2, PageSlice(3, 6, 3, 1)),
        (7, 3, PageSlice(6, 7, None, 2)),
        (7, 4, PageSlice(9, 9, None, 3)),
        (6, 2, PageSlice(3, 6, None, 1)),
        (0, 1, PageSlice(0, 0, None, None)),
    ],
)
def test_page_slice(total: int, page: int, expected: PageSlice) -> None:
    assert page_slice(total, PageRequest(page, 3)) == expected


def test_page_link_replaces_page_and_adds_server_params() -> None:
    url = URL("http://h:1/api/v2/channels/voice/ivr.json?page=1&per_page=2&page=1&q=a%20b")

    link = page_link(url, 2, {"opaque": "x"})

    assert link == "http://h:1/api/v2/channels/voice/ivr.json?page=2&per_page=2&q=a+b&opaque=x"


@pytest.mark.parametrize(
    ("authorization", "accepted"),
    [
        (basic(f"{EMAIL}/token", TOKEN), True),
        (basic(f"{EMAIL.upper()}/token", TOKEN), True),
        (basic(EMAIL, PASSWORD), True),
        ("bearer " + OAUTH, True),
        (basic(EMAIL, PASSWORD + ":extra"), False),
        (basic(f"{EMAIL}/token", ""), False),
        ("Bearer", False),
        ("Basic %%%", False),
        (None, False),
    ],
)
def test_credentials_accepts(authorization: str | None, accepted: bool) -> None:
    credentials = Credentials(EMAIL, TOKEN, PASSWORD, OAUTH)

    assert credentials.accepts(authorization) is accepted


def test_credentials_with_a_none_secret_refuse_that_scheme() -> None:
    credentials = Credentials(EMAIL, None, PASSWORD, None)

    assert credentials.accepts(basic(EMAIL, PASSWORD))
    assert not credentials.accepts(basic(f"{EMAIL}/token", "None"))
    assert not credentials.accepts("Bearer None")


def test_rate_window_spends_turns_over_and_reports_retry_after() -> None:
    window = RateWindow.create(3, length=10, retry_after=None)

    spent = [window.take(100) for _ in range(4)]
    remaining = window.remaining
    later = window.take(107.5)
    turned = window.take(110)

    assert spent == [None, None, None, 10]  # opened at 100 by the first request
    assert remaining == 0
    assert later == 3  # 2.5 s left, rounded up to whole seconds
    assert turned is None  # a new window opened at 110 with this request
    assert window.remaining == 2


def test_rate_window_retry_after_is_at_least_a_second_or_the_override() -> None:
    window = RateWindow.create(1, length=10, retry_after=None)
    window.take(0)
    fixed = RateWindow.create(1, length=10, retry_after=7)
    fixed.take(0)

    assert window.take(9.99) == 1
    assert fixed.take(1) == 7


@pytest.mark.parametrize(
    ("limit", "length"), [(0, 60), (-1, 60), (2.5, 60), (True, 60), (5, 0), (5, math.inf)]
)
def test_rate_window_refuses_nonsense(limit: int, length: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateWindow.create(limit, length=length, retry_after=None)


def test_fault_queue_matches_in_order_by_method_and_path() -> None:
    queue = FaultQueue()
    queue.add(DelayFault(1), method="get", path="/menus")
    queue.add(TruncateFault(), times=2)

    taken = [
        queue.take("POST", "/ivr/1/menus"),
        queue.take("GET", "/ivr/1/menus.json"),
        queue.take("GET", "/ivr/1/menus"),
        queue.take("GET", "/ivr"),
    ]

    assert taken == [TruncateFault(), DelayFault(1), TruncateFault(), None]
    assert len(queue) == 0


@pytest.mark.parametrize(
    ("value", "header"), [(3, "3"), (3.0, "3"), (0.25, "0.25"), ("soon", "soon")]
)
def test_format_retry_after(value: float | str, header: str) -> None:
    assert format_retry_after(value) == header


def test_status_fault_guesses_content_type_of_custom_bodies() -> None:
    assert status_fault(500, body='{"a":1}').content_type.startswith("application/json")
    assert status_fault(500, body="plain").content_type.startswith("text/plain")
    assert status_fault(500, body="plain", content_type="text/x").content_type == "text/x"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "ParameterMissing"),
        (b"   ", "ParameterMissing"),
        (b"[1]", "ParameterMissing"),
        (b'{"ivr": null}', "ParameterMissing"),
        (b"{", "InvalidJSON"),
        (b"\xff\xfe", "InvalidJSON"),
    ],
)
def test_parse_wrapped_refuses_bad_bodies(body: bytes, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_wrapped(body, "ivr")

    assert caught.value.status == 400
    assert caught.value.body["error"] == error


def test_parse_wrapped_returns_the_wrapped_object() -> None:
    assert parse_wrapped(b'{"ivr": {"name": "x"}, "extra": 1}', "ivr") == {"name": "x"}


def test_store_update_validates_the_merged_record() -> None:
    store = Store()
    [ivr_id] = seed_ivrs(store, 1, menus=1, routes=0)
    menu_id = next(iter(store.ivrs[ivr_id].menus))
    route = store.create_route(
        ivr_id,
        menu_id,
        {"keypress": "1", "action": "phone_number", "options": {"phone_number": "+1"}},
    )

    with pytest.raises(ApiError) as caught:
        store.update_route(ivr_id, menu_id, route.id, {"action": "voicemail"})

    assert caught.value.status == 422
    assert set(caught.value.body["details"]) == {"options"}
    assert store.route(ivr_id, menu_id, route.id).action == "phone_number"


def test_store_ids_come_from_one_counter() -> None:
    store = Store()
    ivr = store.create_ivr({"name": "a"})
    menu = store.create_menu(ivr.id, {"name": "b"})

    assert [ivr.id, *ivr.menus] == [FIRST_ID, FIRST_ID + 1, FIRST_ID + 2]
    assert menu.id == FIRST_ID + 2


def test_admit_reports_no_limit_without_a_limiter() -> None:
    state = FakeState(Credentials(EMAIL, TOKEN, None, None))

    admissions = [state.admit(now) for now in (0, 1, 30, 61)]

    assert all(a.retry_after is None for a in admissions)
    assert all(a.limit is None and a.remaining is None for a in admissions)
    assert state.rate_limited_count == 0


def test_recorded_request_helpers() -> None:
    request = RecordedRequest(
        method="PUT",
        path="/x",
        query=(("a", "1"), ("a", "2")),
        headers={"Content-Type": "application/json"},
        body=b"null",
    )

    assert request.query_dict == {"a": "2"}
    assert request.header("content-type") == "application/json"
    assert request.json is None
    assert hash(request) == hash(attrs.evolve(request, headers={}))
