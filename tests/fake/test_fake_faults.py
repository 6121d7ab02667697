"""Scripted faults and the request log: what a test can make the fake do, and see."""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from aiohttp import (
    ClientConnectionError,
    ClientPayloadError,
    ClientSession,
    ServerDisconnectedError,
)

from tests.fake.fake_http import (
    API,
    EMAIL,
    JSON_TYPE,
    TOKEN,
    TOKEN_AUTH,
    call,
    create_ivr,
)
from zendesk_ivr.testing import FakeZendesk, RecordedRequest

# --- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "content_type", "expected"),
    [
        (429, "text/plain; charset=utf-8", b"Too Many Requests"),
        (503, "text/html; charset=utf-8", None),
        (500, JSON_TYPE, {"error": "InternalServerError"}),
        (502, JSON_TYPE, {"error": "InternalServerError"}),
        (504, JSON_TYPE, {"error": "InternalServerError"}),
        (401, JSON_TYPE, {"error": "Couldn't authenticate you"}),
        (403, JSON_TYPE, {"error": "Forbidden"}),
        (404, JSON_TYPE, {"error": "RecordNotFound", "description": "Not found"}),
        (409, JSON_TYPE, {"error": "Conflict", "description": "Conflict"}),
    ],
)
async def test_fail_next_sends_the_status_with_zendesks_default_body(
    fake: FakeZendesk,
    session: ClientSession,
    status: int,
    content_type: str,
    expected: bytes | dict[str, str] | None,
) -> None:
    fake.fail_next(status, retry_after=3)

    reply = await call(session, "GET", f"{API}/ivr")

    assert reply.status == status
    assert reply.headers["Content-Type"] == content_type
    assert reply.headers["Retry-After"] == "3"
    if isinstance(expected, bytes):
        assert reply.body == expected
    elif expected is None:
        assert reply.body.startswith(b"<!DOCTYPE html>")
    else:
        assert expected.items() <= reply.json().items()
    assert (await call(session, "GET", f"{API}/ivr")).status == 200


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [
        (1.5, "1.5"),
        (2.0, "2"),
        (0, "0"),
        ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT"),
    ],
)
async def test_fail_next_retry_after_numbers_as_given_and_strings_verbatim(
    fake: FakeZendesk, session: ClientSession, retry_after: float | str, header: str
) -> None:
    fake.fail_next(429, retry_after=retry_after)

    reply = await call(session, "GET", f"{API}/ivr")

    assert reply.headers["Retry-After"] == header


async def test_fail_next_without_retry_after_sends_no_retry_after(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(503)

    reply = await call(session, "GET", f"{API}/ivr")

    assert reply.status == 503
    assert "Retry-After" not in reply.headers


async def test_fail_next_custom_body_content_type_and_headers(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(418, body="short and stout", headers={"X-Teapot": "yes"})
    fake.fail_next(400, body=b'{"error":"Custom"}')
    fake.fail_next(500, body="<p>oops</p>", content_type="text/html")

    teapot = await call(session, "GET", f"{API}/ivr")
    custom = await call(session, "GET", f"{API}/ivr")
    html = await call(session, "GET", f"{API}/ivr")

    assert (teapot.status, teapot.body) == (418, b"short and stout")
    assert teapot.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert teapot.headers["X-Teapot"] == "yes"
    assert custom.json() == {"error": "Custom"}
    assert custom.headers["Content-Type"] == JSON_TYPE
    assert (html.status, html.headers["Content-Type"], html.body) == (
        500,
        "text/html",
        b"<p>oops</p>",
    )


async def test_fail_next_with_a_2xx_serves_a_canned_success(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(200, body='{"ivr": {"id": "nine"}}', path="/ivr/9$")
    fake.fail_next(204, body="ignored", method="DELETE")

    canned = await call(session, "GET", f"{API}/ivr/9")
    empty = await call(session, "DELETE", f"{API}/ivr/9")

    assert (canned.status, canned.json()) == (200, {"ivr": {"id": "nine"}})
    assert canned.headers["Content-Type"] == JSON_TYPE
    assert (empty.status, empty.body) == (204, b"")


async def test_fail_next_leaves_the_store_alone(fake: FakeZendesk, session: ClientSession) -> None:
    fake.fail_next(500, method="POST")

    failed = await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Lost"}})

    assert failed.status == 500
    assert fake.ivr_ids() == []
    assert (await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Kept"}})).status == 201


async def test_fail_next_matches_only_its_method_and_path(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1, menus=1, routes=0)
    fake.fail_next(502, method="post", path=r"/menus(\.json)?$")

    statuses = [
        (await call(session, "GET", f"{API}/ivr/{ivr_id}/menus")).status,
        (await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "x"}})).status,
        (
            await call(session, "POST", f"{API}/ivr/{ivr_id}/menus", {"ivr_menu": {"name": "a"}})
        ).status,
        (
            await call(session, "POST", f"{API}/ivr/{ivr_id}/menus", {"ivr_menu": {"name": "b"}})
        ).status,
    ]

    assert statuses == [200, 201, 502, 201]


async def test_faults_honour_times_and_queue_in_order(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(503, times=2)
    fake.fail_next(429)

    statuses = [(await call(session, "GET", f"{API}/ivr")).status for _ in range(4)]

    assert statuses == [503, 503, 429, 200]


async def test_fault_helpers_reject_nonsense_and_queue_nothing(
    fake: FakeZendesk, session: ClientSession
) -> None:
    with pytest.raises(ValueError, match="final status"):
        fake.fail_next(101)
    with pytest.raises(ValueError, match="times"):
        fake.fail_next(500, times=0)
    with pytest.raises(ValueError, match="mode"):
        fake.drop_next(mode="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        fake.delay_next(-1)
    with pytest.raises(ValueError, match="positive"):
        fake.rate_limit(0)
    with pytest.raises(ValueError, match="positive"):
        fake.rate_limit(1, window=0)
    with pytest.raises(ValueError, match="negative"):
        fake.latency = -0.1

    assert (await call(session, "GET", f"{API}/ivr")).status == 200
    assert fake.latency == 0
    assert fake.rate_limited_count == 0


# --- echo: errors that quote the request back ------------------------------------------------

DECODED = f"{EMAIL}/token:{TOKEN}"


async def test_an_echo_in_json_quotes_the_authorization_in_every_field(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(403, echo="json")

    reply = await call(session, "GET", f"{API}/ivr", headers={"X-Trace": "t-1"})

    assert reply.status == 403
    assert reply.headers["Content-Type"] == JSON_TYPE
    assert reply.headers["X-Echoed-Authorization"] == TOKEN_AUTH
    quoted = f"Authorization: {TOKEN_AUTH} (user {DECODED})"
    body = reply.json()
    assert body["error"] == f"Forbidden: {quoted}"
    assert body["description"] == f"Forbidden request had {quoted}"
    assert body["details"]["authorization"] == [{"description": quoted}]
    assert body["details"]["request"]["headers"]["Authorization"] == TOKEN_AUTH
    assert body["details"]["request"]["headers"]["X-Trace"] == "t-1"
    assert body["details"]["request"]["seen"] == {quoted: ["Forbidden"]}
    assert (await call(session, "GET", f"{API}/ivr")).status == 200  # one fault, one answer


async def test_an_echo_in_text_and_html_quotes_headers_and_body(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(500, echo="text")
    fake.fail_next(403, echo="html")

    text = await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "<b>&"}})
    page = await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "<b>&"}})

    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = text.body.decode().splitlines()
    assert lines[0] == f"500 Internal Server Error: Authorization: {TOKEN_AUTH} (user {DECODED})"
    assert f"Authorization: {TOKEN_AUTH}" in lines
    assert lines[-1] == '{"ivr": {"name": "<b>&"}}'
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.body.decode()
    assert f"<title>403 Forbidden: Authorization: {TOKEN_AUTH} (user {DECODED})</title>" in html
    assert "{&quot;ivr&quot;: {&quot;name&quot;: &quot;&lt;b&gt;&amp;&quot;}}" in html
    assert fake.ivr_ids() == []  # nothing handled


async def test_an_echo_of_a_request_without_authorization_quotes_its_body(
    fake: FakeZendesk,
) -> None:
    fake.fail_next(400, echo="json", path="^/oauth/tokens")
    form = {"grant_type": "refresh_token", "client_secret": "s3cret", "refresh_token": "r-1"}

    async with ClientSession(base_url=fake.url) as anonymous:
        reply = await call(anonymous, "POST", "/oauth/tokens", form)

    assert reply.status == 400
    assert "X-Echoed-Authorization" not in reply.headers
    assert reply.json()["error"] == f"BadRequest: request body {json.dumps(form)}"


async def test_echo_refuses_what_it_cannot_build_and_queues_nothing(
    fake: FakeZendesk, session: ClientSession
) -> None:
    with pytest.raises(ValueError, match="echo"):
        fake.fail_next(403, echo="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="body"):
        fake.fail_next(403, echo="json", body="mine")
    with pytest.raises(ValueError, match="body"):
        fake.fail_next(403, echo="json", content_type="text/plain")
    with pytest.raises(ValueError, match="no body"):
        fake.fail_next(204, echo="text")

    assert (await call(session, "GET", f"{API}/ivr")).status == 200


async def test_drop_before_response_on_post_is_a_disconnect_and_changes_nothing(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.drop_next(method="POST")

    with pytest.raises(ServerDisconnectedError):
        await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Lost"}})

    assert fake.ivr_ids() == []
    assert [(r.method, r.response_request_id) for r in fake.requests] == [("POST", None)]
    assert (await call(session, "GET", f"{API}/ivr")).status == 200


async def test_drop_before_response_on_get_is_retried_once_by_aiohttp(
    fake: FakeZendesk, session: ClientSession
) -> None:
    # aiohttp resends an idempotent request once when the connection drops before
    # a response, so one drop is invisible to it and two surface as an error.
    fake.drop_next(method="GET")
    survived = await call(session, "GET", f"{API}/ivr")
    fake.drop_next(times=2, method="GET")

    with pytest.raises(ClientConnectionError):
        await call(session, "GET", f"{API}/ivr")

    assert survived.status == 200
    assert [r.method for r in fake.requests] == ["GET"] * 4


async def test_drop_mid_body_is_a_payload_error(fake: FakeZendesk, session: ClientSession) -> None:
    fake.seed(2)
    fake.drop_next(mode="mid_body")

    async with session.get(f"{API}/ivr") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        assert "x-request-id" in response.headers
        with pytest.raises(ClientPayloadError):
            await response.read()

    assert (await call(session, "GET", f"{API}/ivr")).status == 200


async def test_drop_mid_body_after_a_write_keeps_the_write(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.drop_next(mode="mid_body", method="POST")

    with pytest.raises(ClientPayloadError):
        await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "Saved"}})

    assert len(fake.ivr_ids()) == 1


async def test_truncate_next_sends_half_the_body_as_invalid_json(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.seed(2)
    full = await call(session, "GET", f"{API}/ivr")
    fake.truncate_next(path="/ivr$")

    cut = await call(session, "GET", f"{API}/ivr")

    assert cut.status == 200
    assert cut.headers["Content-Type"] == JSON_TYPE
    assert int(cut.headers["Content-Length"]) == len(cut.body)
    assert cut.body == full.body[: len(full.body) // 2]
    with pytest.raises(json.JSONDecodeError):
        cut.json()


async def test_delay_next_delays_only_matching_requests(
    fake: FakeZendesk, session: ClientSession
) -> None:
    [ivr_id] = fake.seed(1, menus=1, routes=0)
    fake.delay_next(0.3, path="/menus")

    started = time.monotonic()
    fast = await call(session, "GET", f"{API}/ivr")
    fast_time = time.monotonic() - started
    slow = await call(session, "GET", f"{API}/ivr/{ivr_id}/menus")
    slow_time = time.monotonic() - started - fast_time

    assert (fast.status, slow.status) == (200, 200)
    assert fast_time < 0.3
    assert slow_time >= 0.3


async def test_latency_is_added_to_every_request(fake: FakeZendesk, session: ClientSession) -> None:
    fake.latency = 0.15

    started = time.monotonic()
    replies = [
        await call(session, "GET", f"{API}/ivr"),
        await call(session, "GET", "/nowhere"),
    ]
    elapsed = time.monotonic() - started

    assert [r.status for r in replies] == [200, 404]
    assert elapsed >= 0.3
    assert fake.latency == 0.15


async def test_the_fake_reports_a_plan_limit_of_2500_a_minute_by_default(
    session: ClientSession,
) -> None:
    replies = [await call(session, "GET", f"{API}/ivr") for _ in range(3)]

    assert [r.status for r in replies] == [200, 200, 200]
    assert {r.headers["X-Rate-Limit"] for r in replies} == {"2500"}
    assert [r.headers["X-Rate-Limit-Remaining"] for r in replies] == ["2499", "2498", "2497"]


async def test_a_spent_window_answers_429_text_until_it_turns_over(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.rate_limit(2, window=0.4)

    replies = [await call(session, "POST", f"{API}/ivr", {"ivr": {"name": "x"}}) for _ in range(3)]
    await asyncio.sleep(0.45)
    turned = await call(session, "GET", f"{API}/ivr")

    assert [r.status for r in replies] == [201, 201, 429]
    limited = replies[2]
    assert limited.headers["Retry-After"] == "1"  # 0.4 s left, in whole seconds
    assert limited.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert limited.body == b"Too Many Requests"
    assert {r.headers["X-Rate-Limit"] for r in [*replies, turned]} == {"2"}
    assert [r.headers["X-Rate-Limit-Remaining"] for r in replies] == ["1", "0", "0"]
    assert (turned.status, turned.headers["X-Rate-Limit-Remaining"]) == (200, "1")
    assert fake.rate_limited_count == 1
    assert [(r.window, r.rate_limited) for r in fake.requests] == [
        (1, False),
        (1, False),
        (1, True),
        (2, False),
    ]
    assert len(fake.ivr_ids()) == 2  # the refused create was not carried out
    assert len(fake.requests) == 4


async def test_rate_limit_retry_after_override_and_switching_off(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.rate_limit(1, retry_after=7)
    first = await call(session, "GET", f"{API}/ivr")
    limited = await call(session, "GET", f"{API}/ivr")
    fake.rate_limit(None)
    free = await call(session, "GET", f"{API}/ivr")

    assert (first.status, limited.status, free.status) == (200, 429, 200)
    assert limited.headers["Retry-After"] == "7"
    assert "X-Rate-Limit" not in free.headers
    assert fake.rate_limited_count == 1


async def test_no_rate_limit_headers_without_a_limit() -> None:
    async with (
        await FakeZendesk.start(rate_limit=None) as fake,
        ClientSession(headers={"Authorization": TOKEN_AUTH}) as session,
    ):
        replies = [await call(session, "GET", f"{fake.url}{API}/ivr") for _ in range(3)]

    assert [r.status for r in replies] == [200, 200, 200]
    assert all("X-Rate-Limit" not in r.headers for r in replies)
    assert all("X-Rate-Limit-Remaining" not in r.headers for r in replies)


async def test_every_response_has_a_unique_request_id(
    fake: FakeZendesk, session: ClientSession
) -> None:
    ivr = await create_ivr(session)
    routes = f"{API}/ivr/{ivr['id']}/menus/{ivr['menus'][0]['id']}/routes"
    route = await call(
        session,
        "POST",
        routes,
        {"ivr_route": {"keypress": "1", "action": "group", "options": {"group_ids": [1]}}},
    )
    replies = [
        route,
        await call(session, "GET", f"{API}/ivr"),
        await call(session, "DELETE", f"{routes}/{route.json()['ivr_route']['id']}"),
        await call(session, "GET", "/missing"),
        await call(session, "PATCH", f"{API}/ivr"),
        await call(session, "POST", f"{API}/ivr", {"ivr": {}}),
        await call(session, "POST", f"{API}/ivr", {"ivr": {"name": ""}}),
        await call(session, "GET", f"{API}/ivr", headers={"Authorization": "Bearer nope"}),
    ]
    fake.fail_next(503)
    replies.append(await call(session, "GET", f"{API}/ivr"))
    fake.truncate_next()
    replies.append(await call(session, "GET", f"{API}/ivr"))
    fake.rate_limit(1)
    replies.append(await call(session, "GET", f"{API}/ivr"))
    replies.append(await call(session, "GET", f"{API}/ivr"))

    assert [r.status for r in replies] == [
        201,
        200,
        204,
        404,
        405,
        400,
        422,
        401,
        503,
        200,
        200,
        429,
    ]
    request_ids = [r.headers["x-request-id"] for r in replies]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in request_ids)
    assert len(set(request_ids)) == len(request_ids)
    assert all(
        "X-Rate-Limit" in r.headers and "X-Rate-Limit-Remaining" in r.headers for r in replies
    )


# --- the request log ----------------------------------------------------------------------


async def test_request_log_records_each_request_as_received(
    fake: FakeZendesk, session: ClientSession
) -> None:
    await call(session, "GET", f"{API}/ivr.json?page=1&tag=a&tag=b")
    await call(
        session,
        "POST",
        f"{API}/ivr",
        {"ivr": {"name": "Logged"}},
        headers={"X-Custom-Header": "yes"},
    )
    await call(session, "POST", f"{API}/ivr", data=b"not json")

    listing, created, garbage = fake.requests
    assert isinstance(listing, RecordedRequest)
    assert (listing.method, listing.path) == ("GET", f"{API}/ivr.json")
    assert listing.query == (("page", "1"), ("tag", "a"), ("tag", "b"))
    assert listing.query_dict == {"page": "1", "tag": "b"}
    assert listing.body == b""
    assert listing.json is None
    assert (created.method, created.path, created.query) == ("POST", f"{API}/ivr", ())
    assert "X-Custom-Header" in created.headers
    assert created.header("x-custom-header") == "yes"
    assert created.header("AUTHORIZATION") == TOKEN_AUTH
    assert created.header("X-Absent") is None
    assert created.json == {"ivr": {"name": "Logged"}}
    assert created.body == b'{"ivr": {"name": "Logged"}}'
    assert garbage.json is None
    assert garbage.body == b"not json"


async def test_requests_returns_a_copy_and_clear_requests_empties_the_log(
    fake: FakeZendesk, session: ClientSession
) -> None:
    await call(session, "GET", f"{API}/ivr")
    snapshot = fake.requests
    snapshot.clear()

    assert len(fake.requests) == 1
    fake.clear_requests()
    assert fake.requests == []


async def test_the_log_keeps_the_request_id_each_response_carried(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.fail_next(503)
    replies = [await call(session, "GET", f"{API}/ivr") for _ in range(2)]
    async with ClientSession(base_url=fake.url) as anonymous:
        replies.append(await call(anonymous, "GET", f"{API}/ivr"))

    assert [r.status for r in replies] == [503, 200, 401]
    assert [r.response_request_id for r in fake.requests] == [
        r.headers["x-request-id"] for r in replies
    ]


async def test_max_in_flight_is_the_peak_of_concurrent_requests(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.latency = 0.1

    await asyncio.gather(*(call(session, "GET", f"{API}/ivr") for _ in range(4)))
    peak = fake.max_in_flight
    await call(session, "GET", f"{API}/ivr")

    assert peak == 4
    assert fake.max_in_flight == 4
